"""`quizbot migrate-db`: copy an SQLite database into PostgreSQL, so a group moves without losing
history (docs/scaling.md).

One PostgreSQL transaction, under the writers' advisory lock: every table, parents before
children, its user triggers off (the copied histograms already hold what they would add), rows streamed from one SQLite read snapshot in batches with COPY; the identity
sequences set past the copied ids (and past SQLite's AUTOINCREMENT high-water marks: a deleted
post's id is never handed out again); each table's count checked against the source before
COMMIT. A failure leaves the target as it was. An SQLite file at an older schema version is
copied to a temporary file and migrated there; the source itself is only read.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from bot.storage import migrate as sqlite_migrate
from bot.storage.postgres import migrate as pg_migrate
from bot.storage.postgres.dialect import WRITE_LOCK, PgConnection

BATCH = 5000
#: meta rows a migration writes (0006 records how many answers it queued): a freshly migrated
#: database holds them and is still empty.
MIGRATION_META = ("review.seeded",)


class CopyError(Exception):
    """The copy was refused or failed; the target is unchanged."""


@dataclass(frozen=True, slots=True)
class TableCount:
    table: str
    source: int
    target: int


@dataclass(frozen=True, slots=True)
class CopyReport:
    """What `copy_sqlite_to_postgres` did: `copied` (False when the target already held this
    copy), whether it emptied the target first, and each table's counts after."""

    copied: bool
    emptied: bool
    schema_version: int
    counts: list[TableCount]


def copy_sqlite_to_postgres(
    source: str | Path, url: str, *, force: bool = False, batch: int = BATCH
) -> CopyReport:
    """Copy the SQLite database at `source` into the PostgreSQL database at `url` (migrated first).

    An empty target is filled. A target whose every table already has the source's count is left
    as it is (a re-run: nothing copied twice). Any other non-empty target: CopyError, unless
    `force`, which empties every table first (in the same transaction as the copy)."""
    path = Path(source)
    if not path.is_file():
        raise CopyError(f"no SQLite database at {str(path)!r}")
    with _source_snapshot(path) as src:
        try:
            conn = PgConnection.connect(url)
        except psycopg.Error as exc:
            raise CopyError(f"cannot connect to the PostgreSQL database: {str(exc).strip()}") from exc
        try:
            return _copy(src, conn, force=force, batch=batch)
        except (psycopg.Error, sqlite3.Error) as exc:
            raise CopyError(f"the copy failed and was rolled back: {str(exc).strip()}") from exc
        finally:
            conn.close()


@contextmanager
def _source_snapshot(path: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection to the source at the code's schema version, in a read transaction."""
    latest = sqlite_migrate.load_migrations()[-1].version
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None, timeout=30)
        version = sqlite_migrate.schema_version(conn)
    except sqlite3.Error as exc:
        raise CopyError(f"cannot read {str(path)!r} as an SQLite database: {exc}") from exc
    try:
        if version > latest:
            raise CopyError(
                f"{str(path)!r} is at schema version {version}, newer than this code knows ({latest})"
            )
        if version == latest:
            conn.execute("BEGIN")
            yield conn
            conn.execute("ROLLBACK")
            return
        with tempfile.TemporaryDirectory(prefix="quizbot-migrate-") as tmp:
            migrated = Path(tmp) / "source.sqlite3"
            sqlite_migrate.backup_file(path, migrated)
            work = sqlite3.connect(migrated, isolation_level=None)
            try:
                sqlite_migrate.migrate(work)
                work.execute("BEGIN")
                yield work
                work.execute("ROLLBACK")
            finally:
                work.close()
    finally:
        conn.close()


def _copy(src: sqlite3.Connection, conn: PgConnection, *, force: bool, batch: int) -> CopyReport:
    pg_migrate.migrate(conn)
    version = pg_migrate.schema_version(conn)
    if version != sqlite_migrate.schema_version(src):
        raise CopyError("the SQLite and PostgreSQL schemas are at different versions")
    raw = conn.raw
    with raw.transaction():
        raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))  # no bot writes meanwhile
        tables = _tables_in_order(src, raw)
        source_counts = {t: _count(src, t) for t in tables}
        before = {t: _pg_count(raw, t) for t in tables}
        held = _held(raw, before)
        if held:
            if before == source_counts and not force:
                counts = [TableCount(t, source_counts[t], before[t]) for t in tables]
                return CopyReport(False, False, version, counts)
            if not force:
                filled = ", ".join(f"{t} ({n})" for t, n in held.items())
                raise CopyError(
                    f"the PostgreSQL database is not empty ({filled}); pass --force to empty it first"
                )
        # (posts' TRUNCATE trigger queues the `quizbot_dailies` notice, delivered at COMMIT: a bot
        # already running on this database reads its open dailies again; migration 0009)
        raw.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY")
        for table in tables:  # the copied rows already hold what the triggers would add
            raw.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        for table in tables:
            _copy_table(src, raw, table, batch)
        for table in tables:
            raw.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        _set_identities(src, raw, tables)
        counts = [TableCount(t, source_counts[t], _pg_count(raw, t)) for t in tables]
        wrong = [c for c in counts if c.source != c.target]
        if wrong:
            raise CopyError(
                "counts differ after the copy: "
                + ", ".join(f"{c.table} {c.source} in SQLite, {c.target} in PostgreSQL" for c in wrong)
            )
    return CopyReport(True, bool(held), version, counts)


