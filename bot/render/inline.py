"""Inline Markdown within a line, found in linear time: code spans (and what lies outside them),
links, in-page anchor links, `<br>`."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable

_BACKTICKS = re.compile(r"`+")
_LINK_TEXT = r"(?:[^\[\]\\]|\\.|\[[^\[\]]*\])*"
_LINK_TITLE = r"""(?:[ \t]+(?:"[^"]*"|'[^']*'))?"""
# [text](#anchor) — an in-page link, which leads nowhere in Discord (the spaces before it go
# too: see remove_anchors; a leading `[ \t]*` here would be tried at every space of a run).
_ANCHOR = re.compile(rf"!?\[{_LINK_TEXT}\]\([ \t]*<?#[^()\s>]*>?{_LINK_TITLE}[ \t]*\)")
LINK = re.compile(
    rf"(?P<bang>!?)\[(?P<text>{_LINK_TEXT})\]\([ \t]*<?(?P<url>[^()\s>]*)>?{_LINK_TITLE}[ \t]*\)"
)
BR = re.compile(r"<br[ \t]*/?>", re.IGNORECASE)


def code_spans(text: str) -> list[tuple[int, int]]:
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


def outside_code(text: str, func: Callable[[str], str]) -> str:
    """Apply *func* to the parts of *text* that are not inline code spans."""
    parts: list[str] = []
    pos = 0
    for start, end in code_spans(text):
        parts.append(func(text[pos:start]))
        parts.append(text[start:end])
        pos = end
    parts.append(func(text[pos:]))
    return "".join(parts)


def split_outside_code(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Split *text* where *pattern* matches, except inside inline code spans."""
    pieces: list[list[str]] = [[]]  # the parts of each piece (joined once, at the end)

    def split(segment: str) -> None:
        first, *rest = pattern.split(segment)
        pieces[-1].append(first)
        pieces.extend([part] for part in rest)

    pos = 0
    for start, end in code_spans(text):
        split(text[pos:start])
        pieces[-1].append(text[start:end])
        pos = end
    split(text[pos:])
    return ["".join(parts) for parts in pieces]


def remove_anchors(text: str) -> tuple[str, bool]:
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

    return outside_code(text, drop), removed
