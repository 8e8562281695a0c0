"""`quizbot reports export` and `quizbot bank check --reports`: members' open reports (from
DATABASE_PATH) placed in the bank's files by path and line, ready to paste into the group's Git
issue tracker or to fix in the files. See docs/reports.md.

The reports are read through `bot.storage` and placed with the bank as loaded now
(`Question.path` / `Question.line`); a report whose question left the bank is listed last, by key.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import sqlite3
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from bot.bank.bank import Bank, printable
from bot.core.export import csv_cell
from bot.core.reports import ExportRow, Report, export_order
from bot.i18n import EN, t


class ReportsError(Exception):
    """Why the reports cannot be read (one line for the terminal)."""


def _check_guild(value: str) -> int:
    if not value.strip().isdigit() or not 15 <= len(value.strip()) <= 21:
        raise argparse.ArgumentTypeError(f"must be a Discord id (a number of 15-21 digits), got {value!r}")
    return int(value)


def add_reports_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    reports = sub.add_parser("reports", help="members' reports of broken questions (from DATABASE_PATH)")
    cmds = reports.add_subparsers(dest="reports_command", metavar="REPORTS_COMMAND")

    def usage(args: argparse.Namespace) -> int:
        reports.print_help()
        return 2

    reports.set_defaults(func=usage)
    export = cmds.add_parser("export", help="the open reports grouped by file and line, as Markdown or CSV")
    add_guild_argument(export)
    export.add_argument("--format", choices=["md", "csv"], default="md", help="Markdown (default) or CSV")
    export.add_argument("--dir", help="bank folder (default: QUESTIONS_DIR)")
    export.add_argument("--output", metavar="FILE", help="write here instead of stdout")
    export.set_defaults(func=cmd_export)


def add_guild_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--guild", type=_check_guild, help="only this server (guild id; default: every server)"
    )


def read_reports(database: Path, guild_id: int | None) -> list[Report]:
    """The open reports in the database (of one server, or all); ReportsError when it cannot be read."""
    if not database.is_file():
        raise ReportsError(f"database not found: {database} (set DATABASE_PATH)")
    from bot.storage import open_store

    async def read() -> list[Report]:
        async with await open_store(database) as store:
            return await store.open_reports(guild_id)

    try:
        return asyncio.run(read())
    except (sqlite3.Error, RuntimeError, ValueError) as exc:
        raise ReportsError(f"cannot read {database}: {exc}") from None


def placed(reports: Sequence[Report], bank: Bank) -> list[ExportRow]:
    """Each report where its question is in the bank now, by file, line and time."""
    rows = []
    for r in reports:
        q = bank.get(r.question_key)
        if q is None:
            rows.append(ExportRow("", 0, r.question_key.rsplit("/", 1)[-1], r))
        else:
            rows.append(ExportRow(q.path, q.line, q.id, r))
    return export_order(rows)


def _when(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def _kind(r: Report) -> str:
    return t(f"report.kind.{r.kind}", EN)


def _member(r: Report) -> str:
    return f"{r.display_name or 'member'} ({r.user_id})"


def markdown(rows: Sequence[ExportRow], *, now: datetime) -> str:
    """The reports under one heading per file and one per line (question), each a task item."""
    questions = len({r.report.question_key for r in rows})
    out = [f"# Open reports: {len(rows)} on {questions} question(s)", "", f"Exported {_when(now)}."]
    path = line_key = None
    for row in rows:
        r = row.report
        if row.path != path:
            path, line_key = row.path, None
            out += ["", f"## `{row.path}`" if row.path else "## Not in the bank any more"]
        if (row.line, r.question_key) != line_key:
            line_key = (row.line, r.question_key)
            members = len({x.report.user_id for x in rows if x.report.question_key == r.question_key})
            where = f"line {row.line} · " if row.path else ""
            out += ["", f"### {where}{row.question_id} (`{r.question_key}`) · {members} member(s)", ""]
        commit = f" · bank commit `{r.bank_commit[:10]}`" if r.bank_commit else ""
        out.append(
            f"- [ ] **{_kind(r)}** · {_member(r)} · server {r.guild_id} · {_when(r.created_at)}{commit}"
        )
        out += ["  > " + text for text in r.note.splitlines() or [""]]
    return "\n".join(out) + "\n"


CSV_COLUMNS = (
    "path",
    "line",
    "question_id",
    "question_key",
    "guild_id",
    "report_id",
    "created_at",
    "kind",
    "member",
    "user_id",
    "bank_commit",
    "note",
)


def csv_text(rows: Sequence[ExportRow]) -> str:
    """One row per report (CSV_COLUMNS), in the same order as the Markdown; a member's text never
    reads as a spreadsheet formula (bot.core.export.csv_cell)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        r = row.report
        cells = (
            row.path,
            row.line or "",
            row.question_id,
            r.question_key,
            r.guild_id,
            r.report_id,
            r.created_at.astimezone(UTC).isoformat(),
            r.kind,
            r.display_name or "",
            r.user_id,
            r.bank_commit or "",
            r.note,
        )
        writer.writerow([csv_cell(c) for c in cells])
    return buffer.getvalue()


def check_lines(rows: Sequence[ExportRow]) -> list[tuple[str, int, str]]:
    """`bank check --reports`: (path, line, text) per report, to sort among the file's problems."""
    out = []
    for row in rows:
        r = row.report
        note = " ".join(r.note.split())
        note = note if len(note) <= 100 else note[:99] + "…"
        where = row.path or f"(not in the bank) {r.question_key}"
        text = f"{where}:{row.line}: report: {_kind(r)} by {_member(r)}, {_when(r.created_at)}: {note}"
        out.append((row.path or "\uffff", row.line, printable(text)))
    return out


def cmd_export(args: argparse.Namespace) -> int:
    from bot.bank.commands import load_for_cli
    from bot.settings import SettingsError, load_settings

    try:
        database = load_settings().database_path
    except SettingsError as exc:
        print(f"quizbot: {exc}", file=sys.stderr)
        return 2
    _, bank = load_for_cli(args.dir)
    try:
        rows = placed(read_reports(database, args.guild), bank)
    except ReportsError as exc:
        print(f"quizbot: {exc}", file=sys.stderr)
        return 2
    text = csv_text(rows) if args.format == "csv" else markdown(rows, now=datetime.now(UTC))
    if args.output:
        try:
            encoding = "utf-8-sig" if args.format == "csv" else "utf-8"  # spreadsheets read CJK then
            with open(args.output, "w", encoding=encoding, newline="") as out:
                out.write(text)
        except OSError as exc:
            print(f"quizbot: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
            return 2
    else:
        sys.stdout.write(text)
    if not rows:
        print("quizbot: no open report" + (f" in guild {args.guild}" if args.guild else ""), file=sys.stderr)
    return 0
