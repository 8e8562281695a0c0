"""Mock exams (bot/core/exam.py): allocation by largest remainder, drawing, grading. Figures are
worked out by hand in the comments."""

from __future__ import annotations

import math
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.core.exam import ExamItem, allocate, draw, grade

# The Professional exam guide's sections (percent), in blueprint order.
PROFESSIONAL = {
    "developing": 23,
    "ingestion": 12,
    "manipulation": 12,
    "monitoring": 10,
    "cost": 15,
    "security": 8,
    "governance": 5,
    "debugging": 10,
    "modeling": 5,
}


# --------------------------------------------------------------------------------------- allocate
def test_allocate_professional_20() -> None:
    # quotas 20 x w / 100: 4.6 2.4 2.4 2.0 3.0 1.6 1.0 2.0 1.0; floors 4 2 2 2 3 1 1 2 1 = 18;
    # 2 seats left: the largest remainders are .6 (developing) and .6 (security).
    assert allocate(PROFESSIONAL, 20) == {
        "developing": 5,
        "ingestion": 2,
        "manipulation": 2,
        "monitoring": 2,
        "cost": 3,
        "security": 2,
        "governance": 1,
        "debugging": 2,
        "modeling": 1,
    }


def test_allocate_professional_60() -> None:
    # quotas 13.8 7.2 7.2 6 9 4.8 3 6 3; floors sum to 58; remainders .8 (developing, security).
    assert list(allocate(PROFESSIONAL, 60).values()) == [14, 7, 7, 6, 9, 5, 3, 6, 3]


def test_allocate_ties_go_to_the_earlier_section() -> None:
    # 20 / 3 = 6.67 each: floors 18, two seats left, all remainders equal -> a, then b.
    assert allocate({"a": 1, "b": 1, "c": 1}, 20) == {"a": 7, "b": 7, "c": 6}
    # any positive scale. 3 over .5/.25/.25: quotas 1.5 .75 .75, floors 1 0 0, two seats left
    # to the largest remainders .75 (b) and .75 (c), not to a's .5
    assert allocate({"a": 0.5, "b": 0.25, "c": 0.25}, 3) == {"a": 1, "b": 1, "c": 1}
    # 2 over the same: quotas 1 .5 .5, one seat left, b and c tie -> b
    assert allocate({"a": 0.5, "b": 0.25, "c": 0.25}, 2) == {"a": 1, "b": 1, "c": 0}


def test_allocate_shortfall_goes_to_the_other_sections() -> None:
    # security has none, governance only 1 (its share of 20 is 1.0: it fits).
    # security is fixed at 0; 20 seats over the other eight, weights summing to 92:
    # 20 x w / 92 = developing 5.000, ingestion 2.609, manipulation 2.609, monitoring 2.174,
    # cost 3.261, governance 1.087, debugging 2.174, modeling 1.087; floors 5 2 2 2 3 1 2 1 = 18;
    # 2 seats left to the remainders .609 (ingestion, manipulation).
    available = dict.fromkeys(PROFESSIONAL, 100) | {"security": 0, "governance": 1}
    got = allocate(PROFESSIONAL, 20, available)
    assert list(got.values()) == [5, 3, 3, 2, 3, 0, 1, 2, 1]
    assert sum(got.values()) == 20


def test_allocate_total_is_the_smaller_of_n_and_what_is_available() -> None:
    # a key missing from `available` has none; a key of `available` not in weights is ignored
    got = allocate({"a": 50, "b": 30, "c": 20}, 20, {"a": 3, "b": 2, "x": 50})
    assert got == {"a": 3, "b": 2, "c": 0}
    # enough in total, but a is short: a 3, the other 7 over b:c = 30:20 -> 4.2, 2.8 -> 4, 3
    assert allocate({"a": 50, "b": 30, "c": 20}, 10, {"a": 3, "b": 9, "c": 9}) == {"a": 3, "b": 4, "c": 3}
    assert allocate({"a": 1}, 0) == {"a": 0}
    assert allocate({}, 5) == {}


def test_allocate_zero_weights() -> None:
    # a zero-weight section gets nothing while the others can take the questions...
    assert allocate({"a": 1, "z": 0}, 4) == {"a": 4, "z": 0}
    # ...and the rest when they cannot (the total is still min(n, available))
    assert allocate({"a": 1, "z": 0}, 4, {"a": 1, "z": 5}) == {"a": 1, "z": 3}
    # every weight zero: equal shares
    assert allocate({"a": 0, "b": 0}, 3) == {"a": 2, "b": 1}


@pytest.mark.parametrize(
    ("weights", "n", "available"),
    [
        ({"a": 1}, -1, None),
        ({"a": -1}, 5, None),
        ({"a": math.nan}, 5, None),
        ({"a": math.inf}, 5, None),
        ({"a": 1}, 5, {"a": -2}),
    ],
)
def test_allocate_rejects_bad_arguments(
    weights: dict[str, float], n: int, available: dict[str, int] | None
) -> None:
    with pytest.raises(ValueError):
        allocate(weights, n, available)


