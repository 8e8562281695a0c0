"""Signed dashboard links (bot/web/auth.py) and the signing key."""

from __future__ import annotations

import hmac
from pathlib import Path

import pytest

from bot.storage import Store, open_store
from bot.web import auth
from bot.web.auth import META_KEY, Grant, load_key, sign, verify

KEY = b"0123456789abcdef0123456789abcdef"
G, U = 111_111_111_111_111_111, 1001


def test_a_signed_link_verifies_until_it_expires() -> None:
    token = sign(KEY, G, U, 2_000)
    assert verify(KEY, token, 1_999.9) == Grant(G, U, 2_000)
    assert verify(KEY, token, 2_000) == "expired"
    assert verify(KEY, token, 10**9) == "expired"


def test_any_edit_or_another_key_makes_it_invalid() -> None:
    token = sign(KEY, G, U, 2_000)
    guild, user, exp, sig = token.split(".")
    edited = [
        f"{int(guild) + 1}.{user}.{exp}.{sig}",
        f"{guild}.{int(user) + 1}.{exp}.{sig}",
        f"{guild}.{user}.{int(exp) + 1}.{sig}",
        f"{guild}.{user}.{exp}.{sig[::-1]}",
        f"{guild}.{user}.{exp}.{sig}x",
        f"{guild}.{user}.{exp}",
        f"0{guild}.{user}.{exp}.{sig}",  # the same number written otherwise: one spelling only
        "",
        "a.b.c.d",
        token + "\n",
    ]
    assert [verify(KEY, t, 0) for t in edited] == ["invalid"] * len(edited)
    assert verify(b"another key", token, 0) == "invalid"
    # an expired link that was edited is "invalid", not "expired": the signature comes first
    assert verify(KEY, f"{guild}.{user}.{exp}.{sig[::-1]}", 10**9) == "invalid"


def test_signatures_are_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[bytes, bytes]] = []
    compare = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        seen.append((a, b))
        return compare(a, b)

    monkeypatch.setattr(auth.hmac, "compare_digest", spy)
    token = sign(KEY, G, U, 2_000)
    assert isinstance(verify(KEY, token, 0), Grant)
    assert verify(KEY, token[:-1] + ("A" if token[-1] != "A" else "B"), 0) == "invalid"
    assert len(seen) == 2


def test_negative_numbers_are_not_signed() -> None:
    with pytest.raises(ValueError):
        sign(KEY, -1, U, 5)


async def test_the_key_is_the_setting_or_one_kept_in_the_store(store: Store, tmp_path: Path) -> None:
    assert await load_key(store, "x" * 40) == b"x" * 40
    assert await store.get_meta(META_KEY) is None  # a configured key is not stored
    first = await load_key(store, None)
    assert len(first) == 32
    assert await load_key(store, None) == first  # made once


async def test_the_generated_key_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "k.sqlite3"
    async with await open_store(path) as s:
        key = await load_key(s, None)
        token = sign(key, G, U, 2_000)
    async with await open_store(path) as s:
        assert verify(await load_key(s, None), token, 0) == Grant(G, U, 2_000)
    async with await open_store(tmp_path / "other.sqlite3") as s:
        assert verify(await load_key(s, None), token, 0) == "invalid"  # another bot's key
