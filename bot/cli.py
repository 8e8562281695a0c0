"""The `quizbot` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, NoReturn

from bot.settings import Settings, SettingsError, load_settings

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from bot.core.models import ScoreRow
    from bot.core.periods import PeriodKind


def _bot_settings(args: argparse.Namespace | None = None) -> tuple[Settings, str] | None:
    """(settings, token) for a command that logs in, with the bank folder and the database path
    checked (and `quizbot run --shards/--shard-count` over SHARD_IDS/SHARD_COUNT); None after one
    line on stderr (exit code 2)."""
    try:
        settings = load_settings()
        shards, count = getattr(args, "shards", None), getattr(args, "shard_count", None)
        if shards is not None or count is not None:
            from dataclasses import replace

            from bot.settings import with_shards

            if count is None and settings.shard_count is not None and shards is not None:
                count = str(settings.shard_count)
            base = replace(settings, shard_ids=None, shard_count=None)
            settings = with_shards(base, shards, count, source="cli")
        token = settings.require_token()
        from bot.runner import check_paths

        check_paths(settings)
    except SettingsError as exc:
        print(f"quizbot: {exc}", file=sys.stderr)
        return None
    return settings, token


def _cmd_run(args: argparse.Namespace) -> int:
    checked = _bot_settings(args)
    if checked is None:
        return 2
    from bot.runner import check_dashboard, run_bot

    try:
        check_dashboard(checked[0])
    except SettingsError as exc:
        print(f"quizbot: {exc}", file=sys.stderr)
        return 2

    return run_bot(*checked)


# --- sync, invite, backup, practice, exam (docs/deploy.md, docs/exam.md)


def _cmd_sync(args: argparse.Namespace) -> int:
    checked = _bot_settings()
    if checked is None:
        return 2
    from bot.runner import sync_commands

    return sync_commands(*checked)


def _cmd_invite(args: argparse.Namespace) -> int:
    from bot.invite import InviteError, client_id_from_token, explain, invite_url

    client_id = args.client_id
    if client_id is None:
        try:
            client_id = client_id_from_token(load_settings().require_token())
        except (SettingsError, InviteError) as exc:
            print(f"quizbot: {exc} (or pass --client-id)", file=sys.stderr)
            return 2
    print(invite_url(client_id, guild_id=args.guild))
    if not args.url_only:
        print()
        print(explain())
    return 0


def _cmd_backup(args: argparse.Namespace) -> int:
    import os
    import sqlite3
    from pathlib import Path

    from bot.storage import migrate

    try:
        settings = load_settings()
    except SettingsError as exc:
        return _fail(str(exc))
    if settings.database_url:
        return _fail(
            "DATABASE_URL names a PostgreSQL database: back it up with pg_dump "
            '(e.g. pg_dump --format=custom --file=quizbot.dump "$DATABASE_URL"); quizbot backup copies SQLite files'
        )
    source = settings.database_path
    target = Path(args.path)
    if not source.is_file():
        return _fail(f"no database at {str(source)!r} (DATABASE_PATH)")
    if target.exists() and (target.is_dir() or target.resolve() == source.resolve()):
        return _fail(f"{str(target)!r} is a folder or the database itself; give a new file name")
    if target.exists() and not args.force:
        return _fail(f"{str(target)!r} exists; pass --force to replace it")
    partial = target.with_name(target.name + ".partial")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        partial.unlink(missing_ok=True)
        problems, version = migrate.backup_file(source, partial)
        if problems:
            partial.unlink(missing_ok=True)
            return _fail(f"the copy failed its integrity check: {problems[0]}")
        os.replace(partial, target)
    except (sqlite3.Error, OSError) as exc:
        partial.unlink(missing_ok=True)
        return _fail(f"backup to {str(target)!r} failed: {exc}")
    print(f"backup written: {target} ({target.stat().st_size} bytes, schema version {version}, integrity ok)")
    return 0


def _cmd_practice(args: argparse.Namespace) -> int:
    from bot.practice import run_practice

    return run_practice(args)


def _cmd_exam(args: argparse.Namespace) -> int:
    from bot.exam_cli import run_exam

    return run_exam(args)


def _add_ops_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sync = sub.add_parser("sync", help="sync the slash commands with Discord now, even if unchanged")
    sync.set_defaults(func=_cmd_sync)

    invite = sub.add_parser(
        "invite", help="print the link that adds the bot to a server, and why each permission"
    )
    invite.add_argument("--client-id", type=int, help="application id (default: read from DISCORD_TOKEN)")
    invite.add_argument("--guild", type=int, help="preselect this server (guild id) on the invite page")
    invite.add_argument("--url-only", action="store_true", help="print only the URL")
    invite.set_defaults(func=_cmd_invite)

    backup = sub.add_parser("backup", help="copy the database (safe while the bot runs) to PATH")
    backup.add_argument("path", metavar="PATH")
    backup.add_argument("--force", action="store_true", help="replace PATH if it exists")
    backup.set_defaults(func=_cmd_backup)

    from bot.db_cli import add_migrate_db_arguments, run_migrate_db

    migrate_db = sub.add_parser(
        "migrate-db", help="copy the SQLite database (DATABASE_PATH or --from) into PostgreSQL (--to URL)"
    )
    add_migrate_db_arguments(migrate_db)
    migrate_db.set_defaults(func=run_migrate_db)

    from bot.practice import add_practice_arguments

    practice = sub.add_parser("practice", help="answer questions from the bank in the terminal (no Discord)")
    add_practice_arguments(practice)
    practice.set_defaults(func=_cmd_practice)

    from bot.exam_cli import add_exam_arguments

    exam = sub.add_parser("exam", help="a timed mock exam from the bank in the terminal (no Discord)")
    add_exam_arguments(exam)
    exam.set_defaults(func=_cmd_exam)


# --- export-scores


def _add_export_scores(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    from bot.core.periods import PERIOD_KINDS

    export = sub.add_parser(
        "export-scores", help="print one server's scores (from DATABASE_PATH) as CSV or JSON"
    )
    export.add_argument("--guild", required=True, type=_snowflake_arg, help="the server (guild) id")
    export.add_argument("--format", required=True, choices=["csv", "json"])
    export.add_argument(
        "--period",
        choices=PERIOD_KINDS,
        default="all",
        help="this week / this month in the server's time zone, or all time (default)",
    )
    export.add_argument("--output", metavar="FILE", help="write here instead of stdout")
    export.set_defaults(func=_cmd_export_scores)

    def one_line_error(message: str) -> NoReturn:
        print(f"quizbot export-scores: {message} (see quizbot export-scores --help)", file=sys.stderr)
        raise SystemExit(2)

    # argparse offers no other hook for its error line than replacing the method
    export.error = one_line_error  # type: ignore[method-assign]


def _snowflake_arg(value: str) -> int:
    if not value.strip().isdigit() or not 15 <= len(value.strip()) <= 21:
        raise argparse.ArgumentTypeError(f"must be a Discord id (a number of 15-21 digits), got {value!r}")
    return int(value)


def _cmd_export_scores(args: argparse.Namespace) -> int:
    """Read the server's scores, format them (bot.core.export, as /quizadmin export does), write."""
    import sqlite3
    from datetime import UTC, datetime

    from bot.core.export import score_records, scores_csv, scores_json

    try:
        path = load_settings().database_path
    except SettingsError as exc:
        return _fail(str(exc))
    if not path.is_file():
        return _fail(f"database not found: {path} (set DATABASE_PATH)")
    now = datetime.now(UTC)
    try:
        period_key, rows = _read_scores(path, args.guild, args.period, now)
    except (sqlite3.Error, RuntimeError, ValueError) as exc:
        return _fail(f"cannot read {path}: {exc}")
    records = score_records(rows)
    text = scores_json(args.guild, period_key, now, records) if args.format == "json" else scores_csv(records)
    if args.output:
        # A CSV file gets a BOM so spreadsheet programs read CJK names as UTF-8.
        encoding = "utf-8-sig" if args.format == "csv" else "utf-8"
        try:
            with open(args.output, "w", encoding=encoding, newline="") as out:
                out.write(text)
        except OSError as exc:
            return _fail(f"cannot write {args.output}: {exc.strerror or exc}")
    else:
        sys.stdout.write(text)
    if not rows:
        print(f"quizbot: no scores for guild {args.guild} ({period_key})", file=sys.stderr)
    return 0


