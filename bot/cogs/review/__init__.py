"""Spaced repetition on Discord (`/review`): the commands (`_cog.py`), a session's cards and
buttons (`session.py`), the Anki export (`export.py`) and the reminders' loop with the review
clock (`service.py`, `bot.services.review`). See docs/review.md."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import QuizBot


async def setup(bot: QuizBot) -> None:
    from bot.cogs.review._cog import Review  # (the service module is imported without the cog)

    await bot.add_cog(Review(bot))
