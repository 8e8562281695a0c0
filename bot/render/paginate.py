"""Converted Markdown cut into pages of at most a limit of UTF-16 code units (see docs/rendering.md).

Pages break at block boundaries, preferring to break before a heading; never inside a code block
unless that block alone does not fit, in which case the fence is closed at the end of a page and
reopened, with its language, at the top of the next. Pure text → text; no Discord imports.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from markdown_it.token import Token

from bot.render.markdown_blocks import FENCE_OPEN, MD, continuation, fence_is_closed, normalize_newlines
from bot.render.text import display_width, utf16_len

#: The default page: an embed description.
EMBED_DESCRIPTION_LIMIT = 4096
#: Smallest page size :func:`paginate` accepts (a fence must fit with room for code).
MIN_PAGE_LIMIT = 64
_SOFT_HEADING_LINE = re.compile(r"^\*\*(?:(?!\*\*).)+\*\*[:：]?$")

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
    layout = _layout(normalize_newlines(markdown), limit)
    units = _units(layout, limit)
    return _Paginator(layout, units, limit).pages()


def _layout(text: str, limit: int) -> _Layout:
    tokens = MD.parse(text)
    lines = text.split("\n")
    closed = _close_fences(tokens, lines)
    if closed is not None:  # an unclosed fence: close it, then look again
        lines = closed
        tokens = MD.parse("\n".join(lines))
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
        if tok.type == "fence" and tok.map and not fence_is_closed(tok, lines):
            m = FENCE_OPEN.match(lines[tok.map[0]])
            prefix = continuation(m.group("prefix")) if m else ""
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
    m = FENCE_OPEN.match(lines[start])
    prefix = continuation(m.group("prefix")) if m else ""
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
