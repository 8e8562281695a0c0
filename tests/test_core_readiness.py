"""Readiness and the sprint plan (bot/core/readiness.py). Figures are worked out by hand in the
comments."""

from __future__ import annotations

import pytest

from bot.core.readiness import MIN_ANSWERS, Readiness, SectionReadiness, readiness, sprint_plan

WEIGHTS = {"a": 40, "b": 30, "c": 20, "d": 10}


def _answers(section: str | None, right: int, wrong: int) -> list[tuple[str | None, bool]]:
    return [(section, True)] * right + [(section, False)] * wrong


def test_readiness_counts_per_section_and_ignores_the_rest() -> None:
    results = [
        *_answers("a", 8, 2),
        *_answers("c", 1, 3),
        *_answers(None, 5, 0),  # in no section
        *_answers("x", 0, 4),  # a section of another blueprint
    ]
    state = readiness(results, WEIGHTS)
    assert [(s.key, s.weight, s.answered, s.correct) for s in state.sections] == [
        ("a", 40, 10, 8),
        ("b", 30, 0, 0),
        ("c", 20, 4, 1),
        ("d", 10, 0, 0),
    ]
    assert state.answers == 14 and not state.enough
    assert readiness(_answers("a", MIN_ANSWERS, 0), WEIGHTS).enough


def test_predicted_hand_checked_with_an_unanswered_section() -> None:
    # a 7/10 = .7, b 1/5 = .2, c unanswered: valued at the overall accuracy 8/15
    # 100 x (.5 x .7 + .3 x .2 + .2 x 8/15) = 35 + 6 + 32/3 = 155/3 = 51.67
    state = readiness([*_answers("a", 7, 3), *_answers("b", 1, 4)], {"a": 50, "b": 30, "c": 20})
    assert state.predicted == pytest.approx(155 / 3)
    # weights on any scale: the same with fractions of 1
    same = readiness([*_answers("a", 7, 3), *_answers("b", 1, 4)], {"a": 0.5, "b": 0.3, "c": 0.2})
    assert same.predicted == pytest.approx(155 / 3)


def test_predicted_none_without_answers() -> None:
    assert readiness([], WEIGHTS).predicted is None
    assert readiness(_answers(None, 3, 3), WEIGHTS).predicted is None
    assert readiness(_answers("a", 1, 1), {}).predicted is None  # no sections at all


def test_weakest_answered_sections_lowest_first_ties_by_weight() -> None:
    results = [
        *_answers("a", 1, 1),  # 50%, weight 40
        *_answers("b", 3, 3),  # 50%, weight 30
        *_answers("c", 1, 0),  # 100%
        # d unanswered: never among the weakest
    ]
    state = readiness(results, WEIGHTS)
    assert [s.key for s in state.weakest()] == ["a", "b", "c"]
    assert [s.key for s in state.weakest(1)] == ["a"]
    assert state.weakest(0) == ()
    tied = readiness([*_answers("a", 0, 1), *_answers("b", 0, 1)], {"a": 5, "b": 5})
    assert [s.key for s in tied.weakest()] == ["a", "b"]  # equal accuracy and weight: blueprint order


# ----------------------------------------------------------------------------------- sprint plan
def test_sprint_plan_hand_checked() -> None:
    # a 8/10: gain 40 x .2 = 8; b unseen: gain 30; c 1/4: gain 20 x .75 = 15; d 10/10: gain 0.
    # 3 days x 10 = 30 questions over the gains (sum 53): a 240/53 = 4.53, b 900/53 = 16.98,
    # c 450/53 = 8.49, d 0; floors 4 16 8 0 = 28; 2 left to the remainders .98 (b), .53 (a):
    # a 5, b 17, c 8, d none. Order: b (unseen), c (gain 15), a (gain 8).
    # Laid out: day 1 b 10 | day 2 b 7, c 3 | day 3 c 5, a 5.
    state = readiness([*_answers("a", 8, 2), *_answers("c", 1, 3), *_answers("d", 10, 0)], WEIGHTS)
    plan = sprint_plan(state, 3)
    assert [(d.day, [(i.section, i.count) for i in d.items]) for d in plan] == [
        (1, [("b", 10)]),
        (2, [("b", 7), ("c", 3)]),
        (3, [("c", 5), ("a", 5)]),
    ]
    assert [d.count for d in plan] == [10, 10, 10]
    b, c, a = plan[1].items[0], plan[2].items[0], plan[2].items[1]
    assert (b.gain, b.unseen) == (30, True)
    assert (c.gain, c.unseen) == (15, False)
    assert a.gain == pytest.approx(8) and not a.unseen


def test_sprint_plan_unseen_sections_first_larger_weight_first() -> None:
    # c (weight 20) and d (weight 10) unseen; a 0/10 has the largest gain (40) but was answered
    state = readiness(_answers("a", 0, 10), WEIGHTS | {"b": 0})
    plan = sprint_plan(state, 2, per_day=7)
    order = [i.section for d in plan for i in d.items]
    assert list(dict.fromkeys(order)) == ["c", "d", "a"]  # b: weight 0, gain 0, none
    assert [d.count for d in plan] == [7, 7]
    # gains 40, 20, 10 (sum 70) over 14: a 8, c 4, d 2 -> day 1 c 4, d 2, a 1 | day 2 a 7
    assert [[(i.section, i.count) for i in d.items] for d in plan] == [
        [("c", 4), ("d", 2), ("a", 1)],
        [("a", 7)],
    ]


def test_sprint_plan_every_gain_zero_shares_by_weight() -> None:
    # every section answered perfectly: gains all zero, so the weights share the 10 questions
    state = readiness([*_answers("a", 3, 0), *_answers("b", 1, 0)], {"a": 3, "b": 2})
    plan = sprint_plan(state, 1)
    assert [(i.section, i.count, i.gain) for i in plan[0].items] == [("a", 6, 0), ("b", 4, 0)]


def test_sprint_plan_one_section_over_many_days() -> None:
    state = Readiness((SectionReadiness("a", 1.0, 4, 2),), answers=4)
    plan = sprint_plan(state, 3, per_day=5)
    assert [[(i.section, i.count) for i in d.items] for d in plan] == [[("a", 5)]] * 3


@pytest.mark.parametrize(("days", "per_day"), [(0, 10), (-1, 10), (3, 0), (3, -5)])
def test_sprint_plan_rejects_non_positive_days(days: int, per_day: int) -> None:
    with pytest.raises(ValueError):
        sprint_plan(readiness([], WEIGHTS), days, per_day)


def test_readiness_from_counts_equals_readiness_of_the_answers_it_sums() -> None:
    from bot.core.readiness import readiness_from_counts

    weights = {"a": 60.0, "b": 30.0, "c": 10.0}
    # per question: (section, answers, correct); "x" and None fall in no section
    counts = [("a", 4, 3), ("a", 2, 0), ("b", 5, 5), ("x", 9, 1), (None, 3, 3)]
    answers = [(s, i < c) for s, n, c in counts for i in range(n)]
    summed = readiness_from_counts(counts, weights)
    assert summed == readiness(answers, weights)
    # a: 3 of 6, b: 5 of 5, c unseen (counts at the overall 8 of 11): 60*0.5 + 30*1 + 10*8/11
    assert summed.answers == 11
    assert summed.predicted == pytest.approx(30 + 30 + 10 * 8 / 11)
