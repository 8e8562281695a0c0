"""One question's lines in a Markdown file, as the reader's parts look at them: its headings and
the range each one covers, which lines belong to the question rather than its explanation, its
`**Key:** value` fields, and clean text of a range of lines."""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass, field

from bot.bank.blocks import Blocks, Heading
from bot.bank.text import RULE, clean_block, collapse_blank

#: A field: (normalised key, value as written, 0-based line index).
Field = tuple[str, str, int]

# (Possessive `*+`/`++` where two runs of spaces meet: a line of 100,000 spaces must not be tried
# 100,000 ways. The value's trailing spaces are stripped in Python, not by a lazy `.*?\s*$`.)
_FIELD = re.compile(
    r"^\s{0,3}(?:[-*+]\s++|\d++\.\s++)?\*\*(?P<key>[^*\n]{1,40}?)\s*+[:：]?+\s*+\*\*\s*+[:：]?[ \t]*+(?P<value>.*)$"
)
# `# Question #3`, `# 題目 12`, `# Q 7`: the title of a question (in a dump, of each question).
QUESTION_TITLE = re.compile(r"^(?:question|題目|q)\s*+[#＃]?+\s*+(?P<n>\d++)\s*+$", re.IGNORECASE)


@functools.lru_cache(maxsize=4096)
def norm_key(s: str) -> str:
    """Field/heading key for matching: NFKC, no emoji/punctuation/space, case-folded."""
    s = unicodedata.normalize("NFKC", s)
    return "".join(ch for ch in s if ch.isalnum()).casefold()


def first_value(fields: list[Field], keys: set[str]) -> str | None:
    """The first non-blank value of a field with one of `keys`."""
    for key, value, _ in fields:
        if key in keys and value.strip():
            return value
    return None


@dataclass
class Doc:
    """Lines start..end of `blocks` (one question) and the headings among them."""

    blocks: Blocks
    start: int
    end: int
    path: str
    headings: list[Heading] = field(default_factory=list)
    # per line of the file: part of the question, not the explanation (markdown_reader's meta mask)
    meta: list[bool] = field(default_factory=list)
    _fields: list[Field] | None = None
    _heading_index: dict[int, int] | None = None
    _ends: list[int] | None = None
    _heading_lines: set[int] | None = None

    def line_no(self, i: int) -> int:
        """1-based line number of line index `i` (for error messages)."""
        return i + 1

    def section_range(self, h: Heading) -> tuple[int, int]:
        """Lines after heading `h` up to the next heading of the same or a higher level."""
        return h.line + 1, self._section_ends()[self.index_of(h)]

    def index_of(self, h: Heading) -> int:
        if self._heading_index is None:
            self._heading_index = {x.line: k for k, x in enumerate(self.headings)}
        return self._heading_index.get(h.line, 0)

    def _section_ends(self) -> list[int]:
        """Per heading, the line of the next heading of the same or a higher level (one pass)."""
        if self._ends is None:
            ends = [self.end] * len(self.headings)
            open_: list[int] = []  # indexes of headings whose section is still open, levels rising
            for k, h in enumerate(self.headings):
                while open_ and self.headings[open_[-1]].level >= h.level:
                    ends[open_.pop()] = h.line
                open_.append(k)
            self._ends = ends
        return self._ends

    def is_heading(self, i: int) -> bool:
        if self._heading_lines is None:
            self._heading_lines = {h.line for h in self.headings}
        return i in self._heading_lines

    def text(self, a: int, b: int) -> str:
        """Lines a..b as a clean block (no blank lines or rules at either end)."""
        lines = self.blocks.lines
        while a < b and (not lines[a].strip() or RULE.match(lines[a])):
            a += 1
        while b > a and (not lines[b - 1].strip() or RULE.match(lines[b - 1])):
            b -= 1
        if a == b:
            return ""
        text = "\n".join(lines[a:b]).rstrip()
        if "<!--" in text:
            return clean_block(text)
        return collapse_blank(text)

    def fields(self) -> list[Field]:
        """(normalised key, value, line index) of every `**Key:** value` line outside code."""
        if self._fields is not None:
            return self._fields
        out = []
        lines, in_code = self.blocks.lines, self.blocks.in_code
        for i in range(self.start, self.end):
            if in_code[i]:
                continue
            line = lines[i]
            if "**" not in line:
                continue
            m = _FIELD.match(line)
            if m:
                out.append((norm_key(m["key"]), m["value"], i))
        self._fields = out
        return out

    def find_heading(self, pattern: re.Pattern[str]) -> Heading | None:
        """The first heading whose text `pattern` finds."""
        return next((h for h in self.headings if pattern.search(h.text)), None)

    def meta_heading(self, pattern: re.Pattern[str]) -> Heading | None:
        """The first heading in the question part whose text `pattern` finds."""
        return next((h for h in self.headings if self.meta[h.line] and pattern.search(h.text)), None)
