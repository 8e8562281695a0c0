"""bot.core.answers: the answer batch's rules without a database (plan, then apply)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.core import StreakState
from bot.core.answers import (
    AnswerRequest,
    BatchChanges,
    BatchFacts,
    EarlierAnswer,
    PostFacts,
    Tally,
    apply_answers,
    plan_answers,
)
from bot.core.models import AnswerOutcome
from bot.core.rules import DAILY_POINTS, PRACTICE_POINTS, PostKind

G, OTHER = 1, 2
T0 = datetime(2026, 11, 29, 16, 30, tzinfo=UTC)  # Sunday 16:30 UTC: Monday 00:30 in Taipei
T0_MS = int(T0.timestamp() * 1000)
ZONES = {G: ZoneInfo("Asia/Taipei"), OTHER: ZoneInfo("UTC")}


def post(
    kind: PostKind = "daily",
    correct: str = "B",
    key: str = "q/1",
    *,
    created_ms: int = T0_MS - 60_000,
    posted_ms: int | None = None,
    closes_ms: int = T0_MS + 3_600_000,
    closed_ms: int | None = None,
) -> PostFacts:
    return PostFacts(G, key, kind, correct, created_ms, posted_ms, closes_ms, closed_ms)


def req(post_id: int, user: int, letters: str, at_ms: int = T0_MS, name: str | None = None) -> AnswerRequest:
    return AnswerRequest(G, post_id, user, letters, name, at_ms)


def empty_facts(**kw: object) -> BatchFacts:
    fields: dict[str, object] = {
        "earlier": {},
        "totals": {},
        "streaks": {},
        "solved": set(),
        "next_answer_id": 1,
    }
    fields.update(kw)
    return BatchFacts(**fields)  # type: ignore[arg-type]


def run(
    reqs: list[AnswerRequest], posts: dict[int, PostFacts], facts: BatchFacts | None = None
) -> tuple[list[AnswerOutcome], BatchChanges]:
    plan = plan_answers(reqs, posts, ZONES)
    return apply_answers(reqs, posts, plan, facts or empty_facts())


def test_the_plan_names_local_days_buckets_and_the_facts_to_read() -> None:
    posts = {10: post("practice", key="q/p"), 11: post()}
    reqs = [req(10, 5, "B"), req(11, 6, "A"), req(99, 7, "A"), AnswerRequest(OTHER, 11, 8, "B", None, T0_MS)]
    plan = plan_answers(reqs, posts, ZONES)
    monday = ("2026-11-30", ("all", "week:2026-11-30", "month:2026-11-01"))
    assert [d and (d.day, d.buckets) for d in plan.days] == [monday, monday, None, None]
    assert plan.members == {G: {5, 6, 7}, OTHER: {8}}  # every requester: refused ones get figures too
    assert plan.buckets == {G: {"all", "week:2026-11-30", "month:2026-11-01"}, OTHER: {"all"}}
    assert plan.practice_questions == {G: {"q/p"}}
    assert plan.answerers == {10: {5}, 11: {6}}


def test_double_clicks_in_one_batch_store_the_first() -> None:
    outcomes, changes = run([req(1, 5, "A"), req(1, 5, "B"), req(1, 5, "B")], {1: post()})
    assert [o.status for o in outcomes] == ["stored", "duplicate", "duplicate"]
    assert {(o.answer_id, o.letters, o.correct) for o in outcomes} == {(1, "A", False)}
    assert len(changes.answers) == 1


def test_practice_farming_in_one_batch_scores_once() -> None:
    posts = {i: post("practice") for i in range(1, 5)}
    outcomes, _ = run([req(i, 5, "B") for i in range(1, 5)], posts)
    assert [o.points_awarded for o in outcomes] == [PRACTICE_POINTS, 0, 0, 0]
    assert [o.total_points for o in outcomes] == [1, 1, 1, 1]
    # ... and a question solved before the batch scores nothing.
    outcomes, _ = run([req(1, 5, "B")], {1: post("practice")}, empty_facts(solved={(G, 5, "q/1")}))
    assert outcomes[0].points_awarded == 0


def test_refused_requests_get_the_figures_after_the_whole_batch() -> None:
    posts = {1: post(), 2: post(key="q/2"), 3: post(closed_ms=T0_MS - 1), 4: post(closes_ms=T0_MS)}
    before = empty_facts(
        totals={(G, "all", 5): Tally(30, 3, 3)},
        streaks={(G, 5): StreakState(3, 3)},
        earlier={(1, 5): EarlierAnswer(77, "B", True)},
        next_answer_id=78,
    )
    reqs = [req(1, 5, "A"), req(3, 5, "B"), req(4, 5, "B"), req(42, 5, "B"), req(2, 5, "B")]
    outcomes, changes = run(reqs, posts, before)
    got = [(o.status, o.answer_id, o.letters, o.correct, o.points_awarded) for o in outcomes]
    assert got == [
        ("duplicate", 77, "B", True, 0),
        ("closed", None, None, None, 0),
        ("closed", None, None, None, 0),  # answered at closes_at: too late
        ("unknown_post", None, None, None, 0),
        ("stored", 78, "B", True, DAILY_POINTS),
    ]
    assert {(o.total_points, o.current_streak, o.best_streak) for o in outcomes} == {(40, 4, 4)}
    assert changes.totals[(G, "all", 5)] == Tally(40, 4, 4)
    assert before.totals[(G, "all", 5)] == Tally(30, 3, 3)  # the facts are not changed


def test_a_post_of_another_guild_is_unknown() -> None:
    outcomes, changes = run([AnswerRequest(OTHER, 1, 5, "B", None, T0_MS)], {1: post()})
    assert outcomes[0].status == "unknown_post"
    assert changes.answers == []


def test_streaks_move_on_daily_answers_only() -> None:
    posts = {1: post(), 2: post(key="q/2"), 3: post("practice", key="q/3")}
    outcomes, changes = run([req(1, 5, "B"), req(3, 5, "A"), req(2, 5, "A")], posts)
    assert [(o.current_streak, o.best_streak) for o in outcomes] == [(1, 1), (1, 1), (0, 1)]
    assert {k: (c.current, c.best, c.last_post_id) for k, c in changes.streaks.items()} == {(G, 5): (0, 1, 2)}


def test_answer_rows_latency_names_and_day_counts() -> None:
    posted = post(posted_ms=T0_MS - 9_000)
    late_post = post(key="q/2", created_ms=T0_MS + 5_000)  # clock skew: latency is never negative
    outcomes, changes = run(
        [req(1, 5, "B", name="Ada"), req(2, 5, "B"), req(1, 6, "A", at_ms=T0_MS + 1000)],
        {1: posted, 2: late_post},
    )
    rows = changes.answers
    assert [(r.answer_id, r.user_id, r.correct, r.points, r.latency_ms, r.local_day) for r in rows] == [
        (1, 5, 1, 10, 9_000, "2026-11-30"),
        (2, 5, 1, 10, 0, "2026-11-30"),
        (3, 6, 0, 0, 10_000, "2026-11-30"),
    ]
    members = changes.members
    assert members[(G, 5)].display_name == "Ada"  # a later click without a name keeps it
    assert members[(G, 6)].display_name is None  # the stored name stays (coalesce)
    assert {k: (n.answers, n.correct) for k, n in changes.question_days.items()} == {
        (G, "2026-11-30", "q/1"): (2, 1),
        (G, "2026-11-30", "q/2"): (1, 1),
    }
    assert {k: (n.answers, n.correct) for k, n in changes.member_days.items()} == {
        (G, "2026-11-30", 5): (2, 2),
        (G, "2026-11-30", 6): (1, 0),
    }
    assert outcomes[1].total_points == 20


def test_apply_leaves_its_inputs_alone() -> None:
    facts = empty_facts(
        earlier={(9, 9): EarlierAnswer(1, "A", False)}, solved={(G, 9, "q/9")}, next_answer_id=2
    )
    kept = copy.deepcopy(facts)
    run([req(1, 5, "B"), req(1, 5, "B"), req(2, 6, "B")], {1: post(), 2: post("practice")}, facts)
    assert facts == kept