def _read_scores(path: Path, guild_id: int, period: PeriodKind, now: datetime) -> tuple[str, list[ScoreRow]]:
    """(the period's bucket key, the rows) of one server, read through Storage."""
    import asyncio

    from bot.storage import open_store

    async def read() -> tuple[str, list[ScoreRow]]:
        async with await open_store(path) as storage:
            key = await storage.period_key(guild_id, period, at=now)
            return key, await storage.export_scores(guild_id, period, at=now)

    return asyncio.run(read())


def _fail(message: str) -> int:
    print(f"quizbot: {message}", file=sys.stderr)
    return 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quizbot", description="Exam practice for Discord study groups.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser("run", help="run the Discord bot (settings from the environment or .env)")
    run.add_argument(
        "--shards", metavar="IDS", help="the shards this process holds, e.g. 0-3 or 0,2 (over SHARD_IDS)"
    )
    run.add_argument(
        "--shard-count", metavar="N", help="the number of shards over all processes (over SHARD_COUNT)"
    )
    run.set_defaults(func=_cmd_run)
    _add_ops_commands(sub)
    from bot.bank.commands import add_bank_commands

    _add_export_scores(sub)

    add_bank_commands(sub)
    from bot.reports_cli import add_reports_commands

    add_reports_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:  # `quizbot bank export | head`
        return 0
