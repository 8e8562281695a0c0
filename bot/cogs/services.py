"""The services the cogs share, one of each per bot (`bot.services`), set up in `setup_hook`.

A cog never reads another cog: what two of them need (posting and closing questions) is a
service here, and each service gets the others it needs when it is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.cogs.posts import QuizService

if TYPE_CHECKING:
    from bot.app import QuizBot


@dataclass(frozen=True, slots=True)
class Services:
    #: Question posts: post, cache, count, close and reveal (bot/cogs/posts.py).
    quiz: QuizService

    @classmethod
    async def create(cls, bot: QuizBot) -> Services:
        """Build the services (storage is open; nothing runs yet)."""
        quiz = QuizService(bot)
        await quiz.load()
        return cls(quiz=quiz)
