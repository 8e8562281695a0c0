"""Text helpers the bank's readers share: comments, blank lines and rules at the edges of a block,
a heading's leading emoji, slugs, a file name's stem. Pure functions on strings."""

from __future__ import annotations

import functools
import re
import unicodedata

# A thematic break (`---`, `***`, `___`) on a line of its own.
RULE = re.compile(r"^\s{0,3}(-{3,}|\*{3,}|_{3,})\s*$")
_BLANK_RUN = re.compile(r"\n{3,}")
_NON_WORD = re.compile(r"[^\w]+")


def strip_comments(text: str) -> str:
    """Remove closed HTML comments (`<!-- … -->`; an unclosed one stays). One pass with str.find: a
    lazy `<!--.*?-->` regex rescans to the end of the text from every unclosed `<!--`."""
    out: list[str] = []
    pos = 0
    while True:
        i = text.find("<!--", pos)
        j = text.find("-->", i + 4) if i >= 0 else -1
        if j < 0:
            break
        out.append(text[pos:i])
        pos = j + 3
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def clean_block(text: str) -> str:
    """Drop HTML comments, trim blank lines and rules at both ends, collapse runs of blank lines."""
    if "<!--" in text:
        text = strip_comments(text)
    lines = text.split("\n")
    a, b = 0, len(lines)
    while a < b and (not lines[a].strip() or RULE.match(lines[a])):
        a += 1
    while b > a and (not lines[b - 1].strip() or RULE.match(lines[b - 1])):
        b -= 1
    return collapse_blank("\n".join(lines[a:b]).rstrip())


def collapse_blank(text: str) -> str:
    """Runs of blank lines made one."""
    return _BLANK_RUN.sub("\n\n", text) if "\n\n\n" in text else text


@functools.lru_cache(maxsize=8192)
def strip_emoji(text: str) -> tuple[str, str]:
    """Split a heading's leading emoji (and variation selectors) from its words."""
    text = text.strip()
    i = 0
    while i < len(text):
        ch = text[i]
        cat = unicodedata.category(ch)
        if cat in ("So", "Sk", "Cf", "Mn") or ch in "\ufe0f\u200d" or 0x1F000 <= ord(ch) <= 0x1FAFF:
            i += 1
            continue
        break
    return text[:i].strip(), text[i:].strip()


@functools.lru_cache(maxsize=8192)
def slug(heading: str) -> str:
    """A key made from a heading's own words (NFKC, case-folded, `-` between words, ≤ 48 chars)."""
    s = unicodedata.normalize("NFKC", heading).casefold()
    s = _NON_WORD.sub("-", s).strip("-")
    return s[:48] or "section"


def file_stem(path: str) -> str:
    """The file name without folders and suffix (`by-topic/Q-104.md` -> `Q-104`)."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0]


def followed_by(text: str, first: str, then: tuple[str, ...]) -> bool:
    """`first` occurs and one of `then` comes after it (a linear `first.*then` search)."""
    i = text.find(first)
    return i >= 0 and any(text.find(x, i + len(first)) >= 0 for x in then)
