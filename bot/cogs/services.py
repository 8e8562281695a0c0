"""The services the cogs share, one of each per bot (`bot.services`), set up in `setup_hook`.

A cog never reads another cog: what two of them need (posting and closing questions, the bank's
reload, the daily scheduler) is a service here, and each service gets the others it needs when
it is built.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.cogs.bank_service import BankService
from bot.cogs.exam.service import ExamService
from bot.cogs.posts import QuizService
from bot.cogs.reports_service import ReportService
from bot.cogs.scheduler import DailyScheduler

if TYPE_CHECKING:
    from bot.app import QuizBot


@dataclass(frozen=True, slots=True)
class Services:
    #: Question posts: post, cache, count, close and reveal (bot/cogs/posts.py).
    quiz: QuizService
    #: The bank's reload and its status (bot/cogs/bank_service.py).
    bank: BankService
    #: The daily question's loop (bot/cogs/scheduler.py), run by the Daily cog.
    scheduler: DailyScheduler
    #: Mock exams: start, submit and the timer (bot/cogs/exam/service.py), run by the Exam cog.
    exam: ExamService
    #: Reports of broken questions: paused questions, flags, replies (bot/cogs/reports_service.py).
    reports: ReportService

    @classmethod
    async def create(cls, bot: QuizBot) -> Services:
        """Build the services (storage is open; nothing runs yet)."""
        quiz = QuizService(bot)
        await quiz.load()
        scheduler: DailyScheduler
        # The bank's status times read the scheduler's clock (tests replace `scheduler.now`).
        bank = BankService(bot, now=lambda: scheduler.now())
        reports = ReportService(bot, bank=bank)
        await reports.load()
        scheduler = DailyScheduler(bot, quiz=quiz, bank=bank, reports=reports)
        return cls(
            quiz=quiz, bank=bank, scheduler=scheduler, exam=ExamService(bot, reports=reports), reports=reports
        )
