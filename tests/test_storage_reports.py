"""Reports of broken questions and paused questions in the `Store` contract (the `store` fixture:
every backend); at the end, SQLite's own part: a file made before migration 0007 migrates with its
data, and the queries the bot runs read through the indexes."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.reports import NOTE_MAX
from bot.storage import Storage, Store, migrate, open_store
from bot.storage.sqlite import reports as sqlite_reports

G1, G2 = 111_111_111_111_111_111, 222_222_222_222_222_222
T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


async def file(
    s: Store, user: int, key: str = "c/Q-1", *, guild: int = G1, at: datetime = T0, kind: str = "wrong_answer"
) -> str:
    """File a report; its status."""
    out = await s.add_report(guild, key, user, kind, f"note of {user} on {key}", now=at)
    return out.status


async def test_a_report_is_stored_with_everything_it_was_given(store: Store) -> None:
    out = await store.add_report(
        G1,
        "community/Q-104",
        7,
        "explanation",
        "  The explanation of E cites the wrong API.  \n",
        bank_commit="0123456789abcdef0123456789abcdef01234567",
        display_name="bob",
        notify_dm=True,
        locale="zh-TW",
        now=T0,
    )
    assert out.status == "stored" and out.report is not None and out.retry_at is None
    r = out.report
    assert (r.guild_id, r.question_key, r.user_id, r.display_name, r.kind) == (
        G1,
        "community/Q-104",
        7,
        "bob",
        "explanation",
    )
    assert r.note == "The explanation of E cites the wrong API."  # stripped
    assert (r.created_at, r.bank_commit, r.notify_dm, r.locale, r.status, r.is_open) == (
        T0,
        "0123456789abcdef0123456789abcdef01234567",
        True,
        "zh-TW",
        "open",
        True,
    )
    assert (r.resolved_at, r.resolved_by, r.resolution, r.delivered) == (None, None, None, False)
    assert await store.open_reports(G1) == [r]
    assert await store.open_reports(G2) == []


async def test_one_open_report_per_member_and_question(store: Store) -> None:
    first = await store.add_report(G1, "c/Q-1", 7, "unclear", "typo in B", now=T0)
    again = await store.add_report(G1, "c/Q-1", 7, "other", "and another thing", now=T0 + MIN)
    assert again.status == "duplicate" and again.report == first.report  # the open one, unchanged
    assert await file(store, 7, "c/Q-2", at=T0 + MIN) == "stored"  # another question
    assert await file(store, 8, "c/Q-1", at=T0 + MIN) == "stored"  # another member
    assert await file(store, 7, "c/Q-1", guild=G2, at=T0 + MIN) == "stored"  # another server
    assert len(await store.open_reports(G1)) == 3
    assert [r.user_id for r in await store.open_reports(G1, "c/Q-1")] == [8, 7]  # newest first


async def test_the_rate_limit_counts_the_members_reports_of_the_last_hour(store: Store) -> None:
    for i in range(5):  # five reports, ten minutes apart
        assert await file(store, 7, f"c/Q-{i}", at=T0 + 10 * i * MIN) == "stored"
    sixth = await store.add_report(G1, "c/Q-5", 7, "other", "one more", now=T0 + 45 * MIN)
    assert sixth.status == "rate_limited" and sixth.report is None
    assert sixth.retry_at == T0 + 60 * MIN  # when the first leaves the hour
    assert await file(store, 7, "c/Q-5", at=T0 + 60 * MIN) == "stored"
    assert await file(store, 7, "c/Q-6", at=T0 + 61 * MIN) == "rate_limited"  # Q-1 (at +10) still in
    assert await file(store, 8, "c/Q-6", at=T0 + 61 * MIN) == "stored"  # per member
    assert await file(store, 7, "c/Q-6", guild=G2, at=T0 + 61 * MIN) == "stored"  # and per server
    # a duplicate is refused as a duplicate even when the member is over the limit
    assert await file(store, 7, "c/Q-1", at=T0 + 61 * MIN) == "duplicate"
    # a custom limit
    tight = await store.add_report(G2, "c/Q-9", 9, "other", "x", now=T0, limit=1, window=timedelta(days=1))
    assert tight.status == "stored"
    again = await store.add_report(
        G2, "c/Q-8", 9, "other", "y", now=T0 + MIN, limit=1, window=timedelta(days=1)
    )
    assert again.status == "rate_limited" and again.retry_at == T0 + timedelta(days=1)


async def test_resolving_closes_the_questions_reports_and_keeps_the_reply_to_deliver(store: Store) -> None:
    for user in (7, 8):
        await file(store, user, "c/Q-1", at=T0 + user * MIN)
    await file(store, 9, "c/Q-2")
    await file(store, 7, "c/Q-1", guild=G2)
    done = await store.resolve_reports(
        G1, "c/Q-1", resolved_by=1, reply=" Fixed: the answer is C. ", now=T0 + 20 * MIN
    )
    assert [(r.user_id, r.status, r.resolution, r.resolved_by, r.resolved_at) for r in done] == [
        (7, "resolved", "Fixed: the answer is C.", 1, T0 + 20 * MIN),
        (8, "resolved", "Fixed: the answer is C.", 1, T0 + 20 * MIN),
    ]
    assert [r.question_key for r in await store.open_reports(G1)] == ["c/Q-2"]
    assert len(await store.open_reports(G2)) == 1  # the other server's report stays open
    assert await store.resolve_reports(G1, "c/Q-1", resolved_by=1, reply="again") == []
    # the replies wait for their members
    waiting = await store.undelivered_replies(G1)
    assert [(r.user_id, r.question_key) for r in waiting] == [(7, "c/Q-1"), (8, "c/Q-1")]
    assert [r.user_id for r in await store.undelivered_replies(G1, 8)] == [8]
    assert await store.undelivered_replies(G2) == []
    open_one = (await store.open_reports(G1))[0]
    assert await store.mark_delivered([waiting[0].report_id, open_one.report_id]) == 1  # open: unchanged
    assert await store.mark_delivered([waiting[0].report_id]) == 0  # once
    assert [r.user_id for r in await store.undelivered_replies()] == [8]
    # once resolved, the member may report the question again
    assert await file(store, 7, "c/Q-1", at=T0 + 30 * MIN) == "stored"


async def test_report_members_counts_members_with_open_reports(store: Store) -> None:
    for user in (1, 2, 3):
        await file(store, user, "c/Q-1")
    await file(store, 1, "c/Q-2")
    await file(store, 4, "c/Q-1", guild=G2)
    assert await store.report_members() == {G1: {"c/Q-1": 3, "c/Q-2": 1}, G2: {"c/Q-1": 1}}
    assert await store.report_members(G2) == {G2: {"c/Q-1": 1}}
    await store.resolve_reports(G1, "c/Q-1", resolved_by=9, reply="done")
    assert await store.report_members(G1) == {G1: {"c/Q-2": 1}}


async def test_bad_reports_are_refused_with_a_reason(store: Store) -> None:
    with pytest.raises(ValueError, match="unknown report kind"):
        await store.add_report(G1, "c/Q-1", 7, "rude", "x")
    with pytest.raises(ValueError, match="note is empty"):
        await store.add_report(G1, "c/Q-1", 7, "other", " \n\t ")
    with pytest.raises(ValueError, match=f"longer than {NOTE_MAX}"):
        await store.add_report(G1, "c/Q-1", 7, "other", "x" * (NOTE_MAX + 1))
    assert (await store.add_report(G1, "c/Q-1", 7, "other", "é" * NOTE_MAX)).status == "stored"
    with pytest.raises(ValueError, match="question key"):
        await store.add_report(G1, "", 7, "other", "x")
    with pytest.raises(ValueError, match="reply is empty"):
        await store.resolve_reports(G1, "c/Q-1", resolved_by=1, reply="")
    with pytest.raises(ValueError, match="rate limit"):
        await store.add_report(G1, "c/Q-2", 7, "other", "x", limit=0)
    assert len(await store.open_reports(G1)) == 1


async def test_pausing_is_per_server(store: Store) -> None:
    assert await store.pause_question(G1, "c/Q-1", paused_by=5, now=T0)
    assert not await store.pause_question(G1, "c/Q-1", paused_by=6, now=T0 + MIN)  # already
    assert await store.pause_question(G1, "c/Q-2", now=T0 + MIN)
    assert await store.pause_question(G2, "c/Q-1", paused_by=5, now=T0 + 2 * MIN)
    mine = await store.paused_questions(G1)
    assert [(p.question_key, p.paused_by, p.paused_at) for p in mine] == [
        ("c/Q-1", 5, T0),
        ("c/Q-2", None, T0 + MIN),
    ]
    assert await store.unpause_question(G1, "c/Q-1")
    assert not await store.unpause_question(G1, "c/Q-1")
    assert [(p.guild_id, p.question_key) for p in await store.paused_questions()] == [
        (G1, "c/Q-2"),
        (G2, "c/Q-1"),
    ]


async def test_reports_survive_a_score_reset(store: Store) -> None:
    await file(store, 7)
    await store.pause_question(G1, "c/Q-1")
    await store.reset_scores(G1)
    assert len(await store.open_reports(G1)) == 1 and len(await store.paused_questions(G1)) == 1


async def test_two_connections_racing_store_one_report(store_targets: Callable[[], str]) -> None:
    target = store_targets()
    a, b = await open_store(target), await open_store(target)
    try:
        for n in range(10):
            key = f"c/Q-{n}"
            outs = await asyncio.gather(
                a.add_report(G1, key, 7, "other", "from a", now=T0 + n * MIN, limit=100),
                b.add_report(G1, key, 7, "other", "from b", now=T0 + n * MIN, limit=100),
            )
            assert sorted(o.status for o in outs) == ["duplicate", "stored"]
        assert len(await a.open_reports(G1)) == 10
    finally:
        await a.close()
        await b.close()


# ------------------------------------------------------------------------------ SQLite's own part


def _v6_database(path: Path) -> None:
    """A database at version 6 (before the reports) with a guild and a post."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        migrate.migrate(conn, migrate.load_migrations()[:6])
        ms = int(T0.timestamp() * 1000)
        conn.executescript(
            f"""
            BEGIN;
            INSERT INTO guild_settings (guild_id, created_at, updated_at) VALUES ({G1}, {ms}, {ms});
            INSERT INTO posts (post_id, guild_id, channel_id, question_key, kind, correct_letters,
                created_at, closes_at) VALUES (1, {G1}, 5, 'c/Q-1', 'practice', 'A', {ms}, {ms + 60_000});
            COMMIT;
            """
        )
    finally:
        conn.close()


