"""Posts: creating, finding, postponing and closing them (with the missed-daily streak resets),
and the open daily posts the spoiler rule asks about."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import replace
from typing import Any, NamedTuple

from bot.core.models import CloseResult, Post
from bot.core.rules import StreakState, accuracy, streak_after_daily_closed
from bot.core.shards import ShardFilter
from bot.core.spoiler import OpenDaily, SpoilerFacts
from bot.storage.sqlite.common import (
    and_owned,
    chunks,
    ensure_guild,
    from_ms,
    marks,
    named,
    opt_dt,
    transaction,
)

POST_COLS = (
    "post_id, guild_id, channel_id, message_id, question_key, kind, correct_letters, option_letters, "
    "created_at, posted_at, closes_at, closed_at, requested_by, private"
)


def post_from_row(row: sqlite3.Row) -> Post:
    return Post(
        post_id=row["post_id"],
        guild_id=row["guild_id"],
        channel_id=row["channel_id"],
        message_id=row["message_id"],
        question_key=row["question_key"],
        kind=row["kind"],
        correct_letters=row["correct_letters"],
        option_letters=row["option_letters"],
        created_at=from_ms(row["created_at"]),
        posted_at=opt_dt(row["posted_at"]),
        closes_at=from_ms(row["closes_at"]),
        closed_at=opt_dt(row["closed_at"]),
        requested_by=row["requested_by"],
        private=bool(row["private"]),
    )


def _posts(conn: sqlite3.Connection, where: str, params: Sequence[Any]) -> list[Post]:
    return [post_from_row(r) for r in named(conn, f"SELECT {POST_COLS} FROM posts WHERE {where}", params)]


def create_post(
    conn: sqlite3.Connection,
    *,
    guild_id: int,
    channel_id: int,
    question_key: str,
    kind: str,
    correct_letters: str,
    option_letters: str,
    created_ms: int,
    closes_ms: int,
    requested_by: int | None,
    private: bool = False,
) -> Post:
    with transaction(conn):
        ensure_guild(conn, guild_id, created_ms)
        cur = conn.execute(
            "INSERT INTO posts (guild_id, channel_id, question_key, kind, correct_letters, option_letters, "
            "requested_by, created_at, closes_at, private) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                channel_id,
                question_key,
                kind,
                correct_letters,
                option_letters,
                requested_by,
                created_ms,
                closes_ms,
                1 if private else 0,
            ),
        )
        post_id = cur.lastrowid
    post = get_post(conn, int(post_id or 0))
    assert post is not None
    return post


def get_post(conn: sqlite3.Connection, post_id: int) -> Post | None:
    found = _posts(conn, "post_id = ?", (post_id,))
    return found[0] if found else None


def get_post_by_message(conn: sqlite3.Connection, message_id: int) -> Post | None:
    found = _posts(conn, "message_id = ?", (message_id,))
    return found[0] if found else None


def set_message_id(conn: sqlite3.Connection, post_id: int, message_id: int, posted_ms: int) -> Post | None:
    with transaction(conn):
        conn.execute(
            "UPDATE posts SET message_id = ?, posted_at = coalesce(posted_at, ?) WHERE post_id = ?",
            (message_id, posted_ms, post_id),
        )
    return get_post(conn, post_id)


def due_posts(
    conn: sqlite3.Connection, now_ms: int, limit: int, shards: ShardFilter | None = None
) -> list[Post]:
    """Open posts past their closing time, oldest first: of the servers of `shards` only (in the
    WHERE, so other processes' posts never fill the batch), or of every server."""
    owned, params = and_owned(shards)
    return _posts(
        conn,
        f"closed_at IS NULL AND closes_at <= ?{owned} ORDER BY closes_at, post_id LIMIT ?",
        (now_ms, *params, limit),
    )


def open_posts(conn: sqlite3.Connection, guild_id: int, kind: str | None) -> list[Post]:
    where = "guild_id = ? AND closed_at IS NULL"
    params: list[Any] = [guild_id]
    if kind is not None:
        where += " AND kind = ?"
        params.append(kind)
    return _posts(conn, where + " ORDER BY created_at, post_id", params)


def last_practice_post(conn: sqlite3.Connection, guild_id: int, user_id: int) -> Post | None:
    found = _posts(
        conn,
        "guild_id = ? AND requested_by = ? AND private = 0 ORDER BY created_at DESC, post_id DESC LIMIT 1",
        (guild_id, user_id),
    )
    return found[0] if found else None


def open_private_posts(conn: sqlite3.Connection, guild_id: int, user_id: int) -> list[Post]:
    return _posts(
        conn,
        "guild_id = ? AND requested_by = ? AND private = 1 AND closed_at IS NULL ORDER BY created_at, post_id",
        (guild_id, user_id),
    )


def postpone_post(conn: sqlite3.Connection, post_id: int, closes_ms: int) -> Post | None:
    """Move an open post's closing time later (never earlier); the post as it is now."""
    with transaction(conn):
        conn.execute(
            "UPDATE posts SET closes_at = max(closes_at, ?) WHERE post_id = ? AND closed_at IS NULL",
            (closes_ms, post_id),
        )
    return get_post(conn, post_id)


def delete_unsent(conn: sqlite3.Connection, post_id: int) -> bool:
    """Delete a post whose message was never sent (no message id, no answer), inside the caller's
    transaction; False if it was kept."""
    deleted = conn.execute(
        "DELETE FROM posts WHERE post_id = ? AND message_id IS NULL "
        "AND NOT EXISTS (SELECT 1 FROM answers WHERE answers.post_id = posts.post_id)",
        (post_id,),
    ).rowcount
    return deleted == 1


def delete_unsent_post(conn: sqlite3.Connection, post_id: int) -> bool:
    """Delete a post whose message was never sent (no message id, no answer); False if it was kept."""
    with transaction(conn):
        return delete_unsent(conn, post_id)


# --------------------------------------------------------------------------------------------
# the spoiler rule's facts (bot/core/spoiler.py)


def _open_dailies(conn: sqlite3.Connection, keys: Sequence[str] | None) -> list[OpenDaily]:
    """The open daily posts (of `keys` only, if given), by post id."""
    sql = "SELECT guild_id, question_key, post_id FROM posts WHERE closed_at IS NULL AND kind = 'daily'"
    if keys is None:
        return [OpenDaily(g, k, p) for g, k, p in conn.execute(sql + " ORDER BY post_id")]
    found: list[OpenDaily] = []
    for chunk in chunks(sorted(set(keys))):
        found += [
            OpenDaily(g, k, p)
            for g, k, p in conn.execute(sql + f" AND question_key IN ({marks(len(chunk))})", tuple(chunk))
        ]
    found.sort(key=lambda d: d.post_id)
    return found


def open_daily_key_set(conn: sqlite3.Connection) -> set[str]:
    """The question keys of every open daily post (in any server)."""
    return {
        key
        for (key,) in conn.execute(
            "SELECT DISTINCT question_key FROM posts WHERE closed_at IS NULL AND kind = 'daily'"
        )
    }


def _ids_among(conn: sqlite3.Connection, sql: str, user_id: int, ids: Sequence[int]) -> set[int]:
    """The ids of `ids` that `sql` (`... WHERE user_id = ? AND x IN ({marks})`) finds."""
    found: set[int] = set()
    for chunk in chunks(ids):
        found.update(i for (i,) in conn.execute(sql.format(marks=marks(len(chunk))), (user_id, *chunk)))
    return found


def spoiler_facts(conn: sqlite3.Connection, user_id: int, keys: Sequence[str] | None) -> SpoilerFacts:
    """What the spoiler rule needs about one member (bot/core/spoiler.py): the open daily posts
    (every one, or those asking `keys`), which of them the member answered, and in which of their
    servers storage knows the member."""
    dailies = _open_dailies(conn, keys)
    if not dailies:
        return SpoilerFacts()
    answered = _ids_among(
        conn,
        "SELECT post_id FROM answers WHERE user_id = ? AND post_id IN ({marks})",
        user_id,
        [d.post_id for d in dailies],
    )
    known = _ids_among(
        conn,
        "SELECT guild_id FROM members WHERE user_id = ? AND guild_id IN ({marks})",
        user_id,
        sorted({d.guild_id for d in dailies}),
    )
    return SpoilerFacts(
        open_dailies=tuple(dailies), answered_posts=frozenset(answered), known_guilds=frozenset(known)
    )


# --------------------------------------------------------------------------------------------
# closing: read -> apply (bot.core's streak rule) -> write


class _StreakAtClose(NamedTuple):
    user_id: int
    state: StreakState
    answered: bool


def _streaks_at_close(conn: sqlite3.Connection, guild_id: int, post_id: int) -> list[_StreakAtClose]:
    """The guild's members with a current streak, and whether each answered the post."""
    rows = named(
        conn,
        "SELECT user_id, current, best, EXISTS (SELECT 1 FROM answers AS a WHERE a.post_id = ? "
        "AND a.user_id = streaks.user_id) AS answered FROM streaks WHERE guild_id = ? AND current > 0",
        (post_id, guild_id),
    )
    return [
        _StreakAtClose(r["user_id"], StreakState(r["current"], r["best"]), bool(r["answered"])) for r in rows
    ]


def _reset_missed_streaks(conn: sqlite3.Connection, post: Post, now_ms: int) -> int:
    """A daily closed: `streak_after_daily_closed` for every member of the guild with a streak;
    writes the streaks it changed and returns how many."""
    changed = []
    for seen in _streaks_at_close(conn, post.guild_id, post.post_id):
        after = streak_after_daily_closed(seen.state, seen.answered)
        if after != seen.state:
            changed.append((after.current, after.best, now_ms, post.guild_id, seen.user_id))
    conn.executemany(
        "UPDATE streaks SET current = ?, best = ?, updated_at = ? WHERE guild_id = ? AND user_id = ?", changed
    )
    return len(changed)


def close_post(conn: sqlite3.Connection, post_id: int, now_ms: int) -> CloseResult | None:
    """Close a post (idempotent). For a daily post, members of the guild with a current streak who
    did not answer it lose that streak, in the same transaction."""
    with transaction(conn):
        post = get_post(conn, post_id)
        if post is None:
            return None
        newly_closed = post.closed_at is None
        reset = 0
        if newly_closed:
            conn.execute("UPDATE posts SET closed_at = ? WHERE post_id = ?", (now_ms, post_id))
            if post.kind == "daily":
                reset = _reset_missed_streaks(conn, post, now_ms)
            post = replace(post, closed_at=from_ms(now_ms))
        choices = [
            (r["letters"], r["n"], r["correct"])
            for r in named(
                conn,
                "SELECT letters, count(*) AS n, sum(correct) AS correct FROM answers WHERE post_id = ? "
                "GROUP BY letters",
                (post_id,),
            )
        ]
    return _close_result(post, choices, reset, newly_closed)


def _close_result(
    post: Post, choices: list[tuple[str, int, int]], reset: int, newly_closed: bool
) -> CloseResult:
    """The answer distribution of a closed post: per exact choice, per letter, and accuracy."""
    per_choice = {letters: n for letters, n, _ in choices}
    per_letter = dict.fromkeys(post.option_letters, 0)
    for letters, n, _ in choices:
        for letter in letters:
            per_letter[letter] = per_letter.get(letter, 0) + n
    participants = sum(per_choice.values())
    correct_count = sum(c for _, _, c in choices)
    return CloseResult(
        post=post,
        per_letter=dict(sorted(per_letter.items())),
        per_choice=dict(sorted(per_choice.items())),
        participants=participants,
        correct_count=correct_count,
        accuracy=accuracy(correct_count, participants),
        streaks_reset=reset,
        newly_closed=newly_closed,
    )
