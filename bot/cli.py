"""The `quizbot` command."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from bot.settings import SettingsError, load_settings


def _cmd_run(args: argparse.Namespace) -> int:
    try:
        settings = load_settings()
        token = settings.require_token()
    except SettingsError as exc:
        print(f"quizbot: {exc}", file=sys.stderr)
        return 2
    from bot.runner import run_bot

    return run_bot(settings, token)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="quizbot", description="Exam practice for Discord study groups.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    run = sub.add_parser("run", help="run the Discord bot (settings from the environment or .env)")
    run.set_defaults(func=_cmd_run)
    from bot.bank.cli import add_bank_commands

    add_bank_commands(sub)
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
