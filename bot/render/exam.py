"""What Discord shows of a mock exam: one page per question (never its answer), the grid of
positions, the graded result and the history. See docs/exam.md.

A page shows the stem and options as a question post does (`bot.render.question.post_parts`,
cached per Question object and language), the letters the member chose, the flag, the timer as
Discord timestamps and the answered count: nothing that depends on the correct letters but how
many to choose. The shared bits (section names, text bars, percents, fitting lines into fields)
are used by `bot.render.readiness` too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

import discord

from bot.bank.bank import printable
from bot.bank.blueprint import Blueprint
from bot.bank.model import Question
from bot.core.exam import Exam, ExamItem, ExamResult, ExamSummary
from bot.i18n import ZH, t
from bot.render.limits import (
    EMBED_DESCRIPTION,
    EMBED_FIELDS,
    EMBED_TITLE,
    EMBED_TOTAL,
    FIELD_NAME,
    FIELD_VALUE,
    FOOTER,
    MESSAGE,
    cut,
    embed_length,
    shrink_to_total,
)
from bot.render.question import PostParts, post_parts, post_parts_async
from bot.render.text import in_code_span, utf16_len

COLOR = discord.Colour.blurple()
COLOR_PASS = discord.Colour.green()
COLOR_FAIL = discord.Colour.red()
BAR_WIDTH = 10
SECTION_NAME = 80  # a section or blueprint name in a title or a line
SHORT_NAME = 24  # a section name in a line about one question
LABEL = 40  # a question id in a line
OVERVIEW_ROW = 10  # positions per line of the grid
SECTIONS_ROOM = 2400  # the result's per-section bars, in its description


# ------------------------------------------------------------------------------ shared bits


def section_name(blueprint: Blueprint, key: str, locale: str) -> str:
    """A section's name as written in the blueprint (the 繁體中文 one for zh-TW when it has one);
    the key itself for a section the blueprint does not have."""
    section = blueprint.section(key)
    if section is None:
        return key
    if locale == ZH and section.name_zh:
        return section.name_zh
    return section.name


def blueprint_name(blueprint: Blueprint, locale: str) -> str:
    """The blueprint's name (the 繁體中文 one for zh-TW when it has one)."""
    return blueprint.name_zh if locale == ZH and blueprint.name_zh else blueprint.name


def shown(text: str, limit: int) -> str:
    """Text from a blueprint or the bank for an embed: one line, control characters escaped, cut
    to about `limit`, unable to format or mention anything."""
    clean = cut(printable(" ".join(text[: 4 * limit].split())), limit)
    return discord.utils.escape_markdown(discord.utils.escape_mentions(clean))


def percent(value: float) -> str:
    """A percent (0–100) rounded half up, as shown: "63%"."""
    return f"{int(value + 0.5)}%"


def mark(value: float) -> str:
    """A pass mark or a weight in percent: "70%", "12.5%"."""
    rounded = round(value, 1)
    return f"{rounded:g}%"


def weight_percent(weight: float, total: float) -> str:
    """A section's weight as a percent of the blueprint's (weights may use any positive scale)."""
    return mark(100.0 * weight / total if total > 0 else weight)


def text_bar(fraction: float | None, width: int = BAR_WIDTH) -> str:
    """`████████░░` for 0.8, in a code span (so it lines up); all light for None."""
    filled = round(width * min(1.0, max(0.0, fraction or 0.0)))
    return "`" + "█" * filled + "░" * (width - filled) + "`"


def letters(chosen: str) -> str:
    return ", ".join(chosen) if chosen else "—"


