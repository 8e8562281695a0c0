"""Mock exams on Discord (`/exam`): the commands (`_cog.py`), the timer and submission
(`service.py`, `bot.services.exam`), the components (`layout.py`, `views.py`) and their clicks
(`clicks.py`). See docs/exam.md."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import QuizBot


async def setup(bot: QuizBot) -> None:
    from bot.cogs.exam._cog import ExamCog  # (the service module is imported without the cog)

    await bot.add_cog(ExamCog(bot))
