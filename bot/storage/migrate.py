"""Numbered schema migrations, kept as package files `migrations/NNNN_name.sql`.

The schema version is `PRAGMA user_version`. Each pending migration runs in one transaction
together with the version bump, so a migration is either wholly applied or not at all.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

_NAME_RE = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def load_migrations() -> list[Migration]:
    """All migrations shipped in bot/storage/migrations, by version; versions must be 1, 2, 3..."""
    found: list[Migration] = []
    for entry in resources.files("bot.storage").joinpath("migrations").iterdir():
        m = _NAME_RE.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda mig: mig.version)
    for expected, mig in enumerate(found, start=1):
        if mig.version != expected:
            raise RuntimeError(f"migrations must be numbered 0001, 0002, ... without gaps: {mig.name}")
    return found


def schema_version(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, migrations: list[Migration] | None = None) -> list[int]:
    """Apply the pending migrations; return the versions applied (empty if up to date).

    `conn` must be in autocommit mode (isolation_level=None). Safe to run again and from two
    processes at once: a migration that lost the race is rolled back and found applied.
    """
    migrations = load_migrations() if migrations is None else migrations
    latest = migrations[-1].version if migrations else 0
    current = schema_version(conn)
    if current > latest:
        raise RuntimeError(
            f"the database schema is version {current}, newer than this code knows ({latest}); "
            "run a newer quizbot or restore a backup"
        )
    applied: list[int] = []
    for mig in migrations:
        if mig.version <= current:
            continue
        # executescript() would COMMIT an open transaction first, so the script opens its own.
        script = f"BEGIN IMMEDIATE;\n{mig.sql}\n;\nPRAGMA user_version = {mig.version};\nCOMMIT;\n"
        try:
            conn.executescript(script)
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if schema_version(conn) >= mig.version:  # another process applied it meanwhile
                current = schema_version(conn)
                continue
            raise
        current = mig.version
        applied.append(mig.version)
    return applied


def probe_writable(path: str | Path) -> int:
    """The schema version of the database at `path`, after proving it can be written (the write
    lock is taken and released; nothing changes). Raises sqlite3.Error otherwise."""
    conn = sqlite3.connect(path, isolation_level=None, timeout=10)
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        conn.execute("BEGIN IMMEDIATE")  # fails on a read-only database
        conn.execute("ROLLBACK")
        return version
    finally:
        conn.close()


def backup_file(source: str | Path, target: str | Path) -> tuple[list[str], int]:
    """Copy the database with SQLite's online backup API on a plain connection (opening it through
    Storage would first apply pending migrations), then check the copy: (integrity problems,
    schema version of the copy)."""
    from bot.storage.sqlite.admin import backup_to, integrity_check

    src = sqlite3.connect(source, timeout=30)
    try:
        backup_to(src, str(target))
    finally:
        src.close()
    check = sqlite3.connect(target)
    try:
        return integrity_check(check), schema_version(check)
    finally:
        check.close()
