"""Mock exams on Discord: starting one, submitting it, and the timer that submits the ones whose
time is up. One `ExamService` per bot (`bot.services.exam`), run by the Exam cog (bot/cogs/exam/).

A thin adapter: drawing and grading are bot.core.exam's, the sections bot.bank's (blueprints), the
records bot.storage's (the Store's exam methods), the looks bot.render.exam's. See docs/exam.md.

The timer is ONE loop: it sleeps until the earliest deadline of any open exam of the servers this
process owns (`Store.next_exam_deadline` with the bot's `shard_filter`), or until woken (`wake()`,
when an exam starts), and submits what is due (`run_due`). An exam lives in storage, so a restart loses nothing: the first pass after start
submits the exams whose time ran out while the bot was down. `now` is the clock (tests replace it).
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import discord

from bot.bank.blueprint import Blueprint, BlueprintSection
from bot.cogs.common import NO_MENTIONS
from bot.cogs.exam.layout import result_view
from bot.cogs.loop import WakeableLoop
from bot.core.bounded import BoundedMap
from bot.core.exam import Exam, ExamItem, ExamResult, draw, grade
from bot.i18n import locale_of, t
from bot.render.exam import exam_result

if TYPE_CHECKING:
    from bot.app import QuizBot
    from bot.bank import Bank
    from bot.bank.model import Question
    from bot.cogs.reports_service import ReportService

log = logging.getLogger(__name__)

MAX_SLEEP = 3600.0  # the timer looks again at least hourly (clock jumps, suspended machines)
RETRY_SLEEP = 30.0  # after a failed pass
DUE_BATCH = 50  # exams submitted per storage read
#: Answers looked at for "seen before" beside the daily and practice ones (exam items).
SEEN_EXAM_ANSWERS = 2000
LOCALES_KEPT = 10_000


def utcnow() -> datetime:
    return datetime.now(UTC)


def default_minutes(blueprint: Blueprint, questions: int) -> int:
    """The blueprint's time scaled to `questions`, rounded up (at least one minute)."""
    return max(1, math.ceil(blueprint.minutes * questions / max(1, blueprint.questions)))


def blueprint_of(bank: Bank, exam: Exam) -> Blueprint:
    """The exam's blueprint; when the bank no longer has it, one made of the exam's own sections
    (equal weights), so an old exam still shows and grades."""
    found = bank.blueprint(exam.blueprint)
    if found is not None and found.key == exam.blueprint:
        return found
    keys = list(dict.fromkeys(item.section for item in exam.items))
    weight = 100.0 / len(keys) if keys else 100.0
    return Blueprint(
        key=exam.blueprint,
        name=exam.blueprint,
        questions=len(exam.items),
        minutes=max(1, math.ceil((exam.deadline - exam.started_at).total_seconds() / 60)),
        pass_mark=exam.pass_mark,
        pass_mark_estimated=True,
        source="",
        sections=tuple(BlueprintSection(key=k, name=k, weight=weight) for k in keys),
        path="",
    )


def result_of(bank: Bank, exam: Exam) -> ExamResult:
    """The grade of a submitted exam (grading is deterministic: it is graded again to be shown)."""
    return grade(
        exam.items,
        blueprint_of(bank, exam).weights,
        pass_mark=exam.pass_mark,
        started_at=exam.started_at,
        submitted_at=exam.submitted_at or exam.deadline,
    )


def questions_of(bank: Bank, exam: Exam) -> dict[str, Question]:
    """The exam's questions still in the bank, by the key each was drawn under."""
    found = {}
    for item in exam.items:
        q = bank.get(item.question_key)
        if q is not None:
            found[item.question_key] = q
    return found


@dataclass(frozen=True, slots=True)
class Submitted:
    exam: Exam
    result: ExamResult
    newly: bool  # False: it had been submitted already (by the timer, or another click)


@dataclass(frozen=True, slots=True)
class Started:
    """What `ExamService.begin` did: `exam` started, or refused because of `existing`;
    `previous`: the member's exam whose time had run out, submitted first."""

    exam: Exam | None
    existing: Exam | None = None
    requested: int = 0
    previous: Submitted | None = None