def _tables_in_order(src: sqlite3.Connection, raw: psycopg.Connection[Any]) -> list[str]:
    """The tables of both schemas, parents (referenced) before children; they must be the same."""
    lite = {
        r[0]
        for r in src.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    pg = {
        r[0]
        for r in raw.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'quizbot_schema'"
        )
    }
    if lite != pg:
        raise CopyError(
            f"the schemas differ: only in SQLite {sorted(lite - pg)}, only in PostgreSQL {sorted(pg - lite)}"
        )
    parents: dict[str, set[str]] = {t: set() for t in pg}
    for child, parent in raw.execute(
        "SELECT c.conrelid::regclass::text, c.confrelid::regclass::text FROM pg_constraint c"
        " JOIN pg_namespace n ON n.oid = c.connamespace"
        " WHERE c.contype = 'f' AND n.nspname = current_schema()"
    ):
        if child != parent:
            parents[child.split(".")[-1].strip('"')].add(parent.split(".")[-1].strip('"'))
    order: list[str] = []
    while parents:
        ready = sorted(t for t, ps in parents.items() if not ps - set(order))
        if not ready:
            raise CopyError(f"the foreign keys form a cycle among {sorted(parents)}")
        order += ready
        for t in ready:
            del parents[t]
    return order


def _columns(src: sqlite3.Connection, raw: psycopg.Connection[Any], table: str) -> list[str]:
    """The table's stored (not generated) columns, in PostgreSQL's order; the same in both."""
    pg = [
        r[0]
        for r in raw.execute(
            "SELECT attname FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0"
            " AND NOT attisdropped AND attgenerated = '' ORDER BY attnum",
            (table,),
        )
    ]
    lite = {r[1] for r in src.execute(f"PRAGMA table_xinfo({table})") if r[6] == 0}
    if set(pg) != lite:
        raise CopyError(f"the columns of {table} differ: SQLite {sorted(lite)}, PostgreSQL {sorted(pg)}")
    return pg


def _copy_table(src: sqlite3.Connection, raw: psycopg.Connection[Any], table: str, batch: int) -> None:
    columns = ", ".join(_columns(src, raw, table))
    rows = src.execute(f"SELECT {columns} FROM {table}")
    with raw.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        while chunk := rows.fetchmany(batch):
            for row in chunk:
                copy.write_row(row)


def _set_identities(src: sqlite3.Connection, raw: psycopg.Connection[Any], tables: list[str]) -> None:
    """Each identity sequence past the highest copied id and SQLite's AUTOINCREMENT mark."""
    has_marks = src.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'").fetchone()
    marks = dict(src.execute("SELECT name, seq FROM sqlite_sequence").fetchall()) if has_marks else {}
    for table, column in raw.execute(
        "SELECT attrelid::regclass::text, attname FROM pg_attribute"
        " WHERE attidentity <> '' AND attrelid = ANY(%s::regclass[])",
        (tables,),
    ).fetchall():
        name = table.split(".")[-1].strip('"')
        top = raw.execute(f"SELECT max({column}) FROM {name}").fetchone()
        highest = max(int(top[0]) if top and top[0] is not None else 0, int(marks.get(name) or 0))
        if highest > 0:
            raw.execute(
                "SELECT setval(pg_get_serial_sequence(%s, %s), %s)",
                (name, column, highest),
            )


def _held(raw: psycopg.Connection[Any], counts: dict[str, int]) -> dict[str, int]:
    """The tables' rows beyond what the migrations themselves write (meta's MIGRATION_META)."""
    made = raw.execute("SELECT count(*) FROM meta WHERE key = ANY(%s)", (list(MIGRATION_META),)).fetchone()
    held = dict(counts)
    held["meta"] = held.get("meta", 0) - (int(made[0]) if made else 0)
    return {t: n for t, n in held.items() if n}


def _count(src: sqlite3.Connection, table: str) -> int:
    return int(src.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def _pg_count(raw: psycopg.Connection[Any], table: str) -> int:
    row = raw.execute(f"SELECT count(*) FROM {table}").fetchone()
    return int(row[0]) if row else 0