async def test_a_version_6_database_migrates_with_its_data(tmp_path: Path) -> None:
    path = tmp_path / "v6.sqlite3"
    _v6_database(path)
    s = await Storage.open(path)
    try:
        assert await s.schema_version() == len(migrate.load_migrations()) >= 7
        assert await s.integrity_check() == []
        post = await s.get_post(1)
        assert post is not None and post.question_key == "c/Q-1"
        assert await file(s, 7) == "stored"
        assert await s.report_members() == {G1: {"c/Q-1": 1}}
    finally:
        await s.close()


async def test_the_report_queries_read_through_indexes(tmp_path: Path) -> None:
    s = await Storage.open(tmp_path / "plans.sqlite3")
    try:
        for u in range(1, 6):
            await file(s, u, f"c/Q-{u}")

        def plan(conn: sqlite3.Connection) -> list[str]:
            statements: list[str] = []
            conn.set_trace_callback(statements.append)
            try:
                sqlite_reports.add_report(
                    conn,
                    G1,
                    "c/Q-9",
                    1,
                    "other",
                    "x",
                    bank_commit=None,
                    display_name=None,
                    notify_dm=False,
                    locale=None,
                    now_ms=int(T0.timestamp() * 1000) + 1,
                    limit=100,
                    window=timedelta(hours=1),
                )
                sqlite_reports.undelivered(conn, G1, 1)
            finally:
                conn.set_trace_callback(None)
            return [
                " | ".join(row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {sql}"))
                for sql in statements
                if sql.lstrip().upper().startswith("SELECT")
            ]

        plans = await s.run_sync(plan)
        assert any("INDEX reports_open_member" in p for p in plans)
        assert any(
            "INDEX reports_member_time (guild_id=? AND user_id=? AND created_at>?)" in p for p in plans
        )
        assert any("INDEX reports_undelivered (guild_id=? AND user_id=?)" in p for p in plans)
        assert not any("SCAN reports" in p for p in plans[:3])
    finally:
        await s.close()
