"""/explain: the explanation of a question as pages of embeds, with a section menu and paging.

Page 0 of "section" -1 is the overview: the question, the correct answer and the key concept.
Sections are numbered by their index in `Question.sections`.
"""

from __future__ import annotations

import functools

import discord

from bot.bank.model import Question, Section
from bot.i18n import t
from bot.render import ids
from bot.render.dispute import dispute_lines
from bot.render.limits import (
    EMBED_DESCRIPTION,
    FIELD_VALUE,
    SELECT_DESCRIPTION,
    SELECT_LABEL,
    cut,
    fit,
    shrink_to_total,
)
from bot.render.markdown import paginate, to_discord

OVERVIEW = -1
COLOR = discord.Colour.teal()
MAX_SECTIONS_IN_MENU = 24  # one menu option is the overview


@functools.lru_cache(maxsize=512)
def _section_pages(body: str) -> tuple[str, ...]:
    return tuple(paginate(to_discord(body), EMBED_DESCRIPTION)) or ("—",)


def section_pages(section: Section) -> tuple[str, ...]:
    return _section_pages(section.body)


def page_count(q: Question, section: int) -> int:
    if section == OVERVIEW or not (0 <= section < len(q.sections)):
        return 1
    return len(section_pages(q.sections[section]))


def _overview(q: Question, locale: str) -> discord.Embed:
    embed = discord.Embed(title=cut(f"{q.id} · {t('explain.overview', locale)}", 256), colour=COLOR)
    stem = to_discord(q.stem)
    options = "\n".join(
        f"{'✅' if x in q.answer else '▫️'} **{x}.** {to_discord(v)}" for x, v in q.options.items()
    )
    embed.description = fit(f"{stem}\n\n{options}", EMBED_DESCRIPTION - 1200)
    concept = q.section("concepts")
    if concept is not None and concept.body:
        embed.add_field(
            name=t("explain.key_concept", locale),
            value=fit(to_discord(concept.body), FIELD_VALUE),
            inline=False,
        )
    if q.disputed:
        embed.add_field(
            name=f"⚠️ {t('explain.disputed', locale)}",
            value=cut("\n".join(dispute_lines(q, locale, headed=False)), FIELD_VALUE),
            inline=False,
        )
    if not q.has_explanation:
        embed.add_field(name="📝", value=t("explain.no_explanation", locale, path=q.path), inline=False)
    embed.set_footer(text=cut(f"{q.key} · {q.difficulty or ''} · {', '.join(q.topics)}", 2048))
    return shrink_to_total(embed)


def explain_embed(q: Question, section: int, page: int, *, locale: str) -> discord.Embed:
    """One page: the overview (section -1) or page `page` of section `section` (clamped)."""
    if section == OVERVIEW or not (0 <= section < len(q.sections)):
        return _overview(q, locale)
    sec = q.sections[section]
    pages = section_pages(sec)
    page = max(0, min(page, len(pages) - 1))
    embed = discord.Embed(title=cut(f"{q.id} · {sec.title}", 256), colour=COLOR, description=pages[page])
    embed.set_footer(
        text=t("explain.page", locale, section=cut(sec.title, 200), page=page + 1, pages=len(pages))
    )
    return shrink_to_total(embed)


def explain_view(q: Question, section: int, page: int, owner: int, *, locale: str) -> discord.ui.View:
    """The section menu and Previous/Next; handlers are DynamicItems in bot/cogs (owner-checked)."""
    view = discord.ui.View(timeout=None)
    options = [
        discord.SelectOption(
            label=cut(t("explain.overview", locale), SELECT_LABEL),
            value=str(OVERVIEW),
            emoji="📋",
            default=section == OVERVIEW,
        )
    ]
    for i, sec in enumerate(q.sections[:MAX_SECTIONS_IN_MENU]):
        first = next((line for line in sec.body.splitlines() if line.strip()), "")
        options.append(
            discord.SelectOption(
                label=cut(sec.heading or sec.key, SELECT_LABEL),
                value=str(i),
                emoji=_emoji(sec.emoji),
                description=cut(first.replace("*", "").replace("`", "").strip("# "), SELECT_DESCRIPTION)
                or None,
                default=i == section,
            )
        )
    view.add_item(
        discord.ui.Select(
            custom_id=ids.explain_section(q.key, owner),
            options=options,
            placeholder=t("explain.pick_section", locale),
            row=0,
        )
    )
    pages = page_count(q, section)
    nav_section = max(section, 0)  # on the overview both buttons are disabled
    view.add_item(
        discord.ui.Button(
            label=t("explain.prev", locale),
            emoji="◀️",
            row=1,
            custom_id=ids.explain_nav("prev", q.key, nav_section, page, owner),
            disabled=section == OVERVIEW or page <= 0,
        )
    )
    view.add_item(
        discord.ui.Button(
            label=t("explain.next", locale),
            emoji="▶️",
            row=1,
            custom_id=ids.explain_nav("next", q.key, nav_section, page, owner),
            disabled=section == OVERVIEW or page >= pages - 1,
        )
    )
    return ids.dispatched_by_template(view)


def _emoji(value: str) -> str | None:
    value = value.strip()
    if not value or len(value) > 8:
        return None
    return value


def option_embed(q: Question, letter: str, *, locale: str) -> discord.Embed:
    """/explain option:C — why C is wrong (or right), and why the right answer is right."""
    right = letter in q.answer
    embed = discord.Embed(
        title=cut(t("explain.option_title", locale, id=q.id, letter=letter), 256), colour=COLOR
    )
    head = f"**{letter}.** {to_discord(q.options[letter])}"
    if right:
        body = q.rationales.get(letter) or t("answer.no_explanation", locale)
        embed.description = fit(
            f"{head}\n\n✅ {t('explain.option_is_right', locale, letter=letter)}\n\n{to_discord(body)}",
            EMBED_DESCRIPTION,
        )
    else:
        why = q.rationales.get(letter)
        text = to_discord(why) if why else t("answer.no_rationale", locale, letter=letter)
        embed.description = fit(
            f"{head}\n\n**{t('explain.option_is_wrong', locale, letter=letter)}**\n{text}",
            EMBED_DESCRIPTION - 1100,
        )
        for x in q.answer:
            value = q.rationales.get(x) or q.options[x]
            embed.add_field(
                name=cut(t("answer.why_right", locale, letters=x), 256),
                value=fit(to_discord(value), FIELD_VALUE),
                inline=False,
            )
    return shrink_to_total(embed)
