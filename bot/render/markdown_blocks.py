"""Markdown's block structure as the renderer needs it: the markdown-it-py parser (blocks only), the
prefixes (quote markers, indentation, list markers) in front of a line, and code fences. Shared by
`discord_markdown` (conversion) and `paginate`."""

from __future__ import annotations

import importlib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

# markdown-it pads every table row that has fewer cells than the header with empty cells, up to
# MAX_AUTOCOMPLETED_CELLS (65,536) per table, its own guard against quadratic output. 65,536
# cells are ~0.6 s of tokens and padding here, from a 10 KB table (100 columns, one-cell rows);
# no real table pads more than a few hundred, and past the limit the rest of the table is read
# as a paragraph. Only ever lowered: this process has no other use for markdown-it tables.
MAX_PADDED_CELLS = 1024
_md_table = importlib.import_module("markdown_it.rules_block.table")  # the module, not its function
if hasattr(_md_table, "MAX_AUTOCOMPLETED_CELLS"):  # tests/test_render_discord_markdown.py pins it
    # set in the module's namespace: a module object has no attribute a type checker can assign
    vars(_md_table)["MAX_AUTOCOMPLETED_CELLS"] = min(_md_table.MAX_AUTOCOMPLETED_CELLS, MAX_PADDED_CELLS)

# Only the block structure is needed (inline tokens keep their raw text in .content), so the
# inline parse, most of the work, is switched off.
MD = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).disable("inline")

# Blockquote markers and indentation in front of a line's content.
CONTAINER_PREFIX = re.compile(r"^(?:[ \t]*>)*[ \t]*")
# The same, plus one list marker (the first line of a list item).
ITEM_PREFIX = re.compile(r"^(?:[ \t]*>)*[ \t]*(?:(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$))?[ \t]*")
_LIST_MARKER = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)")
FENCE_OPEN = re.compile(r"^(?P<prefix>.*?)(?P<marker>`{3,}|~{3,})(?P<info>.*)$")
FENCE_CLOSE = re.compile(r"^(?:[ \t]*>)*[ \t]*(?P<marker>`{3,}|~{3,})[ \t]*$")


@dataclass(frozen=True)
class Out:
    """A line of converted output."""

    text: str
    code: bool  # inside a code block: kept verbatim, never collapsed or stripped


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def line_prefix(pattern: re.Pattern[str], line: str) -> str:
    """The start of *line* that *pattern* (all optional parts) matches."""
    m = pattern.match(line)
    return m.group() if m else ""


def continuation(prefix: str) -> str:
    """The prefix for the following lines of the block a line starts: list markers → spaces."""
    return _LIST_MARKER.sub(lambda m: " " * len(m.group()), prefix)


def fence_is_closed(tok: Token, lines: Sequence[str]) -> bool:
    start, end = tok.map or (0, 0)
    if end - 1 <= start or end - 1 >= len(lines):
        return False
    m = FENCE_CLOSE.match(lines[end - 1])
    return m is not None and m["marker"][0] == tok.markup[0] and len(m["marker"]) >= len(tok.markup)
