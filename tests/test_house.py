"""The house keeps its shape (issue 16, docs/architecture.md): one job per file, small functions,
imports that never run upward, cogs that share through `bot.services` rather than each other, and
discord.py's internals behind one adapter."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

BOT = Path(__file__).resolve().parents[1] / "bot"
#: Every module but the message catalog (two languages of every string the bot says).
MODULES = sorted(p for p in BOT.rglob("*.py") if p != BOT / "i18n.py")
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
#: What only bot/discord_internals.py may touch.
INTERNALS = re.compile(
    r"\._connection\b|\._session\b|\._response_type\b|\basync_context\b|\bRoute\.BASE\b|\bDEFAULT_GATEWAY\b"
)


def _name(path: Path) -> str:
    return str(path.relative_to(BOT.parent))


@pytest.mark.parametrize("path", MODULES, ids=_name)
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


#: What each part may import from the others (docs/architecture.md): nothing runs upward.
MAY_NOT_IMPORT = {
    "bank": ("discord", "bot.core", "bot.storage", "bot.render", "bot.cogs", "bot.app", "aiosqlite"),
    "core": (
        "discord",
        "bot.bank",
        "bot.storage",
        "bot.render",
        "bot.cogs",
        "bot.app",
        "aiosqlite",
        "sqlite3",
    ),
    "storage": ("discord", "bot.bank", "bot.render", "bot.cogs", "bot.app"),
    "render": ("bot.storage", "bot.cogs", "bot.app", "aiosqlite", "sqlite3"),
    # the web dashboard reads storage through the Store protocol only, and knows no discord
    "web": ("discord", "bot.cogs", "bot.app", "bot.render", "aiosqlite", "sqlite3", "bot.storage.sqlite"),
}


def _imports(path: Path) -> list[str]:
    names: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


@pytest.mark.parametrize("part", sorted(MAY_NOT_IMPORT))
def test_no_import_runs_upward(part: str) -> None:
    banned = MAY_NOT_IMPORT[part]
    found = [
        f"{_name(p)} imports {name}"
        for p in sorted((BOT / part).rglob("*.py"))
        for name in _imports(p)
        if any(name == b or name.startswith(b + ".") for b in banned)
    ]
    assert found == []
