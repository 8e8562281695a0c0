"""The Discord client: `QuizBot` wires the bank, storage, services and cogs together.

Everything Discord-specific lives here, in `bot/cogs/` (the cogs, and the services they share:
`QuizBot.services`) and in `bot/discord_internals.py` (what discord.py offers no public API for);
the rules live in `bot/bank`, `bot/core` and `bot/storage`.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.bank import Bank, Problem, load_bank
from bot.bank import git as bank_git
from bot.cogs.common import reply
from bot.cogs.guard import SpoilerGuard
from bot.cogs.services import Services
from bot.core.shards import ShardFilter
from bot.core.sync import should_sync, sync_key, tree_hash
from bot.discord_internals import replace_interaction_parser
from bot.heap import settle_heap
from bot.i18n import COMMANDS_ZH, locale_of, t
from bot.settings import Settings
from bot.storage import Store, open_store
from bot.web.auth import load_key
from bot.web.pages import Dashboard
from bot.web.server import DashboardServer

log = logging.getLogger(__name__)

# Extensions loaded in setup_hook, in order. What they share is in `QuizBot.services`.
EXTENSIONS: tuple[str, ...] = (
    "bot.cogs.quiz",
    "bot.cogs.explain",
    "bot.cogs.scores",
    "bot.cogs.daily",
    "bot.cogs.admin",
    "bot.cogs.exam",
    "bot.cogs.plan",
    "bot.cogs.reports",
    "bot.cogs.review",
    "bot.cogs.dashboard",
)


def intents() -> discord.Intents:
    """Only what the bot needs: guilds (channels, roles, permissions) — no privileged intents.

    Interactions arrive without any intent and carry the member and their locale.
    """
    wanted = discord.Intents.none()
    wanted.guilds = True
    return wanted


class QuizBot(commands.Bot):
    #: What the cogs share (bot/cogs/services.py): set up in setup_hook, once storage is open.
    services: Services
    #: On close, how long the interactions already being handled get to finish (store the answer,
    #: send the feedback) before the connection is closed anyway.
    shutdown_grace: float = 5.0

    def __init__(self, settings: Settings, *, bank: Bank | None = None, force_sync: bool = False) -> None:
        shards: dict[str, Any] = {}
        if settings.shard_count is not None:  # ShardedQuizBot (make_bot): these shards of the count
            shards = {"shard_count": settings.shard_count}
            if settings.shard_ids is not None:
                shards["shard_ids"] = list(settings.shard_ids)
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            tree_cls=QuizTree,
            **shards,
        )
        self.settings = settings
        self.bank: Bank = bank if bank is not None else Bank.empty()
        self._storage: Store | None = None
        #: Why the bank could not be cloned from QUESTIONS_GIT at start (None: fine, or no Git).
        self.bank_git_error: str | None = None
        #: The Git commit of the bank read at start (None: not from Git); then bot.services.bank.commit.
        self.bank_commit: str | None = None
        #: `quizbot sync`: sync the command tree even if its hash is unchanged.
        self.force_sync = force_sync
        #: What setup_hook did about the command tree (one line, for logs and `quizbot sync`).
        self.sync_report: str | None = None
        #: False once closing: new interactions are ignored (Discord tells the member it failed,
        #: and the button works again after the restart); those already dispatched may finish.
        self.accepting = True
        self._inflight: set[asyncio.Future[Any]] = set()
        #: While set, the handler tasks each interaction starts are kept by interaction id until
        #: they end, for `handled` (bot/cogs/reports_service.py sets it while a reply waits).
        self.watch_handlers = False
        self._handler_tasks: dict[int, list[asyncio.Future[Any]]] = {}
        #: The spoiler rule's facts per member (bot/cogs/guard.py, bot/core/spoiler.py).
        self.spoilers = SpoilerGuard(self)
        #: The web dashboard (bot/web), running when DASHBOARD_BIND is set (started in setup_hook).
        self.dashboard: DashboardServer | None = None
        self._closing: asyncio.Future[None] | None = None
        self._draining: asyncio.Future[None] | None = None
        # discord.py calls this parser for every INTERACTION_CREATE and starts the handler tasks
        # (command tree, views, dynamic items) from it; wrapping it is the one place to refuse new
        # interactions and to know which handler tasks are in flight (bot/discord_internals.py).
        self._parse_interaction = replace_interaction_parser(self, self._on_interaction_create)

    @property
    def storage(self) -> Store:
        if self._storage is None:
            raise RuntimeError("storage is not open (setup_hook has not run)")
        return self._storage

    async def setup_hook(self) -> None:
        if not self.bank.questions:
            await self._load_bank()
        target = self.settings.database_target
        if isinstance(target, Path):
            target.parent.mkdir(parents=True, exist_ok=True)
        self._storage = await open_store(target)
        # The spoiler check of every click asks for the open dailies: keep them in memory where
        # every change is seen. PostgreSQL notifies each process of every change (the store keeps
        # them while it listens); an SQLite file shared with other processes would not: there
        # each check reads the database.
        storage = self._storage
        storage.cache_open_dailies = storage.hears_daily_changes or not self.shares_database
        await self._storage.sync_question_tags(self.bank.questions)
        self.services = await Services.create(self)
        await self.services.bank.start_listening()  # /quizadmin reload of another process
        await self._start_dashboard()
        await self.tree.set_translator(CommandTranslator())
        for ext in EXTENSIONS:
            await self.load_extension(ext)
        if not self.syncs_commands:
            self.sync_report = "slash commands: synced by the process holding shard 0, not here"
            log.info("%s", self.sync_report)
            settle_heap()
            return
        try:
            self.sync_report = await self.sync_commands(forced=self.force_sync)
            log.info("%s", self.sync_report)
        except discord.HTTPException as exc:
            if self.force_sync:
                raise
            log.error("syncing the slash commands failed (%s); retrying at the next start", exc)
        settle_heap()

    # ------------------------------------------------------------------ shards

    def owns(self, guild_id: int) -> bool:
        """Whether this process does the server's work (its daily, closing its posts, live counts,
        reminders, exam timers): it holds the server's shard (bot.core.shards)."""
        return self.settings.owns(guild_id)

    @property
    def shard_filter(self) -> ShardFilter | None:
        """This process's servers for the storage queries of due work (`Store.due_posts`,
        `due_exams`, `next_exam_deadline`): other processes' rows never fill a batch here nor wake
        a timer. None: every server."""
        return self.settings.shard_filter

    @property
    def shares_database(self) -> bool:
        """Other processes may write the same database (PostgreSQL, or shards split over processes)."""
        return self.settings.database_url is not None or self.settings.sharded_across_processes

    @property
    def syncs_commands(self) -> bool:
        """Only one process syncs the command tree: unsharded, or the one holding shard 0
        (`quizbot sync` always does)."""
        ids = self.settings.shard_ids
        return self.force_sync or ids is None or 0 in ids

    async def _start_dashboard(self) -> None:
        """Serve the web dashboard on this event loop when DASHBOARD_BIND is set (docs/dashboard.md)."""
        bind, url = self.settings.dashboard_bind, self.settings.dashboard_url
        if bind is None or url is None:
            return

        def guild_name(gid: int) -> str | None:
            guild = self.get_guild(gid)
            return guild.name if guild is not None else None

        def guild_locale(gid: int) -> str | None:
            guild = self.get_guild(gid)
            return str(guild.preferred_locale) if guild is not None else None

        key = await load_key(self.storage, self.settings.dashboard_secret)
        dashboard = Dashboard(
            store=self.storage,
            bank=lambda: self.bank,
            key=key,
            base_url=url,
            guild_name=guild_name,
            guild_locale=guild_locale,
        )
        self.dashboard = await DashboardServer.start(dashboard, *bind)

    async def _load_bank(self) -> None:
        """Read the bank at start (cloning QUESTIONS_GIT first when the folder is new); a broken
        bank never stops the bot: it runs with what loaded, and /quizadmin bank says why."""
        questions_git = self.settings.questions_git
        if questions_git:  # clone it on first start; /quizadmin reload and the daily pull update it
            try:
                cloned = await bank_git.prepare(self.settings.questions_dir, questions_git)
                log.info("question bank from Git: %s", cloned.describe() if cloned else "-")
                self.bank_commit = cloned.after if cloned else None
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
        started: list[asyncio.Future[Any]] | None = [] if self.watch_handlers else None

        def track(
            loop: asyncio.AbstractEventLoop,
            coro: Any,
            /,
            **kwargs: Any,  # a coroutine (or generator)
        ) -> asyncio.Future[Any]:
            task: asyncio.Future[Any]
            if previous is not None:
                task = previous(loop, coro, **kwargs)
            else:
                task = asyncio.Task(coro, loop=loop, **kwargs)
            inflight.add(task)
            task.add_done_callback(inflight.discard)
            if started is not None:
                started.append(task)
            return task

        loop.set_task_factory(track)
        try:
            self._parse_interaction(data)
        finally:
            loop.set_task_factory(previous)
        if started:
            self._keep_handlers(int(data["id"]), started)

    def _keep_handlers(self, interaction_id: int, tasks: list[asyncio.Future[Any]]) -> None:
        self._handler_tasks[interaction_id] = tasks
        left = [len(tasks)]

        def done(_: asyncio.Future[Any]) -> None:
            left[0] -= 1
            if not left[0]:
                self._handler_tasks.pop(interaction_id, None)

        for task in tasks:
            task.add_done_callback(done)

    async def handled(self, interaction_id: int, *, timeout: float = 60.0) -> None:  # noqa: ASYNC109
        """Wait (at most `timeout` seconds) until the handlers an interaction started, but the
        caller, have ended: its answer is sent by then. Only known while `watch_handlers` was set
        when it arrived; otherwise returns at once."""
        me = asyncio.current_task()
        others = [t for t in self._handler_tasks.get(interaction_id, ()) if t is not me and not t.done()]
        if others:
            await asyncio.wait(others, timeout=timeout)

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
            if self.dashboard is not None:
                await self.dashboard.close()
                self.dashboard = None
            if self._storage is not None:
                services: Services | None = getattr(self, "services", None)  # None: setup failed early
                if services is not None:
                    await services.bank.stop_listening()
                await self._storage.close()
                self._storage = None


class ShardedQuizBot(QuizBot, commands.AutoShardedBot):
    """`QuizBot` over several gateway connections: the shards of SHARD_IDS of SHARD_COUNT."""


def make_bot(settings: Settings, **kwargs: Any) -> QuizBot:
    """The bot for `settings`: a `ShardedQuizBot` when SHARD_COUNT is set, else a `QuizBot`."""
    cls = ShardedQuizBot if settings.shard_count is not None else QuizBot
    return cls(settings, **kwargs)


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
