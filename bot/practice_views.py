"""`quizbot practice`'s looks: a question, the feedback and the explanation as Markdown blocks, and
the screens that show them — plain text for a pipe or a file, rich for a terminal.

No Discord import; rich is imported only for a terminal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import IO, TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from rich.console import Console

    from bot.bank import Question
    from bot.core.models import AnswerOutcome

RULE = "─" * 60

# ----------------------------------------------------------------------------- rendering
#
# Each view is built once as Markdown blocks (a block is a list of lines), from the bank's Markdown
# through `convert`. Plain output (a pipe, a file) converts with `to_discord`, as the bot does, and
# joins lines with newlines and blocks with blank lines: readable as text. A terminal gets the
# bank's own Markdown (`for_terminal`) drawn by rich: every line its own paragraph, real tables,
# highlighted code, bold.

Blocks = list[list[str]]


def _to_discord(markdown: str) -> str:
    from bot.render.discord_markdown import to_discord

    return to_discord(markdown)


def question_view(
    q: Question, number: int, total: int, locale: str, convert: Callable[[str], str] = _to_discord
) -> tuple[str, Blocks]:
    """(the head line, [[stem], options]) of a question."""
    from bot.i18n import t

    head = f"{number}/{total} · {q.id} · {q.difficulty or '—'}"
    if q.topics:
        head += f" · {', '.join(q.topics)}"
    stem = convert(q.stem)
    if q.choose > 1:
        stem += "\n\n**" + t("post.choose", locale, n=q.choose) + "**"
    options = []
    for letter, text in q.options.items():
        body = convert(text)
        sep = "\n" if body.startswith("```") or "\n" in body else " "
        options.append(f"**{letter}.**{sep}{body}")
    return head, [[stem], options]


def render_question(q: Question, number: int, total: int, locale: str, head: str | None = None) -> str:
    """A question as plain text; `head` replaces its head line (the exam names the section)."""
    line, blocks = question_view(q, number, total, locale)
    return f"{RULE}\n{head or line}\n{RULE}\n" + plain(blocks)


def feedback_view(
    q: Question,
    chosen: str,
    outcome: AnswerOutcome,
    locale: str,
    convert: Callable[[str], str] = _to_discord,
    *,
    score: bool = True,
) -> Blocks:
    """What the Discord feedback embed says: right or wrong, the right option, why the chosen one
    is wrong, why the right one is right, traps, dispute, score (not with `score` False: a review
    scores nothing)."""
    from bot.i18n import t
    from bot.render.dispute import dispute_lines

    right = ", ".join(q.answer)
    correct = bool(outcome.correct)
    blocks = [
        [
            t("answer.right", locale, letters=right)
            if correct
            else t("answer.wrong", locale, chosen=", ".join(chosen))
        ]
    ]
    answer_lines = [t("answer.correct_is", locale, letters=right)]
    answer_lines += [f"**{x}.** {convert(q.options[x])}" for x in q.answer]
    blocks.append(answer_lines)
    if not correct:
        for letter in chosen:
            if letter in q.answer:
                continue
            heading = f"**{t('answer.why_wrong', locale, letter=letter)}**"
            why = q.rationales.get(letter)
            if why:
                blocks.append([heading, convert(why)])
            elif q.has_explanation:
                blocks.append([heading, t("answer.no_rationale", locale, letter=letter)])
    why_right = [q.rationales[x] for x in q.answer if x in q.rationales]
    if why_right and q.has_explanation:
        blocks.append(
            [f"**{t('answer.why_right', locale, letters=right)}**", convert("\n\n".join(why_right))]
        )
    if not q.has_explanation:
        blocks.append([t("answer.no_explanation", locale)])
    if q.traps:
        blocks.append([f"**{t('answer.traps', locale)}**: " + ", ".join(f"`{x}`" for x in q.traps)])
    if q.disputed:
        blocks.extend([line] for line in dispute_lines(q, locale))
    if not score:
        return blocks
    if correct and outcome.points_awarded == 0:
        blocks.append([t("answer.score_practice_repeat", locale, total=outcome.total_points)])
    else:
        blocks.append(
            [
                t(
                    "answer.score",
                    locale,
                    points=outcome.points_awarded,
                    total=outcome.total_points,
                    streak=outcome.current_streak,
                    best=outcome.best_streak,
                )
            ]
        )
    return blocks


def render_feedback(
    q: Question, chosen: str, outcome: AnswerOutcome, locale: str, *, score: bool = True
) -> str:
    return plain(feedback_view(q, chosen, outcome, locale, score=score))


def explanation_view(
    q: Question,
    locale: str,
    convert: Callable[[str], str] = _to_discord,
    *,
    code_below: bool = False,
) -> tuple[str, Blocks]:
    """(the title, the blocks) of every explanation section in order, whole (no pages in a terminal)."""
    from bot.i18n import t
    from bot.render.dispute import dispute_lines

    title = f"{q.id} · {t('explain.overview', locale)}"
    options = []
    for x, v in q.options.items():
        body = convert(v)
        # `code_below`: an option that is a code block or several lines starts below its letter
        sep = "\n" if code_below and (body.startswith(("```", "~~~")) or "\n" in body.strip()) else " "
        options.append(f"{'✅' if x in q.answer else '▫️'} **{x}.**{sep}{body}")
    blocks = [options]
    if q.disputed:
        note = "\n".join(dispute_lines(q, locale, headed=False))
        blocks.append([f"⚠️ **{t('explain.disputed', locale)}**: {note}"])
    for section in q.sections:
        body = convert(section.body).strip()
        if body:
            blocks.append([f"## {section.title}", body])
    if not q.has_explanation:
        blocks.append([t("explain.no_explanation", locale, path=q.path)])
    return title, blocks


def render_explanation(q: Question, locale: str) -> str:
    title, blocks = explanation_view(q, locale)
    return f"{RULE}\n# {title}\n\n" + plain(blocks, heading_gap=True) + f"\n{RULE}"


def plain(blocks: Blocks, *, heading_gap: bool = False) -> str:
    """Blocks as text: lines one under the other, blank lines between blocks (and, with
    `heading_gap`, after a `## ` heading line)."""
    out = []
    for lines in blocks:
        if heading_gap and len(lines) > 1 and lines[0].startswith("## "):
            out.append(lines[0] + "\n\n" + "\n".join(lines[1:]))
        else:
            out.append("\n".join(lines))
    return "\n\n".join(out)


# Bounded patterns (linear on any text): an in-page link `[text](#anchor)`, which leads nowhere in
# a terminal, an HTML line break, and a code fence line.
_ANCHOR = re.compile(r"\[([^\[\]\n]{0,300})\]\([ \t]*#[^()\s]{0,300}[ \t]*\)")
_BR = re.compile(r"<br[ \t]{0,20}/?>", re.IGNORECASE)
_FENCE = re.compile(r"[ \t]{0,40}(?:(?:[-*+]|\d{1,9}[.)])[ \t]{1,4})?(```|~~~)")


def for_terminal(markdown: str) -> str:
    """The bank's Markdown for rich, read as its authors write it for Discord: a line break is a
    line break (two trailing spaces make it one in CommonMark, which would join the lines), an
    in-page link becomes its text, `<br>` a line break (` · ` inside a table row, whose cell holds
    one line). Code blocks are left exactly as they are."""
    lines = []
    fence: str | None = None
    for line in _ANCHOR.sub(r"\1", markdown).split("\n"):
        m = _FENCE.match(line)
        if m and (fence is None or m.group(1) == fence):
            fence = m.group(1) if fence is None else None
            lines.append(line)
            continue
        if fence is None:
            if "<" in line:
                line = _BR.sub(" · " if line.lstrip().startswith("|") else "  \n", line)
            if line.strip():
                line += "  "
        lines.append(line)
    return "\n".join(lines)


class PlainScreen:
    """Output for a pipe or a file (and tests): Markdown as the bot sends it to Discord, as text."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out

    def write(self, text: str) -> None:
        self.out.write(text)
        self.out.flush()

    def question(self, q: Question, number: int, total: int, locale: str, head: str | None = None) -> None:
        self.write(render_question(q, number, total, locale, head) + "\n")

    def feedback(
        self, q: Question, chosen: str, outcome: AnswerOutcome, locale: str, *, score: bool = True
    ) -> None:
        self.write(render_feedback(q, chosen, outcome, locale, score=score) + "\n")

    def explanation(self, q: Question, locale: str) -> None:
        self.write(render_explanation(q, locale) + "\n")


