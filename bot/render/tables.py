"""GitHub tables for Discord: an aligned monospace block when narrow enough, else a list of
`**header**: value` per row."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it.token import Token

from bot.render.inline import BR, LINK, code_spans, outside_code, remove_anchors, split_outside_code
from bot.render.markdown_blocks import CONTAINER_PREFIX, ITEM_PREFIX, Out, continuation, line_prefix
from bot.render.text import display_width

_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


@dataclass(frozen=True)
class _Table:
    header: list[str]  # inline Markdown of each header cell
    rows: list[list[str]]
    aligns: list[str]  # "left", "right" or "center"


def _parse_table(tokens: Sequence[Token]) -> _Table:
    header: list[str] = []
    rows: list[list[str]] = []
    aligns: list[str] = []
    current: list[str] | None = None
    in_head = False
    for j, tok in enumerate(tokens):
        if tok.type == "thead_open":
            in_head = True
        elif tok.type == "thead_close":
            in_head = False
        elif tok.type == "tr_open":
            current = []
        elif tok.type == "tr_close" and current is not None:
            if in_head:
                header = current
            else:
                rows.append(current)
            current = None
        elif tok.type in ("th_open", "td_open") and current is not None:
            content = tokens[j + 1].content if j + 1 < len(tokens) and tokens[j + 1].type == "inline" else ""
            current.append(content)
            if in_head:
                style = str(tok.attrs.get("style", ""))
                aligns.append(style.removeprefix("text-align:") or "left")
    width = len(header)
    rows = [(row + [""] * width)[:width] for row in rows]
    return _Table(header, rows, aligns)


def _link_as_text(m: re.Match[str]) -> str:
    text, url = m.group("text").strip(), m.group("url")
    if not url or not text or text == url or m.group("bang"):
        return text or url
    return f"{text} ({url})"


def _plain(markdown: str) -> str:
    """Inline Markdown → plain text for a code block (code spans keep their content)."""
    parts: list[str] = []
    pos = 0

    def rest(segment: str) -> str:
        segment = LINK.sub(_link_as_text, segment)
        segment = segment.replace("**", "").replace("~~", "")
        return _ESCAPE.sub(r"\1", segment)

    for start, end in code_spans(markdown):
        parts.append(rest(markdown[pos:start]))
        parts.append(markdown[start:end].strip("`"))
        pos = end
    parts.append(rest(markdown[pos:]))
    return " ".join("".join(parts).replace("`", "").split())


def _cell_parts(cell: str) -> list[str]:
    """A cell's Markdown without anchors, cut at ``<br>``; empty parts dropped."""
    if not cell:
        return []
    cell, _ = remove_anchors(cell)
    return [part.strip() for part in split_outside_code(cell, BR) if part.strip()]


def _pad(text: str, width: int, align: str) -> str:
    gap = width - display_width(text)
    if align == "right":
        return " " * gap + text
    if align == "center":
        return " " * (gap // 2) + text + " " * (gap - gap // 2)
    return text + " " * gap


def _table_as_code(table: _Table) -> list[str]:
    """The table as aligned lines (each of the same display width); ``<br>`` → stacked lines."""
    ncols = len(table.header)
    cells_head = [[_plain(p) for p in _cell_parts(c)] or [""] for c in table.header]
    cells_rows = [[[_plain(p) for p in _cell_parts(c)] or [""] for c in row] for row in table.rows]
    widths = [0] * ncols
    for row in [cells_head, *cells_rows]:
        for col, cell in enumerate(row):
            widths[col] = max(widths[col], *(display_width(part) for part in cell))

    def render(row: list[list[str]]) -> list[str]:
        height = max(len(cell) for cell in row)
        return [
            " | ".join(
                _pad(cell[n] if n < len(cell) else "", widths[col], table.aligns[col])
                for col, cell in enumerate(row)
            )
            for n in range(height)
        ]

    rule = "-+-".join("-" * w for w in widths)
    stacked = any(len(cell) > 1 for row in cells_rows for cell in row)
    out = [*render(cells_head), rule]
    for index, row in enumerate(cells_rows):
        if stacked and index:
            out.append(rule)
        out.extend(render(row))
    return out


def _table_as_list(table: _Table) -> list[str]:
    """One group per row: ``**header**: value`` for the first cell, then a bullet per cell."""
    headers = [
        " ".join(outside_code(" ".join(_cell_parts(h)), lambda s: s.replace("**", "")).split())
        for h in table.header
    ]
    out: list[str] = []
    for row in table.rows:
        if out:
            out.append("")
        for col, cell in enumerate(row):
            value = " / ".join(_cell_parts(cell))
            if col and not value:
                continue
            label = f"**{headers[col]}**: " if headers[col] else ""
            out.append(f"{'- ' if col else ''}{label}{value}".rstrip())
    return out


def convert_table(tokens: Sequence[Token], lines: Sequence[str], table_width: int) -> list[Out]:
    start, end = tokens[0].map or (0, 0)
    first_prefix = line_prefix(ITEM_PREFIX, lines[start])
    cont_prefix = (
        line_prefix(CONTAINER_PREFIX, lines[start + 1]) if start + 1 < end else continuation(first_prefix)
    )
    table = _parse_table(tokens)
    if not table.header:
        return [Out(line, False) for line in lines[start:end]]
    code = _table_as_code(table)
    if max(display_width(line) for line in code) <= table_width:
        body = ["```", *code, "```"]
        code_lines = True
    else:
        body = _table_as_list(table)
        code_lines = False
    out: list[Out] = []
    for n, line in enumerate(body):
        prefix = first_prefix if n == 0 else cont_prefix
        is_code = code_lines and 0 < n < len(body) - 1
        out.append(Out(prefix + line if line else prefix.rstrip(), is_code))
    return out
