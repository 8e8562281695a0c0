"""Explanation Markdown (written for GitHub) → Markdown that Discord shows well.

Pure text → text; no Discord imports. See ``docs/rendering.md`` for the rules.

* :func:`to_discord` rewrites what Discord cannot show: tables become an aligned
  monospace block (or, when too wide for a phone, a ``**header**: value`` list; see
  ``bot.render.tables``), ``####`` and deeper headings become bold lines, ``<br>`` becomes a line
  break, in-page anchor links (``[返回題目](#question-104)``) are removed, ``~~~``/````` fences
  become ``````` fences and indented code becomes fenced code. Code is otherwise kept verbatim.
* :func:`preview` converts only the start of a text that is shown cut.

``bot.render.paginate`` then cuts the converted text into pages. Block structure comes from
markdown-it-py (CommonMark + GFM tables, ``bot.render.markdown_blocks``), so ``#`` lines in code
fences are code and fences nested in lists or quotes are recognised.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it.token import Token

from bot.render.inline import BR, outside_code, remove_anchors, split_outside_code
from bot.render.markdown_blocks import (
    CONTAINER_PREFIX,
    FENCE_CLOSE,
    FENCE_OPEN,
    ITEM_PREFIX,
    MD,
    Out,
    continuation,
    fence_is_closed,
    line_prefix,
    normalize_newlines,
)
from bot.render.tables import convert_table

__all__ = ["PREVIEW_CHARS_PER_UNIT", "PREVIEW_LINES_PER_UNIT", "TABLE_MAX_WIDTH", "preview", "to_discord"]

#: Widest aligned table (in display columns) kept as a code block; wider ones become a list.
TABLE_MAX_WIDTH = 60

_HR = re.compile(r"^(?:[ \t]*>)*[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_ATX_HASHES = re.compile(r"^(?P<prefix>.*?)#{1,6}(?=[ \t]|$)")


def to_discord(markdown: str, *, table_width: int = TABLE_MAX_WIDTH) -> str:
    """Convert GitHub Markdown to Markdown that Discord shows well.

    ``table_width`` is the widest aligned table, in display columns, kept as a code block;
    wider tables are written as a list.
    """
    text = normalize_newlines(markdown)
    lines = text.split("\n")
    tokens = MD.parse(text)
    replacements: dict[int, tuple[int, list[Out]]] = {}

    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.map is None or tok.nesting < 0:
            i += 1
            continue
        start, end = tok.map
        if tok.type == "fence":
            replacements[start] = (end, _convert_fence(tok, lines))
        elif tok.type == "code_block":
            replacements[start] = (end, _convert_code_block(tok, lines))
        elif tok.type == "table_open":
            close = _matching_close(tokens, i)
            replacements[start] = (end, convert_table(tokens[i : close + 1], lines, table_width))
            i = close
        elif tok.type == "heading_open":
            replacements[start] = (end, _convert_heading(tok, tokens[i + 1], lines))
        elif tok.type == "hr" and _HR.match(lines[start]):
            replacements[start] = (end, [])
        i += 1

    out: list[Out] = []
    line_no = 0
    while line_no < len(lines):
        if line_no in replacements:
            end, produced = replacements[line_no]
            out.extend(produced)
            line_no = max(end, line_no + 1)
            continue
        out.extend(Out(t, False) for t in _convert_text_line(lines[line_no]))
        line_no += 1
    return _assemble(out)


#: preview() converts at most this many characters per UTF-16 unit of its limit …
PREVIEW_CHARS_PER_UNIT = 2
#: … and at most this many lines per unit.
PREVIEW_LINES_PER_UNIT = 0.5


def preview(markdown: str, limit: int) -> str:
    """:func:`to_discord` of the start of *markdown* that can be shown within *limit* UTF-16 units.

    For text that is shown cut (question posts, answer replies, embed fields): only the first
    ``2 × limit`` characters and ``limit / 2`` lines are converted, ending at a line break (a
    longer first line is cut), so the work is bounded however long the text is. When some of
    *markdown* was left out, a last line ``…`` says so. The result is not cut to *limit*:
    that is the caller's (``bot.render.limits.fit``), as for :func:`to_discord`.
    """
    head = _head(markdown, PREVIEW_CHARS_PER_UNIT * limit, max(1, int(PREVIEW_LINES_PER_UNIT * limit)))
    if head is None:
        return to_discord(markdown)
    converted = to_discord(head)
    return f"{converted}\n\n…" if converted else "…"


def _head(text: str, max_chars: int, max_lines: int) -> str | None:
    """The first whole lines of *text* within *max_chars* and *max_lines* (or the start of a
    longer first line); None when *text* is within both."""
    if len(text) <= max_chars and text.count("\n", 0, max_chars) < max_lines:
        return None
    end = min(len(text), max_chars)
    pos = 0  # just after the last line break found
    for _ in range(max_lines):
        found = text.find("\n", pos, end)
        if found < 0:
            break
        pos = found + 1
    else:
        return text[: pos - 1]
    if end >= len(text):  # only the line count was too high, and it is not: cannot happen
        return None
    return text[: pos - 1] if pos > 0 else text[:end]


def _assemble(out: Sequence[Out]) -> str:
    """Join output lines: strip trailing spaces of text, collapse blank runs, trim the ends."""
    result: list[str] = []
    previous_blank = True  # drops leading blank lines
    for item in out:
        if item.code:
            result.append(item.text)
            previous_blank = False
            continue
        line = item.text.rstrip()
        blank = not line
        if blank:
            if previous_blank:
                continue
            line = ""
        result.append(line)
        previous_blank = blank
    while result and result[-1] == "":
        result.pop()
    return "\n".join(result)


def _matching_close(tokens: Sequence[Token], open_index: int) -> int:
    depth = 0
    for j in range(open_index, len(tokens)):
        depth += tokens[j].nesting
        if depth == 0:
            return j
    return len(tokens) - 1


# --- code -------------------------------------------------------------------


def _convert_fence(tok: Token, lines: Sequence[str]) -> list[Out]:
    start, end = tok.map or (0, 0)
    closed = fence_is_closed(tok, lines)
    content = list(lines[start + 1 : end - 1 if closed else end])
    m = FENCE_OPEN.match(lines[start])
    if m is None:  # cannot happen for a fence token; keep it as it is
        return [Out(line, True) for line in lines[start:end]]
    prefix, marker, info = m.group("prefix"), m.group("marker"), m.group("info").strip()
    # Discord knows only ``` fences; keep another marker only if the code holds ``` lines.
    if not any(FENCE_CLOSE.match(line) or line.lstrip(" \t>").startswith("```") for line in content):
        marker = "```"
    if closed:
        close_match = FENCE_OPEN.match(lines[end - 1])
        close_prefix = close_match.group("prefix") if close_match else continuation(prefix)
    else:
        close_prefix = continuation(prefix)
    return (
        [Out(prefix + marker + info, True)]
        + [Out(line, True) for line in content]
        + [Out(close_prefix + marker, True)]
    )


def _convert_code_block(tok: Token, lines: Sequence[str]) -> list[Out]:
    """Indented code (which Discord does not show as code) → a fenced block."""
    start = (tok.map or (0, 0))[0]
    prefix = line_prefix(CONTAINER_PREFIX, lines[start])
    bare = prefix.rstrip(" \t")
    indent = prefix[len(bare) :].expandtabs(4)
    prefix = bare + " " * max(0, len(indent) - 4)
    body = tok.content[:-1] if tok.content.endswith("\n") else tok.content
    return (
        [Out(prefix + "```", True)]
        + [Out((prefix + line) if line else prefix.rstrip(), True) for line in body.split("\n")]
        + [Out(prefix + "```", True)]
    )


# --- headings ---------------------------------------------------------------


def _convert_heading(tok: Token, inline: Token, lines: Sequence[str]) -> list[Out]:
    start = (tok.map or (0, 0))[0]
    line = lines[start]
    setext = tok.markup in ("=", "-")
    level = int(tok.tag[1:]) if tok.tag[1:].isdigit() else 1
    content = BR.sub(" ", inline.content.replace("\n", " "))
    content, removed = remove_anchors(content)
    content = content.strip()
    if not content or (removed and _only_label_left(content)):
        return []
    if setext:
        prefix = line_prefix(ITEM_PREFIX, line)
    else:
        m = _ATX_HASHES.match(line)
        prefix = m.group("prefix") if m else ""
    if level <= 3:
        return [Out(f"{prefix}{'#' * level} {content}", False)]
    # Discord shows #, ## and ### only: deeper headings become a bold line.
    plain = outside_code(content, lambda s: s.replace("**", "")).strip()
    return [Out(f"{prefix}**{plain}**", False)]


def _only_label_left(text: str) -> bool:
    """After removing an anchor link: is nothing left but markers or a dangling ``label:``?"""
    rest = text[len(line_prefix(ITEM_PREFIX, text)) :]
    rest = re.sub(r"[*_~\s]", "", BR.sub("", rest))
    return rest == "" or rest.endswith((":", "："))


def _convert_text_line(line: str) -> list[str]:
    """A line of a paragraph, list, quote or HTML: drop anchors, turn ``<br>`` into new lines.

    A line from which an anchor link was removed is dropped when nothing but Markdown
    markers or a dangling label (``**題目連結:**``) is left of it.
    """
    if "[" not in line and "<" not in line:  # neither a link nor a <br>: most lines
        return [line]
    new, removed = remove_anchors(line)
    if removed and _only_label_left(new):
        return []
    first, *rest = split_outside_code(new, BR)
    if not rest:
        return [first]
    indent = continuation(line_prefix(ITEM_PREFIX, line))
    return [first.rstrip()] + [indent + piece.strip() for piece in rest if piece.strip()]
