"""PostgreSQL's numbered migrations, `bot/storage/postgres/migrations/NNNN_name.sql`: the same
versions as SQLite's (bot/storage/migrations), in PostgreSQL's dialect, so `schema_version` means
the same schema on both. The version is the one row of `quizbot_schema`; each pending migration
runs in one transaction with the version bump, under an advisory lock (two processes starting
at once apply each migration once)."""

from __future__ import annotations

from importlib import resources

from bot.storage.migrate import _NAME_RE, Migration
from bot.storage.postgres.dialect import PgConnection

MIGRATE_LOCK = 0x5155_495B


def load_migrations() -> list[Migration]:
    """Every PostgreSQL migration, by version; versions must be 1, 2, 3..."""
    found: list[Migration] = []
    for entry in resources.files("bot.storage.postgres").joinpath("migrations").iterdir():
        m = _NAME_RE.match(entry.name)
        if m:
            found.append(Migration(int(m.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort(key=lambda mig: mig.version)
    for expected, mig in enumerate(found, start=1):
        if mig.version != expected:
            raise RuntimeError(f"migrations must be numbered 0001, 0002, ... without gaps: {mig.name}")
    return found


def schema_version(conn: PgConnection) -> int:
    row = conn.raw.execute(
        "SELECT to_regclass('quizbot_schema') IS NOT NULL",
    ).fetchone()
    if not row or not row[0]:
        return 0
    version = conn.raw.execute("SELECT version FROM quizbot_schema").fetchone()
    return int(version[0]) if version else 0


def migrate(conn: PgConnection, migrations: list[Migration] | None = None) -> list[int]:
    """Apply the pending migrations; the versions applied (empty if up to date)."""
    migrations = load_migrations() if migrations is None else migrations
    latest = migrations[-1].version if migrations else 0
    raw = conn.raw
    applied: list[int] = []
    with raw.transaction():
        raw.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
        raw.execute("CREATE TABLE IF NOT EXISTS quizbot_schema (version BIGINT NOT NULL)")
        if raw.execute("SELECT count(*) FROM quizbot_schema").fetchone() == (0,):
            raw.execute("INSERT INTO quizbot_schema (version) VALUES (0)")
        current = schema_version(conn)
        if current > latest:
            raise RuntimeError(
                f"the database schema is version {current}, newer than this code knows ({latest}); "
                "run a newer quizbot or restore a backup"
            )
        for mig in migrations:
            if mig.version <= current:
                continue
            with raw.transaction():  # a savepoint: the whole migration or none of it
                raw.execute(mig.sql.encode(), prepare=False)  # a script: simple protocol
                raw.execute("UPDATE quizbot_schema SET version = %s", (mig.version,))
            applied.append(mig.version)
    return applied
