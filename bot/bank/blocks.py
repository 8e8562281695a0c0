"""Block structure of a question file: headings and code fences, line by line.

This is a deliberately small scanner for the two constructs the reader needs,
ATX headings and fenced code, with CommonMark's rules for both (a heading has at
most three spaces of indent; a fence closes with the same character, at least
as long, and nothing but spaces after it). `tests/test_blocks.py` checks that it
finds exactly the headings markdown-it-py finds on every structured file of the
bank sample and on generated Markdown.

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

_FENCE_OPEN = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)$")
# `- A. ```sql` : the raw format's code option, fence opened after the option marker.
_OPTION_FENCE_OPEN = re.compile(r"^\s*(?:[-*+]\s+)?[A-F][.)]\s*(?P<fence>`{3,})(?P<info>[\w+-]*)\s*$")
_HEADING = re.compile(r"^ {0,3}(?P<hashes>#{1,6})(?:[ \t]+(?P<text>.*?))?(?:[ \t]+#+)?[ \t]*$")


class Heading(NamedTuple):
    level: int
    text: str
    line: int  # 0-based index into the file's lines


@dataclass(frozen=True, slots=True)
class Blocks:
    lines: list[str]
    headings: list[Heading]
    in_code: list[bool]  # True for lines inside a fence, fence lines included


# Lines that can open or close a fence, or be a heading; everything else is skipped
# without running Python code per line.
_CANDIDATE = re.compile(r"^[ \t]*(?:#|`{3,}|~{3,}|(?:[-*+][ \t]+)?[A-F][.)][ \t]*`{3,})[^\n]*", re.M)


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
    for cand in _CANDIDATE.finditer(text):
        line_no += text.count("\n", last_pos, cand.start())
        last_pos = cand.start()
        line = cand.group()
        i = line_no
        if fence_char:
            stripped = line.strip()
            if option_fences and stripped.endswith("(Correct)"):
                stripped = stripped[: -len("(Correct)")].rstrip()
            # Fences inside list items are indented with the item, so any indent closes.
            if stripped and set(stripped) == {fence_char} and len(stripped) >= fence_len:
                fence_char = ""
                in_code[fence_start : i + 1] = [True] * (i + 1 - fence_start)
            continue
        m = _FENCE_OPEN.match(line) if ("```" in line or "~~~" in line) else None
        if m and not (m["fence"][0] == "`" and "`" in m["info"]):
            fence_char, fence_len, fence_start = m["fence"][0], len(m["fence"]), i
            continue
        if option_fences and "```" in line:
            m = _OPTION_FENCE_OPEN.match(line)
            if m:
                fence_char, fence_len, fence_start = "`", len(m["fence"]), i
                continue
        if line.startswith(("#", " #", "  #", "   #")):
            h = _HEADING.match(line)
            if h:
                headings.append(Heading(len(h["hashes"]), (h["text"] or "").strip(), i))
    if fence_char:  # an unclosed fence runs to the end of the file
        in_code[fence_start:] = [True] * (len(lines) - fence_start)
    return Blocks(lines, headings, in_code)
