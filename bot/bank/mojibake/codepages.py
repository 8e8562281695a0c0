"""The code pages a broken file went through, and reading its runs of code-page characters back as
UTF-8: whether a text needs repair at all, which code page it went through, the complete and the
truncated UTF-8 sequences hidden in it, and the characters a truncated one can have been."""

from __future__ import annotations

import functools
import itertools
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class CodePage:
    name: str
    byte_of: dict[str, int]  # character -> byte, for bytes 0x80..0xFF
    dropped: frozenset[int]  # bytes that vanished on the way (undefined in the code page, and 0xAD)


def _make_codepage(name: str) -> CodePage:
    byte_of: dict[str, int] = {}
    undefined: set[int] = set()
    for b in range(0x80, 0x100):
        try:
            byte_of[bytes([b]).decode(name)] = b
        except UnicodeDecodeError:
            undefined.add(b)
    # Some converters keep an undefined byte as the C1 control of the same value, and a file
    # that went through Latin-1 has C1 controls for all of 0x80..0x9F: read those back too.
    for b in range(0x80, 0xA0):
        byte_of.setdefault(chr(b), b)
    return CodePage(name, byte_of, frozenset(undefined | {0xAD}))


# Order matters for ties: cp1254 drops a superset of cp1252's bytes.
_CODEPAGES: tuple[CodePage, ...] = (_make_codepage("cp1254"), _make_codepage("cp1252"))


def _char_class(chars: Iterable[str]) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(set(chars))) + "]"


def _chars_for(lo: int, hi: int) -> set[str]:
    return {c for cp in _CODEPAGES for c, b in cp.byte_of.items() if lo <= b <= hi}


_CONT = _char_class(_chars_for(0x80, 0xBF))
# What a code page makes of UTF-8. Strong evidence, enough on its own: a Latin-1 letter or sign
# ("Ã©", "Â°", "Â " for a no-break space), General Punctuation ("â€™", "â€”"), an emoji
# ("ðŸ“", "ğŸ“") or a byte-order mark ("ï»¿"). Weak evidence, needed twice: any other
# complete 3-byte sequence ("æ¨™"), or a 4-byte one with at least two continuation bytes. (A
# single weak match can be real text: "café…”" reads as E9 85 94.)
_EVIDENCE = re.compile(
    f"(?P<strong>{_char_class(_chars_for(0xC3, 0xC3))}{_CONT}"
    f"|{_char_class(_chars_for(0xC2, 0xC2))}{_char_class(_chars_for(0xA0, 0xBF))}"
    f"|{_char_class(_chars_for(0xE2, 0xE2))}{_char_class(_chars_for(0x80, 0x80))}{_CONT}"
    f"|{_char_class(_chars_for(0xF0, 0xF0))}{_char_class(_chars_for(0x9F, 0x9F))}{_CONT}"
    "|\u00ef\u00bb\u00bf)"
    f"|{_char_class(_chars_for(0xE0, 0xEF))}{_CONT}{{2}}"
    f"|{_char_class(_chars_for(0xF0, 0xF4))}{_CONT}{{2}}"
)


# Any lead byte followed by a continuation byte: a fast first scan (about 20 µs for a 5 KB file)
# that clean text almost never matches; only then is the text searched for evidence.
_PREFILTER = re.compile(_char_class(_chars_for(0xC2, 0xF4)) + _CONT)


def needs_repair(text: str) -> bool:
    """True if ``text`` shows UTF-8 read through a Windows code page (cheap: one regex scan)."""
    first = _PREFILTER.search(text)
    if first is None:
        return False
    weak = 0
    for match in _EVIDENCE.finditer(text, first.start()):
        if match.lastgroup == "strong" or weak:
            return True
        weak = 1
    return False


# ---------------------------------------------------------------------------------------------
# Reading runs of code-page characters back as UTF-8


def _utf8_length(lead: int) -> int:
    """Bytes in a sequence starting with ``lead``; 0 if ``lead`` cannot start one."""
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def _is_cont(b: int) -> bool:
    return 0x80 <= b <= 0xBF


@dataclass(slots=True)
class Unit:
    start: int  # character offsets into the text
    end: int
    char: str | None = None  # complete sequence: its character
    lead: int = 0  # truncated sequence: lead byte, the continuation bytes present, and length
    conts: bytes = b""
    length: int = 0

    @property
    def truncated(self) -> bool:
        return self.char is None


def _parse(text: str, cp: CodePage) -> tuple[list[Unit], int, set[int]]:
    """Find the UTF-8 sequences hidden in runs of code-page characters.

    Returns the units (complete or truncated sequences; everything else is left as it is),
    a well-formedness score (bytes in sequences minus bytes that fit none) and the set of
    bytes seen in runs.
    """
    units: list[Unit] = []
    score = 0
    seen: set[int] = set()
    byte_of = cp.byte_of
    n = len(text)
    i = 0
    while i < n:
        if text[i] not in byte_of:
            i += 1
            continue
        j = i
        while j < n and text[j] in byte_of:
            j += 1
        run = bytes(byte_of[c] for c in text[i:j])
        seen.update(run)
        k = 0
        while k < len(run):
            lead = run[k]
            length = _utf8_length(lead)
            m = k + 1
            while m < len(run) and _is_cont(run[m]) and m - k < max(length, 1):
                m += 1
            if length == 0:
                score -= m - k  # stray continuation bytes or a byte that starts nothing
            elif m - k == length:
                try:
                    char = run[k:m].decode("utf-8")
                except UnicodeDecodeError:
                    score -= m - k
                else:
                    units.append(Unit(i + k, i + m, char=char))
                    score += m - k
            else:
                units.append(Unit(i + k, i + m, lead=lead, conts=run[k + 1 : m], length=length))
                score += m - k
            k = m
        i = j
    return units, score, seen


def choose_codepage(text: str) -> tuple[CodePage, list[Unit], frozenset[int]]:
    best: tuple[int, CodePage, list[Unit], set[int]] | None = None
    for cp in _CODEPAGES:
        units, score, seen = _parse(text, cp)
        if best is None or score > best[0]:
            best = (score, cp, units, seen)
    assert best is not None
    _, cp, units, seen = best
    # A byte that is still in the text was evidently not dropped.
    return cp, units, cp.dropped - seen


_EXCLUDED_CATEGORIES = frozenset({"Cn", "Co", "Cs"})


@functools.lru_cache(maxsize=65536)
def candidates(lead: int, conts: bytes, length: int, dropped: frozenset[int]) -> tuple[str, ...]:
    """Characters whose UTF-8 is ``lead + conts`` with ``length - 1 - len(conts)`` dropped bytes put back."""
    missing = length - 1 - len(conts)
    out: set[str] = set()
    values = sorted(dropped)
    for slots in itertools.combinations(range(length - 1), missing):
        for fill in itertools.product(values, repeat=missing):
            seq = bytearray([lead])
            given = iter(conts)
            fills = iter(fill)
            for pos in range(length - 1):
                seq.append(next(fills) if pos in slots else next(given))
            try:
                char = bytes(seq).decode("utf-8")
            except UnicodeDecodeError:
                continue
            if unicodedata.category(char) not in _EXCLUDED_CATEGORIES:
                out.add(char)
    return tuple(sorted(out))
