"""`quizbot bank ...` subcommands."""

from __future__ import annotations

import argparse


def add_bank_commands(sub: argparse._SubParsersAction) -> None:
    bank = sub.add_parser("bank", help="check, show, export or repair question files")
    bank.add_subparsers(dest="bank_command", metavar="BANK_COMMAND")
