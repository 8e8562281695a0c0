"""`quizbot bank check|show|export|repair`."""

from __future__ import annotations

import argparse
import difflib
import json
import shutil
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from bot.bank.bank import Bank, printable
from bot.bank.loader import load_bank
from bot.bank.model import Question


def add_bank_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    bank = sub.add_parser("bank", help="check, show, export or repair question files")
    cmds = bank.add_subparsers(dest="bank_command", metavar="BANK_COMMAND")

    def usage(args: argparse.Namespace) -> int:  # `quizbot bank` alone: its commands, exit 2
        bank.print_help()
        return 2

    bank.set_defaults(func=usage)

    check = cmds.add_parser("check", help="report every problem as path:line: reason, and a summary")
    check.add_argument("dir", nargs="?", help="bank folder (default: QUESTIONS_DIR)")
    check.add_argument("--strict", action="store_true", help="warnings count as errors too")
    check.add_argument(
        "--exam",
        metavar="NAME",
        help="also check an exam blueprint (key or name): questions in no section, sections too small",
    )
    check.add_argument(
        "--reports",
        action="store_true",
        help="also print members' open reports (DATABASE_PATH) beside each file's problems",
    )
    check.add_argument("--guild", type=int, help="with --reports: only this server's (guild id)")
    check.set_defaults(func=cmd_check)

    show = cmds.add_parser("show", help="print one question (by id, or collection/id)")
    show.add_argument("ref")
    show.add_argument("--dir", help="bank folder (default: QUESTIONS_DIR)")
    show.set_defaults(func=cmd_show)

    export = cmds.add_parser("export", help="print the parsed bank, one object per question")
    export.add_argument("dir", nargs="?", help="bank folder (default: QUESTIONS_DIR)")
    export.add_argument("--format", choices=["json"], default="json")
    export.set_defaults(func=cmd_export)

    repair = cmds.add_parser(
        "repair", help="repair double-encoded (mojibake) files: show a diff, --write to fix"
    )
    repair.add_argument("paths", nargs="+", type=Path)
    repair.add_argument("--write", action="store_true", help="rewrite the files, keeping FILE.bak")
    repair.set_defaults(func=cmd_repair)


def _bank_dir(value: str | None) -> Path:
    if value:
        return Path(value)
    from bot.bank import git as bank_git
    from bot.settings import SettingsError, load_settings

    try:
        settings = load_settings()
        return bank_git.safe_bank_dir(settings.questions_dir, settings.questions_git)
    except (SettingsError, bank_git.GitError) as exc:
        print(f"quizbot: {exc}", file=sys.stderr)
        raise SystemExit(2) from None


def load_for_cli(dir_arg: str | None) -> tuple[Path, Bank]:
    """The bank folder (`dir_arg`, else QUESTIONS_DIR) and the bank read from it; exit 2 with one
    line on stderr when the folder is missing."""
    return _load(dir_arg)


def _load(dir_arg: str | None) -> tuple[Path, Bank]:
    root = _bank_dir(dir_arg)
    if not root.is_dir():
        print(f"quizbot: questions folder not found: {root}", file=sys.stderr)
        raise SystemExit(2)
    return root, load_bank(root)


# ---------------------------------------------------------------------------
# check


def cmd_check(args: argparse.Namespace) -> int:
    root, bank = _load(args.dir)
    out = sys.stdout
    blueprint = bank.blueprint(args.exam) if args.exam else None
    if args.exam and blueprint is None:
        known = ", ".join(bp.key for bp in bank.blueprints) or "none"
        print(f"quizbot: no exam blueprint {args.exam!r}; this bank has: {known}", file=sys.stderr)
        return 2
    lines = []
    for problem in bank.problems:
        tag = "" if problem.severity == "error" else f"{problem.severity}: "
        lines.append(
            (problem.path, problem.line, printable(f"{problem.path}:{problem.line}: {tag}{problem.reason}"))
        )
    reports = None
    if args.reports:  # members' reports (bot/reports_cli.py), each beside its file's problems
        from bot.reports_cli import ReportsError, check_lines, placed, read_reports
        from bot.settings import SettingsError, load_settings

        try:
            reports = placed(read_reports(load_settings().database_path, args.guild), bank)
        except (SettingsError, ReportsError) as exc:
            print(f"quizbot: {exc}", file=sys.stderr)
            return 2
        lines += check_lines(reports)
    for _, _, text in sorted(lines, key=lambda x: (x[0], x[1])):  # (stable: problems first on a line)
        print(text, file=out)
    print(file=out)
    print(summary(bank, root), file=out)
    if reports is not None:
        gone = len({r.report.question_key for r in reports if not r.path})
        print(
            f"  open reports: {len(reports)} on {len({r.report.question_key for r in reports})} question(s)"
            + (f" ({gone} not in the bank any more)" if gone else ""),
            file=out,
        )
    if blueprint is not None:
        # the report allocates a full exam with bot.core.exam, which bot.bank may not import
        from bot.exam_result import exam_report

        print(file=out)
        print(exam_report(bank, blueprint), file=out)
    errors = len(bank.errors) + (len(bank.problems) - len(bank.errors) if args.strict else 0)
    return 1 if errors else 0


