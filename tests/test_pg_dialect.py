"""The PostgreSQL shim (bot/storage/postgres/dialect.py) where it sends something else than the
statement modules wrote: `IN (?, …)` lists as one array, `executemany` as one statement over
arrays (and where it must not: a key repeated within the rows), and the streak histogram's
statement triggers (PostgreSQL migration 0010). Each against what SQLite gives or row by row."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.storage import open_store
from bot.storage.postgres.dialect import PgConnection, _params, _set_based_form, translate


def _form(sql: str) -> tuple[str, tuple[str, ...], tuple[int, ...], str] | None:
    """The set-based form of a statement module's SQL text (as the shim sends it)."""
    return _set_based_form(translate(sql)[0].split(" RETURNING ")[0])


@pytest.mark.parametrize("store_targets", ["postgresql"], indirect=True)
async def test_a_batch_of_answers_is_written_set_based(
    store_targets: Callable[[], str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every multi-row write of the writer's batch goes out as one statement, and the batch's
    results are the ones the contract tests check on both backends."""
    tried: list[tuple[str, bool]] = []
    original = PgConnection.set_based

    def spy(self: PgConnection, text: str, rows: list[tuple[Any, ...]]) -> Any:
        out = original(self, text, rows)
        tried.append((text.split(" (")[0], out is not None))
        return out

    monkeypatch.setattr(PgConnection, "set_based", spy)
    store = await open_store(store_targets())
    try:
        post = await store.create_post(1, 10, "q/Q-001", "daily", "B", option_letters="ABCD")
        outs = await asyncio.gather(
            *(store.record_answer(1, post.post_id, 100 + u, "B" if u % 2 else "C") for u in range(40))
        )
        assert [o.status for o in outs] == ["stored"] * 40
        board = await store.leaderboard(1, "all", "points")
        assert board.total == 40 and {e.points for e in board.entries} <= {0, 10}
    finally:
        await store.close()
    written = {name for name, one in tried if one}
    assert {
        "INSERT INTO answers",
        "INSERT INTO members",
        "INSERT INTO totals",
        "INSERT INTO streaks",
    } <= written
    assert [name for name, one in tried if not one] == []


@pytest.mark.parametrize(
    "sql",
    [
        "INSERT INTO t (a, b) VALUES (?, 1)",  # a value that is not a placeholder
        "INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT (a) DO UPDATE SET b = ? ",
        "INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT DO UPDATE SET b = excluded.b",
        "INSERT INTO t (a, b) VALUES (?, ?) ON CONFLICT (c) DO UPDATE SET b = excluded.b",
        "UPDATE t SET a = a + ? WHERE b = ?",
        "UPDATE t SET a = ? WHERE b = ? OR c = ?",
        "DELETE FROM t WHERE a = ?",
    ],
)
def test_other_statements_run_row_by_row(sql: str) -> None:
    assert _form(sql) is None


on_postgresql = pytest.mark.parametrize("store_targets", ["postgresql"], indirect=True)


@pytest.fixture
def pg(store_targets: Callable[[], str]) -> Iterator[PgConnection]:
    target = store_targets()
    conn = PgConnection.connect(target)
    conn.raw.execute(
        "CREATE TABLE kv (k BIGINT, tag TEXT, v BIGINT, x DOUBLE PRECISION, note TEXT, PRIMARY KEY (k, tag))"
    )
    yield conn
    conn.close()


def _rows(conn: PgConnection) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in conn.execute("SELECT k, tag, v, x, note FROM kv ORDER BY k, tag").fetchall()]


@on_postgresql
def test_set_based_writes_match_row_by_row(pg: PgConnection) -> None:
    rows = [(1, "a", 10, 0.5, None), (2, "a", 20, None, "two"), (3, "b", None, 1.25, None)]
    insert = "INSERT INTO kv (k, tag, v, x, note) VALUES (?, ?, ?, ?, ?)"
    assert pg.set_based(translate(insert)[0], rows) is not None
    assert pg.executemany(insert, rows).rowcount == 3
    assert _rows(pg) == rows
    # An UPDATE keyed on (k, tag), several rows at once.
    update = "UPDATE kv SET v = ?, note = ? WHERE k = ? AND tag = ?"
    assert pg.executemany(update, [(11, "x", 1, "a"), (33, None, 3, "b"), (99, "none", 4, "z")]).rowcount == 2
    assert _rows(pg) == [(1, "a", 11, 0.5, "x"), (2, "a", 20, None, "two"), (3, "b", 33, 1.25, None)]
    # An upsert adding to what is there, its key unique within the rows: one statement.
    upsert = (
        "INSERT INTO kv (k, tag, v) VALUES (?, ?, ?) ON CONFLICT (k, tag) DO UPDATE SET v = v + excluded.v"
    )
    assert pg.set_based(translate(upsert)[0], [(1, "a", 1), (5, "a", 5)]) is not None
    pg.executemany(upsert, [(1, "a", 1), (5, "a", 5)])
    assert [r[2] for r in _rows(pg)] == [12, 20, 33, 5]
    # Every value NULL in a column: the array still has the column's type.
    pg.executemany(insert, [(6, "n", None, None, None), (7, "n", None, None, None)])
    assert _rows(pg)[-2:] == [(6, "n", None, None, None), (7, "n", None, None, None)]


@on_postgresql
def test_a_key_repeated_within_the_rows_runs_row_by_row(pg: PgConnection) -> None:
    upsert = (
        "INSERT INTO kv (k, tag, v) VALUES (?, ?, ?) ON CONFLICT (k, tag) DO UPDATE SET v = v + excluded.v"
    )
    twice = [(1, "a", 1), (1, "a", 2), (2, "a", 5)]
    assert pg.set_based(translate(upsert)[0], twice) is None  # one statement may not touch a row twice
    pg.executemany(upsert, twice)
    assert [(r[0], r[2]) for r in _rows(pg)] == [(1, 3), (2, 5)]
    update = "UPDATE kv SET v = ? WHERE k = ? AND tag = ?"
    again = [(7, 1, "a"), (8, 1, "a")]
    assert pg.set_based(translate(update)[0], again) is None
    pg.executemany(update, again)  # row by row: the last one wins
    assert _rows(pg)[0][2] == 8
    # DO NOTHING may see its key twice: the second is skipped, as row by row.
    nothing = "INSERT INTO kv (k, tag, v) VALUES (?, ?, ?) ON CONFLICT DO NOTHING"
    assert pg.set_based(translate(nothing)[0], [(9, "a", 1), (9, "a", 2)]) is not None
    pg.executemany(nothing, [(9, "a", 1), (9, "a", 2)])
    assert [r[2] for r in _rows(pg) if r[0] == 9] == [1]


@on_postgresql
def test_errors_are_still_sqlite_errors(pg: PgConnection) -> None:
    import sqlite3

    insert = "INSERT INTO kv (k, tag, v) VALUES (?, ?, ?)"
    pg.executemany(insert, [(1, "a", 1), (2, "a", 2)])
    with pytest.raises(sqlite3.IntegrityError):
        pg.executemany(insert, [(3, "a", 1), (1, "a", 2)])
    assert len(_rows(pg)) == 2  # the statement wrote nothing


def test_in_lists_become_one_array_param() -> None:
    text, _, lists = translate("SELECT a FROM t WHERE g = ? AND u IN (?,?, ?) AND k NOT IN (?) AND z = ?")
    assert text == "SELECT a FROM t WHERE g = %s AND u = ANY(%s) AND k <> ALL(%s) AND z = %s"
    assert lists == ((1, 3), (4, 1))
    assert _params((7, 1, True, 3, "x", 9), lists) == (7, [1, 1, 3], ["x"], 9)
    # Every length of list is the same statement text (prepared once).
    assert translate("SELECT 1 WHERE u IN (?)")[0] == translate("SELECT 1 WHERE u IN (?,?,?,?)")[0]
    assert translate("SELECT 1 WHERE u IN (1, 2)")[2] == ()  # literals stay as they are


@on_postgresql
def test_in_lists_answer_as_in_sqlite(pg: PgConnection) -> None:
    import sqlite3

    lite = sqlite3.connect(":memory:")
    lite.execute(
        "CREATE TABLE kv (k BIGINT, tag TEXT, v BIGINT, x DOUBLE PRECISION, note TEXT, PRIMARY KEY (k, tag))"
    )
    rows = [(1, "a", 10, 0.5, None), (2, "b", None, 1.5, "n"), (3, "c", 30, None, "m")]
    for conn in (pg, lite):
        conn.executemany("INSERT INTO kv (k, tag, v, x, note) VALUES (?, ?, ?, ?, ?)", rows)
    cases = [
        ("SELECT k FROM kv WHERE k IN (?, ?) ORDER BY k", (3, 1)),
        ("SELECT k FROM kv WHERE tag IN (?) ORDER BY k", ("b",)),
        ("SELECT k FROM kv WHERE k NOT IN (?, ?) ORDER BY k", (1, 5)),
        ("SELECT k FROM kv WHERE k NOT IN (?, ?) ORDER BY k", (1, None)),  # NULL: no row
        ("SELECT k FROM kv WHERE v IN (?, ?) ORDER BY k", (None, None)),
        ("SELECT k FROM kv WHERE v NOT IN (?) ORDER BY k", (None,)),
        ("SELECT k FROM kv WHERE x IN (?, ?) ORDER BY k", (1.5, 2)),  # floats beside an int
        ("SELECT k FROM kv WHERE k IN (?) AND tag IN (?, ?, ?) ORDER BY k", (2, "a", "b", "c")),
    ]
    for sql, params in cases:
        want = [tuple(r) for r in lite.execute(sql, params).fetchall()]
        assert [tuple(r) for r in pg.execute(sql, params).fetchall()] == want, sql


@pytest.mark.parametrize("store_targets", ["postgresql"], indirect=True)
async def test_streak_histogram_follows_multi_row_writes(store_targets: Callable[[], str]) -> None:
    """Migration 0010's statement triggers: after inserts, updates (some changing nothing, some
    only one of the two values) and deletes of many rows at once, the histogram holds the
    streaks' counts."""
    target = store_targets()
    await (await open_store(target)).close()  # the schema, migrated
    conn = PgConnection.connect(target)
    try:
        users = range(1, 61)
        conn.execute("INSERT INTO guild_settings (guild_id, created_at, updated_at) VALUES (1, 0, 0)")
        conn.executemany(
            "INSERT INTO members (guild_id, user_id, display_name, first_seen, last_seen) VALUES (?, ?, ?, ?, ?)",
            [(1, u, None, 0, 0) for u in users],
        )
        conn.executemany(
            "INSERT INTO streaks (current, best, last_post_id, updated_at, guild_id, user_id) VALUES (?, ?, ?, ?, ?, ?)",
            [(u % 4, u % 4 + u % 3, None, 0, 1, u) for u in users],
        )
        conn.executemany(
            "UPDATE streaks SET current = ?, best = ?, last_post_id = ?, updated_at = ? WHERE guild_id = ? AND user_id = ?",
            [((u % 4) + (u % 2), u % 4 + u % 3 + (u % 2), None, 1, 1, u) for u in range(1, 41)],
        )
        conn.execute("UPDATE streaks SET current = 0 WHERE user_id > 50")  # one statement, 10 rows
        conn.execute("DELETE FROM streaks WHERE user_id % 7 = 0")
        hist = conn.execute(
            "SELECT which, value, n FROM streak_hist WHERE guild_id = 1 AND n <> 0 ORDER BY which, value"
        ).fetchall()
        recount = conn.execute(
            "SELECT which, value, count(*) FROM (SELECT 'current' AS which, current AS value FROM streaks "
            "UNION ALL SELECT 'best', best FROM streaks) AS s GROUP BY which, value ORDER BY which, value"
        ).fetchall()
        assert [tuple(r) for r in hist] == [tuple(r) for r in recount]
        assert sum(r[2] for r in hist) == 2 * (60 - 8)
    finally:
        conn.close()


@on_postgresql
def test_a_pipeline_reads_every_cursor_and_raises_errors_as_sqlite_errors(pg: PgConnection) -> None:
    import sqlite3

    from bot.storage.sqlite.common import pipelined, transaction

    pg.executemany("INSERT INTO kv (k, tag, v) VALUES (?, ?, ?)", [(k, "a", k * 10) for k in range(1, 6)])
    with pipelined(pg):
        asked = [pg.execute("SELECT v FROM kv WHERE k = ?", (k,)) for k in (3, 1, 5)]
        none = pg.execute("SELECT v FROM kv WHERE k = ?", (99,))
        # Read out of order: each cursor gets its own rows.
        assert asked[2].fetchall() == [(50,)]
        assert [c.fetchone() for c in asked[:2]] == [(30,), (10,)]
        assert none.fetchone() is None

    # An error in a pipelined write comes out as the sqlite3 error the callers catch, and the
    # transaction rolls back as a whole.
    def two_writes() -> None:
        with transaction(pg), pipelined(pg):
            pg.executemany("INSERT INTO kv (k, tag, v) VALUES (?, ?, ?)", [(6, "a", 60), (7, "a", 70)])
            pg.executemany("INSERT INTO kv (k, tag, v) VALUES (?, ?, ?)", [(1, "a", 0), (8, "a", 80)])

    with pytest.raises(sqlite3.IntegrityError):
        two_writes()
    assert not pg.in_transaction
    assert [r[0] for r in _rows(pg)] == [1, 2, 3, 4, 5]


def test_pipelined_changes_nothing_on_sqlite() -> None:
    import sqlite3

    from bot.storage.sqlite.common import pipelined

    lite = sqlite3.connect(":memory:")
    lite.execute("CREATE TABLE t (a INTEGER)")
    with pipelined(lite):
        lite.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)])
        cur = lite.execute("SELECT sum(a) FROM t")
        assert cur.fetchone() == (3,)


