"""The PostgreSQL shim's set-based `executemany` (bot/storage/postgres/dialect.py): which statements
it rewrites into one statement over arrays, and that the rows end up as they would row by row,
including where it must not rewrite (a key repeated within the rows) and with NULLs."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from bot.storage import open_store
from bot.storage.postgres.dialect import PgConnection, _set_based_form, translate


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
