"""/review export: the member's cards as an Anki deck (.apkg, built by bot.bank.anki off the event
loop), split into parts when the file is over the upload limit, refused clearly when even
MAX_PARTS parts would be.

The limit is what Discord says for this interaction (`attachment_size_limit`), else the server's
(`Guild.filesize_limit`), else 25 MiB. Every part holds whole notes of the same deck (same deck
and model ids, the same GUID per question), so importing all of them fills one deck.
"""

from __future__ import annotations

import asyncio
import io
import math
from collections.abc import Sequence

import discord

from bot.bank.anki import AnkiLabels, apkg_bytes
from bot.bank.model import Question
from bot.i18n import t

DEFAULT_LIMIT = 25 * 1024 * 1024
#: One message carries at most ten files; parts go one per message, and more than this is refused.
MAX_PARTS = 10
FILENAME = "quizbot-review"


class TooBig(Exception):
    """Even MAX_PARTS parts (or a single note) would be over the limit."""

    def __init__(self, size: int, limit: int, parts: int) -> None:
        super().__init__(f"a deck of {size} bytes does not fit in {parts} files of {limit} bytes")
        self.size = size  # bytes of the whole deck
        self.limit = limit
        self.parts = parts


def upload_limit(interaction: discord.Interaction) -> int:
    """The largest file this reply may carry."""
    limit = getattr(interaction, "filesize_limit", 0) or 0
    if limit <= 0 and interaction.guild is not None:
        limit = interaction.guild.filesize_limit
    return limit if limit > 0 else DEFAULT_LIMIT


def labels(locale: str) -> AnkiLabels:
    return AnkiLabels(
        answer=t("review.anki.answer", locale),
        options=t("review.anki.options", locale),
        explanation=t("review.anki.explanation", locale),
    )


def chunks(questions: Sequence[Question], parts: int) -> list[list[Question]]:
    """`questions` in `parts` runs of nearly equal length, in order."""
    size, extra = divmod(len(questions), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(list(questions[start:end]))
        start = end
    return [c for c in out if c]


async def deck_files(questions: Sequence[Question], limit: int, locale: str) -> list[bytes]:
    """The .apkg files (one, or parts each within `limit`). TooBig when they cannot be."""
    words = labels(locale)
    whole = await asyncio.to_thread(apkg_bytes, questions, labels=words)
    if len(whole) <= limit:
        return [whole]
    most = min(MAX_PARTS, len(questions))
    parts = max(2, math.ceil(len(whole) / limit))
    while parts <= most:
        files = [await asyncio.to_thread(apkg_bytes, c, labels=words) for c in chunks(questions, parts)]
        if all(len(f) <= limit for f in files):
            return files
        parts += 1
    raise TooBig(len(whole), limit, max(most, 1))


def filenames(count: int) -> list[str]:
    if count == 1:
        return [f"{FILENAME}.apkg"]
    return [f"{FILENAME}-{i}-of-{count}.apkg" for i in range(1, count + 1)]


def as_file(data: bytes, name: str) -> discord.File:
    return discord.File(io.BytesIO(data), filename=name)


def mib(size: int) -> str:
    """A size as people read it: "12.5 MiB", "640 KiB"."""
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MiB"
    return f"{max(1, round(size / 1024))} KiB"
