"""Explanation Markdown (written for GitHub) → what Discord shows, cut into pages.

Pure text → text; no Discord imports. See ``docs/rendering.md`` for the rules.

* :func:`to_discord` rewrites what Discord cannot show: tables become an aligned
  monospace block (or, when too wide for a phone, a ``**header**: value`` list), ``####``
  and deeper headings become bold lines, ``<br>`` becomes a line break, in-page anchor
  links (``[返回題目](#question-104)``) are removed, ``~~~``/````` fences become ```````
  fences and indented code becomes fenced code. Code is otherwise kept verbatim.
* :func:`paginate` cuts converted text into pages of at most ``limit`` UTF-16 code units,
  at block boundaries (preferring to break before a heading), never inside a code block
  unless that block alone does not fit, in which case the fence is closed at the end of a
  page and reopened, with its language, at the top of the next.

Block structure comes from markdown-it-py (CommonMark + GFM tables), so ``#`` lines in code
fences are code and fences nested in lists or quotes are recognised.
"""

from __future__ import annotations

import importlib
import re
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.render.text import display_width, utf16_len

__all__ = [
    "EMBED_DESCRIPTION_LIMIT",
    "FIELD_VALUE_LIMIT",
    "MESSAGE_CONTENT_LIMIT",
    "MIN_PAGE_LIMIT",
    "TABLE_MAX_WIDTH",
    "display_width",
    "paginate",
    "preview",
    "to_discord",
    "utf16_len",
]

EMBED_DESCRIPTION_LIMIT = 4096
FIELD_VALUE_LIMIT = 1024
MESSAGE_CONTENT_LIMIT = 2000
#: Widest aligned table (in display columns) kept as a code block; wider ones become a list.
TABLE_MAX_WIDTH = 60
#: Smallest page size :func:`paginate` accepts (a fence must fit with room for code).
MIN_PAGE_LIMIT = 64

# markdown-it pads every table row that has fewer cells than the header with empty cells, up to
# MAX_AUTOCOMPLETED_CELLS (65,536) per table, its own guard against quadratic output. 65,536
# cells are ~0.6 s of tokens and padding here, from a 10 KB table (100 columns, one-cell rows);
# no real table pads more than a few hundred, and past the limit the rest of the table is read
# as a paragraph. Only ever lowered: this process has no other use for markdown-it tables.
MAX_PADDED_CELLS = 1024
_md_table = importlib.import_module("markdown_it.rules_block.table")  # the module, not its function
if hasattr(_md_table, "MAX_AUTOCOMPLETED_CELLS"):  # tests/test_render_linear.py checks it is there
    _md_table.MAX_AUTOCOMPLETED_CELLS = min(_md_table.MAX_AUTOCOMPLETED_CELLS, MAX_PADDED_CELLS)

# Only the block structure is needed (inline tokens keep their raw text in .content), so the
# inline parse, most of the work, is switched off.
_MD = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"]).disable("inline")

