"""/explain: the explanation of a question as pages of embeds, with a section menu and paging.

Page 0 of "section" -1 is the overview: the question, the correct answer and the key concept.
Sections are numbered by their index in `Question.sections`.

What a question's pages show is rendered once per Question object (and language) and kept
(bot.render.cache); the cogs ask through `explain_message` and `option_embed_async`, which
render what is missing in a worker thread.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import discord

from bot.bank.model import Question
from bot.i18n import t
from bot.render import ids
from bot.render.cache import RenderCache, cache_key
from bot.render.discord_markdown import preview, to_discord
from bot.render.dispute import dispute_lines
from bot.render.limits import (
    EMBED_DESCRIPTION,
    EMBED_TITLE,
    EMBED_TOTAL,
    FIELD_NAME,
    FIELD_VALUE,
    FOOTER,
    SELECT_DESCRIPTION,
    SELECT_LABEL,
    SELECT_OPTIONS,
    cut,
    fit,
    shares,
    shrink_to_total,
)
from bot.render.paginate import paginate
from bot.render.reports import report_button
from bot.render.text import utf16_len

if TYPE_CHECKING:
    from discord.types.embed import Embed as EmbedData  # the JSON object of an embed

OVERVIEW = -1
COLOR = discord.Colour.teal()
MAX_SECTIONS_IN_MENU = SELECT_OPTIONS - 1  # one menu option is the overview

# Keys: ("pages", section index), ("overview", locale), ("option", letter, locale), ("menu",).
_EXPLAIN: RenderCache[Any] = RenderCache("explain", 2048)

MenuEntry = tuple[str, str, str | None, str | None]  # label, value, emoji, description


def _is_section(q: Question, section: int) -> bool:
    return section != OVERVIEW and 0 <= section < len(q.sections)


# --- rendering (pure: these run in worker threads) --------------------------------------------


def build_section_pages(body: str) -> tuple[str, ...]:
    """A section's Markdown as embed descriptions (the whole of it: every page is shown)."""
    return tuple(paginate(to_discord(body), EMBED_DESCRIPTION)) or ("—",)


def build_overview(q: Question, locale: str) -> EmbedData:
    embed = discord.Embed(title=cut(f"{q.id} · {t('explain.overview', locale)}", EMBED_TITLE), colour=COLOR)
    room = EMBED_DESCRIPTION - 1200
    stem = preview(q.stem, room)
    options = "\n".join(
        f"{'✅' if x in q.answer else '▫️'} **{x}.** {preview(v, room)}" for x, v in q.options.items()
    )
    embed.description = fit(f"{stem}\n\n{options}", room)
    concept = q.section("concepts")
    if concept is not None and concept.body:
        embed.add_field(
            name=t("explain.key_concept", locale),
            value=fit(preview(concept.body, FIELD_VALUE), FIELD_VALUE) or "—",
            inline=False,
        )
    if q.disputed:
        embed.add_field(
            name=f"⚠️ {t('explain.disputed', locale)}",
            value=cut("\n".join(dispute_lines(q, locale, headed=False)), FIELD_VALUE),
            inline=False,
        )
    if not q.has_explanation:
        embed.add_field(
            name="📝", value=cut(t("explain.no_explanation", locale, path=q.path), FIELD_VALUE), inline=False
        )
    embed.set_footer(text=cut(f"{q.key} · {q.difficulty or ''} · {', '.join(q.topics)}", FOOTER))
    return shrink_to_total(embed).to_dict()


def build_option(q: Question, letter: str, locale: str) -> EmbedData:
    """/explain option:C — why C is wrong (or right), and why the right answer is right."""
    right = letter in q.answer
    embed = discord.Embed(
        title=cut(t("explain.option_title", locale, id=q.id, letter=letter), EMBED_TITLE), colour=COLOR
    )
    head = f"**{letter}.** {preview(q.options[letter], EMBED_DESCRIPTION)}"
    if right:
        body = q.rationales.get(letter) or t("answer.no_explanation", locale)
        embed.description = fit(
            f"{head}\n\n✅ {t('explain.option_is_right', locale, letter=letter)}\n\n"
            f"{preview(body, EMBED_DESCRIPTION)}",
            EMBED_DESCRIPTION,
        )
        return shrink_to_total(embed).to_dict()
    why = q.rationales.get(letter)
    text = preview(why, EMBED_DESCRIPTION) if why else t("answer.no_rationale", locale, letter=letter)
    embed.description = fit(
        f"{head}\n\n**{t('explain.option_is_wrong', locale, letter=letter)}**\n{text}",
        EMBED_DESCRIPTION - 1100,
    )
    # why each right answer is right: a field each, sharing what is left of the embed's total
    names = [cut(t("answer.why_right", locale, letters=x), FIELD_NAME) for x in q.answer]
    values = [preview(q.rationales.get(x) or q.options[x], FIELD_VALUE) or "—" for x in q.answer]
    budget = EMBED_TOTAL - 64 - utf16_len(embed.title or "") - utf16_len(embed.description or "")
    budget -= sum(utf16_len(name) for name in names)
    rooms = shares([min(utf16_len(v), FIELD_VALUE) for v in values], budget)
    for name, value, room in zip(names, values, rooms, strict=True):
        embed.add_field(name=name, value=fit(value, room) if room >= 1 else "…", inline=False)
    return shrink_to_total(embed).to_dict()


