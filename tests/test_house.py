"""The Discord side keeps its shape (issue 16): one job per file, small functions, cogs that share
through `bot.services` rather than each other, and discord.py's internals behind one adapter."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"
#: The Discord side: the cogs, the client, the process and the command line.
DISCORD_SIDE = sorted(
    [
        *BOT.glob("cogs/**/*.py"),
        BOT / "app.py",
        BOT / "cli.py",
        BOT / "runner.py",
        BOT / "discord_internals.py",
    ]
)
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
#: What only bot/discord_internals.py may touch.
INTERNALS = re.compile(
    r"\._connection\b|\._session\b|\._response_type\b|\basync_context\b|\bRoute\.BASE\b|\bDEFAULT_GATEWAY\b"
)


def _name(path: Path) -> str:
    return str(path.relative_to(BOT.parent))


@pytest.mark.parametrize("path", DISCORD_SIDE, ids=_name)
def test_modules_and_functions_stay_small(path: Path) -> None:
    source = path.read_text(encoding="utf-8")
    assert len(source.splitlines()) <= MAX_MODULE_LINES
    long = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            start = min([d.lineno for d in node.decorator_list] + [node.lineno])
            assert node.end_lineno is not None
            if node.end_lineno - start + 1 > MAX_FUNCTION_LINES:
                long.append(f"{node.name} (line {node.lineno})")
    assert long == []


def test_no_cog_reads_another_cog() -> None:
    found = [_name(p) for p in BOT.rglob("*.py") if "get_cog(" in p.read_text(encoding="utf-8")]
    assert found == []


def test_discord_internals_are_used_in_one_module_only() -> None:
    found = [
        f"{_name(p)}:{n}"
        for p in BOT.rglob("*.py")
        if p.name != "discord_internals.py"
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if INTERNALS.search(line)
    ]
    assert found == []