def _counts(counter: Counter[str], limit: int = 0) -> str:
    items = sorted(counter.items(), key=lambda kv: (-kv[1], kv[0]))
    if limit and len(items) > limit:
        shown = ", ".join(f"{k} {v}" for k, v in items[:limit])
        return f"{shown}, … ({len(items) - limit} more)"
    return ", ".join(f"{k} {v}" for k, v in items) or "-"


def summary(bank: Bank, root: Path | None = None) -> str:
    qs = bank.questions
    lines = [
        f"Bank: {root}" if root else "Bank:",
        f"  questions: {len(qs)} ({sum(1 for q in qs if q.choose > 1)} choose-several, "
        f"{sum(1 for q in qs if q.disputed)} disputed, {sum(1 for q in qs if not q.has_explanation)} without explanation)",
        f"  files read: {bank.files_read}; copies merged: {bank.copies_merged}; "
        f"repaired encoding: {len(bank.repaired)}",
        f"  errors: {len(bank.errors)}; warnings: {len(bank.problems) - len(bank.errors)}",
        f"  files skipped: {len(bank.skipped)}",
    ]
    for s in bank.skipped:
        lines.append(printable(f"    {s.path}: {s.reason}"))
    lines += [
        f"  by collection: {_counts(Counter(q.collection or '(root)' for q in qs))}",
        f"  by format: {_counts(Counter(q.format for q in qs))}",
        f"  by difficulty: {_counts(Counter(q.difficulty or '(none)' for q in qs))}",
        f"  by domain: {_counts(Counter(q.domain or '(none)' for q in qs), 15)}",
        f"  by topic: {_counts(bank.topic_counts(), 40)}",
        f"  by trap: {_counts(bank.trap_counts(), 40)}",
        f"  topic groups (topics.yaml): {_groups(bank)}",
        f"  exam blueprints: {_blueprints(bank)}",
        f"  answers: {_counts(Counter(','.join(q.answer) for q in qs))}",
    ]
    return "\n".join(lines)


def _blueprints(bank: Bank) -> str:
    """Each blueprint's key, and where it comes from (`bank check --exam KEY` checks one)."""
    shown = [f"{bp.key} ({'built-in' if bp.builtin else bp.path})" for bp in bank.blueprints]
    return ", ".join(shown) or "-"


def _groups(bank: Bank) -> str:
    """Each topics.yaml group with the number of questions it selects (bot/bank/topics.py)."""
    counts = Counter({g.name: sel.count for g in bank.topic_groups if (sel := bank.topics.resolve(g.name))})
    return _counts(counts, 40)


# ---------------------------------------------------------------------------
# show / export


def cmd_show(args: argparse.Namespace) -> int:
    _, bank = _load(args.dir)
    found = bank.find(args.ref)
    if not found:
        close = bank.closest(args.ref)
        hint = f" Closest: {', '.join(close)}." if close else ""
        print(f"quizbot: no question {args.ref!r}.{hint}", file=sys.stderr)
        return 1
    if len(found) > 1:
        print(f"{args.ref} names {len(found)} questions; showing all (use collection/id for one):\n")
    for q in found:
        print(format_question(q))
        print()
    return 0


