"""Readiness for an exam blueprint (a member's or the group's) and the sprint plan, as embeds.

The figures come from `bot.core.readiness` (`Readiness`, `PlanDay`); the radar picture is
`bot.render.radar`. Sections are numbered in blueprint order, as on the radar's axes, so a label
the picture could only number ("#3") is named here. See docs/exam.md.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import discord

from bot.bank.blueprint import Blueprint
from bot.core.readiness import MIN_ANSWERS, PlanDay, Readiness, SectionReadiness
from bot.i18n import t
from bot.render.exam import (
    SECTION_NAME,
    blueprint_name,
    lines_within,
    mark,
    pack_fields,
    section_name,
    shown,
    text_bar,
    weight_percent,
)
from bot.render.limits import (
    EMBED_DESCRIPTION,
    EMBED_FIELDS,
    EMBED_TITLE,
    EMBED_TOTAL,
    FIELD_NAME,
    FIELD_VALUE,
    FOOTER,
    cut,
    embed_length,
    shrink_to_total,
)
from bot.render.radar import RADAR_FILENAME
from bot.render.text import utf16_len

COLOR = discord.Colour.teal()
PLAN_COLOR = discord.Colour.orange()
WHO = 80  # a member's or the server's name in the title
MISSED_SHOWN = 5  # most missed questions listed per section
MISSED_LABEL = 120  # a question label the cog gives
SECTIONS_ROOM = 2600  # the per-section lines, in the description


def accuracy(section: SectionReadiness) -> str:
    acc = section.accuracy
    return "—" if acc is None else f"{int(100 * acc + 0.5)}%"


def _predicted(state: Readiness) -> str:
    value = state.predicted
    return "—" if value is None else f"{int(value + 0.5)}%"


def _more(key: str, locale: str) -> Callable[[int], str]:
    return lambda n: t(key, locale, n=n)


def _label(label: str) -> str:
    """A question label from the cog (Markdown, e.g. "`Q-104`") on one line, cut, its code spans
    still closed."""
    text = cut(" ".join(label[: 4 * MISSED_LABEL].split()), MISSED_LABEL)
    return text + "`" if text.count("`") % 2 else text


def _summary(state: Readiness, blueprint: Blueprint, locale: str) -> list[str]:
    """The predicted score (or why there is none), the warning below MIN_ANSWERS, and the note
    that the pass mark is an estimate when it is."""
    pass_mark = mark(blueprint.pass_mark)
    if state.answers == 0 or state.predicted is None:
        lines = [t("readiness.no_answers", locale)]
    else:
        lines = [
            t(
                "readiness.predicted",
                locale,
                predicted=_predicted(state),
                mark=pass_mark,
                answers=state.answers,
            )
        ]
        if not state.enough:
            lines.append(t("readiness.too_few", locale, answers=state.answers, min=MIN_ANSWERS))
    if blueprint.pass_mark_estimated:
        lines.append(t("readiness.estimate_note", locale, mark=pass_mark))
    return lines


def section_lines(state: Readiness, blueprint: Blueprint, locale: str) -> list[str]:
    """One entry per section, numbered as the radar's axes: name, bar, accuracy, weight."""
    total = sum(s.weight for s in state.sections)
    lines = []
    for n, s in enumerate(state.sections, start=1):
        name = shown(section_name(blueprint, s.key, locale), SECTION_NAME)
        weight = weight_percent(s.weight, total)
        if s.accuracy is None:
            figures = t("readiness.section_unseen", locale, bar=text_bar(None), weight=weight)
        else:
            figures = t(
                "readiness.section_line",
                locale,
                bar=text_bar(s.accuracy),
                accuracy=accuracy(s),
                correct=s.correct,
                answered=s.answered,
                weight=weight,
            )
        lines.append(f"{n}. **{name}**\n{figures}")
    return lines


