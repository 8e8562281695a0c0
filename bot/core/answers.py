"""The answer batch's rules, as pure functions: which facts a batch needs, then what it changes.

A storage backend writes a batch of answers in three steps (docs/storage.md):

1. read: the posts answered, their guilds' time zones, then the facts `plan_answers` names
   (earlier answers, totals, streaks, questions already solved, the next answer id);
2. apply: `apply_answers` runs the rules of `bot.core.rules` request by request, in arrival order
   (so a double click or practice farming inside one batch is handled), and returns an outcome
   per request plus every row to write (`BatchChanges`);
3. write: the backend writes those rows, in the same transaction as the reads.

Nothing here does I/O. Instants are integer milliseconds since the epoch (UTC), as stored.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import NamedTuple

from bot.core.models import AnswerOutcome, AnswerStatus
from bot.core.periods import ALL_KEY, bucket_keys
from bot.core.rules import PostKind, StreakState, score_answer, streak_after_daily_answer


@dataclass(frozen=True, slots=True)
class AnswerRequest:
    """One click to record: `letters` normalised (sorted, unique), `answered_ms` its instant."""

    guild_id: int
    post_id: int
    user_id: int
    letters: str
    display_name: str | None
    answered_ms: int


class PostFacts(NamedTuple):
    """What the rules need to know about an answered post."""

    guild_id: int
    question_key: str
    kind: PostKind
    correct_letters: str
    created_ms: int
    posted_ms: int | None
    closes_ms: int
    closed_ms: int | None


class AnswerDay(NamedTuple):
    """The local day of an answer (`YYYY-MM-DD`, the guild's time zone) and its totals buckets."""

    day: str
    buckets: tuple[str, ...]


class EarlierAnswer(NamedTuple):
    """A member's answer to a post that is stored already (a later click is a duplicate)."""

    answer_id: int
    letters: str
    correct: bool


@dataclass(slots=True)
class Tally:
    """A member's points, answers and correct answers in one totals bucket."""

    points: int = 0
    answers: int = 0
    correct: int = 0


@dataclass(slots=True)
class DayCount:
    """Answers and correct answers of one local day (per question, or per member)."""

    answers: int = 0
    correct: int = 0


class NewAnswer(NamedTuple):
    """An answer row to insert; the field names are the `answers` table's column names."""

    answer_id: int
    post_id: int
    guild_id: int
    user_id: int
    question_key: str
    letters: str
    correct: int
    points: int
    answered_at: int
    latency_ms: int
    local_day: str


class MemberSeen(NamedTuple):
    """A member row to upsert; the field names are the `members` table's column names."""

    guild_id: int
    user_id: int
    display_name: str | None  # None: keep the stored name
    first_seen: int
    last_seen: int


class StreakChange(NamedTuple):
    """A member's streak after the batch's daily answers."""

    current: int
    best: int
    last_post_id: int
    updated_at: int


@dataclass(slots=True)
class BatchPlan:
    """`plan_answers`: each request's local day, and which stored facts the batch needs."""

    days: list[AnswerDay | None]  # per request; None: no such post in the request's guild
    members: dict[int, set[int]] = field(default_factory=dict)  # guild -> every requesting user
    buckets: dict[int, set[str]] = field(default_factory=dict)  # guild -> buckets touched, and "all"
    practice_questions: dict[int, set[str]] = field(default_factory=dict)  # guild -> practice keys
    answerers: dict[int, set[int]] = field(default_factory=dict)  # post -> users (posts found)


@dataclass(slots=True)
class BatchFacts:
    """What is stored before the batch, as read by the backend (inside the write transaction)."""

    earlier: dict[tuple[int, int], EarlierAnswer]  # (post, user) -> the answer stored
    totals: dict[tuple[int, str, int], Tally]  # (guild, bucket, user) -> figures, for planned buckets
    streaks: dict[tuple[int, int], StreakState]  # (guild, user) -> streak (absent: none yet)
    solved: set[tuple[int, int, str]]  # (guild, user, question) answered correctly before
    next_answer_id: int


@dataclass(slots=True)
class BatchChanges:
    """Everything a batch writes. `totals` holds every bucket touched, after the batch (the facts
    hold them before); `streaks` only the members whose streak a daily answer moved."""

    answers: list[NewAnswer] = field(default_factory=list)
    members: dict[tuple[int, int], MemberSeen] = field(default_factory=dict)
    totals: dict[tuple[int, str, int], Tally] = field(default_factory=dict)
    streaks: dict[tuple[int, int], StreakChange] = field(default_factory=dict)
    question_days: dict[tuple[int, str, str], DayCount] = field(default_factory=lambda: defaultdict(DayCount))
    member_days: dict[tuple[int, str, int], DayCount] = field(default_factory=lambda: defaultdict(DayCount))


def plan_answers(
    reqs: Sequence[AnswerRequest], posts: Mapping[int, PostFacts], zones: Mapping[int, tzinfo]
) -> BatchPlan:
    """Each request's local day and buckets (in its guild's zone), and the facts to read.

    `posts` holds the posts found (by post id); `zones` the time zone of each of their guilds.
    """
    plan = BatchPlan(days=[])
    by_minute: dict[tuple[int, int], AnswerDay] = {}  # a burst shares a minute: one lookup
    for r in reqs:
        plan.members.setdefault(r.guild_id, set()).add(r.user_id)
        post = posts.get(r.post_id)
        if post is None or post.guild_id != r.guild_id:
            plan.days.append(None)
            continue
        plan.answerers.setdefault(r.post_id, set()).add(r.user_id)
        minute = (r.guild_id, r.answered_ms // 60_000)
        day = by_minute.get(minute)
        if day is None:
            local = datetime.fromtimestamp(r.answered_ms / 1000, zones[r.guild_id]).date()
            day = by_minute[minute] = AnswerDay(local.isoformat(), bucket_keys(local))
        plan.days.append(day)
        plan.buckets.setdefault(r.guild_id, {ALL_KEY}).update(day.buckets)
        if post.kind == "practice":
            plan.practice_questions.setdefault(r.guild_id, set()).add(post.question_key)
    for guild_id in plan.members:
        plan.buckets.setdefault(guild_id, {ALL_KEY})
    return plan


def apply_answers(
    reqs: Sequence[AnswerRequest], posts: Mapping[int, PostFacts], plan: BatchPlan, facts: BatchFacts
) -> tuple[list[AnswerOutcome], BatchChanges]:
    """The rules, request by request in arrival order: an outcome per request, and the changes.

    A stored answer's outcome carries the member's figures right after it; a refused one
    (duplicate, closed, unknown post) the member's figures after the whole batch.
    """
    batch = _Batch(facts)
    outcomes: list[AnswerOutcome] = []
    for r, day in zip(reqs, plan.days, strict=True):
        post = posts.get(r.post_id)
        if post is None or day is None:
            outcomes.append(batch.refused("unknown_post", None, None))
        else:
            outcomes.append(batch.answer(r, post, day))
    settled = [o if o.status == "stored" else batch.settle(r, o) for r, o in zip(reqs, outcomes, strict=True)]
    return settled, batch.changes


class _Batch:
    """The running state of `apply_answers`: the facts, updated answer by answer."""

    __slots__ = ("changes", "earlier", "facts", "next_id", "solved", "streaks")

    def __init__(self, facts: BatchFacts) -> None:
        self.facts = facts
        self.changes = BatchChanges()
        self.earlier = dict(facts.earlier)
        self.solved = set(facts.solved)
        self.streaks: dict[tuple[int, int], StreakState] = {}
        self.next_id = facts.next_answer_id

    def streak(self, key: tuple[int, int]) -> StreakState:
        state = self.streaks.get(key)
        if state is None:
            state = self.streaks[key] = self.facts.streaks.get(key) or StreakState()
        return state

    def answer(self, r: AnswerRequest, post: PostFacts, day: AnswerDay) -> AnswerOutcome:
        earlier = self.earlier.get((r.post_id, r.user_id))
        if earlier is not None:
            return self.refused("duplicate", earlier, post.kind)
        if post.closed_ms is not None or r.answered_ms >= post.closes_ms:
            return self.refused("closed", None, post.kind)
        gid, uid, qkey = post.guild_id, r.user_id, post.question_key
        correct = r.letters == post.correct_letters
        points = score_answer(post.kind, correct, (gid, uid, qkey) in self.solved)
        if correct:
            self.solved.add((gid, uid, qkey))
        state = self.streak((gid, uid))
        if post.kind == "daily":  # practice answers never move a streak
            state = self.streaks[(gid, uid)] = streak_after_daily_answer(state, correct)
            self.changes.streaks[(gid, uid)] = StreakChange._make(
                (state.current, state.best, r.post_id, r.answered_ms)
            )
        answer_id = self.next_id
        self.next_id += 1
        self.earlier[(r.post_id, uid)] = EarlierAnswer._make((answer_id, r.letters, correct))
        total = self._count(r, post, day, answer_id, points, correct)
        return AnswerOutcome(
            "stored", answer_id, r.letters, correct, points, total, state.current, state.best, post.kind
        )

    def _count(
        self, r: AnswerRequest, post: PostFacts, day: AnswerDay, answer_id: int, points: int, correct: bool
    ) -> int:
        """The stored answer's rows: the answer, the member, totals and the per-day counts.
        Returns the member's all-time points after it."""
        gid, uid, c = post.guild_id, r.user_id, int(correct)
        changes = self.changes
        shown_ms = post.posted_ms if post.posted_ms is not None else post.created_ms
        # `_make` builds the named row from a plain tuple: a third of the cost of NewAnswer(...),
        # which counts on this path (bench/storage.py).
        changes.answers.append(
            NewAnswer._make(
                (
                    answer_id,
                    r.post_id,
                    gid,
                    uid,
                    post.question_key,
                    r.letters,
                    c,
                    points,
                    r.answered_ms,
                    max(0, r.answered_ms - shown_ms),
                    day.day,
                )
            )
        )
        seen = changes.members.get((gid, uid))
        name = r.display_name if r.display_name is not None else (seen.display_name if seen else None)
        changes.members[(gid, uid)] = MemberSeen._make((gid, uid, name, r.answered_ms, r.answered_ms))
        total = 0
        totals, before = changes.totals, self.facts.totals
        for bucket in day.buckets:
            key = (gid, bucket, uid)
            tally = totals.get(key)
            if tally is None:  # the first answer of the batch in this bucket: start from the facts
                had = before.get(key)
                tally = totals[key] = Tally() if had is None else Tally(had.points, had.answers, had.correct)
            tally.points += points
            tally.answers += 1
            tally.correct += c
            if bucket == ALL_KEY:
                total = tally.points
        for count in (
            changes.question_days[(gid, day.day, post.question_key)],
            changes.member_days[(gid, day.day, uid)],
        ):
            count.answers += 1
            count.correct += c
        return total

    @staticmethod
    def refused(status: AnswerStatus, earlier: EarlierAnswer | None, kind: PostKind | None) -> AnswerOutcome:
        """A refused request; its figures are filled in by `settle`, after the whole batch."""
        if earlier is None:
            return AnswerOutcome(status, None, None, None, 0, 0, 0, 0, kind)
        return AnswerOutcome(status, earlier.answer_id, earlier.letters, earlier.correct, 0, 0, 0, 0, kind)

    def settle(self, r: AnswerRequest, outcome: AnswerOutcome) -> AnswerOutcome:
        """A refused request gets the member's total and streak after the whole batch."""
        key = (r.guild_id, ALL_KEY, r.user_id)
        tally = self.changes.totals.get(key) or self.facts.totals.get(key)
        state = self.streaks.get((r.guild_id, r.user_id)) or self.facts.streaks.get(
            (r.guild_id, r.user_id), StreakState()
        )
        return AnswerOutcome(
            outcome.status,
            outcome.answer_id,
            outcome.letters,
            outcome.correct,
            0,
            tally.points if tally is not None else 0,
            state.current,
            state.best,
            outcome.kind,
        )