def format_question(q: Question) -> str:
    out = [f"{q.key}  ({q.path}{':' + str(q.line) if q.line > 1 else ''})"]
    meta = [x for x in (q.difficulty, q.domain, q.source) if x]
    if meta:
        out.append(" · ".join(meta))
    if q.topics:
        out.append("Topics: " + ", ".join(q.topics))
    if q.traps:
        out.append("Traps: " + ", ".join(q.traps))
    out += ["", q.stem, ""]
    if q.choose > 1:
        out.append(f"(choose {q.choose})")
    for letter, text in q.options.items():
        mark = "*" if letter in q.answer else " "
        body = text.replace("\n", "\n     ")
        out.append(f"{mark} {letter}. {body}")
    out += ["", f"Answer: {', '.join(q.answer)}"]
    if q.community_answer:
        out.append(f"Community: {q.community_answer}")
    if q.disputed:
        out.append(f"Disputed: {export_dispute_note(q) or 'yes'}")
    if q.also_in:
        out.append("Copies: " + ", ".join(q.also_in))
    out.append("Sections: " + (", ".join(s.title for s in q.sections) or "(no explanation)"))
    return "\n".join(out)


def export_record(q: Question) -> dict[str, Any]:
    return {
        "key": q.key,
        "id": q.id,
        "collection": q.collection,
        "path": q.path,
        "line": q.line,
        "also_in": list(q.also_in),
        "aliases": list(q.aliases),
        "format": q.format,
        "source": q.source,
        "difficulty": q.difficulty,
        "topics": list(q.topics),
        "traps": list(q.traps),
        "domain": q.domain,
        "stem": q.stem,
        "options": dict(q.options),
        "answer": list(q.answer),
        "source_answer": q.source_answer,
        "community_answer": q.community_answer,
        "disputed": q.disputed,
        "dispute_note": export_dispute_note(q),
        "copies_disagree": [
            {"where": where, "answer": letters.split(",")} for where, letters in q.disagreement
        ],
        "section_headings": [s.title for s in q.sections],
        "rationale_letters": sorted(q.rationales),
        "references": [{"title": r.title, "url": r.url} for r in q.references],
    }


def export_dispute_note(q: Question) -> str | None:
    """The file's dispute note and, when copies disagree, the sentence members see (in English)."""
    if not q.disagreement:
        return q.dispute_note
    from bot.i18n import EN, t

    copies = t("list.sep", EN).join(
        t("answer.copy_says", EN, where=where, letters=letters) for where, letters in q.disagreement
    )
    sentence = t("answer.copies_disagree", EN, copies=copies)
    return f"{q.dispute_note}\n{sentence}" if q.dispute_note else sentence


def cmd_export(args: argparse.Namespace) -> int:
    _, bank = _load(args.dir)
    json.dump([export_record(q) for q in bank.questions], sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")
    return 0


# ---------------------------------------------------------------------------
# repair


def cmd_repair(args: argparse.Namespace) -> int:
    from bot.bank import mojibake

    status = 0
    for path in args.paths:
        try:
            original = path.read_bytes().decode("utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            print(f"{path}: cannot read as UTF-8: {exc}", file=sys.stderr)
            status = 1
            continue
        if not mojibake.needs_repair(original):
            print(f"{path}: clean, nothing to repair")
            continue
        result = mojibake.repair(original)
        diff = difflib.unified_diff(
            original.splitlines(keepends=True),
            result.text.splitlines(keepends=True),
            fromfile=f"{path} (as found)",
            tofile=f"{path} (repaired)",
        )
        sys.stdout.writelines(diff)
        print(
            f"{path}: code page {result.codepage}; {result.rebuilt} characters rebuilt, "
            f"{result.uncertain} uncertain"
        )
        for fix in result.fixes:
            if fix.alternatives and fix.odds < mojibake.UNCERTAIN_RATIO:
                others = ", ".join(map(repr, fix.alternatives[:3]))
                print(f"  uncertain {path}:{fix.line}:{fix.column}: chose {fix.replacement!r} over {others}")
        if mojibake.needs_repair(result.text):
            print(f"{path}: still double-encoded after repair; left unchanged", file=sys.stderr)
            status = 1
            continue
        if args.write:
            backup = path.with_name(path.name + ".bak")
            shutil.copy2(path, backup)
            path.write_text(result.text, encoding="utf-8", newline="")
            print(f"{path}: rewritten (backup: {backup})")
    return status
