"""Run the real QuizBot (real discord.py, real SQLite file) against a FakeDiscord."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

import discord

from bot.app import QuizBot
from bot.discord_internals import discord_endpoints, point_discord_at
from bot.settings import Settings
from tests.fakediscord.models import FakeChannel, FakeGuild, FakeMember, FakeRole, P
from tests.fakediscord.server import FakeDiscord

log = logging.getLogger("fakediscord.harness")

BotT = TypeVar("BotT", bound=discord.Client)
#: Builds the bot from its Settings: QuizBot, a test subclass of it, or any discord.Client.
BotFactory = Callable[[Settings], discord.Client]


@dataclass
class World:
    """A small study server: the default cast of the e2e tests."""

    guild: FakeGuild
    general: FakeChannel
    quiz: FakeChannel
    admin_role: FakeRole
    owner: FakeMember
    admin: FakeMember
    member: FakeMember
    member_zh: FakeMember


def build_world(fake: FakeDiscord, *, name: str = "Study Group") -> World:
    """One guild with #general and #quiz, an Admin role (Manage Server), and four members:
    the owner, an admin, a plain member (en-US) and a member whose client is in zh-TW."""
    guild = fake.create_guild(name, channels=("general", "quiz"))
    general, quiz = list(guild.channels.values())
    admin_role = fake.create_role(guild, "Admin", P.MANAGE_GUILD | P.MANAGE_MESSAGES | P.MANAGE_ROLES)
    owner = guild.members[guild.owner_id]
    admin = fake.create_member(guild, "ada", roles=[admin_role])
    member = fake.create_member(guild, "bob")
    member_zh = fake.create_member(guild, "mei", locale="zh-TW")
    return World(guild, general, quiz, admin_role, owner, admin, member, member_zh)


class ErrorLog(logging.Handler):
    """Collects ERROR records from discord.py and the bot (unhandled exceptions in handlers)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def lines(self) -> list[str]:
        out = []
        for r in self.records:
            text = r.getMessage()
            if r.exc_info and r.exc_info[1] is not None:
                text += f" -- {r.exc_info[1]!r}"
            out.append(f"{r.name}: {text}")
        return out


class _Endpoints:
    """Save/restore discord.py's class-level endpoints around a run (so other tests are unaffected)."""

    def __init__(self) -> None:
        self.base, self.gateway = discord_endpoints()

    def restore(self) -> None:
        point_discord_at(self.base, self.gateway)


class BotHarness(Generic[BotT]):
    """Starts, restarts and stops a real bot against `fake`.

    The bot's settings point at the fake (Settings.api_base / gateway_url, as
    DISCORD_API_BASE / DISCORD_GATEWAY_URL would), use a SQLite file and a
    questions folder under `workdir`, and sync commands to `dev_guild`.
    `start()` returns once discord.py fired on_ready and has every guild.
    """

    def __init__(
        self,
        fake: FakeDiscord,
        workdir: Path,
        *,
        factory: Callable[[Settings], BotT] = QuizBot,  # type: ignore[assignment]
        dev_guild: FakeGuild | None = None,
        settings: Mapping[str, Any] | None = None,
        questions: Mapping[str, str] | Path | None = None,
        guild_ready_timeout: float = 0.05,
        ready_timeout: float = 15.0,
    ) -> None:
        self.fake = fake
        self.workdir = workdir
        self.factory = factory
        self.guild_ready_timeout = guild_ready_timeout
        self.ready_timeout = ready_timeout
        questions_dir = workdir / "questions"
        questions_dir.mkdir(parents=True, exist_ok=True)
        if isinstance(questions, Path):
            for src in questions.rglob("*"):
                if src.is_file():
                    dst = questions_dir / src.relative_to(questions)
                    dst.parent.mkdir(parents=True, exist_ok=True)
                    dst.write_bytes(src.read_bytes())
        elif questions:
            for rel, text in questions.items():
                dst = questions_dir / rel
                dst.parent.mkdir(parents=True, exist_ok=True)
                dst.write_text(text, encoding="utf-8")
        base = Settings(
            token=fake.token,
            database_path=workdir / "quizbot.sqlite3",
            questions_dir=questions_dir,
            dev_guild_id=dev_guild.id if dev_guild else None,
            log_level="INFO",
            api_base=fake.api_base,
            gateway_url=fake.gateway_url,
        )
        self.settings: Settings = dataclasses.replace(base, **dict(settings or {}))
        self.bot: BotT | None = None
        self.starts = 0
        self._task: asyncio.Task[None] | None = None
        self._endpoints: _Endpoints | None = None
        #: ERROR log records from discord.py / the bot while it ran (exceptions in handlers).
        self.errors = ErrorLog()
        fake.diagnostics.append(self._diagnose)

    def _diagnose(self) -> str:
        if not self.errors.records:
            return ""
        return "bot errors: " + "; ".join(self.errors.lines()[-5:])

    async def __aenter__(self) -> BotHarness[BotT]:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> BotT:
        if self.bot is not None:
            raise RuntimeError("the bot is already running; use restart()")
        if self._endpoints is None:
            self._endpoints = _Endpoints()
        point_discord_at(self.settings.api_base, self.settings.gateway_url)
        for name in ("discord", "bot"):
            logging.getLogger(name).addHandler(self.errors)
        bot = self.factory(self.settings)
        # The client's own `guild_ready_timeout` option (default 2 s of silence after the
        # last GUILD_CREATE before on_ready); the fake sends every GUILD_CREATE at once.
        bot._connection.guild_ready_timeout = self.guild_ready_timeout
        await bot.__aenter__()
        self.bot = bot
        self.starts += 1
        token = self.settings.token or self.fake.token
        self._task = asyncio.create_task(bot.start(token), name=f"quizbot-{self.starts}")
        ready = asyncio.create_task(bot.wait_until_ready())
        try:
            done, _ = await asyncio.wait(
                {self._task, ready}, timeout=self.ready_timeout, return_when=asyncio.FIRST_COMPLETED
            )
            if self._task in done:
                exc = self._task.exception()
                raise RuntimeError(f"the bot stopped while starting: {exc!r}") from exc
            if ready not in done:
                raise TimeoutError(f"the bot was not ready within {self.ready_timeout}s")
            await self._wait_guilds(bot)
        except BaseException:
            ready.cancel()
            await self.stop()
            raise
        return bot

    async def _wait_guilds(self, bot: BotT) -> None:
        owns = getattr(bot, "owns", None)
        for g in self.fake.bot_guilds():
            if owns is not None and not owns(g.id):  # another shard's server: never here
                continue
            if bot.get_guild(g.id) is not None and not bot.get_guild(g.id).unavailable:  # type: ignore[union-attr]
                continue
            await bot.wait_for(
                "guild_available", check=lambda guild, gid=g.id: guild.id == gid, timeout=self.ready_timeout
            )

    async def stop(self) -> None:
        bot, task = self.bot, self._task
        self.bot, self._task = None, None
        try:
            if bot is not None:
                await bot.close()
            if task is not None:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await asyncio.wait_for(task, 10)
        finally:
            for name in ("discord", "bot"):
                logging.getLogger(name).removeHandler(self.errors)
            if self._endpoints is not None:
                self._endpoints.restore()
                self._endpoints = None

    async def restart(self) -> BotT:
        """Stop the bot and start a new instance with the same settings, fake and database."""
        await self.stop()
        return await self.start()

    @property
    def running(self) -> BotT:
        if self.bot is None:
            raise RuntimeError("the bot is not running")
        return self.bot