@on_postgresql
def test_what_json_cannot_carry_goes_row_by_row(pg: PgConnection) -> None:
    insert = "INSERT INTO kv (k, tag, x) VALUES (?, ?, ?)"
    rows = [(1, "a", float("nan")), (2, "a", 1.0)]
    assert pg.set_based(translate(insert)[0], rows) is None
    pg.executemany(insert, rows)
    got = [r[3] for r in _rows(pg)]
    assert got[0] != got[0] and got[1] == 1.0  # NaN, stored as such


@on_postgresql
def test_rowcount_and_lastrowid_in_a_pipeline_are_as_outside(pg: PgConnection) -> None:
    from bot.storage.sqlite.common import pipelined

    pg.raw.execute("CREATE TABLE ids (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v BIGINT)")
    pg.executemany("INSERT INTO kv (k, tag, v) VALUES (?, ?, ?)", [(k, "a", k) for k in range(1, 4)])
    with pipelined(pg):
        one = pg.execute("UPDATE kv SET v = 0 WHERE k = ?", (2,))
        many = pg.executemany("UPDATE kv SET v = ? WHERE k = ? AND tag = ?", [(9, 1, "a"), (9, 3, "a")])
        skipped = pg.execute(
            "INSERT INTO kv (k, tag, v) VALUES (?, ?, ?) ON CONFLICT DO NOTHING", (1, "a", 5)
        )
        assert (one.rowcount, many.rowcount, skipped.rowcount) == (1, 2, 0)


