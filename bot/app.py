"""The Discord client: `QuizBot` wires the bank, storage and cogs together.

Everything Discord-specific lives here and in `bot/cogs/`; the rules live in
`bot/bank`, `bot/core` and `bot/storage`.
"""

from __future__ import annotations

import asyncio
import gc
import logging
from collections.abc import Coroutine
from typing import Any

import discord
import yarl
from discord import app_commands
from discord.ext import commands

from bot.bank import Bank, Problem, load_bank
from bot.bank import git as bank_git
from bot.cogs.guard import SpoilerGuard
from bot.core.sync import should_sync, sync_key, tree_hash
from bot.i18n import locale_of, t
from bot.render.question import PreparedEmbed, PreparedView
from bot.settings import Settings
from bot.storage import Store, open_store

log = logging.getLogger(__name__)

# Extensions loaded in setup_hook, in order.
EXTENSIONS: tuple[str, ...] = ("bot.cogs.quiz", "bot.cogs.explain", "bot.cogs.scores", "bot.cogs.daily")


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


#: Collect the young generation every 10,000 new objects rather than 700 (see settle_heap).
GC_THRESHOLD = (10_000, 10, 10)


def settle_heap() -> None:
    """Move what is alive now (the bank, the command tree, discord.py's caches) out of the cyclic
    garbage collector's reach, and collect the young generation less often.

    A burst of clicks allocates fast, and with CPython's defaults the collector ran ~240 times per
    1,000 clicks, twice over the whole heap: ~0.2 ms of a ~0.8 ms click (bench/clicks.py,
    docs/performance.md). Objects frozen here are still freed by reference counting; what was
    frozen before (an old bank) is unfrozen first, so a bank reload leaks nothing.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)


class QuizBot(commands.Bot):
    #: On close, how long the interactions already being handled get to finish (store the answer,
    #: send the feedback) before the connection is closed anyway.
    shutdown_grace: float = 5.0

    def __init__(self, settings: Settings, *, bank: Bank | None = None, force_sync: bool = False) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            tree_cls=QuizTree,
        )
        self.settings = settings
        self.bank: Bank = bank if bank is not None else Bank.empty()
        self._storage: Store | None = None
        #: Why the bank could not be cloned from QUESTIONS_GIT at start (None: fine, or no Git).
        self.bank_git_error: str | None = None
        #: `quizbot sync`: sync the command tree even if its hash is unchanged.
        self.force_sync = force_sync
        #: What setup_hook did about the command tree (one line, for logs and `quizbot sync`).
        self.sync_report: str | None = None
        #: False once closing: new interactions are ignored (Discord tells the member it failed,
        #: and the button works again after the restart); those already dispatched may finish.
        self.accepting = True
        self._inflight: set[asyncio.Task[Any]] = set()
        #: The spoiler rule's facts per member (bot/cogs/guard.py, bot/core/spoiler.py).
        self.spoilers = SpoilerGuard(self)
        self._closing: asyncio.Future[None] | None = None
        self._draining: asyncio.Future[None] | None = None
        # discord.py calls this parser for every INTERACTION_CREATE and starts the handler tasks
        # (command tree, views, dynamic items) from it; wrapping it is the one place to refuse new
        # interactions and to know which handler tasks are in flight.
        parsers = self._connection.parsers
        self._parse_interaction = parsers["INTERACTION_CREATE"]
        parsers["INTERACTION_CREATE"] = self._on_interaction_create

    @property
    def storage(self) -> Store:
        if self._storage is None:
            raise RuntimeError("storage is not open (setup_hook has not run)")
        return self._storage

    async def setup_hook(self) -> None:
        if not self.bank.questions:
            questions_git = self.settings.questions_git
            if questions_git:  # clone it on first start; /quizadmin reload and the daily pull update it
                try:
                    cloned = await bank_git.prepare(self.settings.questions_dir, questions_git)
                    log.info("question bank from Git: %s", cloned.describe() if cloned else "-")
                except bank_git.GitError as exc:
                    self.bank_git_error = str(exc)
                    log.error("question bank from Git: %s", exc)
            try:
                root = bank_git.safe_bank_dir(self.settings.questions_dir, questions_git)
            except bank_git.GitError as exc:  # a sub-path through a symbolic link: nothing is read
                self.bank_git_error = str(exc)
                log.error("question bank: %s", exc)
                self.bank = Bank(problems=[Problem("QUESTIONS_GIT", 0, str(exc))])
            else:
                self.bank = load_bank(root)
            log.info("question bank: %s", self.bank.summary_line())
            if not self.bank.questions:
                log.warning("no question loaded: the bot runs with an empty bank (see /quizadmin bank)")
            for problem in self.bank.errors:
                log.warning("question file skipped: %s", problem)
        path = self.settings.database_path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._storage = await open_store(path)
        self._storage.cache_open_dailies = True  # this process posts and closes the dailies
        await self._storage.sync_question_tags(self.bank.questions)
        await self.tree.set_translator(CommandTranslator())
        for ext in EXTENSIONS:
            await self.load_extension(ext)
        try:
            self.sync_report = await self.sync_commands(forced=self.force_sync)
            log.info("%s", self.sync_report)
        except discord.HTTPException as exc:
            if self.force_sync:
                raise
            log.error("syncing the slash commands failed (%s); retrying at the next start", exc)
        settle_heap()

    async def on_ready(self) -> None:
        # What GUILD_CREATE brought (every server's channels, roles, permissions) is start-up state
        # as well: frozen like the bank (see settle_heap).
        settle_heap()
        log.info("connected as %s to %d server(s)", self.user, len(self.guilds))

    async def sync_commands(self, *, forced: bool = False) -> str:
        """Sync the command tree with Discord if it changed since the last sync (or if `forced`).

        With DEV_GUILD_ID the commands go to that server only (instantly; not globally as well, or
        they would show twice there); otherwise globally. The hash of what was synced is kept in
        the database per application and scope (bot/core/sync.py).
        """
        guild = discord.Object(self.settings.dev_guild_id) if self.settings.dev_guild_id else None
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        commands_ = self.tree.get_commands(guild=guild)
        translator = self.tree.translator
        if translator is not None:
            payload = [await c.get_translated_payload(self.tree, translator) for c in commands_]
        else:
            payload = [c.to_dict(self.tree) for c in commands_]
        current = tree_hash(payload)
        key = sync_key(self.application_id, guild.id if guild else None)
        scope = f"server {guild.id}" if guild else "global"
        if not should_sync(await self.storage.get_meta(key), current, forced):
            return f"slash commands unchanged ({len(payload)}, {scope}): not synced"
        synced = await self.tree.sync(guild=guild)
        await self.storage.set_meta(key, current)
        return f"slash commands synced ({len(synced)}, {scope})"

    # ------------------------------------------------------------------ owners

    async def is_bot_owner(self, user: discord.abc.User) -> bool:
        """Whether `user` may run bot-wide actions (they change things for every server): one of
        OWNER_IDS, or the application's owner, or an admin/developer of the team that owns it
        (discord.py's `is_owner`, which asks Discord once and remembers)."""
        if user.id in self.settings.owner_ids:
            return True
        try:
            return await self.is_owner(user)
        except discord.HTTPException as exc:
            log.warning("could not read the application's owner from Discord: %s", exc)
            return False

    def owner_mentions(self) -> list[str]:
        """The bot's owners as mentions (rendered as names; sent with no allowed mentions)."""
        ids = set(self.settings.owner_ids) | set(self.owner_ids or ())
        if self.owner_id:
            ids.add(self.owner_id)
        return [f"<@{i}>" for i in sorted(ids)]

    # ------------------------------------------------------------------ shutdown

    def _on_interaction_create(self, data: Any) -> None:
        if not self.accepting:
            log.info("interaction %s ignored: shutting down", data.get("id"))
            return
        loop = asyncio.get_running_loop()
        previous = loop.get_task_factory()
        inflight = self._inflight

        def track(loop: asyncio.AbstractEventLoop, coro: Coroutine[Any, Any, Any], **kwargs: Any) -> Any:
            if previous is not None:
                task = previous(loop, coro, **kwargs)
            else:
                task = asyncio.Task(coro, loop=loop, **kwargs)
            inflight.add(task)
            task.add_done_callback(inflight.discard)
            return task

        loop.set_task_factory(track)
        try:
            self._parse_interaction(data)
        finally:
            loop.set_task_factory(previous)

    async def drain(self) -> None:
        """Stop taking interactions, let those in flight finish (at most `shutdown_grace` seconds)
        and write the queued answers. The connection and the database stay open. Idempotent."""
        await asyncio.shield(self._start_drain(asyncio.current_task()))

    def _start_drain(self, caller: asyncio.Task[Any] | None) -> asyncio.Future[None]:
        # The caller may be an interaction handler itself (a command that stops the bot): it must
        # not wait for itself.
        if self._draining is None:
            self._draining = asyncio.ensure_future(self._drain(caller))
        return self._draining

    async def _drain(self, caller: asyncio.Task[Any] | None) -> None:
        self.accepting = False
        pending = {t for t in self._inflight if t is not caller and not t.done()}
        if pending:
            log.info("closing: waiting for %d interaction(s) in progress", len(pending))
            _, late = await asyncio.wait(pending, timeout=self.shutdown_grace)
            if late:
                log.warning("closing: %d interaction(s) still running; closing anyway", len(late))
        if self._storage is not None:
            await self._storage.flush()

    async def close(self) -> None:
        """Graceful: `drain()`, then close the connection, then the database (queued answers are
        written first). Idempotent; a second call waits for the first."""
        if self._closing is None:
            self._closing = asyncio.ensure_future(self._close_gracefully(asyncio.current_task()))
        await asyncio.shield(self._closing)

    async def _close_gracefully(self, caller: asyncio.Task[Any] | None) -> None:
        try:
            await self._start_drain(caller)
            await super().close()
        finally:
            if self._storage is not None:
                await self._storage.close()
                self._storage = None


class CommandTranslator(app_commands.Translator):
    """Command names, descriptions and choices in 繁體中文 for zh-TW (and zh-CN) clients."""

    async def translate(
        self,
        string: app_commands.locale_str,
        locale: discord.Locale,
        context: app_commands.TranslationContextTypes,
    ) -> str | None:
        if locale not in (discord.Locale.taiwan_chinese, discord.Locale.chinese):
            return None
        from bot.i18n import COMMANDS_ZH

        return COMMANDS_ZH.get(string.message)


class QuizTree(app_commands.CommandTree["QuizBot"]):
    """Errors from slash commands become a clear ephemeral message, never a traceback to the user.

    Every command is server-only (`guild_only`: Discord does not offer them in DMs); should Discord
    deliver one from a DM anyway (an old client, globally synced commands before the change), it
    gets a short "use this in your server" and nothing else.
    """

    async def interaction_check(self, interaction: discord.Interaction, /) -> bool:
        if interaction.guild_id is not None:
            return True
        command = interaction.command
        root = getattr(command, "root_parent", None) or command
        if not getattr(root, "guild_only", False):
            return True
        if interaction.type is discord.InteractionType.autocomplete:
            if not interaction.response.is_done():
                await interaction.response.autocomplete([])
            return False
        raise app_commands.NoPrivateMessage(t("error.guild_only", locale_of(interaction.locale)))

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        locale = locale_of(interaction.locale)
        if isinstance(error, app_commands.CheckFailure | app_commands.TransformerError):
            message = str(error)
        else:
            log.exception(
                "command %r failed", getattr(interaction.command, "qualified_name", None), exc_info=error
            )
            message = t("error.generic", locale)
        await reply(interaction, message)


def _prepared_path() -> bool:
    """Whether this discord.py has what `send_prepared` uses beyond its public API."""
    return (
        hasattr(discord.webhook.async_, "async_context")
        and hasattr(discord.http, "Route")
        and "_response_type" in getattr(discord.InteractionResponse, "__slots__", ())
        and "_session" in getattr(discord.Interaction, "__slots__", ())
    )


#: False (discord.py changed, or a test): send_prepared goes through send_message instead.
PREPARED_PATH = _prepared_path()


async def send_prepared(
    interaction: discord.Interaction,
    *,
    embeds: list[dict[str, Any]],
    components: list[dict[str, Any]],
    ephemeral: bool = True,
) -> None:
    """Answer an interaction with a message whose embeds and components are already Discord's
    JSON, mentions disabled (the answer feedback: a reply per click, built from cached parts).

    discord.py's `InteractionResponse.send_message` always asks Discord for the message it created
    (`with_response`) and parses it into a Message; on the answer path that parse and the
    payload's round trip through Embed and View objects were about a fifth of a click's CPU
    (bench/clicks.py). This posts the same callback without asking for the message back, through
    the same discord.py adapter (same retries and HTTPException errors), and marks the
    interaction answered as send_message does. Without the internals it needs (a later
    discord.py) it falls back to send_message with the same payload.
    """
    data: dict[str, Any] = {
        "embeds": embeds,
        "components": components,
        "allowed_mentions": {"parse": []},
    }
    if ephemeral:
        data["flags"] = discord.MessageFlags(ephemeral=True).value
    if not PREPARED_PATH:
        await interaction.response.send_message(
            embeds=[PreparedEmbed(e) for e in embeds],
            view=PreparedView(components),
            ephemeral=ephemeral,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        return
    response = interaction.response
    if response.is_done():
        raise discord.InteractionResponded(interaction)
    route = discord.http.Route(
        "POST",
        "/interactions/{webhook_id}/{webhook_token}/callback",
        webhook_id=interaction.id,
        webhook_token=interaction.token,
    )
    http = interaction.client.http
    await discord.webhook.async_.async_context.get().request(
        route,
        session=interaction._session,  # the session send_message uses
        proxy=http.proxy,
        proxy_auth=http.proxy_auth,
        payload={"type": discord.InteractionResponseType.channel_message.value, "data": data},
    )
    response._response_type = discord.InteractionResponseType.channel_message  # as send_message does


def public_refusal(interaction: discord.Interaction, *, files: bool = False) -> str | None:
    """Why a public reply may not be posted in the interaction's channel, or None when it may.

    A public reply speaks in the channel for the member, so the member must be allowed to send
    there (`interaction.permissions`: their permissions in the channel, overwrites included); and
    the bot must be able to post what it sends (`interaction.app_permissions`): View Channel,
    Send Messages (Send Messages in Threads in a thread), Embed Links, and Attach Files when
    `files`. The caller then answers ephemerally with this reason.
    """
    locale = locale_of(interaction.locale)
    in_thread = isinstance(interaction.channel, discord.Thread)
    member = interaction.permissions
    member_sends = member.send_messages_in_threads if in_thread else member.send_messages
    if not (member.view_channel and member_sends):
        return t("public.member_cannot_send", locale)
    app = interaction.app_permissions
    needed = ["view_channel", "send_messages_in_threads" if in_thread else "send_messages", "embed_links"]
    if files:
        needed.append("attach_files")
    missing = [name for name in needed if not getattr(app, name)]
    if missing:
        names = ", ".join(t(f"admin.perm.{name}", locale) for name in missing)
        return t("public.bot_cannot_send", locale, perms=names)
    return None


async def reply(interaction: discord.Interaction, message: str, **kwargs: object) -> None:
    """An ephemeral text reply that works whether or not the interaction was answered already."""
    try:
        if interaction.response.is_done():
            await interaction.followup.send(message, ephemeral=True, **kwargs)  # type: ignore[arg-type]
        else:
            await interaction.response.send_message(message, ephemeral=True, **kwargs)  # type: ignore[arg-type]
    except discord.HTTPException:
        log.warning("could not send a reply to interaction %s", interaction.id, exc_info=True)
