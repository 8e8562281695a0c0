"""BoundedMap (bot/core/bounded.py): every way of reading an entry sees the same live entries."""

from __future__ import annotations

import pytest

from bot.core.bounded import BoundedMap


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_an_expired_entry_is_missing_however_it_is_read() -> None:
    clock = Clock()
    m: BoundedMap[str, int | None] = BoundedMap(10, ttl=5.0, clock=clock)
    for key in ("in", "item", "pop", "setdefault"):
        m[key] = 1
    clock.now = 5.0  # every entry is 5 s old: expired
    assert "in" not in m
    with pytest.raises(KeyError):
        m["item"]
    assert m.pop("pop", -1) == -1
    assert m.setdefault("setdefault", 2) == 2 and m["setdefault"] == 2  # written anew
    assert list(m) == ["setdefault"]  # the expired ones were dropped as they were met


def test_a_stored_none_or_zero_is_an_entry() -> None:
    m: BoundedMap[str, int | None] = BoundedMap(10)
    m["none"] = None
    m["zero"] = 0
    assert "none" in m and m["none"] is None and m.get("none", -1) is None
    assert m.setdefault("zero", 5) == 0 and m.pop("zero", -1) == 0 and "zero" not in m
    assert m.pop("none", -1) is None and "none" not in m
