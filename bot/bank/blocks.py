"""Block structure of a question file: headings and code fences, line by line.

This is a deliberately small scanner for the two constructs the reader needs,
ATX headings and fenced code, with CommonMark's rules for both (a heading has at
most three spaces of indent; a fence closes with the same character, at least
as long, and nothing but spaces after it). `tests/bank/test_blocks.py` checks that
it finds exactly the headings markdown-it-py finds on every structured file of the
test bank (and of the users' bank sample) and on generated Markdown.

Why not markdown-it-py itself at load time: it costs about 0.2 s per MB, so a
5,000-file bank would take seconds to load; this scanner takes a fraction of
that. And it knows one thing CommonMark does not: in the bank's raw English
format an option line `- A. ```` opens a code fence, which CommonMark reads as
paragraph text (and then swallows the rest of the file into a stray fence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from bot.bank.model import LIMITS

_FENCE_OPEN = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)$")
# `- A. ```sql` : the raw format's code option, fence opened after the option marker.
_OPTION_FENCE_OPEN = re.compile(r"^\s*+(?:[-*+]\s++)?[A-J][.)]\s*+(?P<fence>`{3,})(?P<info>[\w+-]*+)\s*+$")


class Heading(NamedTuple):
    level: int
    text: str
    line: int  # 0-based index into the file's lines


@dataclass(frozen=True, slots=True)
class Blocks:
    lines: list[str]
    headings: list[Heading]
    in_code: list[bool]  # True for lines inside a fence, fence lines included


# Headings, and lines that can open or close a fence: one regex finds them all, so lines
# that are neither cost no Python code. A heading inside a fence is code (checked in order).
#
# A heading's text is cut from the rest of its line in Python (`_heading_text`), not by a lazy
# `(?P<text>.*?)` followed by an optional closing `#` run: that form retries the closing part from
# every position of a long run of spaces, quadratic on a hostile 100 KB heading line.
_EVENT = re.compile(
    r"^(?:(?P<hashes> {0,3}#{1,6})(?P<rest>[ \t][^\n]*+)?$"
    r"|(?P<other>[ \t]*(?:#|`{3,}|~{3,}|(?:[-*+][ \t]+)?[A-J][.)][ \t]*`{3,})[^\n]*))",
    re.M,
)


def _heading_text(rest: str | None) -> str:
    """The text of an ATX heading from what follows its `#`s: without the optional closing run of
    `#` (which must follow a space) and the spaces around (CommonMark)."""
    text = (rest or "").strip(" \t")
    if text.endswith("#"):
        bare = text.rstrip("#")
        if not bare:
            return ""
        if bare[-1] in " \t":
            return bare.rstrip(" \t")
    return text


def scan(text: str, *, option_fences: bool = False) -> Blocks:
    """Find headings and fenced code in `text` (LF line endings expected)."""
    lines = text.split("\n")
    headings: list[Heading] = []
    in_code = [False] * len(lines)
    fence_char = ""
    fence_len = 0
    fence_start = 0
    line_no = 0
    last_pos = 0
    count = text.count
    for m in _EVENT.finditer(text):
        start = m.start()
        line_no += count("\n", last_pos, start)
        last_pos = start
        hashes = m["hashes"]
        if fence_char:
            line = m.group()
            stripped = line.strip()
            if option_fences and stripped.endswith("(Correct)"):
                stripped = stripped[: -len("(Correct)")].rstrip()
            if stripped and set(stripped) == {fence_char} and len(stripped) >= fence_len:
                fence_char = ""
                in_code[fence_start : line_no + 1] = [True] * (line_no + 1 - fence_start)
            continue
        if hashes is not None:
            headings.append(Heading(len(hashes.lstrip()), _heading_text(m["rest"]).strip(), line_no))
            continue
        line = m["other"]
        if "```" in line or "~~~" in line:
            f = _FENCE_OPEN.match(line)
            if f and not (f["fence"][0] == "`" and "`" in f["info"]):
                fence_char, fence_len, fence_start = f["fence"][0], len(f["fence"]), line_no
                continue
            if option_fences:
                f = _OPTION_FENCE_OPEN.match(line)
                if f:
                    fence_char, fence_len, fence_start = "`", len(f["fence"]), line_no
    if fence_char:
        in_code[fence_start:] = [True] * (len(lines) - fence_start)
    return Blocks(lines, headings, in_code)


class HeadingTooLong(ValueError):
    """A heading past LIMITS["heading"]: refused before any heading is classified (so neither the
    work on it nor the readers' caches ever see a hostile 100 KB heading)."""

    def __init__(self, line: int, length: int) -> None:
        super().__init__(f"a heading is {length:,} characters; the limit is {LIMITS['heading']:,}")
        self.line = line  # 0-based, in the text that was scanned


def check_headings(blocks: Blocks) -> None:
    """HeadingTooLong for the first heading of `blocks` over the limit."""
    for h in blocks.headings:
        if len(h.text) > LIMITS["heading"]:
            raise HeadingTooLong(h.line, len(h.text))
