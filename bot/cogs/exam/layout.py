"""The components of an exam's messages: the custom_ids (`exam:<exam_id>:<action>:<arg>`, never an
answer) and the views of a question page, the submit confirmation and the result.

Every component is handled by a DynamicItem (bot/cogs/exam/views.py) matched by its custom_id, so
the buttons work after a restart: the exam lives in storage.
"""

from __future__ import annotations

from collections.abc import Mapping

import discord

from bot.bank.model import Question
from bot.core.exam import Exam, ExamItem, ExamResult
from bot.i18n import t
from bot.render import ids
from bot.render.limits import SELECT_LABEL, SELECT_OPTIONS, cut

#: Buttons: the arg is the position shown (0-based), and for `pick` the letter clicked.
ACTIONS = ("pick", "prev", "next", "flag", "submit", "confirm", "back", "explain")
EXAM_BUTTON = (
    r"exam:(?P<exam>[0-9]{1,18}):(?P<action>" + "|".join(ACTIONS) + r"):(?P<pos>[0-9]{1,4})(?P<letter>[A-J]?)"
)
#: The jump menu (its values are positions) and, on a result with many misses, the explain menus.
EXAM_SELECT = r"exam:(?P<exam>[0-9]{1,18}):(?P<action>jump|explains):(?P<pos>[0-9]{1,4})"
LETTERS_PER_ROW = 5
EXPLAIN_BUTTONS = 25  # up to this many missed questions get a button each; more: menus
EXPLAIN_MENUS = 5  # (five rows: 125 positions, more than the largest exam)


def exam_id(exam: int, action: str, pos: int, letter: str = "") -> str:
    return f"exam:{exam}:{action}:{pos}{letter}"


def needed(item: ExamItem) -> int:
    """How many letters the item wants (choose-N)."""
    return max(1, len(item.correct))


def picked(item: ExamItem, letter: str) -> str | None:
    """The item's letters after a click on `letter` (sorted): choose-1 replaces (a click on the
    chosen letter clears it), choose-N toggles. None: choose-N already full (unpick one first)."""
    if needed(item) == 1:
        return "" if item.chosen == letter else letter
    chosen = set(item.chosen)
    if letter in chosen:
        chosen.discard(letter)
    elif len(chosen) >= needed(item):
        return None
    else:
        chosen.add(letter)
    return "".join(sorted(chosen))


def counts(exam: Exam) -> tuple[int, int, int]:
    """(unanswered, answered with too few letters, flagged)."""
    unanswered = sum(1 for i in exam.items if not i.chosen)
    short = sum(1 for i in exam.items if i.chosen and len(i.chosen) < needed(i))
    return unanswered, short, sum(1 for i in exam.items if i.flagged)


def _mark(item: ExamItem, locale: str) -> str:
    state = (
        "answered"
        if item.chosen and len(item.chosen) >= needed(item)
        else "partial"
        if item.chosen
        else "empty"
    )
    mark = t(f"examcmd.mark.{state}", locale)
    return f"{mark} 🚩" if item.flagged else mark


def page_view(exam: Exam, pos: int, question: Question | None, *, locale: str) -> discord.ui.View:
    """Letter buttons (the chosen ones highlighted: no right or wrong), then Previous, Next, Flag,
    Submit, then a menu to jump to the 25 questions around this one."""
    view = discord.ui.View(timeout=None)
    item = exam.items[pos]
    letters = list(question.options) if question is not None else list(item.options)
    for i, letter in enumerate(letters[:10]):
        style = discord.ButtonStyle.primary if letter in item.chosen else discord.ButtonStyle.secondary
        view.add_item(
            discord.ui.Button(
                label=letter,
                style=style,
                custom_id=exam_id(exam.exam_id, "pick", pos, letter),
                row=i // LETTERS_PER_ROW,
            )
        )
    nav = 2
    last = len(exam.items) - 1
    buttons = [
        ("prev", "◀️", t("examcmd.prev", locale), pos == 0, discord.ButtonStyle.secondary),
        ("next", "▶️", t("examcmd.next", locale), pos >= last, discord.ButtonStyle.secondary),
        (
            "flag",
            "🚩",
            t("examcmd.unflag" if item.flagged else "examcmd.flag", locale),
            False,
            discord.ButtonStyle.primary if item.flagged else discord.ButtonStyle.secondary,
        ),
        ("submit", "📨", t("examcmd.submit", locale), False, discord.ButtonStyle.danger),
    ]
    for action, emoji, label, disabled, style in buttons:
        view.add_item(
            discord.ui.Button(
                label=label,
                emoji=emoji,
                style=style,
                disabled=disabled,
                custom_id=exam_id(exam.exam_id, action, pos),
                row=nav,
            )
        )
    view.add_item(jump_menu(exam, pos, locale=locale))
    return ids.dispatched_by_template(view)