def build_menu(q: Question) -> tuple[MenuEntry, ...]:
    """The section menu's entries (the overview's is added per language)."""
    entries: list[MenuEntry] = []
    for i, sec in enumerate(q.sections[:MAX_SECTIONS_IN_MENU]):
        first = _first_line(sec.body)
        entries.append(
            (
                cut(sec.heading or sec.key, SELECT_LABEL) or "—",
                str(i),
                _emoji(sec.emoji),
                cut(first.replace("*", "").replace("`", "").strip("# "), SELECT_DESCRIPTION) or None,
            )
        )
    return tuple(entries)


def _first_line(text: str) -> str:
    """The first line of *text* that is not blank (found without splitting all of it)."""
    pos = 0
    while pos <= len(text):
        end = text.find("\n", pos)
        if end < 0:
            end = len(text)
        line = text[pos:end]
        if line.strip():
            return cut(line, 4 * SELECT_DESCRIPTION)
        pos = end + 1
    return ""


def _emoji(value: str) -> str | None:
    value = value.strip()
    if not value or len(value) > 8:
        return None
    return value


# --- the cached parts ------------------------------------------------------------------------


def section_pages(q: Question, section: int) -> tuple[str, ...]:
    """The pages of section *section* of *q* (rendered once per Question object)."""
    body = q.sections[section].body
    pages: tuple[str, ...] = _EXPLAIN.get_or_build(
        q, cache_key(q, "pages", section), lambda: build_section_pages(body)
    )
    return pages


def page_count(q: Question, section: int) -> int:
    if not _is_section(q, section):
        return 1
    return len(section_pages(q, section))


def _menu(q: Question) -> tuple[MenuEntry, ...]:
    result: tuple[MenuEntry, ...] = _EXPLAIN.get_or_build(q, cache_key(q, "menu"), lambda: build_menu(q))
    return result


def _overview(q: Question, locale: str) -> EmbedData:
    result: EmbedData = _EXPLAIN.get_or_build(
        q, cache_key(q, "overview", locale), lambda: build_overview(q, locale)
    )
    return result


async def _prepare(q: Question, section: int, locale: str) -> None:
    """Render in a worker thread what one page of *section* needs and is not cached yet."""
    if _is_section(q, section):
        body = q.sections[section].body
        await _EXPLAIN.get_or_build_off_loop(
            q, cache_key(q, "pages", section), lambda: build_section_pages(body)
        )
    else:
        await _EXPLAIN.get_or_build_off_loop(
            q, cache_key(q, "overview", locale), lambda: build_overview(q, locale)
        )
    await _EXPLAIN.get_or_build_off_loop(q, cache_key(q, "menu"), lambda: build_menu(q))


# --- embeds and views ------------------------------------------------------------------------


def explain_embed(q: Question, section: int, page: int, *, locale: str) -> discord.Embed:
    """One page: the overview (section -1) or page `page` of section `section` (clamped)."""
    if not _is_section(q, section):
        return _embed(_overview(q, locale))
    sec = q.sections[section]
    pages = section_pages(q, section)
    page = max(0, min(page, len(pages) - 1))
    embed = discord.Embed(
        title=cut(f"{q.id} · {sec.title}", EMBED_TITLE), colour=COLOR, description=pages[page]
    )
    embed.set_footer(
        text=t("explain.page", locale, section=cut(sec.title, 200), page=page + 1, pages=len(pages))
    )
    return embed


async def explain_message(
    q: Question, section: int, page: int, owner: int, *, locale: str
) -> tuple[discord.Embed, discord.ui.View]:
    """The embed and view of a page (`page` clamped to the section's pages), for the cogs: what
    is not rendered yet is rendered in a worker thread."""
    await _prepare(q, section, locale)
    page = max(0, min(page, page_count(q, section) - 1))
    return explain_embed(q, section, page, locale=locale), explain_view(
        q, section, page, owner, locale=locale
    )


def explain_view(q: Question, section: int, page: int, owner: int, *, locale: str) -> discord.ui.View:
    """The section menu, Previous/Next (owner-checked) and Report (anyone's own report); handlers
    are DynamicItems in bot/cogs."""
    view = discord.ui.View(timeout=None)
    options = [
        discord.SelectOption(
            label=cut(t("explain.overview", locale), SELECT_LABEL),
            value=str(OVERVIEW),
            emoji="📋",
            default=section == OVERVIEW,
        )
    ]
    for label, value, emoji, description in _menu(q):
        options.append(
            discord.SelectOption(
                label=label,
                value=value,
                emoji=emoji,
                description=description,
                default=value == str(section),
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
    button = report_button(ids.report_question(q.key), locale)
    button.row = 1
    view.add_item(button)
    return ids.dispatched_by_template(view)


def option_embed(q: Question, letter: str, *, locale: str) -> discord.Embed:
    """/explain option:C — why C is wrong (or right), and why the right answer is right."""
    data = _EXPLAIN.get_or_build(
        q, cache_key(q, "option", letter, locale), lambda: build_option(q, letter, locale)
    )
    return _embed(data)


async def option_embed_async(q: Question, letter: str, *, locale: str) -> discord.Embed:
    """`option_embed` for the cogs: rendered in a worker thread when not cached yet."""
    data = await _EXPLAIN.get_or_build_off_loop(
        q, cache_key(q, "option", letter, locale), lambda: build_option(q, letter, locale)
    )
    return _embed(data)


def _embed(data: EmbedData) -> discord.Embed:
    """An embed of its own from cached data (Embed.from_dict would share the cached field list)."""
    return discord.Embed.from_dict(copy.deepcopy(data))
