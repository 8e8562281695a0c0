"""The PostgreSQL connection the shared statement modules run on (bot/storage/sqlite/*.py).

The statement modules are synchronous functions on a `sqlite3.Connection`. `PgConnection` offers
them the part of that API they use (execute, executemany, cursor with rows by column name,
rowcount, lastrowid, in_transaction) on a psycopg 3 connection, and translates the few SQLite
spellings they contain (`translate`). Transactions: `BEGIN IMMEDIATE` (a write) takes one
transaction-scoped advisory lock, so writers of every process take turns exactly like SQLite's
writers do and the modules' read-then-write steps stay correct across processes; `BEGIN` (a read
snapshot) is a REPEATABLE READ transaction. Errors are raised as `sqlite3.Error` subclasses (the
callers catch those), chained to psycopg's.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal
from functools import lru_cache
from itertools import chain
from operator import itemgetter
from typing import Any

import psycopg
from psycopg.adapt import Loader
from psycopg.pq import TransactionStatus

# Every writer of every process takes this lock for its transaction (pg_advisory_xact_lock).
WRITE_LOCK = 0x5155_495A  # "QUIZ"

# The identity primary key of each table a statement module reads `lastrowid` of.
_ROWID = {
    "posts": "post_id",
    "daily_runs": "run_id",
    "exams": "exam_id",
    "reports": "report_id",
    "answers": "answer_id",
    "review_pending": "pending_id",
    "reviews": "review_id",
}
_INSERT = re.compile(r"^\s*INSERT\s+INTO\s+(\w+)", re.IGNORECASE)
_SELF_ADD = re.compile(r"\b(\w+) = \1\b")
_KEEP_OLD = re.compile(r"coalesce\(excluded\.(\w+), \1\)")
_REWRITES = [
    (re.compile(r"\bmax\((\w+), \?\)"), r"GREATEST(\1, ?)"),
    (re.compile(r"\bjson\(\?\)"), "?"),
    (re.compile(r" INDEXED BY \w+"), ""),  # SQLite's index hint; PostgreSQL's planner chooses
    (re.compile(r"\bAS REAL\)"), "AS DOUBLE PRECISION)"),
    (
        re.compile(r"\bdate\((\w+), '-6 days', 'weekday 1'\)"),
        r"to_char(date_trunc('week', \1::date), 'YYYY-MM-DD')",
    ),
    (
        re.compile(r"\bdate\((\w+), 'start of month'\)"),
        r"to_char(date_trunc('month', \1::date), 'YYYY-MM-DD')",
    ),
]


class PgIntegrityError(sqlite3.IntegrityError):
    """A PostgreSQL constraint violation, as the statement modules expect it."""


class PgOperationalError(sqlite3.OperationalError):
    """Any other PostgreSQL error."""


_IN_LIST = re.compile(r"\b(NOT )?IN \((\?(?:\s*,\s*\?)*)\)", re.IGNORECASE)


@lru_cache(maxsize=2048)
def translate(sql: str) -> tuple[str, str | None, tuple[tuple[int, int], ...]]:
    """(PostgreSQL text with psycopg placeholders, the primary key to return for an INSERT, the
    runs of params that go as one array: (first param, how many)).

    `IN (?, ?, …)` becomes `= ANY(%s)` (`NOT IN`: `<> ALL(%s)`, the same with NULLs), its params
    one array: the statement modules build such lists of every length a batch needs, and each
    length would be another statement text for PostgreSQL to parse, plan and keep prepared.
    """
    lists: list[tuple[int, int]] = []
    pieces: list[str] = []
    at = 0
    for m in _IN_LIST.finditer(sql):
        lists.append((sql.count("?", 0, m.start()), m.group(2).count("?")))
        pieces += [sql[at : m.start()], "<> ALL(?)" if m.group(1) else "= ANY(?)"]
        at = m.end()
    sql = "".join(pieces) + sql[at:]
    for pattern, repl in _REWRITES:
        sql = pattern.sub(repl, sql)
    insert = _INSERT.match(sql)
    table = insert.group(1) if insert else None
    head, sep, tail = sql.partition("DO UPDATE SET")
    if sep and table:  # `n = n + excluded.n` is ambiguous in PostgreSQL: the row's own column
        tail = _SELF_ADD.sub(lambda m: f"{m.group(1)} = {table}.{m.group(1)}", tail)
        sql = (
            head
            + sep
            + _KEEP_OLD.sub(lambda m: f"coalesce(excluded.{m.group(1)}, {table}.{m.group(1)})", tail)
        )
    returning = None
    if table in _ROWID and "RETURNING" not in sql.upper():
        returning = _ROWID[table]
        sql = f"{sql.rstrip().rstrip(';')} RETURNING {returning}"
    return sql.replace("%", "%%").replace("?", "%s"), returning, tuple(lists)


_WHOLE = {"bigint", "integer", "smallint"}  # integer column types (set_based)
_VALUES = re.compile(r"^INSERT INTO (\w+) \(([\w, ]+)\) VALUES \((%s(?:, ?%s)*)\)(.*)$", re.DOTALL)
_CONFLICT = re.compile(r"^ ON CONFLICT (?:\(([\w, ]+)\) )?DO (NOTHING|UPDATE SET .*)$", re.DOTALL)
_UPDATE = re.compile(r"^UPDATE (\w+) SET ((?:\w+ = %s, )*\w+ = %s) WHERE (\w+ = %s(?: AND \w+ = %s)*)$")


@lru_cache(maxsize=512)
def _set_based_form(text: str) -> tuple[str, tuple[str, ...], tuple[int, ...], str] | None:
    """(table, the columns of the params in order, the positions of the key that must not repeat,
    the statement with `{rows}` where the rows' typed columns go, `{from}` where they come from),
    or None (see PgConnection.set_based)."""
    insert = _VALUES.match(text)
    if insert:
        table, cols_text, values, rest = insert.groups()
        cols = tuple(c.strip() for c in cols_text.split(","))
        if len(cols) != values.count("%s") or "%s" in rest:
            return None
        key_at: tuple[int, ...] = ()
        if rest:
            conflict = _CONFLICT.match(rest)
            if conflict is None:
                return None
            if conflict.group(2) != "NOTHING":  # an upsert: its key must not repeat in the rows
                if conflict.group(1) is None:
                    return None
                key = [c.strip() for c in conflict.group(1).split(",")]
                if any(c not in cols for c in key):
                    return None
                key_at = tuple(cols.index(c) for c in key)
        return (
            table,
            cols,
            key_at,
            f"INSERT INTO {table} ({cols_text}) SELECT {{rows}} FROM {{from}} ORDER BY r.n{rest}",
        )
    update = _UPDATE.match(text)
    if update:
        table, sets_text, where_text = update.groups()
        sets = [c.split(" = ")[0] for c in sets_text.split(", ")]
        keys = [c.split(" = ")[0] for c in where_text.split(" AND ")]
        if set(sets) & set(keys):
            return None  # row by row, a row may then match a later row's key: one statement would not
        cols = (*sets, *keys)
        names = [f"c{i}" for i in range(len(cols))]
        assign = ", ".join(f"{c} = u.{n}" for c, n in zip(sets, names, strict=False))
        match = " AND ".join(f"{table}.{k} = u.{n}" for k, n in zip(keys, names[len(sets) :], strict=True))
        sql = f"UPDATE {table} SET {assign} FROM (SELECT {{rows}} FROM {{from}}) AS u WHERE {match}"
        return table, cols, tuple(range(len(sets), len(cols))), sql
    return None


def _params(params: Iterable[Any], lists: tuple[tuple[int, int], ...] = ()) -> tuple[Any, ...]:
    """The params as PostgreSQL takes them: SQLite stores True as 1 (the columns here are
    integers too), and each run of `lists` (see `translate`) one list."""
    flat = tuple(params)
    if bool in set(map(type, flat)):  # (set and map run in C: most rows have no bool)
        flat = tuple(int(p) if isinstance(p, bool) else p for p in flat)
    if not lists:
        return flat
    out: list[Any] = []
    at = 0
    for first, n in lists:
        out += [*flat[at:first], _array(flat[first : first + n])]
        at = first + n
    return (*out, *flat[at:])


def _array(values: tuple[Any, ...]) -> list[Any] | str:
    """An IN list's values as one array param. psycopg types a list by its values: it refuses
    ints mixed with floats (so they go as exact decimals: a Discord id is past a float's 2**53)
    and cannot type a list of NULLs (so it goes as an untyped literal, which PostgreSQL reads as an
    array of the column's type)."""
    if all(v is None for v in values):
        return "{" + ",".join(["NULL"] * len(values)) + "}"
    kinds = set(map(type, values))
    if float in kinds and int in kinds:
        return [Decimal(v) if isinstance(v, (int, float)) else v for v in values]
    return list(values)


class _NumericLoader(Loader):
    """sum() of BIGINT is NUMERIC in PostgreSQL: give ints (and floats) as SQLite does."""

    def load(self, data: Any) -> int | float:
        value = Decimal(bytes(data).decode())
        return int(value) if value == value.to_integral_value() else float(value)


@lru_cache(maxsize=512)
def _row_class(names: tuple[str, ...]) -> type[tuple[Any, ...]]:
    index = {n: i for i, n in enumerate(names)}

    class Row(tuple[Any, ...]):
        """A row read by position or by column name, like sqlite3.Row."""

        def __getitem__(self, key: Any) -> Any:
            if isinstance(key, str):
                return tuple.__getitem__(self, index[key])
            return tuple.__getitem__(self, key)

        def keys(self) -> list[str]:
            return list(names)

    return Row


class PgCursor:
    """The part of sqlite3.Cursor the statement modules use."""

    def __init__(self, conn: PgConnection) -> None:
        self._conn = conn
        self._cur: psycopg.Cursor[Any] = conn.raw.cursor()
        self.row_factory: Any = None
        self.lastrowid: int | None = None
        self._rowcount = -1
        self._rowcount_later = False  # in a pipeline: known once its result is in (`rowcount`)
        self._pending: list[Any] | None = None

    @property
    def rowcount(self) -> int:
        if self._rowcount_later:
            self._sync()
            self._rowcount, self._rowcount_later = self._cur.rowcount, False
        return self._rowcount

    def _ran(self) -> None:
        """Note the rows the statement just sent touched (later, when in a pipeline)."""
        if self._conn.pipeline is not None:
            self._rowcount_later = True
        else:
            self._rowcount = self._cur.rowcount

    def _sync(self) -> None:
        """In a pipeline, wait for this cursor's result (and for everything sent before it)."""
        pipeline = self._conn.pipeline
        if pipeline is not None and self._cur.pgresult is None:
            with self._conn.errors():
                pipeline.sync()

    def execute(self, sql: str, params: Iterable[Any] = ()) -> PgCursor:
        text, returning, lists = translate(sql)
        self._pending = None
        with self._conn.errors():
            self._cur.execute(text, _params(params, lists))
            self._ran()
            if returning is not None:
                row = self._cur.fetchone()
                self.lastrowid = None if row is None else int(row[0])
                self._pending = []
        return self

    def executemany(self, sql: str, seq: Iterable[Iterable[Any]]) -> PgCursor:
        text, returning, lists = translate(sql)
        if returning is not None:
            text = text[: text.rindex(" RETURNING ")]
        if lists:
            rows = [_params(p, lists) for p in seq]
        else:  # the common case, thousands of rows a batch: the bool check once, in C
            rows = [tuple(p) for p in seq]
            if bool in set(map(type, chain.from_iterable(rows))):
                rows = [_params(p) for p in rows]
        self._pending = []
        self._rowcount, self._rowcount_later = 0, False
        if rows:
            with self._conn.errors():
                one = self._conn.set_based(text, rows) if len(rows) > 1 else None
                if one is None:
                    self._cur.executemany(text, rows)
                else:
                    self._cur.execute(*one)
                self._ran()
        return self

    def _wrap(self, row: tuple[Any, ...] | None) -> Any:
        if row is None or self.row_factory is None or self._cur.description is None:
            return row
        return _row_class(tuple(c.name for c in self._cur.description))(row)

    def _has_rows(self) -> bool:
        if self._pending is not None:
            return False
        self._sync()
        return self._cur.description is not None

    def fetchone(self) -> Any:
        return self._wrap(self._cur.fetchone()) if self._has_rows() else None

    def fetchall(self) -> list[Any]:
        return [self._wrap(r) for r in self._cur.fetchall()] if self._has_rows() else []

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())

    def close(self) -> None:
        self._cur.close()


class PgConnection:
    """A psycopg connection (autocommit: transactions are explicit) that looks enough like an
    sqlite3.Connection for the statement modules."""

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw
        raw.adapters.register_loader("numeric", _NumericLoader)
        self._column_types: dict[str, dict[str, str]] = {}
        # statement text -> its set-based form and the positions of its integer columns (set_based)
        self._set_sql: dict[str, tuple[str, tuple[int, ...]]] = {}
        self.pipeline: psycopg.Pipeline | None = None  # while in `pipelined`

    def set_based(self, text: str, rows: list[tuple[Any, ...]]) -> tuple[str, tuple[str]] | None:
        """`executemany(text, rows)` as one statement over the rows sent as one JSON array, or
        None where that could differ from running the rows one by one.

        A batch of answers runs a dozen `executemany`s over thousands of rows; PostgreSQL
        executes each row as a statement of its own (~30 µs each), and the writer spent most of
        its time there (docs/performance.md). Rewritten: `INSERT INTO t (cols) VALUES (%s, …)
        [ON CONFLICT …]` and `UPDATE t SET a = %s, … WHERE k = %s AND …` where every value is a
        plain placeholder, into `INSERT INTO t (cols) SELECT (e->>0)::bigint, … FROM
        json_array_elements(%s::json) AS e …` and `UPDATE t SET … FROM (SELECT …) AS u WHERE …`,
        typed from the catalog. (JSON, not one array per column: psycopg builds arrays element by
        element in Python, which cost more than the statements saved.) Not rewritten, so run row
        by row: an upsert (`DO UPDATE`) or an UPDATE whose key repeats within the rows (one
        statement may not touch a row twice, and row by row each repeat would see the one
        before), a value JSON cannot carry (NaN), and anything else.
        """
        form = _set_based_form(text)
        if form is None:
            return None
        table, cols, key_at, template = form
        if key_at and len(set(map(itemgetter(*key_at), rows))) != len(rows):
            return None
        known = self._set_sql.get(text)
        if known is None:
            types = self._types_of(table)
            if any(c not in types for c in cols):
                return None
            typed = ", ".join(f"(e->>{i})::{types[c]} AS c{i}" for i, c in enumerate(cols))
            rows_from = "json_array_elements(%s::json) WITH ORDINALITY AS r(e, n)"  # rows in order
            sql = template.replace("{rows}", typed).replace("{from}", rows_from)
            whole = tuple(i for i, c in enumerate(cols) if types[c] in _WHOLE)
            known = self._set_sql[text] = (sql, whole)
        sql, whole = known
        if (
            whole
            and float in set(map(type, chain.from_iterable(rows)))
            and any(type(r[i]) is float for r in rows for i in whole)
        ):
            return None  # a float for an integer column: PostgreSQL rounds it as a param only
        try:
            data = json.dumps(rows, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
        except (TypeError, ValueError):  # NaN, or a value JSON has no type for
            return None
        return sql, (data,)

    def _types_of(self, table: str) -> dict[str, str]:
        types = self._column_types.get(table)
        if types is None:
            types = dict(
                self.raw.execute(
                    "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
                    "WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped",
                    (table,),
                ).fetchall()
            )
            self._column_types[table] = types
        return types

    @classmethod
    def connect(cls, url: str, schema: str | None = None) -> PgConnection:
        if schema:
            url = psycopg.conninfo.make_conninfo(url, options=f"-c search_path={schema}")
        # Server-side binding, each statement text prepared on first use (prepare_threshold=0):
        # PostgreSQL parses and plans it once per connection, not once per call (with ClientCursor
        # the writer was at half its speed now; docs/performance.md). The texts are a bounded set
        # (the modules' statements, their `IN (...)` chunk sizes), cached up to prepared_max.
        raw = psycopg.connect(url, autocommit=True, prepare_threshold=0)
        raw.prepared_max = 512
        return cls(raw)

    @property
    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != TransactionStatus.IDLE

    @contextmanager
    def pipelined(self) -> Iterator[None]:
        """psycopg's pipeline mode (common.pipelined): each statement is sent without waiting for
        the one before, so the server works while this thread builds the next. A cursor's rows or
        `rowcount`, when read, come with a sync of everything sent so far. An error comes out, as
        an `sqlite3.Error`, at that sync or at the end, not from the statement that caused it: do
        not catch one statement's error inside a pipeline."""
        if self.pipeline is not None:  # already in one
            yield
            return
        with self.errors(), self.raw.pipeline() as pipeline:
            self.pipeline = pipeline
            try:
                yield
            finally:
                self.pipeline = None

    def errors(self) -> _Errors:
        return _Errors()

    def cursor(self) -> PgCursor:
        return PgCursor(self)

    def execute(self, sql: str, params: Sequence[Any] = ()) -> PgCursor:
        word = sql.strip().upper()
        if word == "BEGIN IMMEDIATE":
            with self.errors():
                self.raw.execute("BEGIN")
                self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            return PgCursor(self)
        if word == "BEGIN":
            with self.errors():
                self.raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            return PgCursor(self)
        if word in ("COMMIT", "ROLLBACK"):
            with self.errors():
                self.raw.execute(word)
            return PgCursor(self)
        return PgCursor(self).execute(sql, params)

    def executemany(self, sql: str, seq: Iterable[Iterable[Any]]) -> PgCursor:
        return PgCursor(self).executemany(sql, seq)

    def close(self) -> None:
        self.raw.close()


class _Errors:
    """Raise psycopg's errors as sqlite3.Error subclasses (chained)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if isinstance(exc, psycopg.errors.IntegrityError):
            raise PgIntegrityError(str(exc).strip()) from exc
        if isinstance(exc, psycopg.Error):
            raise PgOperationalError(str(exc).strip()) from exc