def jump_menu(exam: Exam, pos: int, *, locale: str) -> discord.ui.Select[discord.ui.View]:
    """A menu of up to 25 positions around `pos`, each marked answered / flagged / empty."""
    total = len(exam.items)
    start = max(0, min(pos - SELECT_OPTIONS // 2, total - SELECT_OPTIONS))
    shown = exam.items[start : start + SELECT_OPTIONS]
    return discord.ui.Select(
        custom_id=exam_id(exam.exam_id, "jump", pos),
        placeholder=t("examcmd.jump", locale),
        row=3,
        options=[
            discord.SelectOption(
                label=cut(
                    t("examcmd.jump_option", locale, n=i.position + 1, mark=_mark(i, locale)), SELECT_LABEL
                ),
                value=str(i.position),
                default=i.position == pos,
            )
            for i in shown
        ],
    )


def confirm_view(exam: Exam, pos: int, *, locale: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(
        discord.ui.Button(
            label=t("examcmd.confirm", locale),
            emoji="📨",
            style=discord.ButtonStyle.danger,
            custom_id=exam_id(exam.exam_id, "confirm", pos),
        )
    )
    view.add_item(
        discord.ui.Button(
            label=t("examcmd.back", locale),
            style=discord.ButtonStyle.secondary,
            custom_id=exam_id(exam.exam_id, "back", pos),
        )
    )
    return ids.dispatched_by_template(view)


def confirm_text(exam: Exam, *, locale: str) -> str:
    unanswered, short, flagged = counts(exam)
    lines = [t("examcmd.confirm_question", locale, n=len(exam.items))]
    if unanswered or short or flagged:
        lines.append(t("examcmd.confirm_counts", locale, unanswered=unanswered, short=short, flagged=flagged))
    else:
        lines.append(t("examcmd.confirm_all", locale))
    return "\n".join(lines)


def _label(item: ExamItem, question: Question | None) -> str:
    name = question.id if question is not None else item.question_key
    return cut(f"{item.position + 1}. {name}", 80)


def result_view(
    exam: Exam, result: ExamResult, questions: Mapping[str, Question], *, locale: str
) -> discord.ui.View:
    """An Explain button per missed question (menus when there are more than 25); empty without misses."""
    missed = [exam.items[p] for p in result.missed if 0 <= p < len(exam.items)]
    view = discord.ui.View(timeout=None)
    if len(missed) <= EXPLAIN_BUTTONS:
        for item in missed:
            view.add_item(
                discord.ui.Button(
                    label=_label(item, questions.get(item.question_key)),
                    emoji="📖",
                    style=discord.ButtonStyle.secondary,
                    custom_id=exam_id(exam.exam_id, "explain", item.position),
                )
            )
        return ids.dispatched_by_template(view)
    for n in range(min(EXPLAIN_MENUS, -(-len(missed) // SELECT_OPTIONS))):
        chunk = missed[n * SELECT_OPTIONS : (n + 1) * SELECT_OPTIONS]
        first, last = chunk[0].position + 1, chunk[-1].position + 1
        view.add_item(
            discord.ui.Select(
                custom_id=exam_id(exam.exam_id, "explains", n),
                placeholder=cut(t("examcmd.explain_menu", locale, first=first, last=last), 150),
                options=[
                    discord.SelectOption(
                        label=_label(item, questions.get(item.question_key)),
                        value=str(item.position),
                        emoji="📖",
                    )
                    for item in chunk
                ],
            )
        )
    return ids.dispatched_by_template(view)