@on_postgresql
def test_set_based_falls_back_where_one_statement_would_differ(pg: PgConnection) -> None:
    # A float for an integer column: row by row PostgreSQL rounds the param; JSON would refuse it.
    insert = "INSERT INTO kv (k, tag, v) VALUES (?, ?, ?)"
    assert pg.set_based(translate(insert)[0], [(1, "a", 3.0), (2, "a", 2.5)]) is None
    pg.executemany(insert, [(1, "a", 3.0), (2, "a", 2.5)])
    assert [r[2] for r in _rows(pg)] == [3, 2]
    # An UPDATE that sets a column of its own key: row by row a row can match a later row's key.
    chain = "UPDATE kv SET tag = ? WHERE tag = ?"
    assert _form(chain) is None
    pg.execute("DELETE FROM kv")
    pg.execute("INSERT INTO kv (k, tag) VALUES (1, 'x')")
    assert pg.executemany(chain, [("y", "x"), ("z", "y")]).rowcount == 2
    assert _rows(pg)[0][1] == "z"


@on_postgresql
def test_set_based_inserts_keep_the_rows_order(pg: PgConnection) -> None:
    pg.raw.execute("CREATE TABLE seq (id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, v BIGINT)")
    values = [(v,) for v in (5, 3, 9, 1, 7, 2, 8)]
    pg.executemany("INSERT INTO seq (v) VALUES (?)", values)
    assert [tuple(r) for r in pg.execute("SELECT v FROM seq ORDER BY id").fetchall()] == values


@on_postgresql
def test_an_in_list_mixing_ints_and_floats_compares_exactly(pg: PgConnection) -> None:
    big = 2**53 + 1  # a float cannot hold it (Discord ids are past 2**53)
    pg.executemany("INSERT INTO kv (k, tag) VALUES (?, ?)", [(big, "a"), (2**53, "b")])
    rows = pg.execute("SELECT tag FROM kv WHERE k IN (?, ?) ORDER BY tag", (big, 0.5)).fetchall()
    assert [r[0] for r in rows] == ["a"]
