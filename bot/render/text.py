"""Width and length helpers for text shown in Discord.

Pure functions, no Discord imports.

* :func:`display_width` — how many columns a string takes in a monospace font
  (East Asian Wide/Fullwidth characters and emoji take two, combining marks none).
* :func:`utf16_len` — the length Discord limits are checked against here: UTF-16 code
  units, so an astral character such as most emoji counts two. That is never less than
  the number of code points, so a text within a limit by this measure is within it by
  either way of counting.
* :func:`in_code_span`, :func:`one_line` — text from the bank's files (file names,
  problems quoting a file) made safe to show: no control characters or line breaks, no way
  out of a code span.
"""

from __future__ import annotations

import unicodedata

from bot.bank.bank import printable

__all__ = ["display_width", "in_code_span", "one_line", "utf16_len"]


def in_code_span(text: str) -> str:
    """`text` for inside a `code span`: control characters escaped, a backtick (which would end
    the span) shown as ˋ."""
    return printable(text).replace("`", "ˋ")


def one_line(text: str) -> str:
    """`text` (a problem the loader found: our words, quoting the file in `code`) on one line: its
    control characters and line breaks escaped, so it cannot forge another line."""
    return printable(text)


_ZWJ = "\u200d"
_VS15 = 0xFE0E  # text presentation selector
_VS16 = 0xFE0F  # emoji presentation selector


def utf16_len(text: str) -> int:
    """Length of *text* in UTF-16 code units (astral characters count two)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _is_zero_width(ch: str, cp: int) -> bool:
    if unicodedata.combining(ch):
        return True
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:  # variation selectors
        return True
    if 0x1160 <= cp <= 0x11FF:  # Hangul medial vowels / final consonants (conjoining)
        return True
    category = unicodedata.category(ch)
    return category in ("Mn", "Me", "Cf", "Cc")


def char_width(ch: str) -> int:
    """Columns taken by one character on its own (0, 1 or 2)."""
    cp = ord(ch)
    if _is_zero_width(ch, cp):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


def display_width(text: str) -> int:
    """Columns *text* takes in a monospace font.

    East Asian Wide and Fullwidth characters take two columns, as do emoji (including a
    text-default symbol made an emoji by U+FE0F, such as "⚠️"); combining marks,
    variation selectors, zero-width and control characters take none; the parts of an
    emoji ZWJ sequence after the first, and skin-tone modifiers, add nothing. Ambiguous
    characters (box drawing, arrows) count one, as in Western monospace fonts.
    """
    if text.isascii() and text.isprintable():  # the common case, measured in C
        return len(text)
    width = 0
    prev = 0  # width of the last character that took columns
    after_zwj = False
    for ch in text:
        cp = ord(ch)
        if ch == _ZWJ:
            after_zwj = prev == 2
            continue
        if cp == _VS16:
            if prev == 1:  # text-default symbol shown as an emoji
                width += 1
                prev = 2
            continue
        if cp == _VS15:
            continue
        w = char_width(ch)
        if w == 0:
            continue
        if prev == 2 and 0x1F3FB <= cp <= 0x1F3FF:  # skin-tone modifier joins the emoji
            continue
        if after_zwj:  # the rest of an emoji ZWJ sequence draws as one glyph
            after_zwj = False
            continue
        width += w
        prev = w
    return width
