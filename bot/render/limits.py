"""Discord's size limits, and helpers to fit text into them without breaking Markdown."""

from __future__ import annotations

from collections.abc import Sequence

import discord

from bot.render.paginate import EMBED_DESCRIPTION_LIMIT, paginate
from bot.render.text import utf16_len

EMBED_TITLE = 256
EMBED_DESCRIPTION = EMBED_DESCRIPTION_LIMIT  # 4096, paginate's default page
FIELD_NAME = 256
FIELD_VALUE = 1024
FOOTER = 2048
EMBED_TOTAL = 6000
EMBED_FIELDS = 25
MESSAGE = 2000
CUSTOM_ID = 100
SELECT_OPTIONS = 25
SELECT_LABEL = 100
SELECT_DESCRIPTION = 100


def cut(text: str, limit: int, suffix: str = "…") -> str:
    """Plain text cut to `limit` UTF-16 units, with `suffix` when cut (for titles, labels, names)."""
    if utf16_len(text) <= limit:
        return text
    out = []
    room = limit - utf16_len(suffix)
    used = 0
    for ch in text:
        w = utf16_len(ch)
        if used + w > room:
            break
        out.append(ch)
        used += w
    return "".join(out).rstrip() + suffix


def fit(markdown: str, limit: int, suffix: str = "…") -> str:
    """Markdown cut to `limit` at a block boundary (code fences closed), `suffix` added when cut.

    Only the start of `markdown` that the first page can hold is paginated (twice the room,
    to the end of that line or twice as far again), so the work does not grow with the text.
    """
    if len(markdown) <= limit and utf16_len(markdown) <= limit:
        return markdown
    room = limit - utf16_len(suffix) - 1
    if room < 64:
        return cut(markdown, limit, suffix)
    pages = paginate(_start(markdown, 2 * room), room)
    return (pages[0] if pages else "") + "\n" + suffix


def _start(text: str, chars: int) -> str:
    """The first `chars` characters of `text`, continued to the end of their line (at most as far again)."""
    if len(text) <= chars:
        return text
    end = text.find("\n", chars, 2 * chars)
    return text[: end if end >= 0 else 2 * chars]


def shares(sizes: Sequence[int], budget: int) -> list[int]:
    """`sizes` cut to fit `budget` in total: the longest are cut first, none below an equal share."""
    if sum(sizes) <= budget:
        return list(sizes)
    remaining, left = budget, len(sizes)
    cap = 0
    for size in sorted(sizes):
        cap = remaining // left
        if size > cap:
            break
        remaining -= size
        left -= 1
    return [min(size, cap) for size in sizes]


def embed_length(embed: discord.Embed) -> int:
    """What Discord counts towards the 6,000-character embed total."""
    total = utf16_len(embed.title or "") + utf16_len(embed.description or "")
    total += utf16_len(embed.footer.text or "") + utf16_len(embed.author.name or "")
    for f in embed.fields:
        total += utf16_len(f.name or "") + utf16_len(f.value or "")
    return total


def embed_problems(embed: discord.Embed) -> list[str]:
    """Every Discord limit this embed breaks (empty when it is fine)."""
    problems = []
    if utf16_len(embed.title or "") > EMBED_TITLE:
        problems.append("title")
    if utf16_len(embed.description or "") > EMBED_DESCRIPTION:
        problems.append("description")
    if len(embed.fields) > EMBED_FIELDS:
        problems.append("field count")
    for i, f in enumerate(embed.fields):
        if not f.name or utf16_len(f.name) > FIELD_NAME:
            problems.append(f"field {i} name")
        if not f.value or utf16_len(f.value) > FIELD_VALUE:
            problems.append(f"field {i} value")
    if utf16_len(embed.footer.text or "") > FOOTER:
        problems.append("footer")
    if embed_length(embed) > EMBED_TOTAL:
        problems.append("total")
    return problems


def shrink_to_total(embed: discord.Embed, limit: int = EMBED_TOTAL) -> discord.Embed:
    """Cut the description, then the last fields, until the embed fits the total limit."""
    excess = embed_length(embed) - limit
    if excess > 0 and embed.description:
        keep = max(64, utf16_len(embed.description) - excess - 8)
        embed.description = fit(embed.description, keep)
        excess = embed_length(embed) - limit
    while excess > 0 and embed.fields:
        last = embed.fields[-1]
        room = utf16_len(last.value or "") - excess - 8
        if room >= 64:
            embed.set_field_at(
                len(embed.fields) - 1,
                name=last.name or "…",
                value=fit(last.value or "", room),
                inline=bool(last.inline),
            )
        else:
            embed.remove_field(len(embed.fields) - 1)
        excess = embed_length(embed) - limit
    return embed
