"""Signed dashboard links: `GUILD.MEMBER.EXPIRES.SIGNATURE`, the signature an HMAC-SHA256 of the
three numbers under the dashboard's key, compared in constant time. The key is DASHBOARD_SECRET, or
one generated on first use and kept in the store's meta table (so links survive restarts)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from typing import Literal

from bot.storage import Store

#: How long a /dashboard link works.
LINK_DAYS = 7
LINK_SECONDS = LINK_DAYS * 86_400
META_KEY = "dashboard.secret"
_N = r"(0|[1-9][0-9]{0,19})"  # a number as sign() writes it: one spelling only
_TOKEN = re.compile(rf"{_N}\.{_N}\.{_N}\.([A-Za-z0-9_-]{{43}})")

Refusal = Literal["invalid", "expired"]


@dataclass(frozen=True, slots=True)
class Grant:
    """What a valid link lets its holder see: guild `guild_id`'s pages as member `user_id`."""

    guild_id: int
    user_id: int
    expires: int  # Unix seconds


def _signature(key: bytes, guild_id: int, user_id: int, expires: int) -> str:
    digest = hmac.new(key, f"dash1:{guild_id}:{user_id}:{expires}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign(key: bytes, guild_id: int, user_id: int, expires: int) -> str:
    """A link token for member `user_id` of guild `guild_id`, valid until `expires` (Unix seconds)."""
    if min(guild_id, user_id, expires) < 0:
        raise ValueError("ids and the expiry must not be negative")
    return f"{guild_id}.{user_id}.{expires}.{_signature(key, guild_id, user_id, expires)}"


def verify(key: bytes, token: str, now: float) -> Grant | Refusal:
    """The grant of a token, or why it is refused: "invalid" (malformed, or any part edited: the
    signature no longer matches) or "expired". The signature is checked first, in constant time."""
    m = _TOKEN.fullmatch(token)
    if m is None:
        return "invalid"
    guild_id, user_id, expires = int(m[1]), int(m[2]), int(m[3])
    expected = _signature(key, guild_id, user_id, expires)
    if not hmac.compare_digest(expected.encode(), m[4].encode()):
        return "invalid"
    if now >= expires:
        return "expired"
    return Grant(guild_id, user_id, expires)


async def load_key(store: Store, configured: str | None) -> bytes:
    """The signing key: DASHBOARD_SECRET when set, else the one kept in the store (made once)."""
    if configured:
        return configured.encode()
    kept = await store.get_meta(META_KEY)
    if kept is None:
        kept = secrets.token_hex(32)
        await store.set_meta(META_KEY, kept)
    return bytes.fromhex(kept)