def readiness_embed(
    state: Readiness,
    blueprint: Blueprint,
    *,
    locale: str,
    who: str,
    server: bool = False,
    missed: Mapping[str, Sequence[tuple[str, int, int]]] | None = None,
    chart: bool = False,
) -> discord.Embed:
    """Per-section accuracy against the weights, the predicted score and the answers it rests on
    (with a warning below MIN_ANSWERS), the pass mark (an estimate when it is), the weakest
    sections; for the server (`server`), `missed` maps a section key to (question label, misses,
    answers) of its most missed questions. `chart`: the radar (attached as RADAR_FILENAME) is
    the embed's image."""
    name = shown(blueprint_name(blueprint, locale), SECTION_NAME)
    title = t(
        "readiness.title_server" if server else "readiness.title", locale, blueprint=name, who=shown(who, WHO)
    )
    embed = discord.Embed(title=cut(title, EMBED_TITLE), colour=COLOR)
    summary = "\n".join(_summary(state, blueprint, locale))
    sections = lines_within(
        section_lines(state, blueprint, locale), SECTIONS_ROOM, _more("readiness.more", locale)
    )
    embed.description = cut(
        f"{summary}\n\n**{t('readiness.sections', locale)}**\n{sections}", EMBED_DESCRIPTION
    )
    weakest = state.weakest(3)
    if weakest:
        value = "\n".join(
            t(
                "readiness.weakest_line",
                locale,
                n=i,
                section=shown(section_name(blueprint, s.key, locale), SECTION_NAME),
                accuracy=accuracy(s),
                correct=s.correct,
                answered=s.answered,
            )
            for i, s in enumerate(weakest, start=1)
        )
    else:
        value = t("readiness.weakest_none", locale)
    embed.add_field(name=t("readiness.weakest", locale), value=cut(value, FIELD_VALUE), inline=False)
    footer = t("readiness.footer_server" if server else "readiness.footer", locale)
    embed.set_footer(text=cut(footer, FOOTER))
    if server and missed:
        _add_missed(embed, state, blueprint, missed, locale)
    if chart:
        embed.set_image(url=f"attachment://{RADAR_FILENAME}")
    return shrink_to_total(embed)


def _add_missed(
    embed: discord.Embed,
    state: Readiness,
    blueprint: Blueprint,
    missed: Mapping[str, Sequence[tuple[str, int, int]]],
    locale: str,
) -> None:
    """A field per section with missed questions, the weakest sections first, as many as fit."""
    order = [s.key for s in state.weakest(len(state.sections))]
    order += [s.key for s in blueprint.sections if s.key not in order]
    for key in order:
        rows = missed.get(key)
        if not rows:
            continue
        room = EMBED_TOTAL - embed_length(embed) - 8
        if len(embed.fields) >= EMBED_FIELDS or room < 64:
            return
        section = shown(section_name(blueprint, key, locale), SECTION_NAME)
        name = cut(t("readiness.missed_title", locale, section=section), FIELD_NAME)
        lines = [
            t(
                "readiness.missed_line",
                locale,
                question=_label(label),
                misses=misses,
                answers=answers,
            )
            for label, misses, answers in rows[:MISSED_SHOWN]
        ]
        fields = pack_fields(lines, (name, name), room, 1, _more("readiness.more", locale))
        for field_name, value in fields:
            embed.add_field(name=field_name, value=value, inline=False)


def plan_embed(
    plan: Sequence[PlanDay], state: Readiness, blueprint: Blueprint, *, locale: str, days: int
) -> discord.Embed:
    """The sprint plan: a field per day listing its sections and question counts (with the
    section's accuracy now, or that it was never tried, and its weight), under the predicted
    score and the (estimated) pass mark. Days that do not fit are counted in a last field."""
    name = shown(blueprint_name(blueprint, locale), SECTION_NAME)
    embed = discord.Embed(
        title=cut(t("plan.title", locale, days=days, blueprint=name), EMBED_TITLE), colour=PLAN_COLOR
    )
    lines = [t("plan.intro", locale)]
    pass_mark = mark(blueprint.pass_mark)
    if state.predicted is not None:
        lines.append(
            t("plan.now", locale, predicted=_predicted(state), mark=pass_mark, answers=state.answers)
        )
    if blueprint.pass_mark_estimated:
        lines.append(t("readiness.estimate_note", locale, mark=pass_mark))
    embed.description = "\n".join(lines)
    embed.set_footer(text=cut(t("plan.footer", locale), FOOTER))
    if not plan:
        embed.add_field(name="—", value=t("plan.empty", locale), inline=False)
        return embed
    by_key = {s.key: s for s in state.sections}
    total = sum(s.weight for s in state.sections)
    for i, day in enumerate(plan):
        items = []
        for item in day.items:
            section = by_key.get(item.section)
            values = {
                "section": shown(section_name(blueprint, item.section, locale), SECTION_NAME),
                "count": item.count,
                "weight": weight_percent(section.weight, total) if section is not None else "—",
            }
            if item.unseen or section is None or section.accuracy is None:
                items.append(t("plan.item_unseen", locale, **values))
            else:
                items.append(t("plan.item_seen", locale, accuracy=accuracy(section), **values))
        field_name = cut(t("plan.day", locale, day=day.day, count=day.count), FIELD_NAME)
        value = lines_within(items, FIELD_VALUE, _more("readiness.more", locale))
        left = len(plan) - i
        rest = t("plan.more_days", locale, n=left)
        reserve = utf16_len(rest) + 2 if left > 1 else 0
        fits = embed_length(embed) + utf16_len(field_name) + utf16_len(value) + reserve <= EMBED_TOTAL
        if not fits or (len(embed.fields) >= EMBED_FIELDS - 1 and left > 1):
            embed.add_field(name="…", value=rest, inline=False)
            break
        embed.add_field(name=field_name, value=value, inline=False)
    return shrink_to_total(embed)