class ExamService(WakeableLoop):
    """Every server's mock exams: start, submit, and the timer loop (`start()`/`stop()`, `wake()`,
    `run_due(now)`; `await run_pending()` waits for a whole pass that began after the call)."""

    def __init__(self, bot: QuizBot, *, reports: ReportService, now: Callable[[], datetime] = utcnow) -> None:
        super().__init__(bot)
        self.reports = reports  # the questions each server paused (never drawn there)
        self.now = now
        self.rng = random.Random()
        #: exam id -> the language its member used to start it (for the timer's DM; bounded, and
        #: lost on a restart: the DM then speaks the server's language)
        self._locales: BoundedMap[int, str] = BoundedMap(LOCALES_KEPT)

    # ---------------------------------------------------------------- control

    task_name = "exam-timer"
    what = "the exam timer"
    retry_sleep = RETRY_SLEEP
    max_sleep = MAX_SLEEP

    async def run_pass(self) -> float:
        """Submit what is due; the seconds until the next deadline of an exam of this process's
        servers (another process's exams, even overdue ones of a process that is down, never
        wake this timer)."""
        when = self.now()
        await self.run_due(when)
        deadline = await self.bot.storage.next_exam_deadline(shards=self.bot.shard_filter)
        if deadline is None:
            return MAX_SLEEP
        if deadline <= when:  # still due after a pass that covered it: something failed
            return RETRY_SLEEP
        return max(0.0, (deadline - self.now()).total_seconds())  # 0: it fell due during the pass

    # ---------------------------------------------------------------- the timer

    async def run_due(self, now: datetime | None = None) -> list[Submitted]:
        """Submit every open exam whose deadline is at or before `now` (default: the clock), and
        tell each member by DM (a DM that fails is logged)."""
        when = now or self.now()
        done: list[Submitted] = []
        shards = self.bot.shard_filter
        while True:
            # With shards over processes each submits the exams of the servers it owns: the query
            # keeps to them, so other processes' due exams never fill the batch.
            due = await self.bot.storage.due_exams(now=when, limit=DUE_BATCH, shards=shards)
            seen = {s.exam.exam_id for s in done}
            fresh = [exam for exam in due if exam.exam_id not in seen]
            if not fresh:
                return done
            for exam in fresh:
                submitted = await self.submit(exam, auto=True, now=when)
                done.append(submitted)
                if submitted.newly:
                    await self._tell(submitted)
            if len(due) < DUE_BATCH:
                return done

    async def _tell(self, submitted: Submitted) -> None:
        exam = submitted.exam
        bank = self.bot.bank
        locale = self._locales.pop(exam.exam_id, None) or self._guild_locale(exam.guild_id)
        questions = questions_of(bank, exam)
        try:
            channel = await self.bot.create_dm(discord.Object(exam.user_id))
            await channel.send(
                content=t("examcmd.dm_auto", locale, guild=self._guild_name(exam.guild_id)),
                embed=exam_result(exam, submitted.result, blueprint_of(bank, exam), questions, locale=locale),
                view=result_view(exam, submitted.result, questions, locale=locale),
                allowed_mentions=NO_MENTIONS,
            )
        except discord.HTTPException as exc:
            log.warning(
                "could not tell member %s by DM that exam %s was submitted: %s",
                exam.user_id,
                exam.exam_id,
                exc,
            )

    def _guild_locale(self, guild_id: int) -> str:
        guild = self.bot.get_guild(guild_id)
        return locale_of(guild.preferred_locale) if guild is not None else "en"

    def _guild_name(self, guild_id: int) -> str:
        guild = self.bot.get_guild(guild_id)
        return guild.name if guild is not None else str(guild_id)

    # ---------------------------------------------------------------- starting and submitting

    async def begin(
        self,
        guild_id: int,
        user_id: int,
        blueprint: Blueprint,
        questions: int,
        minutes: int | None = None,
        *,
        display_name: str | None = None,
        locale: str = "en",
    ) -> Started:
        """Draw and start an exam: the open dailies and the questions the server paused are never drawn, questions the member has not
        answered come first; `minutes` None scales the blueprint's time to the questions drawn.
        Refused (`existing`) while the member has an open exam (one whose time ran out is
        submitted first: `previous`); `exam` None when the blueprint's sections
        hold no question."""
        storage = self.bot.storage
        previous = None
        existing = await storage.open_exam(guild_id, user_id)
        if existing is not None and existing.deadline <= self.now():
            previous, existing = await self.submit(existing, auto=True), None
        if existing is not None:
            return Started(None, existing, questions)
        bank = self.bot.bank
        pools = bank.sections(blueprint.key).pools
        hidden = (await storage.open_daily_key_set()) | self.reports.paused(guild_id)
        excluded = {k for key in hidden for k in bank.known_keys(key)}
        seen = await self._seen(guild_id, user_id)
        drawn = draw(blueprint.weights, pools, questions, rng=self.rng, seen=seen, excluded=excluded)
        items = self._items(drawn)
        if not items:
            return Started(None, None, questions, previous)
        now = self.now()
        exam = await storage.start_exam(
            guild_id,
            user_id,
            blueprint.key,
            items,
            started_at=now,
            deadline=now + timedelta(minutes=minutes or default_minutes(blueprint, len(items))),
            pass_mark=blueprint.pass_mark,
            display_name=display_name,
        )
        if exam is None:  # another /exam start won the race
            return Started(None, await storage.open_exam(guild_id, user_id), questions, previous)
        self._locales[exam.exam_id] = locale
        self.wake()
        return Started(exam, None, questions, previous)

    async def held_keys(self, guild_id: int, user_id: int) -> frozenset[str]:
        """The questions of the member's exam in progress in this server, under every key they are
        known by: no other door (/quiz, /plan, /review, /explain, the Anki export) may show their
        answers before the member submits (docs/exam.md). Empty without an open exam."""
        exam = await self.bot.storage.open_exam(guild_id, user_id)
        if exam is None:
            return frozenset()
        bank = self.bot.bank
        return frozenset(k for item in exam.items for k in bank.known_keys(item.question_key))

    def _items(self, drawn: Sequence[tuple[str, str]]) -> list[ExamItem]:
        bank = self.bot.bank
        items: list[ExamItem] = []
        for key, section in drawn:
            q = bank.get(key)
            if q is None:
                continue
            items.append(
                ExamItem(
                    position=len(items),
                    question_key=q.key,
                    section=section,
                    correct="".join(sorted(q.answer)),
                    options="".join(q.options),
                )
            )
        return items

    async def _seen(self, guild_id: int, user_id: int) -> set[str]:
        """Keys of the questions the member answered here (any answer, exams included)."""
        storage = self.bot.storage
        bank = self.bot.bank
        keys = await storage.answered_questions(guild_id, user_id, correct_only=False)
        recent = await storage.recent_results(guild_id, user_id, limit=SEEN_EXAM_ANSWERS)
        keys |= {r.question_key for r in recent if r.kind == "exam"}
        return {bank.canonical(k) for k in keys} | keys

    async def submit(self, exam: Exam, *, auto: bool, now: datetime | None = None) -> Submitted:
        """Grade and store the exam, once. Submitted by the time limit (`auto`), it counts as
        submitted at its deadline. When it had been submitted already, that submission is returned."""
        when = min(now or self.now(), exam.deadline)
        weights = blueprint_of(self.bot.bank, exam).weights
        result = grade(
            exam.items, weights, pass_mark=exam.pass_mark, started_at=exam.started_at, submitted_at=when
        )
        stored = await self.bot.storage.submit_exam(exam.exam_id, result, submitted_at=when, auto=auto)
        if stored is not None:
            return Submitted(stored, result, True)
        current = await self.bot.storage.get_exam(exam.exam_id)
        if current is None or current.is_open:  # gone, or a storage that refused: say so upstream
            raise RuntimeError(f"exam {exam.exam_id} could not be submitted")
        return Submitted(current, result_of(self.bot.bank, current), False)
