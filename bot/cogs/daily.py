"""The daily question's cog: runs the scheduler (bot/cogs/scheduler.py, `bot.services.scheduler`)
while the extension is loaded, and wakes it when a server becomes available or adds the bot.

The daily's commands are `/quizadmin daily …`, `post-now` and `skip` (bot/cogs/admin/). See
docs/daily.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from bot.cogs.scheduler import DailyScheduler

if TYPE_CHECKING:
    from bot.app import QuizBot


class Daily(commands.Cog):
    def __init__(self, bot: QuizBot) -> None:
        self.bot = bot
        self.scheduler: DailyScheduler = bot.services.scheduler

    async def cog_load(self) -> None:
        self.scheduler.start()

    async def cog_unload(self) -> None:
        await self.scheduler.stop()

    @commands.Cog.listener()
    async def on_guild_available(self, guild: discord.Guild) -> None:
        self.scheduler.wake()

    @commands.Cog.listener()
    async def on_guild_join(self, guild: discord.Guild) -> None:
        self.scheduler.wake()


async def setup(bot: QuizBot) -> None:
    await bot.add_cog(Daily(bot))
