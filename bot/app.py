"""The Discord client: `QuizBot` wires the bank, storage and cogs together.

Everything Discord-specific lives here and in `bot/cogs/`; the rules live in
`bot/bank`, `bot/core` and `bot/storage`.
"""

from __future__ import annotations

import logging

import discord
import yarl
from discord.ext import commands

from bot.bank import Bank, load_bank
from bot.settings import Settings

log = logging.getLogger(__name__)

# Extensions loaded in setup_hook, in order.
EXTENSIONS: tuple[str, ...] = ()


def point_discord_at(api_base: str | None, gateway_url: str | None) -> None:
    """Make discord.py talk to another Discord (the loopback fake in tests).

    Both are needed: REST goes through `Route.BASE`, and a non-sharded client
    never asks `/gateway/bot` but connects straight to `DEFAULT_GATEWAY`.
    """
    if api_base:
        discord.http.Route.BASE = api_base.rstrip("/")
    if gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def intents() -> discord.Intents:
    """Only what the bot needs: guilds (channels, roles) — no privileged intents.

    Interactions arrive without any intent; member names come with them.
    """
    wanted = discord.Intents.none()
    wanted.guilds = True
    return wanted


class QuizBot(commands.Bot):
    def __init__(self, settings: Settings, *, bank: Bank | None = None) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
        )
        self.settings = settings
        self.bank: Bank = bank if bank is not None else Bank.empty()

    async def setup_hook(self) -> None:
        if not self.bank.questions:
            self.bank = load_bank(self.settings.questions_dir)
            log.info("question bank: %s", self.bank.summary_line())
        for ext in EXTENSIONS:
            await self.load_extension(ext)
        if self.settings.dev_guild_id:
            guild = discord.Object(self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)
