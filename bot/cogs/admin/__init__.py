"""/quizadmin: the server admin's commands, one cog made of parts (one module each).

- base.py: the group, who may use it (Manage Server; `reload` the bot's owners), shared helpers;
- daily.py: `daily set|show|off`, `post-now`, `skip` (the daily question's schedule);
- bank.py: `reload`, `bank` (the question bank);
- scores.py: `reset` (confirmed), `export` (CSV);
- settings.py: `settings` (cooldown, practice lifetime, language of posts, reports channel);
- reports.py: `reports` (members' reports of broken questions: resolve, pause);
- dashboard.py: `dashboard public on|off` (the web dashboard's public pages).

The cog reads no other cog: what it needs of the rest of the bot is in `bot.services`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.cogs.admin.bank import BankCommands
from bot.cogs.admin.base import AdminBase, quizadmin
from bot.cogs.admin.daily import DailyCommands
from bot.cogs.admin.dashboard import DashboardCommands
from bot.cogs.admin.reports import ReportsAction, ReportsCommands, ReportsPageButton, ReportsPick
from bot.cogs.admin.scores import ResetButton, ScoresCommands
from bot.cogs.admin.settings import SettingsCommands

if TYPE_CHECKING:
    from bot.app import QuizBot


class Admin(
    DailyCommands,
    BankCommands,
    ScoresCommands,
    SettingsCommands,
    ReportsCommands,
    DashboardCommands,
    AdminBase,
):
    #: The group; its commands are the parts' methods (bound to this cog by discord.py).
    quizadmin = quizadmin

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ResetButton, ReportsPageButton, ReportsPick, ReportsAction)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ResetButton, ReportsPageButton, ReportsPick, ReportsAction)


async def setup(bot: QuizBot) -> None:
    await bot.add_cog(Admin(bot))
