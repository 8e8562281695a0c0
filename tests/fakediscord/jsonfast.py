"""JSON for the fake: orjson when it is installed (a dependency of the bot), else the standard library.

The fake shares this machine's cores with the bot it serves. In bench/clicks.py encoding JSON
(every gateway frame, every REST reply) was the largest part of the fake's own cost, and the
larger a bot's replies the more of it: a cost of the stand-in for Discord, not of the bot.
Both paths give the same JSON values; only whitespace and escaping differ.
"""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # an environment without it: the standard library
    orjson = None


def dumps(obj: Any) -> str:
    """Compact JSON text (UTF-8 characters kept as they are)."""
    if orjson is not None:
        return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS).decode()
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False)


def dumps_bytes(obj: Any) -> bytes:
    """`dumps` as UTF-8 bytes, for an HTTP body."""
    if orjson is not None:
        return orjson.dumps(obj, option=orjson.OPT_NON_STR_KEYS)
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def loads(data: str | bytes) -> Any:
    if orjson is not None:
        return orjson.loads(data)
    return json.loads(data)


def copy(obj: Any) -> Any:
    """A deep copy of a JSON value (faster than copy.deepcopy for these plain dicts and lists)."""
    return loads(dumps_bytes(obj))
