"""The Discord client: `QuizBot` wires the bank, storage and cogs together.

Everything Discord-specific lives here and in `bot/cogs/`; the rules live in
`bot/bank`, `bot/core` and `bot/storage`.
"""

from __future__ import annotations

import logging

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.bank import Bank, load_bank
from bot.i18n import t
from bot.settings import Settings
from bot.storage import Storage

log = logging.getLogger(__name__)

# Extensions loaded in setup_hook, in order.
EXTENSIONS: tuple[str, ...] = ("bot.cogs.quiz", "bot.cogs.explain")


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
    """Only what the bot needs: guilds (channels, roles, permissions) — no privileged intents.

    Interactions arrive without any intent and carry the member and their locale.
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
            tree_cls=QuizTree,
        )
        self.settings = settings
        self.bank: Bank = bank if bank is not None else Bank.empty()
        self._storage: Storage | None = None

    @property
    def storage(self) -> Storage:
        if self._storage is None:
            raise RuntimeError("storage is not open (setup_hook has not run)")
        return self._storage

    async def setup_hook(self) -> None:
        if not self.bank.questions:
            self.bank = load_bank(self.settings.questions_dir)
            log.info("question bank: %s", self.bank.summary_line())
            for problem in self.bank.errors:
                log.warning("question file skipped: %s", problem)
        path = self.settings.database_path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._storage = await Storage.open(path)
        await self._storage.sync_question_tags(self.bank.questions)
        for ext in EXTENSIONS:
            await self.load_extension(ext)
        if self.settings.dev_guild_id:
            guild = discord.Object(self.settings.dev_guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)

    async def close(self) -> None:
        try:
            await super().close()
        finally:
            if self._storage is not None:
                await self._storage.close()
                self._storage = None


class QuizTree(app_commands.CommandTree["QuizBot"]):
    """Errors from slash commands become a clear ephemeral message, never a traceback to the user."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        from bot.i18n import locale_of

        locale = locale_of(interaction.locale)
        if isinstance(error, app_commands.CheckFailure | app_commands.TransformerError):
            message = str(error)
        else:
            log.exception(
                "command %r failed", getattr(interaction.command, "qualified_name", None), exc_info=error
            )
            message = t("error.generic", locale)
        await reply(interaction, message)


async def reply(interaction: discord.Interaction, message: str, **kwargs: object) -> None:
    """An ephemeral text reply that works whether or not the interaction was answered already."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True, **kwargs)  # type: ignore[arg-type]
        else:
            await interaction.response.send_message(message, ephemeral=True, **kwargs)  # type: ignore[arg-type]
    except discord.HTTPException:
        log.warning("could not send a reply to interaction %s", interaction.id, exc_info=True)
