"""Reports of broken questions and paused questions (migration 0007): filing a report (one open
per member and question, the per-member rate limit of bot.core.reports, checked in the same
transaction), the open reports, resolving a question's reports, the replies still to deliver, and
the questions a server paused. See docs/reports.md and docs/storage.md.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from bot.core.reports import PausedQuestion, Report, ReportOutcome, check_kind, retry_at
from bot.storage.sqlite.common import (
    chunks,
    ensure_guild,
    from_ms,
    marks,
    named,
    opt_dt,
    snapshot,
    transaction,
)

_COLS = (
    "report_id, guild_id, question_key, user_id, display_name, kind, note, created_at, bank_commit, "
    "notify_dm, locale, status, resolved_at, resolved_by, resolution, delivered"
)


def _report(row: sqlite3.Row) -> Report:
    kind = check_kind(row["kind"])
    assert kind is not None  # (the table's CHECK)
    return Report(
        report_id=row["report_id"],
        guild_id=row["guild_id"],
        question_key=row["question_key"],
        user_id=row["user_id"],
        display_name=row["display_name"],
        kind=kind,
        note=row["note"],
        created_at=from_ms(row["created_at"]),
        bank_commit=row["bank_commit"],
        notify_dm=bool(row["notify_dm"]),
        locale=row["locale"],
        status="open" if row["status"] == "open" else "resolved",
        resolved_at=opt_dt(row["resolved_at"]),
        resolved_by=row["resolved_by"],
        resolution=row["resolution"],
        delivered=bool(row["delivered"]),
    )


def _reports(conn: sqlite3.Connection, where: str, params: Sequence[Any]) -> list[Report]:
    return [_report(r) for r in named(conn, f"SELECT {_COLS} FROM reports WHERE {where}", params)]


def add_report(
    conn: sqlite3.Connection,
    guild_id: int,
    question_key: str,
    user_id: int,
    kind: str,
    note: str,
    *,
    bank_commit: str | None,
    display_name: str | None,
    notify_dm: bool,
    locale: str | None,
    now_ms: int,
    limit: int,
    window: timedelta,
) -> ReportOutcome:
    """File a report unless the member has an open one on the question (`duplicate`) or filed
    `limit` reports within `window` (`rate_limited`)."""
    with transaction(conn):
        found = _reports(
            conn,
            "guild_id = ? AND question_key = ? AND user_id = ? AND status = 'open'",
            (guild_id, question_key, user_id),
        )
        if found:
            return ReportOutcome("duplicate", found[0])
        recent = [
            from_ms(ms)
            for (ms,) in conn.execute(
                "SELECT created_at FROM reports WHERE guild_id = ? AND user_id = ? AND created_at > ?",
                (guild_id, user_id, now_ms - window // timedelta(milliseconds=1)),
            )
        ]
        wait = retry_at(recent, from_ms(now_ms), limit=limit, window=window)
        if wait is not None:
            return ReportOutcome("rate_limited", retry_at=wait)
        ensure_guild(conn, guild_id, now_ms)
        cur = conn.execute(
            "INSERT INTO reports (guild_id, question_key, bank_commit, user_id, display_name, kind, note, "
            "created_at, notify_dm, locale) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                guild_id,
                question_key,
                bank_commit,
                user_id,
                display_name,
                kind,
                note,
                now_ms,
                int(notify_dm),
                locale,
            ),
        )
        (stored,) = _reports(conn, "report_id = ?", (cur.lastrowid,))
    return ReportOutcome("stored", stored)


def open_reports(conn: sqlite3.Connection, guild_id: int | None, question_key: str | None) -> list[Report]:
    """Open reports (of a server, of a question), newest first."""
    where: list[str] = ["status = 'open'"]
    params: list[Any] = []
    if guild_id is not None:
        where.append("guild_id = ?")
        params.append(guild_id)
    if question_key is not None:
        where.append("question_key = ?")
        params.append(question_key)
    return _reports(conn, " AND ".join(where) + " ORDER BY created_at DESC, report_id DESC", params)


def report_members(conn: sqlite3.Connection, guild_id: int | None) -> dict[int, dict[str, int]]:
    """guild -> question key -> members with an open report on it."""
    sql = "SELECT guild_id, question_key, COUNT(*) FROM reports WHERE status = 'open'"
    params: tuple[int, ...] = ()
    if guild_id is not None:
        sql += " AND guild_id = ?"
        params = (guild_id,)
    out: dict[int, dict[str, int]] = {}
    # (one open report per member and question: counting rows counts members)
    for gid, key, n in conn.execute(sql + " GROUP BY guild_id, question_key", params):
        out.setdefault(gid, {})[key] = n
    return out


def resolve_reports(
    conn: sqlite3.Connection, guild_id: int, question_key: str, resolved_by: int, reply: str, now_ms: int
) -> list[Report]:
    """Resolve the question's open reports in the server with `reply`; the reports resolved."""
    with transaction(conn):
        ids = [
            rid
            for (rid,) in conn.execute(
                "SELECT report_id FROM reports WHERE guild_id = ? AND question_key = ? AND status = 'open'",
                (guild_id, question_key),
            )
        ]
        if not ids:
            return []
        conn.execute(
            "UPDATE reports SET status = 'resolved', resolved_at = ?, resolved_by = ?, resolution = ? "
            f"WHERE report_id IN ({marks(len(ids))})",
            (now_ms, resolved_by, reply, *ids),
        )
        return _reports(conn, f"report_id IN ({marks(len(ids))}) ORDER BY report_id", ids)


