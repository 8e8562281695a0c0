"""Which process does a server's work when the bot runs as shards over several processes.

Discord puts every server on exactly one shard: `(guild_id >> 22) % shard_count`. The process that
holds that shard receives the server's events, and it alone posts its daily, closes its posts,
edits its live counts, sends its reminders and runs its exam timers (docs/deploy.md, "Shards").
"""

from __future__ import annotations

from collections.abc import Iterable

MAX_SHARDS = 16_384  # far above what a bot needs (Discord: one shard per ~1,000-2,500 servers)


def owner_shard(guild_id: int, shard_count: int) -> int:
    """The shard that owns server `guild_id` among `shard_count` shards (Discord's rule)."""
    if shard_count < 1:
        raise ValueError(f"shard_count must be at least 1, got {shard_count}")
    return (guild_id >> 22) % shard_count


def owns(guild_id: int, shard_ids: Iterable[int] | None, shard_count: int | None) -> bool:
    """Whether a process holding `shard_ids` of `shard_count` owns the server; without sharding
    (count None or 1, or ids None: every shard) it owns every server."""
    if shard_count is None or shard_count <= 1 or shard_ids is None:
        return True
    return owner_shard(guild_id, shard_count) in set(shard_ids)


def parse_shard_ids(text: str, shard_count: int) -> tuple[int, ...]:
    """`0-3`, `0,2,5` or `0-3,6` as sorted shard ids, each below `shard_count`; ValueError with a
    one-line reason otherwise."""
    ids: set[int] = set()
    for part in text.replace(" ", "").split(","):
        low, dash, high = part.partition("-")
        if not low.isdigit() or (dash and not high.isdigit()):
            raise ValueError(f"shard ids are numbers and ranges such as 0-3 or 0,2,5, got {text!r}")
        first, last = int(low), int(high) if dash else int(low)
        if first > last:
            raise ValueError(f"the range {part!r} runs backwards")
        if last >= shard_count:
            raise ValueError(
                f"shard {last} does not exist with {shard_count} shard(s) (ids 0-{shard_count - 1})"
            )
        ids.update(range(first, last + 1))
    return tuple(sorted(ids))


def parse_shard_count(text: str) -> int:
    """A shard count, 1 to MAX_SHARDS; ValueError with a one-line reason otherwise."""
    if not text.strip().isdigit() or not 1 <= int(text) <= MAX_SHARDS:
        raise ValueError(f"the shard count must be a number from 1 to {MAX_SHARDS}, got {text!r}")
    return int(text)