# Blockquote markers and indentation in front of a line's content.
_CONTAINER_PREFIX = re.compile(r"^(?:[ \t]*>)*[ \t]*")
# The same, plus one list marker (the first line of a list item).
_ITEM_PREFIX = re.compile(r"^(?:[ \t]*>)*[ \t]*(?:(?:[-*+]|\d{1,9}[.)])(?:[ \t]+|$))?[ \t]*")
_LIST_MARKER = re.compile(r"(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$)")
_FENCE_OPEN = re.compile(r"^(?P<prefix>.*?)(?P<marker>`{3,}|~{3,})(?P<info>.*)$")
_FENCE_CLOSE = re.compile(r"^(?:[ \t]*>)*[ \t]*(?P<marker>`{3,}|~{3,})[ \t]*$")
_HR = re.compile(r"^(?:[ \t]*>)*[ \t]{0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_ATX_HASHES = re.compile(r"^(?P<prefix>.*?)#{1,6}(?=[ \t]|$)")
_BACKTICKS = re.compile(r"`+")
_LINK_TEXT = r"(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*"
_LINK_TITLE = r"""(?:[ \t]+(?:"[^"]*"|'[^']*'))?"""
# [text](#anchor) — an in-page link, which leads nowhere in Discord (the spaces before it go
# too: see _remove_anchors; a leading `[ \t]*` here would be tried at every space of a run).
_ANCHOR = re.compile(rf"!?\[{_LINK_TEXT}\]\([ \t]*<?#[^()\s>]*>?{_LINK_TITLE}[ \t]*\)")
_LINK = re.compile(
    rf"(?P<bang>!?)\[(?P<text>{_LINK_TEXT})\]\([ \t]*<?(?P<url>[^()\s>]*)>?{_LINK_TITLE}[ \t]*\)"
)
_BR = re.compile(r"<br[ \t]*/?>", re.IGNORECASE)
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_SOFT_HEADING_LINE = re.compile(r"^\*\*(?:(?!\*\*).)+\*\*[:：]?$")


# ---------------------------------------------------------------------------
# to_discord
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Out:
    text: str
    code: bool  # inside a code block: kept verbatim, never collapsed or stripped


def to_discord(markdown: str, *, table_width: int = TABLE_MAX_WIDTH) -> str:
    """Convert GitHub Markdown to Markdown that Discord shows well.

    ``table_width`` is the widest aligned table, in display columns, kept as a code block;
    wider tables are written as a list.
    """
    text = _normalize_newlines(markdown)
    lines = text.split("\n")
    tokens = _MD.parse(text)
    replacements: dict[int, tuple[int, list[_Out]]] = {}

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
            replacements[start] = (end, _convert_table(tokens[i : close + 1], lines, table_width))
            i = close
        elif tok.type == "heading_open":
            replacements[start] = (end, _convert_heading(tok, tokens[i + 1], lines))
        elif tok.type == "hr" and _HR.match(lines[start]):
            replacements[start] = (end, [])
        i += 1

    out: list[_Out] = []
    line_no = 0
    while line_no < len(lines):
        if line_no in replacements:
            end, produced = replacements[line_no]
            out.extend(produced)
            line_no = max(end, line_no + 1)
            continue
        out.extend(_Out(t, False) for t in _convert_text_line(lines[line_no]))
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


def _normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _assemble(out: Sequence[_Out]) -> str:
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


def _prefix(pattern: re.Pattern[str], line: str) -> str:
    """The start of *line* that *pattern* (all optional parts) matches."""
    m = pattern.match(line)
    return m.group() if m else ""


def _continuation(prefix: str) -> str:
    """The prefix for the following lines of the block a line starts: list markers → spaces."""
    return _LIST_MARKER.sub(lambda m: " " * len(m.group()), prefix)


# --- code -------------------------------------------------------------------


def _fence_is_closed(tok: Token, lines: Sequence[str]) -> bool:
    start, end = tok.map or (0, 0)
    if end - 1 <= start or end - 1 >= len(lines):
        return False
    m = _FENCE_CLOSE.match(lines[end - 1])
    return bool(m) and m.group("marker")[0] == tok.markup[0] and len(m.group("marker")) >= len(tok.markup)


def _convert_fence(tok: Token, lines: Sequence[str]) -> list[_Out]:
    start, end = tok.map or (0, 0)
    closed = _fence_is_closed(tok, lines)
    content = list(lines[start + 1 : end - 1 if closed else end])
    m = _FENCE_OPEN.match(lines[start])
    if m is None:  # cannot happen for a fence token; keep it as it is
        return [_Out(line, True) for line in lines[start:end]]
    prefix, marker, info = m.group("prefix"), m.group("marker"), m.group("info").strip()
    # Discord knows only ``` fences; keep another marker only if the code holds ``` lines.
    if not any(_FENCE_CLOSE.match(line) or line.lstrip(" \t>").startswith("```") for line in content):
        marker = "```"
    if closed:
        close_match = _FENCE_OPEN.match(lines[end - 1])
        close_prefix = close_match.group("prefix") if close_match else _continuation(prefix)
    else:
        close_prefix = _continuation(prefix)
    return (
        [_Out(prefix + marker + info, True)]
        + [_Out(line, True) for line in content]
        + [_Out(close_prefix + marker, True)]
    )


def _convert_code_block(tok: Token, lines: Sequence[str]) -> list[_Out]:
    """Indented code (which Discord does not show as code) → a fenced block."""
    start = (tok.map or (0, 0))[0]
    prefix = _prefix(_CONTAINER_PREFIX, lines[start])
    bare = prefix.rstrip(" \t")
    indent = prefix[len(bare) :].expandtabs(4)
    prefix = bare + " " * max(0, len(indent) - 4)
    body = tok.content[:-1] if tok.content.endswith("\n") else tok.content
    return (
        [_Out(prefix + "```", True)]
        + [_Out((prefix + line) if line else prefix.rstrip(), True) for line in body.split("\n")]
        + [_Out(prefix + "```", True)]
    )


# --- headings ---------------------------------------------------------------


def _convert_heading(tok: Token, inline: Token, lines: Sequence[str]) -> list[_Out]:
    start = (tok.map or (0, 0))[0]
    line = lines[start]
    setext = tok.markup in ("=", "-")
    level = int(tok.tag[1:]) if tok.tag[1:].isdigit() else 1
    content = _BR.sub(" ", inline.content.replace("\n", " "))
    content, removed = _remove_anchors(content)
    content = content.strip()
    if not content or (removed and _only_label_left(content)):
        return []
    if setext:
        prefix = _prefix(_ITEM_PREFIX, line)
    else:
        m = _ATX_HASHES.match(line)
        prefix = m.group("prefix") if m else ""
    if level <= 3:
        return [_Out(f"{prefix}{'#' * level} {content}", False)]
    # Discord shows #, ## and ### only: deeper headings become a bold line.
    plain = _outside_code(content, lambda s: s.replace("**", "")).strip()
    return [_Out(f"{prefix}**{plain}**", False)]


# --- text lines -------------------------------------------------------------


def _code_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each inline code span of *text*, in order, in linear time.

    As CommonMark: a run of backticks opens a span that the next run of the same length on
    the same line closes; a run with no such partner is literal text. (A regular expression
    with a lazy body would try every later position for every unpartnered run.)
    """
    if "`" not in text:
        return []
    runs: list[tuple[int, int, int]] = []  # (start, end, line number)
    line = 0
    pos = 0
    for m in _BACKTICKS.finditer(text):
        line += text.count("\n", pos, m.start())
        pos = m.start()
        runs.append((m.start(), m.end(), line))
    if len(runs) < 2:
        return []
    later: dict[int, deque[int]] = {}  # run length -> indexes of the runs of that length
    for index, (start, end, _) in enumerate(runs):
        later.setdefault(end - start, deque()).append(index)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(runs):
        start, end, line = runs[i]
        same = later[end - start]
        while same and same[0] <= i:
            same.popleft()
        if same and runs[same[0]][2] == line:
            close = same[0]
            spans.append((start, runs[close][1]))
            i = close + 1
        else:
            i += 1
    return spans


def _outside_code(text: str, func: Callable[[str], str]) -> str:
    """Apply *func* to the parts of *text* that are not inline code spans."""
    parts: list[str] = []
    pos = 0
    for start, end in _code_spans(text):
        parts.append(func(text[pos:start]))
        parts.append(text[start:end])
        pos = end
    parts.append(func(text[pos:]))
    return "".join(parts)


def _split_outside_code(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Split *text* where *pattern* matches, except inside inline code spans."""
    pieces: list[list[str]] = [[]]  # the parts of each piece (joined once, at the end)

    def split(segment: str) -> None:
        first, *rest = pattern.split(segment)
        pieces[-1].append(first)
        pieces.extend([part] for part in rest)

    pos = 0
    for start, end in _code_spans(text):
        split(text[pos:start])
        pieces[-1].append(text[start:end])
        pos = end
    split(text[pos:])
    return ["".join(parts) for parts in pieces]


def _remove_anchors(text: str) -> tuple[str, bool]:
    """*text* without its in-page links (and the spaces before each); whether any was removed."""
    removed = False

    def drop(segment: str) -> str:
        nonlocal removed
        parts: list[str] = []
        pos = 0
        for m in _ANCHOR.finditer(segment):
            parts.append(segment[pos : m.start()].rstrip(" \t"))
            pos = m.end()
        if not parts:
            return segment
        removed = True
        parts.append(segment[pos:])
        return "".join(parts)

    return _outside_code(text, drop), removed


def _only_label_left(text: str) -> bool:
    """After removing an anchor link: is nothing left but markers or a dangling ``label:``?"""
    rest = text[len(_prefix(_ITEM_PREFIX, text)) :]
    rest = re.sub(r"[*_~\s]", "", _BR.sub("", rest))
    return rest == "" or rest.endswith((":", "："))


def _convert_text_line(line: str) -> list[str]:
    """A line of a paragraph, list, quote or HTML: drop anchors, turn ``<br>`` into new lines.

    A line from which an anchor link was removed is dropped when nothing but Markdown
    markers or a dangling label (``**題目連結:**``) is left of it.
    """
    if "[" not in line and "<" not in line:  # neither a link nor a <br>: most lines
        return [line]
    new, removed = _remove_anchors(line)
    if removed and _only_label_left(new):
        return []
    first, *rest = _split_outside_code(new, _BR)
    if not rest:
        return [first]
    indent = _continuation(_prefix(_ITEM_PREFIX, line))
    return [first.rstrip()] + [indent + piece.strip() for piece in rest if piece.strip()]


# --- tables -----------------------------------------------------------------


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
        segment = _LINK.sub(_link_as_text, segment)
        segment = segment.replace("**", "").replace("~~", "")
        return _ESCAPE.sub(r"\1", segment)

    for start, end in _code_spans(markdown):
        parts.append(rest(markdown[pos:start]))
        parts.append(markdown[start:end].strip("`"))
        pos = end
    parts.append(rest(markdown[pos:]))
    return " ".join("".join(parts).replace("`", "").split())


def _cell_parts(cell: str) -> list[str]:
    """A cell's Markdown without anchors, cut at ``<br>``; empty parts dropped."""
    if not cell:
        return []
    cell, _ = _remove_anchors(cell)
    return [part.strip() for part in _split_outside_code(cell, _BR) if part.strip()]


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
        " ".join(_outside_code(" ".join(_cell_parts(h)), lambda s: s.replace("**", "")).split())
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


def _convert_table(tokens: Sequence[Token], lines: Sequence[str], table_width: int) -> list[_Out]:
    start, end = tokens[0].map or (0, 0)
    first_prefix = _prefix(_ITEM_PREFIX, lines[start])
    cont_prefix = (
        _prefix(_CONTAINER_PREFIX, lines[start + 1]) if start + 1 < end else _continuation(first_prefix)
    )
    table = _parse_table(tokens)
    if not table.header:
        return [_Out(line, False) for line in lines[start:end]]
    code = _table_as_code(table)
    if max(display_width(line) for line in code) <= table_width:
        body = ["```", *code, "```"]
        code_lines = True
    else:
        body = _table_as_list(table)
        code_lines = False
    out: list[_Out] = []
    for n, line in enumerate(body):
        prefix = first_prefix if n == 0 else cont_prefix
        is_code = code_lines and 0 < n < len(body) - 1
        out.append(_Out(prefix + line if line else prefix.rstrip(), is_code))
    return out


# ---------------------------------------------------------------------------
# paginate
# ---------------------------------------------------------------------------

# How good a place to end a page is (the boundary is before a given line).
_HEADING = 6  # before a #, ## or ### heading
_SOFT_HEADING = 5  # before a paragraph that is one bold line (e.g. a former ####)
_BLOCK = 4  # before any other top-level block
_ITEM = 3  # before a nested block: a list item, a paragraph or code in a list or quote
_LINE = 2  # between two lines of one block
_FENCE_GAP = 1  # inside a code block, after a blank line: close it here, reopen on the next page
_FENCE = 0  # between any two lines of a code block
_AFTER_HEADING = -1  # right after a heading, which would be left alone at the bottom of a page
_HARD = -2  # inside an over-long line
# The order in which kinds of breaks are tried: (at least this good, only if the page is
# then at least _MIN_FILL full). The latest break that qualifies is taken.
_PREFERENCES = (
    (_HEADING, True),
    (_SOFT_HEADING, True),
    (_BLOCK, True),
    (_ITEM, True),
    (_ITEM, False),
    (_LINE, False),
    (_FENCE_GAP, True),
    (_FENCE, False),
    (_AFTER_HEADING, False),
    (_HARD, False),
)
#: A page may end before a heading (or at a block boundary over a nested one) once it is this full.
_MIN_FILL = 0.5


@dataclass(frozen=True)
class _Fence:
    start: int  # line of the opening fence
    end: int  # one past the closing fence line
    reopen: str  # the line that reopens it on a following page
    close: str  # the line that closes it at the end of a page


@dataclass(frozen=True)
class _Unit:
    text: str
    line: int
    first: bool  # first piece of its line: joined to the previous unit with "\n" (else "")


@dataclass
class _Layout:
    lines: list[str]
    fences: list[_Fence]
    fence_of_line: list[int | None]  # fence whose inside (after the opening line) holds the line
    category: list[int]  # how good a break before each line is
    heading: list[bool]  # the line is a heading (or a one-line bold paragraph)


def paginate(markdown: str, limit: int = EMBED_DESCRIPTION_LIMIT) -> list[str]:
    """Split (converted) Markdown into pages of at most *limit* UTF-16 code units.

    Pages break at block boundaries, preferring to break before a heading once a page is
    half full; never inside a code block unless that block alone does not fit, when it is
    split at line boundaries and each page closes the fence and the next one reopens it
    with its language. A single line longer than a page is split inside as a last resort.
    Blank lines at the edges of a page are dropped; no page is empty (blank input → ``[]``).
    """
    if limit < MIN_PAGE_LIMIT:
        raise ValueError(f"limit must be at least {MIN_PAGE_LIMIT}, got {limit}")
    layout = _layout(_normalize_newlines(markdown), limit)
    units = _units(layout, limit)
    return _Paginator(layout, units, limit).pages()


def _layout(text: str, limit: int) -> _Layout:
    tokens = _MD.parse(text)
    lines = text.split("\n")
    closed = _close_fences(tokens, lines)
    if closed is not None:  # an unclosed fence: close it, then look again
        lines = closed
        tokens = _MD.parse("\n".join(lines))
    n = len(lines)
    fences: list[_Fence] = []
    fence_of_line: list[int | None] = [None] * n
    category = [_LINE] * n
    heading = [False] * n
    for index, tok in enumerate(tokens):
        if tok.map is None or tok.nesting < 0:
            continue
        start, end = tok.map
        if tok.type in _BLOCK_TYPES and start < n:
            if tok.level == 0 and tok.type == "heading_open":
                cat = _HEADING
                heading[start] = True
            elif (
                tok.level == 0
                and tok.type == "paragraph_open"
                and _SOFT_HEADING_LINE.match(tokens[index + 1].content.strip())
            ):
                cat = _SOFT_HEADING
                heading[start] = True
            else:
                cat = _BLOCK if tok.level == 0 else _ITEM
            category[start] = max(category[start], cat)
        if tok.type == "fence":
            fences.append(_fence(tok, lines, limit))
            for line in range(start + 1, min(end, n)):
                fence_of_line[line] = len(fences) - 1
    return _Layout(lines, fences, fence_of_line, category, heading)


_BLOCK_TYPES = frozenset(
    {
        "paragraph_open",
        "heading_open",
        "bullet_list_open",
        "ordered_list_open",
        "list_item_open",
        "blockquote_open",
        "fence",
        "code_block",
        "html_block",
        "hr",
        "table_open",
    }
)


def _close_fences(tokens: Sequence[Token], lines: list[str]) -> list[str] | None:
    """*lines* with a closing line added after every unclosed fence, or None if all are closed."""
    inserts: dict[int, list[str]] = {}
    for tok in tokens:
        if tok.type == "fence" and tok.map and not _fence_is_closed(tok, lines):
            m = _FENCE_OPEN.match(lines[tok.map[0]])
            prefix = _continuation(m.group("prefix")) if m else ""
            inserts.setdefault(tok.map[1], []).append(prefix + tok.markup)
    if not inserts:
        return None
    new: list[str] = []
    for number, line in enumerate(lines):
        # an unclosed fence ends where its container does: before line `number`
        new.extend(reversed(inserts.get(number, ())))
        new.append(line)
    new.extend(reversed(inserts.get(len(lines), ())))
    return new


def _fence(tok: Token, lines: Sequence[str], limit: int) -> _Fence:
    start, end = tok.map or (0, 0)
    m = _FENCE_OPEN.match(lines[start])
    prefix = _continuation(m.group("prefix")) if m else ""
    close = prefix + tok.markup
    reopen = prefix + tok.markup + tok.info.strip()
    if utf16_len(close) > limit // 4:  # an absurd marker or indentation: close and reopen plainly
        close = reopen = "```"
    elif utf16_len(reopen) > limit // 4:  # an absurd info string: reopen without it
        reopen = close
    return _Fence(start, end, reopen, close)


def _units(layout: _Layout, limit: int) -> list[_Unit]:
    units: list[_Unit] = []
    for number, line in enumerate(layout.lines):
        fence_index = layout.fence_of_line[number]
        budget = limit
        if fence_index is not None:
            fence = layout.fences[fence_index]
            budget = limit - utf16_len(fence.reopen) - utf16_len(fence.close) - 2
        for piece_no, piece in enumerate(_hard_split(line, max(budget, 16))):
            units.append(_Unit(piece, number, piece_no == 0))
    return units


def _is_joining(ch: str) -> bool:
    """A character that belongs with the one before it (never start a piece with it)."""
    cp = ord(ch)
    return display_width(ch) == 0 or 0x1F3FB <= cp <= 0x1F3FF or 0xDC00 <= cp <= 0xDFFF


#: How far back from a forced cut a cut between two graphemes is looked for: further back, the
#: "grapheme" is an absurd run of combining marks or joiners, and it is cut where it must be.
_GRAPHEME_LOOKBACK = 32


def _hard_split(line: str, budget: int) -> list[str]:
    """Cut *line* into pieces of at most *budget* UTF-16 units (after a space if one is near).

    One pass over the line: each piece is measured from where the previous one ended.
    """
    if len(line) <= budget // 2 or utf16_len(line) <= budget:
        return [line]
    pieces: list[str] = []
    n = len(line)
    start = 0
    while True:
        cut = min(n, start + budget)
        if utf16_len(line[start:cut]) > budget:  # astral characters (count two): measure each
            used = 0
            cut = start
            while cut < n:
                size = 2 if ord(line[cut]) > 0xFFFF else 1
                if used + size > budget:
                    break
                used += size
                cut += 1
        if cut >= n:
            pieces.append(line[start:])
            return pieces
        back = cut
        floor = max(start + 1, cut - _GRAPHEME_LOOKBACK)
        while back > floor and (_is_joining(line[back]) or line[back - 1] == "\u200d"):
            back -= 1
        if not (_is_joining(line[back]) or line[back - 1] == "\u200d"):
            cut = back
        space = line.rfind(" ", start + (cut - start) * 3 // 4, cut)
        if space > start:
            cut = space + 1
        pieces.append(line[start:cut])
        start = cut


class _Paginator:
    def __init__(self, layout: _Layout, units: list[_Unit], limit: int) -> None:
        self.layout = layout
        self.units = units
        self.limit = limit
        n = len(units)
        self.size_prefix = [0] * (n + 1)  # UTF-16 units of texts, plus the joining newlines
        for u, unit in enumerate(units):
            joiner = 1 if (unit.first and u > 0) else 0
            self.size_prefix[u + 1] = self.size_prefix[u] + utf16_len(unit.text) + joiner
        self.blank = [
            unit.first
            and not unit.text.strip()
            and layout.fence_of_line[unit.line] is None
            and (u + 1 >= n or units[u + 1].first)
            for u, unit in enumerate(units)
        ]
        # Opening lines of the code blocks that fit on a page of their own.
        self.whole_fences = {
            fence.start
            for fence in layout.fences
            if utf16_len("\n".join(layout.lines[fence.start : fence.end])) <= limit
        }
        self.prev_solid = [-1] * n
        last = -1
        for u in range(n):
            if not self.blank[u]:
                last = u
            self.prev_solid[u] = last

    # -- boundaries (a boundary u is the place just before unit u) --

    def fence_at(self, u: int) -> _Fence | None:
        """The fence a page ending at boundary *u* must close (and the next reopen)."""
        if u <= 0 or u >= len(self.units):
            return None
        unit = self.units[u]
        index = self.layout.fence_of_line[unit.line]
        return None if index is None else self.layout.fences[index]

    def category(self, u: int) -> int | None:
        """How good a page break at boundary *u* is; None if it must not be used."""
        unit = self.units[u]
        fence = self.fence_at(u)
        if fence is not None:
            before = self.units[u - 1].line
            if before <= fence.start or unit.line >= fence.end - 1:
                return None  # would leave an empty code block on one side
            if not unit.first:
                return _HARD
            return _FENCE_GAP if not self.units[u - 1].text.strip() else _FENCE
        if not unit.first:
            return _HARD
        cat = self.layout.category[unit.line]
        solid = self.prev_solid[u - 1]
        if solid >= 0 and self.layout.heading[self.units[solid].line]:
            # Do not leave a heading alone at the bottom of a page: rather split a code block
            # that follows it, unless that block would fit on a page of its own.
            return _LINE if unit.line in self.whole_fences else _AFTER_HEADING
        return cat

    def page_size(self, start: int, end: int) -> int:
        """Size of the page holding units [start, end) (start is not blank)."""
        last = self.prev_solid[end - 1]
        if last < start:
            return 0
        size = self.size_prefix[last + 1] - self.size_prefix[start]
        if self.units[start].first and start > 0:
            size -= 1  # the newline joining it to the previous unit is not on this page
        opening = self.fence_at(start)
        if opening is not None:
            size += utf16_len(opening.reopen) + 1
        closing = self.fence_at(end)
        if closing is not None:
            size += utf16_len(closing.close) + 1
        return size

    def render(self, start: int, end: int) -> str:
        last = self.prev_solid[end - 1]
        parts = [self.units[start].text]
        for u in range(start + 1, last + 1):
            unit = self.units[u]
            parts.append(("\n" if unit.first else "") + unit.text)
        text = "".join(parts)
        opening = self.fence_at(start)
        if opening is not None:
            text = opening.reopen + "\n" + text
        closing = self.fence_at(end)
        if closing is not None:
            text = text + "\n" + closing.close
        return text

    # -- the pages --

    def pages(self) -> list[str]:
        pages: list[str] = []
        n = len(self.units)
        start = 0
        while start < n:
            if self.fence_at(start) is None:
                while start < n and self.blank[start]:
                    start += 1
                if start >= n:
                    break
            end = self.choose_end(start)
            page = self.render(start, end)
            if utf16_len(page) > self.limit:  # only for absurd input (e.g. a huge fence line)
                page = _truncate(page, self.limit)
            if page.strip():
                pages.append(page)
            start = end
        return pages

    def choose_end(self, start: int) -> int:
        n = len(self.units)
        fits: list[tuple[int, int | None, int]] = []  # (boundary, category, page size)
        for end in range(start + 1, n + 1):
            size = self.page_size(start, end)
            if size - self.closing_overhead(end) > self.limit:
                break  # sizes only grow from here
            if size > self.limit:
                continue
            if end == n:
                return n
            fits.append((end, self.category(end), size))
        threshold = self.limit * _MIN_FILL
        for wanted, must_fill in _PREFERENCES:
            for end, cat, size in reversed(fits):
                if cat is not None and cat >= wanted and (size >= threshold or not must_fill):
                    return end
        return fits[-1][0] if fits else start + 1

    def closing_overhead(self, end: int) -> int:
        closing = self.fence_at(end)
        return 0 if closing is None else utf16_len(closing.close) + 1


def _truncate(text: str, limit: int) -> str:
    used = 0
    for index, ch in enumerate(text):
        used += 2 if ord(ch) > 0xFFFF else 1
        if used > limit:
            return text[:index]
    return text