def undelivered(conn: sqlite3.Connection, guild_id: int | None, user_id: int | None) -> list[Report]:
    """Resolved reports whose reply has not reached the member yet, oldest first."""
    where, params = ["status = 'resolved' AND delivered = 0"], []
    if guild_id is not None:
        where.append("guild_id = ?")
        params.append(guild_id)
    if user_id is not None:
        where.append("user_id = ?")
        params.append(user_id)
    return _reports(conn, " AND ".join(where) + " ORDER BY resolved_at, report_id", params)


def mark_delivered(conn: sqlite3.Connection, report_ids: Sequence[int]) -> int:
    """Mark replies delivered; how many were not yet (a resolved report only)."""
    n = 0
    with transaction(conn):
        for chunk in chunks(list(report_ids)):
            n += conn.execute(
                f"UPDATE reports SET delivered = 1 WHERE report_id IN ({marks(len(chunk))}) "
                "AND status = 'resolved' AND delivered = 0",
                chunk,
            ).rowcount
    return n


# --------------------------------------------------------------------------------------------
# paused questions


def pause(
    conn: sqlite3.Connection, guild_id: int, question_key: str, paused_by: int | None, now_ms: int
) -> bool:
    """Pause a question in a server; False when it was paused already."""
    with transaction(conn):
        ensure_guild(conn, guild_id, now_ms)
        cur = conn.execute(
            "INSERT INTO paused_questions (guild_id, question_key, paused_by, paused_at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (guild_id, question_key) DO NOTHING",
            (guild_id, question_key, paused_by, now_ms),
        )
        return cur.rowcount > 0


def unpause(conn: sqlite3.Connection, guild_id: int, question_key: str) -> bool:
    """Unpause; False when it was not paused."""
    with transaction(conn):
        cur = conn.execute(
            "DELETE FROM paused_questions WHERE guild_id = ? AND question_key = ?", (guild_id, question_key)
        )
        return cur.rowcount > 0


def paused(conn: sqlite3.Connection, guild_id: int | None) -> list[PausedQuestion]:
    """The paused questions (of a server, or of every server), by server then time."""
    sql = "SELECT guild_id, question_key, paused_by, paused_at FROM paused_questions"
    params: tuple[int, ...] = ()
    if guild_id is not None:
        sql += " WHERE guild_id = ?"
        params = (guild_id,)
    with snapshot(conn):
        rows = conn.execute(sql + " ORDER BY guild_id, paused_at, question_key", params).fetchall()
    return [PausedQuestion(g, k, by, from_ms(at)) for g, k, by, at in rows]