def duration(span: timedelta, locale: str) -> str:
    """ "1 h 23 min" from an hour up, else "42 min 10 s"."""
    seconds = max(0, int(span.total_seconds()))
    if seconds >= 3600:
        hours, minutes = divmod(seconds // 60, 60)
        return t("exam.duration_hm", locale, h=hours, m=minutes)
    minutes, seconds = divmod(seconds, 60)
    return t("exam.duration_ms", locale, m=minutes, s=seconds)


def _more(locale: str) -> Callable[[int], str]:
    return lambda n: t("exam.more", locale, n=n)


def lines_within(lines: Sequence[str], limit: int, more: Callable[[int], str]) -> str:
    """As many whole lines as fit in `limit`, then `more(n)` for the n left out."""
    out: list[str] = []
    used = 0
    for i, line in enumerate(lines):
        rest = len(lines) - i - 1
        reserve = utf16_len(more(rest)) + 1 if rest else 0
        need = utf16_len(line) + (1 if out else 0)
        if used + need + reserve > limit:
            out.append(more(len(lines) - i))
            break
        out.append(line)
        used += need
    return "\n".join(out) or "—"


def pack_fields(
    lines: Sequence[str], names: tuple[str, str], room: int, max_fields: int, more: Callable[[int], str]
) -> list[tuple[str, str]]:
    """Lines (each at most FIELD_VALUE) in fields named `names[0]`, then `names[1]`: each within
    FIELD_VALUE, at most `max_fields` of them, names and values within `room` in all. The lines
    that do not fit are counted in a last line `more(n)`."""
    fields: list[list[str]] = []
    sizes: list[int] = []
    used = 0
    for i, line in enumerate(lines):
        rest = len(lines) - i - 1
        tail = utf16_len(more(rest)) + 1 if rest else 0
        size = utf16_len(line)
        if fields and sizes[-1] + 1 + size + tail <= FIELD_VALUE and used + 1 + size + tail <= room:
            fields[-1].append(line)
            sizes[-1] += 1 + size
            used += 1 + size
            continue
        cost = utf16_len(names[1] if fields else names[0]) + size
        if len(fields) < max_fields and size + tail <= FIELD_VALUE and used + cost + tail <= room:
            fields.append([line])
            sizes.append(size)
            used += cost
            continue
        left = more(len(lines) - i)
        if fields:  # the room for it was kept when the last line went in
            fields[-1].append(left)
        elif max_fields > 0 and utf16_len(names[0]) + utf16_len(left) <= room:
            fields.append([left])
        break
    return [(names[0] if i == 0 else names[1], "\n".join(f)) for i, f in enumerate(fields)]


# ------------------------------------------------------------------------------ a page


def _item(exam: Exam, index: int) -> ExamItem:
    if not 0 <= index < len(exam.items):
        raise IndexError(f"exam {exam.exam_id} has no question {index} (it has {len(exam.items)})")
    return exam.items[index]


def exam_page(
    exam: Exam,
    index: int,
    question: Question | None,
    blueprint: Blueprint,
    *,
    locale: str,
    now: datetime | None = None,
) -> discord.Embed:
    """Item `index` of the exam: its section, stem and options, the letters chosen (never whether
    they are right), the flag, the timer and the answered count. `question` None (gone from the
    bank) shows a one-line note. With `now` past the deadline the timer says time is up."""
    parts = post_parts(question, locale) if question is not None else None
    return _page(exam, _item(exam, index), index, parts, blueprint, locale, now)


async def exam_page_async(
    exam: Exam,
    index: int,
    question: Question | None,
    blueprint: Blueprint,
    *,
    locale: str,
    now: datetime | None = None,
) -> discord.Embed:
    """`exam_page` for the cogs: the question's Markdown is rendered in a worker thread, once."""
    item = _item(exam, index)
    parts = await post_parts_async(question, locale) if question is not None else None
    return _page(exam, item, index, parts, blueprint, locale, now)


def _page(
    exam: Exam,
    item: ExamItem,
    index: int,
    parts: PostParts | None,
    blueprint: Blueprint,
    locale: str,
    now: datetime | None,
) -> discord.Embed:
    section = shown(section_name(blueprint, item.section, locale), SECTION_NAME)
    title = t("exam.page_title", locale, n=index + 1, total=len(exam.items), section=section)
    embed = discord.Embed(title=cut(title, EMBED_TITLE), colour=COLOR)
    if parts is None:
        key = cut(in_code_span(item.question_key), 200)
        embed.description = t("exam.question_gone", locale, key=key)
    else:
        # the post's stem and options (within Discord's limits with room to spare); not its
        # title (the question's id) nor its topics: hints an exam does not give
        embed.description = parts.description or None
        for name, value in parts.fields:
            embed.add_field(name=name, value=value, inline=False)
    answer = f"**{letters(item.chosen)}**" if item.chosen else t("exam.not_answered", locale)
    if item.flagged:
        answer += "\n" + t("exam.flagged", locale)
    embed.add_field(name=t("exam.your_answer", locale), value=answer, inline=True)
    embed.add_field(name=t("exam.time", locale), value=_timer(exam, locale, now), inline=True)
    answered = sum(1 for i in exam.items if i.answered)
    flagged = sum(1 for i in exam.items if i.flagged)
    progress = t("exam.progress", locale, answered=answered, total=len(exam.items), flagged=flagged)
    embed.set_footer(text=cut(progress, FOOTER))
    return shrink_to_total(embed)


def _timer(exam: Exam, locale: str, now: datetime | None) -> str:
    if exam.submitted_at is not None:
        return t("exam.submitted", locale, when=discord.utils.format_dt(exam.submitted_at, "f"))
    if now is not None and now >= exam.deadline:
        return t("exam.time_up", locale)
    return t(
        "exam.time_left",
        locale,
        relative=discord.utils.format_dt(exam.deadline, "R"),
        clock=discord.utils.format_dt(exam.deadline, "t"),
    )


def exam_overview(exam: Exam, *, locale: str) -> str:
    """The positions at a glance (🟩 answered, 🚩 flagged, ⬜ not answered; the current one in
    brackets), ten to a line, under a legend with the counts: for the jump menu or the submit
    confirmation. Within a message (2,000)."""
    answered = sum(1 for i in exam.items if i.answered)
    flagged = sum(1 for i in exam.items if i.flagged)
    legend = t("exam.overview_legend", locale, answered=answered, total=len(exam.items), flagged=flagged)
    width = len(str(len(exam.items)))
    cells = []
    for n, item in enumerate(exam.items):
        number = f"{n + 1:>{width}}"
        if n == exam.current:
            number = f"[{number}]"
        symbol = "🚩" if item.flagged else "🟩" if item.answered else "⬜"
        cells.append(f"`{number}`{symbol}")
    rows = [" ".join(cells[i : i + OVERVIEW_ROW]) for i in range(0, len(cells), OVERVIEW_ROW)]

    def positions_left(rows_left: int) -> str:
        return t("exam.more", locale, n=len(cells) - OVERVIEW_ROW * (len(rows) - rows_left))

    grid = lines_within(rows, MESSAGE - utf16_len(legend) - 1, positions_left)
    return f"{legend}\n{grid}" if rows else legend


# ------------------------------------------------------------------------------ the result


def exam_result(
    exam: Exam,
    result: ExamResult,
    blueprint: Blueprint,
    questions: Mapping[str, Question],
    *,
    locale: str,
) -> discord.Embed:
    """The graded exam: score, the estimated pass/fail (saying the pass mark is an estimate when
    it is), time used, per-section bars against the weights, the three weakest sections and the
    missed questions (position, id, section, the member's letters → the right ones), cut to fit."""
    name = shown(blueprint_name(blueprint, locale), SECTION_NAME)
    embed = discord.Embed(
        title=cut(t("exam.result_title", locale, blueprint=name), EMBED_TITLE),
        colour=COLOR_PASS if result.passed else COLOR_FAIL,
    )
    summary = "\n".join(_summary_lines(exam, result, blueprint, locale))
    total = sum(blueprint.weights.values())
    bars = [
        f"**{shown(section_name(blueprint, s.key, locale), SECTION_NAME)}**\n"
        + t(
            "exam.section_line",
            locale,
            bar=text_bar(s.correct / s.total if s.total else None),
            percent=percent(s.percent or 0.0),
            correct=s.correct,
            total=s.total,
            weight=weight_percent(s.weight, total),
        )
        for s in result.sections
    ]
    sections = lines_within(bars, SECTIONS_ROOM, _more(locale)) if bars else "—"
    embed.description = f"{summary}\n\n**{t('exam.sections', locale)}**\n{sections}"
    embed.set_footer(text=cut(t("exam.footer", locale, id=exam.exam_id), FOOTER))
    scores = {s.key: s for s in result.sections}
    weakest = [
        t(
            "exam.weakest_line",
            locale,
            n=i + 1,
            section=shown(section_name(blueprint, key, locale), SECTION_NAME),
            percent=percent(scores[key].percent or 0.0) if key in scores else "—",
            correct=scores[key].correct if key in scores else 0,
            total=scores[key].total if key in scores else 0,
        )
        for i, key in enumerate(result.weakest[:3])
    ]
    if weakest:
        embed.add_field(name=t("exam.weakest", locale), value="\n".join(weakest), inline=False)
    _add_missed(embed, exam, result, blueprint, questions, locale)
    return shrink_to_total(embed)


def _summary_lines(exam: Exam, result: ExamResult, blueprint: Blueprint, locale: str) -> list[str]:
    pass_mark = mark(result.pass_mark)
    if blueprint.pass_mark_estimated:
        verdict = "exam.passed_estimated" if result.passed else "exam.failed_estimated"
    else:
        verdict = "exam.passed" if result.passed else "exam.failed"
    lines = [
        t("exam.score", locale, correct=result.correct, total=result.total, percent=percent(result.percent)),
        t(verdict, locale, mark=pass_mark),
    ]
    if blueprint.pass_mark_estimated:
        lines.append(t("exam.estimate_note", locale, mark=pass_mark))
    limit = duration(exam.deadline - exam.started_at, locale)
    lines.append(t("exam.time_used", locale, used=duration(result.time_used, locale), limit=limit))
    if exam.auto_submitted:
        lines.append(t("exam.auto_submitted", locale))
    return lines


def _add_missed(
    embed: discord.Embed,
    exam: Exam,
    result: ExamResult,
    blueprint: Blueprint,
    questions: Mapping[str, Question],
    locale: str,
) -> None:
    first = cut(t("exam.missed", locale, n=len(result.missed)), FIELD_NAME)
    if not result.missed:
        embed.add_field(name=first, value=t("exam.none_missed", locale), inline=False)
        return
    lines = []
    for position in result.missed:
        if not 0 <= position < len(exam.items):
            continue  # a result graded from other items: nothing to show for it
        item = exam.items[position]
        q = questions.get(item.question_key)
        label = cut(in_code_span(q.id if q is not None else item.question_key), LABEL)
        section = shown(section_name(blueprint, item.section, locale), SHORT_NAME)
        lines.append(
            f"`{position + 1}.` `{label}` · {section} · **{letters(item.chosen)}** → **{letters(item.correct)}**"
        )
    names = (first, t("exam.missed_continued", locale))
    room = EMBED_TOTAL - embed_length(embed) - 16
    fields = pack_fields(lines, names, room, EMBED_FIELDS - len(embed.fields), _more(locale))
    for name, value in fields:
        embed.add_field(name=name, value=value, inline=False)


# ------------------------------------------------------------------------------ history


def exam_history_embed(
    summaries: Sequence[ExamSummary], blueprints: Mapping[str, Blueprint], *, locale: str
) -> discord.Embed:
    """`/exam history`: one line per exam (date, blueprint, score, pass/fail against the exam's
    pass mark, time used, ⏰ when the timer submitted it), as many as fit."""
    embed = discord.Embed(title=t("exam.history_title", locale), colour=COLOR)
    if not summaries:
        embed.description = t("exam.history_empty", locale)
        return embed
    lines = []
    estimated = False
    for s in summaries:
        bp = blueprints.get(s.blueprint)
        estimated = estimated or bp is None or bp.pass_mark_estimated
        name = shown(blueprint_name(bp, locale) if bp is not None else s.blueprint, LABEL)
        verdict = ("✅" if s.passed else "❌") + (" ⏰" if s.auto_submitted else "")
        lines.append(
            t(
                "exam.history_line",
                locale,
                when=discord.utils.format_dt(s.submitted_at, "d"),
                blueprint=name,
                correct=s.correct,
                total=s.total,
                percent=percent(s.percent),
                verdict=verdict,
                used=duration(s.submitted_at - s.started_at, locale),
            )
        )
    embed.description = lines_within(lines, EMBED_DESCRIPTION, _more(locale))
    footer = t("exam.history_legend", locale)
    if estimated:
        footer += "\n" + t("exam.history_estimated", locale)
    embed.set_footer(text=cut(footer, FOOTER))
    return shrink_to_total(embed)