_weights = st.dictionaries(
    st.sampled_from("abcdefghij"),
    st.integers(1, 40) | st.integers(1, 400).map(lambda i: i / 10),
    min_size=1,
    max_size=9,
)


@settings(max_examples=300, deadline=None)
@given(weights=_weights, n=st.integers(0, 200), data=st.data())
def test_allocate_properties(weights: dict[str, float], n: int, data: st.DataObject) -> None:
    total = sum(Fraction(w) for w in weights.values())
    quota = {k: n * Fraction(w) / total for k, w in weights.items()}
    free = allocate(weights, n)
    assert list(free) == list(weights) and sum(free.values()) == n
    for k, c in free.items():  # nothing capped: floor or ceiling of the exact quota
        assert abs(c - quota[k]) < 1, (k, c, quota[k])

    available = data.draw(st.fixed_dictionaries({k: st.integers(0, 50) for k in weights}))
    capped = allocate(weights, n, available)
    assert list(capped) == list(weights)
    assert sum(capped.values()) == min(n, sum(available.values()))
    for k, c in capped.items():
        assert 0 <= c <= available[k]
        if c < available[k]:  # below its cap: a shortfall elsewhere can only add to its share
            assert c >= math.floor(quota[k]), (k, c, quota[k])
    if all(free[k] <= available[k] for k in weights):  # the caps do not bind: same answer
        assert capped == free


# ------------------------------------------------------------------------------------------- draw
def _pools(sizes: dict[str, int]) -> dict[str, list[str]]:
    return {s: [f"{s}-{i}" for i in range(size)] for s, size in sizes.items()}


def test_draw_matches_the_weights_within_one_question() -> None:
    pools = _pools(dict.fromkeys(PROFESSIONAL, 40))
    for n in (1, 7, 20, 45, 60):
        got = draw(PROFESSIONAL, pools, n, rng=random.Random(n))
        assert len(got) == n and len({k for k, _ in got}) == n
        counts = Counter(s for _, s in got)
        for section, w in PROFESSIONAL.items():
            assert abs(counts[section] - n * w / 100) < 1, (n, section, counts[section])
        assert all(key.startswith(section + "-") for key, section in got)
    # 20: the hand-checked allocation above
    got = draw(PROFESSIONAL, pools, 20, rng=random.Random(3))
    assert Counter(s for _, s in got) == Counter(allocate(PROFESSIONAL, 20))


def test_draw_prefers_unseen_questions() -> None:
    pools = _pools({"a": 10})
    seen = {f"a-{i}" for i in range(7)}  # a-7, a-8, a-9 unseen
    for seed in range(20):
        got = {k for k, _ in draw({"a": 1}, pools, 3, rng=random.Random(seed), seen=seen)}
        assert got == {"a-7", "a-8", "a-9"}
        got = {k for k, _ in draw({"a": 1}, pools, 5, rng=random.Random(seed), seen=seen)}
        assert {"a-7", "a-8", "a-9"} < got and len(got) == 5  # the unseen three, then two seen


def test_draw_never_returns_excluded_keys_and_redistributes() -> None:
    pools = _pools({"a": 5, "b": 20})
    excluded = {"a-0", "a-1", "a-2"}  # open dailies: a holds only 2 usable questions
    got = draw({"a": 50, "b": 50}, pools, 10, rng=random.Random(1), excluded=excluded)
    assert not excluded & {k for k, _ in got}
    # a's share of 10 is 5 but it has 2: b takes the other 8
    assert Counter(s for _, s in got) == {"a": 2, "b": 8}


def test_draw_a_key_in_two_pools_is_drawn_once() -> None:
    pools = {"a": ["x", "a1", "a1"], "b": ["x", "b1", "b2"], "other": ["o1"]}
    got = draw({"a": 1, "b": 1}, pools, 10, rng=random.Random(0))
    keys = [k for k, _ in got]
    # distinct keys in the weighted pools: x, a1, b1, b2; x counts for a (the first pool)
    assert sorted(keys) == ["a1", "b1", "b2", "x"]
    assert dict(got)["x"] == "a"


def test_draw_is_deterministic_and_mixes_sections() -> None:
    pools = _pools(dict.fromkeys(PROFESSIONAL, 50))
    first = draw(PROFESSIONAL, pools, 60, rng=random.Random(42), seen={"cost-1"})
    assert first == draw(PROFESSIONAL, pools, 60, rng=random.Random(42), seen={"cost-1"})
    assert first != draw(PROFESSIONAL, pools, 60, rng=random.Random(43), seen={"cost-1"})
    sections = [s for _, s in first]
    assert sections != sorted(sections, key=list(PROFESSIONAL).index)  # shuffled, not grouped