class RichScreen(PlainScreen):
    """Output for a terminal: the bank's Markdown drawn by rich (bold, tables, highlighted code)."""

    def __init__(self, console: Console) -> None:
        super().__init__(console.file)
        self.console = console

    def write(self, text: str) -> None:
        self.console.print(text, end="", markup=False, highlight=False, emoji=False)
        self.console.file.flush()

    def _markdown(self, blocks: Blocks) -> None:
        from rich.markdown import Markdown

        # every line its own paragraph: a soft line break would join them into one
        self.console.print(
            Markdown("\n\n".join(line for lines in blocks for line in lines), code_theme=CODE_THEME)
        )

    def question(self, q: Question, number: int, total: int, locale: str, head: str | None = None) -> None:
        from rich.text import Text

        line, blocks = question_view(q, number, total, locale, for_terminal)
        self.console.rule(Text(head or line), style="cyan", characters="─")
        self._markdown(blocks)

    def feedback(
        self, q: Question, chosen: str, outcome: AnswerOutcome, locale: str, *, score: bool = True
    ) -> None:
        self._markdown(feedback_view(q, chosen, outcome, locale, for_terminal, score=score))

    def explanation(self, q: Question, locale: str) -> None:
        from rich.text import Text

        title, blocks = explanation_view(q, locale, for_terminal, code_below=True)
        self.console.rule(Text(title), style="cyan", characters="─")
        self._markdown(blocks)
        self.console.rule(style="cyan", characters="─")


#: Pygments style of highlighted code in a terminal (readable on dark and light backgrounds).
CODE_THEME = "monokai"


def screen_for(out: TextIO) -> PlainScreen:
    """Rich output when `out` is a terminal, plain text otherwise (a pipe, a file, a test)."""
    isatty = getattr(out, "isatty", None)
    if isatty is None or not isatty():
        return PlainScreen(out)
    from rich.console import Console

    return RichScreen(Console(file=out))
