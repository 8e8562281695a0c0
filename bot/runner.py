"""Start the bot process: checks, logging, endpoints, signals, event loop."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import socket
import sqlite3
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

import discord

from bot.app import QuizBot, make_bot
from bot.discord_internals import point_discord_at
from bot.settings import Settings, SettingsError

log = logging.getLogger("bot")
T = TypeVar("T")


# ---------------------------------------------------------------------------- checks before login


def check_paths(settings: Settings) -> None:
    """Raise a one-line `SettingsError` if the bank folder cannot be read or the database cannot
    be written, so that `quizbot run` fails before logging in, not with a traceback after."""
    check_questions_dir(settings.questions_dir, git=bool(settings.questions_git))
    if settings.database_url is None:  # PostgreSQL: open_store says what is wrong with the server
        check_database_path(settings.database_path)


def check_questions_dir(path: Path, *, git: bool = False) -> None:
    """With `git` (QUESTIONS_GIT is set) the folder may be missing, to be cloned, but then it, or
    the folder it will be created in, must be writable."""
    if git:
        existing = path
        while not existing.exists() and existing != existing.parent:
            existing = existing.parent
        if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
            raise SettingsError(
                f"QUESTIONS_DIR {str(path)!r} must be a writable folder (or creatable, in "
                f"{str(existing)!r}): QUESTIONS_GIT is cloned and pulled into it."
            )
        if existing != path:
            return
    if not path.exists():
        raise SettingsError(
            f"QUESTIONS_DIR {str(path)!r} does not exist: point it at the folder of question files."
        )
    if not path.is_dir():
        raise SettingsError(f"QUESTIONS_DIR {str(path)!r} is not a folder.")
    try:
        with os.scandir(path) as entries:
            next(entries, None)
    except OSError as exc:
        raise SettingsError(f"QUESTIONS_DIR {str(path)!r} cannot be read: {exc.strerror or exc}.") from None


def check_database_path(path: Path) -> None:
    where = f"DATABASE_PATH {str(path)!r}"
    if path.is_dir():
        raise SettingsError(f"{where} is a folder; give a file path such as data/quizbot.sqlite3.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise SettingsError(
            f"{where}: cannot create its folder {str(path.parent)!r}: {exc.strerror or exc}."
        ) from None
    # SQLite in WAL mode writes `-wal` and `-shm` files next to the database.
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise SettingsError(f"{where}: the folder {str(path.parent)!r} is not writable.")
    if path.exists() and not os.access(path, os.R_OK | os.W_OK):
        raise SettingsError(f"{where} is not writable by this user.")
    from bot.storage.migrate import probe_writable

    try:
        version = probe_writable(path)
    except sqlite3.Error as exc:
        raise SettingsError(f"{where} cannot be opened for writing as a SQLite database: {exc}.") from None
    from bot.storage.migrate import load_migrations

    known = max((m.version for m in load_migrations()), default=0)
    if version > known:
        raise SettingsError(
            f"{where} has schema version {version}, newer than this quizbot knows ({known}): "
            "run the newer quizbot, or restore a backup made before the upgrade."
        )


def check_dashboard(settings: Settings) -> None:
    """With DASHBOARD_BIND set, raise a one-line `SettingsError` unless its address can be listened
    on now (the port is free, the host is this machine's), so `quizbot run` fails before logging in."""
    if settings.dashboard_bind is None:
        return
    host, port = settings.dashboard_bind
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except OSError as exc:
        raise SettingsError(f"DASHBOARD_BIND {host}:{port}: unknown host ({exc.strerror or exc}).") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            raise SettingsError(
                f"DASHBOARD_BIND {host}:{port} cannot be listened on: {exc.strerror or exc} "
                "(another program on that port, or an address of another machine)."
            ) from None


# ---------------------------------------------------------------------------- logging


class RedactSecret(logging.Filter):
    """Replaces a secret (the token) in every record a handler emits: discord.py does not log
    the token, and this keeps it so whatever a library logs at DEBUG."""

    def __init__(self, secret: str, replacement: str = "[DISCORD_TOKEN]") -> None:
        super().__init__()
        self.secret = secret
        self.replacement = replacement

    def filter(self, record: logging.LogRecord) -> bool:
        if not self.secret:
            return True
        message = record.getMessage()
        if self.secret in message:
            record.msg = message.replace(self.secret, self.replacement)
            record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text and self.secret in record.exc_text:
            record.exc_text = record.exc_text.replace(self.secret, self.replacement)
        return True


def setup_logging(settings: Settings, token: str) -> None:
    discord.utils.setup_logging(level=getattr(logging, settings.log_level))
    redact = RedactSecret(token)
    for handler in logging.getLogger().handlers:
        handler.addFilter(redact)


# ---------------------------------------------------------------------------- run


def run_loop(coro: Coroutine[Any, Any, T]) -> T:
    """Run `coro` on uvloop when it is installed (`pip install 'quizbot[speed]'`), else asyncio.

    uvloop cut the bot's CPU per click by about 15% in bench/clicks.py (docs/performance.md).
    """
    try:
        import uvloop  # the optional `speed` extra: not installed for the type check
    except ImportError:
        return asyncio.run(coro)
    log.debug("event loop: uvloop")
    result: T = uvloop.run(coro)
    return result


def run_bot(settings: Settings, token: str) -> int:
    """Run until SIGINT/SIGTERM. The first signal closes gracefully (exit 0): interactions in
    flight finish, queued answers are written, the database is closed. A second one exits at
    once (128 + signal number); committed answers are safe in the database either way."""
    setup_logging(settings, token)
    point_discord_at(settings.api_base, settings.gateway_url)
    received: list[int] = []

    async def main() -> None:
        async with make_bot(settings) as bot:
            loop = asyncio.get_running_loop()
            connection = asyncio.ensure_future(bot.start(token))
            stopping: list[asyncio.Task[None]] = []

            async def stop() -> None:
                await bot.drain()
                # Cancelling the task that reads the gateway, rather than closing the socket under
                # it, lets close() below end the session with code 1000 (the bot shows offline at
                # once); a close from another task races discord.py's reader, which sends 4000.
                connection.cancel()
                with contextlib.suppress(BaseException):
                    await asyncio.wait_for(asyncio.shield(connection), 10)
                if not connection.done():  # the cancellation was lost (Python 3.11 wait_for)
                    await bot.close()

            def on_signal(signum: int) -> None:
                name = signal.Signals(signum).name
                received.append(signum)
                if len(received) > 1:
                    log.warning("%s again: exiting now", name)
                    logging.shutdown()
                    os._exit(128 + signum)
                log.info("%s: shutting down (interactions in flight finish; send it again to exit now)", name)
                stopping.append(loop.create_task(stop()))

            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.add_signal_handler(sig, on_signal, sig)
            try:
                await connection
            except asyncio.CancelledError:
                if not received:
                    raise
            finally:
                await bot.close()  # waits for a close already under way

    try:
        run_loop(main())
    except discord.LoginFailure:
        log.error("Discord refused the token (DISCORD_TOKEN); copy it again from the developer portal.")
        return 2
    except discord.PrivilegedIntentsRequired:
        log.error("Discord refused the intents; quizbot needs no privileged intent (see docs/deploy.md).")
        return 2
    except KeyboardInterrupt:  # a SIGINT before the handlers were installed
        pass
    except Exception:
        if not received:  # a real failure: let it show
            raise
        log.info("stopped while starting", exc_info=True)
    if received:
        log.info("stopped")
    return 0


def sync_commands(settings: Settings, token: str) -> int:
    """`quizbot sync`: log in over HTTP only (no gateway), sync the command tree, log out."""
    setup_logging(settings, token)
    point_discord_at(settings.api_base, settings.gateway_url)

    async def main() -> str:
        async with QuizBot(settings, force_sync=True) as bot:
            await bot.login(token)  # runs setup_hook, which syncs
            return bot.sync_report or "nothing synced"

    try:
        report = asyncio.run(main())
    except discord.LoginFailure:
        log.error("Discord refused the token (DISCORD_TOKEN); copy it again from the developer portal.")
        return 2
    except discord.HTTPException as exc:
        log.error("syncing the slash commands failed: %s", exc)
        return 1
    print(report)
    return 0
