"""Reloading the question bank while the bot runs: pull the Git bank, read the files, swap the
bank in, remember how it went. One per bot (`bot.services.bank`), used by `/quizadmin reload`
and `/quizadmin bank` and by the scheduler's daily pull. No Discord calls here.

Several processes on one database (shards, PostgreSQL): `/quizadmin reload` in one reloads there,
then sends a reload notice (`Store.notify_reload`) that every other process's BankService hears
(`start_listening`) and answers with a reload of its own, without sending a notice again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from bot.bank import Bank, load_bank
from bot.bank import git as bank_git
from bot.bank.diff import BankDiff, diff_banks
from bot.heap import settle_heap

if TYPE_CHECKING:
    from bot.app import QuizBot


log = logging.getLogger(__name__)


@dataclass
class BankStatus:
    """Where the bank comes from and how its last update went (for /quizadmin bank and reload)."""

    git: bank_git.GitSource | None = None
    last_sync: bank_git.GitResult | None = None
    last_sync_at: datetime | None = None
    last_error: str | None = None
    last_error_at: datetime | None = None


@dataclass
class ReloadReport:
    old_count: int
    git: bank_git.GitResult | None = None
    git_error: str | None = None
    bank: Bank | None = None
    swapped: bool = False
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


class BankService:
    """`refresh_bank` and the `status` it keeps. `now` is the clock of the status times (the
    scheduler's, so that tests move both at once)."""

    def __init__(self, bot: QuizBot, *, now: Callable[[], datetime] | None = None) -> None:
        self.bot = bot
        self.now: Callable[[], datetime] = now or (lambda: datetime.now(UTC))
        self.status = BankStatus()
        if bot.settings.questions_git:
            with contextlib.suppress(bank_git.GitError):
                self.status.git = bank_git.parse_source(bot.settings.questions_git)
            if bot.bank_git_error:
                # (at start: the wall clock; `now` may not be usable yet)
                self.status.last_error, self.status.last_error_at = bot.bank_git_error, datetime.now(UTC)
        self._reload_lock = asyncio.Lock()
        #: The Git commit of the bank in use (None when the bank is not read from Git): reports
        #: name it (bot/cogs/reports_service.py).
        self.commit: str | None = bot.bank_commit
        #: This process's name in reload notices: its own notices are recognised and ignored.
        self.sender = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        #: Reloads done because another process asked (a reload notice).
        self.reloads_from_notices = 0
        self._stop_listening: Callable[[], Awaitable[None]] | None = None

    async def reload_everywhere(self) -> ReloadReport:
        """`/quizadmin reload`: `refresh_bank(pull=True)` here and, when a bank was swapped in, a
        reload notice to the other processes on the database (a failed notice is logged)."""
        report = await self.refresh_bank(pull=True)
        if report.swapped:
            try:
                await self.bot.storage.notify_reload(self.sender)
            except Exception:  # the database is unreachable: this process has reloaded anyway
                log.exception("the reload notice to the other processes failed; reload them by hand")
        return report

    async def start_listening(self) -> None:
        """Reload on the reload notices of other processes (until `stop_listening`)."""
        if self._stop_listening is None:
            self._stop_listening = await self.bot.storage.listen_reload(self._on_notice)

    async def stop_listening(self) -> None:
        stop, self._stop_listening = self._stop_listening, None
        if stop is not None:
            await stop()

    async def _on_notice(self, sender: str) -> None:
        if sender == self.sender:
            return
        why = f"another process reloaded ({sender})" if sender else "reload notices may have been missed"
        log.info("question bank: reloading, as %s", why)
        self.reloads_from_notices += 1
        await self.refresh_bank(pull=True)

    async def refresh_bank(self, *, pull: bool) -> ReloadReport:
        """Pull the Git bank (if any), re-read the bank and swap it in atomically. A failed pull, or
        a bank that reads as empty, keeps the bank already loaded."""
        async with self._reload_lock:
            bot = self.bot
            report = ReloadReport(old_count=len(bot.bank.questions))
            root = await self._update_files(report, pull=pull)
            if root is None:
                return report
            # a file that loaded before and is broken now keeps its last good questions
            # (all of it off the event loop: a large bank takes seconds to read, merge and compare)
            previous = bot.bank

            def read_and_compare() -> tuple[Bank, BankDiff]:
                new = load_bank(root).keeping_last_good(previous)
                return new, diff_banks(previous, new)

            new, diff = await asyncio.to_thread(read_and_compare)
            report.bank = new
            if not new.questions and bot.bank.questions:
                log.warning(
                    "the reloaded bank has no question; keeping the %d loaded", len(bot.bank.questions)
                )
                return report
            report.added, report.changed, report.removed = diff
            bot.bank = new
            report.swapped = True
            if report.git is not None:
                self.commit = report.git.after
            await bot.storage.sync_question_tags(new.questions)
            settle_heap()
            log.info("question bank reloaded: %s", new.summary_line())
            return report

    async def _update_files(self, report: ReloadReport, *, pull: bool) -> Path | None:
        """Clone or pull the Git bank (when there is one); the folder to read, or None (and the
        reason in `report` and `status`) when the bank is to be kept as it is."""
        settings, status = self.bot.settings, self.status
        if settings.questions_git:
            try:
                source = bank_git.parse_source(settings.questions_git)
                status.git = source
                report.git = await bank_git.sync(source, settings.questions_dir, pull=pull)
                status.last_sync, status.last_sync_at = report.git, self.now()
                status.last_error = status.last_error_at = None
            except bank_git.GitError as exc:
                log.warning("updating the question bank from Git failed: %s", exc)
                report.git_error = status.last_error = str(exc)
                status.last_error_at = self.now()
                return None
        try:
            return bank_git.safe_bank_dir(settings.questions_dir, settings.questions_git)
        except bank_git.GitError as exc:
            log.warning("the question bank folder is refused: %s", exc)
            report.git_error = status.last_error = str(exc)
            status.last_error_at = self.now()
            return None
