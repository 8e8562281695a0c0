"""Which process does a server's work when the bot runs as shards over several processes.

Discord puts every server on exactly one shard: `(guild_id >> 22) % shard_count`. The process that
holds that shard receives the server's events, and it alone posts its daily, closes its posts,
edits its live counts, sends its reminders and runs its exam timers (docs/deploy.md, "Shards").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

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


@dataclass(frozen=True, slots=True)
class ShardFilter:
    """The servers of `shard_ids` among `shard_count` shards: what one process of several owns.

    The storage queries that find due work (posts to close, exams to submit, the exam timer's next
    deadline) take one and keep to those servers IN SQL (`((guild_id >> 22) % count) IN (ids)`), so
    rows of servers other processes own never fill a batch nor wake a timer here. None where a
    filter is taken means every server. Build it with `shard_filter` (None when it would hold
    every shard)."""

    shard_ids: tuple[int, ...]
    shard_count: int

    def __post_init__(self) -> None:
        if not 1 <= self.shard_count <= MAX_SHARDS:
            raise ValueError(f"shard_count must be from 1 to {MAX_SHARDS}, got {self.shard_count}")
        if not self.shard_ids:
            raise ValueError("a shard filter needs at least one shard id")
        if list(self.shard_ids) != sorted(set(self.shard_ids)):
            raise ValueError(f"shard ids must be sorted and distinct, got {self.shard_ids!r}")
        if self.shard_ids[0] < 0 or self.shard_ids[-1] >= self.shard_count:
            raise ValueError(f"shard ids must be within 0-{self.shard_count - 1}, got {self.shard_ids!r}")

    def owns(self, guild_id: int) -> bool:
        """Whether the server is on one of these shards (the same rule as the SQL filter)."""
        return owner_shard(guild_id, self.shard_count) in self.shard_ids


def shard_filter(shard_ids: Iterable[int] | None, shard_count: int | None) -> ShardFilter | None:
    """The filter of a process holding `shard_ids` of `shard_count`; None when it owns every
    server (unsharded, ids None: every shard, or every id of the count)."""
    if shard_count is None or shard_count <= 1 or shard_ids is None:
        return None
    found = ShardFilter(tuple(sorted(set(shard_ids))), shard_count)  # ValueError: ids outside the count
    return None if len(found.shard_ids) == shard_count else found


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