def test_draw_and_grade_a_60_question_exam_from_5000_keys() -> None:
    # The bench's case (no timing here): 5,000 keys over the nine sections by weight, 1,000 seen,
    # 50 excluded; every drawn key is usable, unseen (plenty of those), and grading sees all 60.
    pools = _pools({k: w * 50 for k, w in PROFESSIONAL.items()})
    assert sum(len(p) for p in pools.values()) == 5000
    keys = [k for p in pools.values() for k in p]
    seen, excluded = set(keys[::5]), set(keys[1::100])
    got = draw(PROFESSIONAL, pools, 60, rng=random.Random(7), seen=seen, excluded=excluded)
    assert len(got) == 60 and not {k for k, _ in got} & (seen | excluded)
    items = [ExamItem(i, k, s, "A", "ABCD", "A" if i % 2 else "B") for i, (k, s) in enumerate(got)]
    result = grade(items, PROFESSIONAL, pass_mark=70, started_at=T0, submitted_at=T0)
    assert (result.correct, result.total) == (30, 60)


# ------------------------------------------------------------------------------------------ grade
T0 = datetime(2026, 10, 1, 10, 0, tzinfo=UTC)


def _item(pos: int, section: str, correct: str, chosen: str) -> ExamItem:
    return ExamItem(pos, f"Q-{pos}", section, correct, "ABCDE", chosen)


def test_grade_hand_checked() -> None:
    items = [
        _item(0, "a", "AD", "AD"),  # choose-2, both right: right
        _item(1, "a", "AD", "A"),  # choose-2, one of two: wrong
        _item(2, "a", "B", "B"),  # right
        _item(3, "b", "C", ""),  # unanswered: wrong
        _item(4, "b", "C", "C"),  # right
        _item(5, "c", "BE", "ABE"),  # a letter too many: wrong
        _item(6, "d", "A", "A"),  # right
    ]
    weights = {"a": 40, "b": 30, "c": 20, "d": 10, "e": 5}
    r = grade(list(reversed(items)), weights, pass_mark=70, started_at=T0, submitted_at=T0)
    # a 2/3, b 1/2, c 0/1, d 1/1; e had no questions; total 4/7 = 57.1% < 70
    assert (r.correct, r.total) == (4, 7)
    assert r.percent == pytest.approx(400 / 7) and not r.passed
    assert [(s.key, s.weight, s.correct, s.total) for s in r.sections] == [
        ("a", 40, 2, 3),
        ("b", 30, 1, 2),
        ("c", 20, 0, 1),
        ("d", 10, 1, 1),
    ]
    assert r.weakest == ("c", "b", "a")  # 0%, 50%, 66.7%
    assert r.missed == (1, 3, 5)  # in position order though the items came reversed


def test_grade_weakest_ties_larger_weight_first_then_blueprint_order() -> None:
    items = [
        _item(0, "a", "A", "A"),
        _item(1, "a", "A", "B"),  # a 50%, weight 10
        _item(2, "b", "A", "A"),
        _item(3, "b", "A", ""),  # b 50%, weight 30
        _item(4, "c", "A", "A"),
        _item(5, "c", "A", "C"),  # c 50%, weight 20
        _item(6, "d", "A", "D"),  # d 0%, weight 5
    ]
    r = grade(items, {"a": 10, "b": 30, "c": 20, "d": 5}, pass_mark=70, started_at=T0, submitted_at=T0)
    assert r.weakest == ("d", "b", "c")
    same = grade(items[:4], {"a": 10, "b": 10}, pass_mark=70, started_at=T0, submitted_at=T0)
    assert same.weakest == ("a", "b")  # equal percent and weight: blueprint order


def test_grade_time_used_pass_mark_and_unknown_section() -> None:
    items = [_item(0, "a", "A", "A"), _item(1, "gone", "B", "B")]
    end = T0 + timedelta(minutes=47, seconds=30)
    r = grade(items, {"a": 1}, pass_mark=100, started_at=T0, submitted_at=end)
    assert r.time_used == timedelta(minutes=47, seconds=30)
    assert r.percent == 100 and r.passed  # at the pass mark passes
    # a section no longer in the blueprint is still scored, after the blueprint's, weight 0
    assert [(s.key, s.weight) for s in r.sections] == [("a", 1), ("gone", 0)]
    assert r.weakest == ("a", "gone") and r.missed == ()
    early = grade(items, {"a": 1}, pass_mark=70, started_at=end, submitted_at=T0)
    assert early.time_used == timedelta(0)  # a clock step backwards is not negative time


def test_grade_all_unanswered_and_empty() -> None:
    r = grade(
        [_item(0, "a", "A", ""), _item(1, "a", "", "")],
        {"a": 1},
        pass_mark=70,
        started_at=T0,
        submitted_at=T0,
    )
    assert r.correct == 0 and r.missed == (0, 1)  # an item with no correct letters is not "right" unanswered
    empty = grade([], {"a": 1}, pass_mark=70, started_at=T0, submitted_at=T0)
    assert (empty.correct, empty.total, empty.sections, empty.weakest, empty.percent) == (0, 0, (), (), 0.0)
