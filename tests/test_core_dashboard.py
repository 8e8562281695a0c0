"""The dashboard's pure rules (bot/core/dashboard.py): the per-IP token bucket and the order of
weak spots."""

from __future__ import annotations

import pytest

from bot.core.dashboard import MissedQuestion, RateLimit, WeekActivity, weakest_first
from bot.core.models import TagStat


def test_a_burst_then_one_request_per_refill() -> None:
    limit = RateLimit(rate=2.0, burst=3)
    assert [limit.check("1.2.3.4", 100.0) for _ in range(3)] == [0.0, 0.0, 0.0]
    assert limit.check("1.2.3.4", 100.0) == pytest.approx(0.5)  # one token comes back in 1/2 s
    assert limit.check("1.2.3.4", 100.25) == pytest.approx(0.25)  # refused calls take nothing
    assert limit.check("1.2.3.4", 100.5) == 0.0
    assert limit.check("1.2.3.4", 100.5) > 0
    assert limit.check("5.6.7.8", 100.5) == 0.0  # each address has its own bucket


def test_a_quiet_address_gets_its_whole_burst_back_and_no_more() -> None:
    limit = RateLimit(rate=1.0, burst=2)
    limit.check("a", 0.0)
    limit.check("a", 0.0)
    assert limit.check("a", 0.0) > 0
    assert [limit.check("a", 1000.0) for _ in range(3)][:2] == [0.0, 0.0]
    assert limit.check("a", 1000.0) > 0  # the third of the burst: only 2 tokens came back


def test_a_clock_going_backwards_gives_no_tokens() -> None:
    limit = RateLimit(rate=1.0, burst=1)
    assert limit.check("a", 50.0) == 0.0
    assert limit.check("a", 10.0) > 0


def test_the_buckets_are_bounded() -> None:
    limit = RateLimit(rate=1.0, burst=1, max_keys=100)
    for i in range(1000):
        limit.check(f"10.0.{i // 256}.{i % 256}", 0.0)
    assert len(limit) == 100
    assert limit.check("10.0.3.231", 0.0) > 0  # among the newest: still remembered
    assert limit.check("10.0.0.0", 0.0) == 0.0  # the oldest were dropped: a fresh bucket


@pytest.mark.parametrize(("rate", "burst", "keys"), [(0, 1, 1), (1, 0, 1), (1, 1, 0), (-1, 5, 5)])
def test_nonsense_limits_are_refused(rate: float, burst: int, keys: int) -> None:
    with pytest.raises(ValueError):
        RateLimit(rate, burst, max_keys=keys)


def test_weakest_first_orders_by_accuracy_then_answers_then_tag() -> None:
    stats = [
        TagStat("topic", "b", 10, 5),
        TagStat("topic", "a", 10, 5),
        TagStat("topic", "big", 40, 20),
        TagStat("topic", "good", 10, 9),
        TagStat("topic", "bad", 4, 0),
    ]
    assert [s.tag for s in weakest_first(stats)] == ["bad", "big", "a", "b", "good"]


def test_figures_of_a_week_and_a_missed_question() -> None:
    from datetime import date

    assert WeekActivity(date(2026, 11, 30), 8, 6, 3).accuracy == 0.75
    assert WeekActivity(date(2026, 11, 30), 0, 0, 0).accuracy is None
    m = MissedQuestion("k", 12, 3)
    assert (m.misses, m.accuracy) == (9, 0.25)
