"""A Markdown question's options and stem: where the options block is (a heading, a `**選項：**`
label, or the first run of option lines), each option's text and `(Correct)` mark, and the stem
above them."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.bank.markdown_doc import Doc
from bot.bank.model import LETTERS, BankError
from bot.bank.text import RULE, clean_block, strip_emoji

# An option line: `- **A.** text`, `**A.** text`, `- A. text`, `A) text`, `(A) text`, `**A**. text`.
_OPTION = re.compile(
    r"^\s{0,3}(?:[-*+]\s++)?(?:\*\*|__)?[(（]?(?P<letter>[A-Z])(?:[.．:：]|[)）])(?:\*\*|__)?[ \t]?(?P<rest>.*)$"
    r"|^\s{0,3}(?:[-*+]\s++)?\*\*(?P<letter2>[A-Z])\*\*[.．:：)）][ \t]?(?P<rest2>.*)$"
)
_AFTER_LAST = chr(ord(LETTERS[-1]) + 1)  # "K": an option line with it means an 11th option
_CORRECT_MARKS = ("(Correct)", "(correct)", "(CORRECT)", "(正確)")
_OPTIONS_HEADING = re.compile(r"^(選項|options?|choices|答案選項)\s*$", re.I)
_OPTION_FENCE_LINE = re.compile(r"^\s*+(?:[-*+]\s++)?[A-J][.)]\s*+`{3,}")
_CODE_START = re.compile(r"^[ \t]*+(SELECT|def |import |from |CREATE |spark\.|df)", re.I | re.M)
_STEM_HEADING = re.compile(r"題幹|原文題目|^question$|^stem$", re.I)
_RAW_STEM_HEADING = re.compile(r"^question$", re.I)
_CONTENT_HEADING = re.compile(r"題目內容|^question$", re.I)


@dataclass(frozen=True, slots=True)
class Options:
    texts: dict[str, str]  # letter -> Markdown, in order; {} when there are none
    marked: set[str]  # letters marked `(Correct)`
    line: int  # line index of the options heading or label, else of the first option


@dataclass(frozen=True, slots=True)
class _Region:
    start: int  # first line of the options block
    end: int
    anchor: int  # line of its heading or label (the first line when it has neither)
    labelled: bool  # it has a heading or a label


def read_options(doc: Doc) -> Options:
    """The options, in order; BankError for letters out of order, twice, past J, or an empty one."""
    region = _option_region(doc)
    heading = region.anchor if region.labelled else None
    letters, lines, first_option_line = _collect_options(doc, region, heading)
    if not letters:
        return Options({}, set(), region.anchor)
    _check_letters(doc, list(letters), lines, first_option_line)
    result: dict[str, str] = {}
    correct: set[str] = set()
    for letter, body_lines in letters.items():
        body, marked = _strip_correct(_dedent_option(body_lines))
        if marked:
            correct.add(letter)
        result[letter] = body
    for letter, body in result.items():
        if not body.strip():
            raise BankError(doc.path, first_option_line + 1, f"option {letter} is empty")
    return Options(result, correct, region.anchor if heading is not None else first_option_line)


def _option_region(doc: Doc) -> _Region:
    """Where the options block is, and whether it has a heading or a label."""
    headings = [
        h
        for h in doc.headings
        if h.level >= 2 and len(h.text) < 24 and _OPTIONS_HEADING.match(strip_emoji(h.text)[1])
    ]
    heading = next((h for h in headings if doc.meta[h.line]), headings[0] if headings else None)
    if heading is not None:
        a, b = doc.section_range(heading)
        anchor = heading.line
    else:
        # `**選項：**` on a line of its own, followed by the options
        label = next(
            (
                i
                for key, value, i in doc.fields()
                if key in {"選項", "options", "choices"} and not value.strip()
            ),
            None,
        )
        if label is None:
            # no heading, no label: the first run of option lines in the question part
            meta_lines = [i for i in range(doc.start, doc.end) if doc.meta[i]]
            if not meta_lines:
                return _Region(doc.start, doc.start, doc.start, False)
            return _Region(meta_lines[0], meta_lines[-1] + 1, meta_lines[0], False)
        a, anchor = label + 1, label
        b = next((h.line for h in doc.headings if h.line > label), doc.end)
    for i in range(a, b):  # the block also ends at a horizontal rule
        if not doc.blocks.in_code[i] and RULE.match(doc.blocks.lines[i]):
            return _Region(a, i, anchor, True)
    return _Region(a, b, anchor, True)


def _collect_options(
    doc: Doc, region: _Region, heading: int | None
) -> tuple[dict[str, list[str]], list[int], int]:
    """The option lines of the region: letter -> its lines (in order), the line of each option, the
    line of the first. Without a heading, only a run starting at A counts, and a blank pair, a
    heading or a repeated letter ends it."""
    lines, in_code = doc.blocks.lines, doc.blocks.in_code
    options: dict[str, list[str]] = {}
    option_lines: list[int] = []
    current: str | None = None
    first_option_line = -1
    b = region.end
    for i in range(region.start, b):
        line = lines[i]
        m = None if (in_code[i] and not _OPTION_FENCE_LINE.match(line)) else _OPTION.match(line)
        letter = (m["letter"] or m["letter2"]) if m else ""
        if m and letter not in LETTERS:
            if options and next(reversed(options)) == LETTERS[-1] and letter == _AFTER_LAST:
                raise BankError(
                    doc.path,
                    i + 1,
                    f"options {LETTERS}{letter}: at most {len(LETTERS)} options "
                    f"({LETTERS[0]}–{LETTERS[-1]}) are read",
                )
            m = None  # `K.`, `X)`: text of the option above, not an option
        if m:
            rest = m["rest"] if m["letter"] else m["rest2"]
            if letter in options:
                if heading is None:
                    break  # a second run of letters further down is not the options block
                raise BankError(doc.path, i + 1, f"option {letter} appears twice")
            if heading is None and not options and letter != "A":
                continue
            options[letter] = [rest]
            option_lines.append(i)
            current = letter
            if first_option_line < 0:
                first_option_line = i
            continue
        if current is None:
            continue
        if heading is None and not line.strip() and i + 1 < b and not lines[i + 1].strip():
            # two blank lines end a heading-less option run
            current = None
            continue
        if heading is None and doc.is_heading(i):
            break
        options[current].append(line)
    return options, option_lines, first_option_line


def _check_letters(doc: Doc, order: list[str], option_lines: list[int], first_option_line: int) -> None:
    expected = LETTERS[: len(order)]
    if "".join(order) != expected:
        bad = next(i for i, (got, want) in enumerate(zip(order, expected, strict=True)) if got != want)
        raise BankError(
            doc.path,
            option_lines[bad] + 1,
            f"options are {''.join(order)}, expected consecutive letters {expected}",
        )
    if len(order) > len(LETTERS):  # pragma: no cover - the letters stop at LETTERS[-1]
        raise BankError(doc.path, first_option_line + 1, f"more than {len(LETTERS)} options")


def _dedent_option(lines: list[str]) -> str:
    first, rest = lines[0], lines[1:]
    while rest and not rest[-1].strip():
        rest.pop()
    indents = [len(x) - len(x.lstrip(" ")) for x in rest if x.strip()]
    cut = min(indents) if indents else 0
    body = "\n".join([first.strip()] + [x[cut:].rstrip() for x in rest])
    return clean_block(body)


def _strip_correct(body: str) -> tuple[str, bool]:
    tail = body.rstrip()
    for mark in _CORRECT_MARKS:
        if tail.endswith(mark):
            return tail[: -len(mark)].rstrip(), True
    return body, False


def read_stem(doc: Doc, raw: bool, options_line: int) -> str:
    """The stem: under its heading (`### 題幹`, `## Question`), else between the question's first
    heading and the options. A stem kept in a bare fence (the template's style) is unwrapped."""
    pattern = _RAW_STEM_HEADING if raw else _STEM_HEADING
    found = [h for h in doc.headings if pattern.search(h.text)]
    heading = next((h for h in found if doc.meta[h.line]), found[0] if found else None)
    if heading is not None:
        a, b = doc.section_range(heading)
        b = min(b, options_line) if options_line > heading.line else b
    else:
        content = doc.find_heading(_CONTENT_HEADING)
        a = content.line + 1 if content else doc.start + 1
        b = options_line
    text = doc.text(a, b)
    # a stem kept in a bare fence (the template's style) is prose, not code
    inner = _bare_fence_content(text)
    if inner is not None and not _CODE_START.search(inner):
        text = inner.strip()
    return text


def _bare_fence_content(text: str) -> str | None:
    """What is inside a text that is one fence without a language (```` ``` ```` lines around it), or
    None. (With str methods: a regex `\\s*` over the blank lines after the fence was quadratic.)"""
    if not (text.startswith("```") and text.endswith("\n```")):
        return None
    first_nl = text.find("\n")
    if text[3:first_nl].strip():
        return None  # a language: code
    return text[first_nl + 1 : -4]
