"""Read a bank directory tree into a `Bank` (work in progress: parsers land next)."""

from __future__ import annotations

from pathlib import Path

from bot.bank.bank import Bank


def load_bank(root: str | Path) -> Bank:
    root = Path(root)
    if not root.is_dir():
        return Bank()
    return Bank()
