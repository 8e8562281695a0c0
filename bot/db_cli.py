"""`quizbot migrate-db`: move a group's SQLite database into PostgreSQL (docs/scaling.md)."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from bot.settings import SettingsError, load_settings

_PG_URL = re.compile(r"^postgres(ql)?://", re.IGNORECASE)


def add_migrate_db_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--to", required=True, metavar="URL", help="the target: postgresql://user@host/db")
    parser.add_argument(
        "--from", dest="source", metavar="PATH", help="the SQLite database (default: DATABASE_PATH)"
    )
    parser.add_argument(
        "--force", action="store_true", help="empty a PostgreSQL database that holds other data first"
    )


def run_migrate_db(args: argparse.Namespace) -> int:
    """Copy, then print each table's counts; exit 2 with one line when refused or failed."""
    from bot.storage.postgres.copy import CopyError, copy_sqlite_to_postgres

    if not _PG_URL.match(args.to):
        return _fail(f"--to must be a postgresql:// URL, got {_redact(args.to)!r}")
    try:
        source = Path(args.source) if args.source else load_settings().database_path
    except SettingsError as exc:
        return _fail(str(exc))
    try:
        report = copy_sqlite_to_postgres(source, args.to, force=args.force)
    except CopyError as exc:
        return _fail(str(exc))
    width = max((len(c.table) for c in report.counts), default=5)
    print(f"{'table':<{width}}  {'SQLite':>10}  {'PostgreSQL':>10}")
    for c in report.counts:
        print(f"{c.table:<{width}}  {c.source:>10}  {c.target:>10}  ok")
    total = sum(c.target for c in report.counts)
    if report.copied:
        emptied = " (emptied first)" if report.emptied else ""
        print(
            f"copied {source} to {_redact(args.to)}{emptied}: {len(report.counts)} tables, {total} rows, "
            f"every count verified, schema version {report.schema_version}"
        )
    else:
        print(f"{_redact(args.to)} already holds this copy (every table has the same count): nothing copied")
    return 0


def _redact(url: str) -> str:
    return re.sub(r"(//[^:/@]+):[^@/]*@", r"\1:***@", url)


def _fail(message: str) -> int:
    print(f"quizbot migrate-db: {message}", file=sys.stderr)
    return 2
