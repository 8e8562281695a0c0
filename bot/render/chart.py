"""A horizontal bar chart of accuracy per topic, drawn with Pillow into a PNG.

Bars are drawn by hand (no matplotlib): one row per topic, lowest accuracy first as the caller
orders them, a 0-100 % axis, and "60% · 3/5" at the end of each bar.

Fonts: each label is drawn with the first font of the chain that has a glyph for every one of
its characters. The chain is the CJK fonts commonly installed (Noto CJK, WenQuanYi, Droid
fallback, AR PL, macOS and Windows CJK fonts), then DejaVu Sans, then Pillow's built-in font.
A label that no font can draw (a CJK topic on a machine without a CJK font) is drawn as "#n"
instead of tofu boxes, and returned in `Chart.numbered` so the caller can print the key in
text (Discord itself renders CJK fine).
"""

from __future__ import annotations

import functools
import io
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

WIDTH = 800
ROW = 34  # height of one bar row
TOP = 16
BOTTOM = 34  # the axis labels
LABEL_COLUMN = 230  # room for the topic names
VALUE_COLUMN = 120  # room for "100% · 999/999"
MAX_BARS = 15
FONT_SIZE = 16
SMALL_SIZE = 13

BACKGROUND = (43, 45, 49)  # Discord's dark grey: reads well in both themes
TEXT = (219, 222, 225)
MUTED = (148, 155, 164)
GRID = (64, 66, 73)
RED = (237, 66, 69)
AMBER = (250, 166, 26)
GREEN = (87, 242, 135)

# Tried in order; missing files are skipped. CJK first: they also cover Latin text.
FONT_CANDIDATES: tuple[str, ...] = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJKtc-Regular.otf",
    "/usr/share/fonts/truetype/noto/NotoSansTC-Regular.ttf",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
    "/System/Library/Fonts/PingFang.ttc",
    "/Library/Fonts/Arial Unicode.ttf",
    "C:/Windows/Fonts/msjh.ttc",
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
)

_NOT_A_CHAR = "\U0010fffd"  # a private-use code point no font maps: renders as .notdef


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    correct: int
    answers: int

    @property
    def accuracy(self) -> float:
        return self.correct / self.answers if self.answers else 0.0


@dataclass(frozen=True, slots=True)
class Chart:
    png: bytes
    width: int
    height: int
    # (number, label) of the bars labelled "#number" because no font could draw the label.
    numbered: list[tuple[int, str]] = field(default_factory=list)


def chart_size(bars: int, width: int = WIDTH) -> tuple[int, int]:
    """The image size for `bars` bars (at most MAX_BARS are drawn, at least one row is)."""
    rows = max(1, min(bars, MAX_BARS))
    return width, TOP + rows * ROW + BOTTOM


def bar_colour(acc: float) -> tuple[int, int, int]:
    return RED if acc < 0.5 else AMBER if acc < 0.75 else GREEN


class Face:
    """A loaded font and the characters it can draw."""

    def __init__(self, font: ImageFont.FreeTypeFont | ImageFont.ImageFont) -> None:
        self.font = font
        self._known: dict[str, bool] = {}
        self._notdef: tuple[tuple[int, int], bytes] | None = None
        if isinstance(font, ImageFont.FreeTypeFont):
            self._notdef = self._mask(_NOT_A_CHAR)

    def _mask(self, ch: str) -> tuple[tuple[int, int], bytes]:
        mask = self.font.getmask(ch)
        return mask.size, bytes(mask)

    def has(self, ch: str) -> bool:
        if ch.isspace():
            return True
        known = self._known.get(ch)
        if known is None:
            # (Pillow's bitmap font, without a .notdef glyph to compare with: Latin-1 only)
            known = ord(ch) < 256 if self._notdef is None else self._mask(ch) != self._notdef
            self._known[ch] = known
        return known

    def covers(self, text: str) -> bool:
        return all(self.has(ch) for ch in text)

    def length(self, text: str) -> float:
        return float(self.font.getlength(text))


@functools.lru_cache(maxsize=8)
def font_chain(size: int, paths: tuple[str, ...] | None = None) -> tuple[Face, ...]:
    """The fonts found among `paths` (default FONT_CANDIDATES), then Pillow's built-in font."""
    faces: list[Face] = []
    for path in FONT_CANDIDATES if paths is None else paths:
        if not os.path.isfile(path):
            continue
        try:
            faces.append(Face(ImageFont.truetype(path, size)))
        except OSError:
            continue
    faces.append(Face(ImageFont.load_default(size)))
    return tuple(faces)


def _pick(faces: Sequence[Face], text: str) -> Face | None:
    return next((f for f in faces if f.covers(text)), None)


def one_line_label(label: str) -> str:
    """*label* as one line (Pillow's text layout fails on a line break), and no longer than the
    label column could show (four characters a pixel: however long the tag, the work is bounded)."""
    return " ".join(label[: 4 * LABEL_COLUMN].split())


def fit_label(face: Face, text: str, room: float) -> str:
    """*text* cut to *room* pixels, with an ellipsis when cut. The cut is found by bisection:
    measuring one character shorter at a time took time quadratic in a long label."""
    if face.length(text) <= room:
        return text
    lo, hi = 0, len(text)  # the longest text[:lo] + "…" that fits lies in [lo, hi)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if face.length(text[:mid] + "…") <= room:
            lo = mid
        else:
            hi = mid
    text = text[:lo]
    if face.covers("…"):
        return text.rstrip() + "…"
    return text.rstrip()[:-1] + "."


def draw_label(
    draw: ImageDraw.ImageDraw, x: float, mid: float, text: str, face: Face, fill: tuple[int, int, int]
) -> None:
    """Draw `text` starting at `x`, centred vertically on `mid` (works for bitmap fonts too)."""
    _, top, _, bottom = draw.textbbox((0, 0), text, font=face.font)
    draw.text((x, mid - (top + bottom) / 2), text, font=face.font, fill=fill)


def accuracy_chart(
    bars: Sequence[Bar], *, width: int = WIDTH, fonts: Sequence[str | os.PathLike[str]] | None = None
) -> Chart:
    """Draw `bars` (the first MAX_BARS, in the given order) as a PNG.

    `fonts`: font files to try instead of FONT_CANDIDATES (tests, deployments with their own font).
    """
    shown = list(bars)[:MAX_BARS]
    w, h = chart_size(len(shown), width)
    paths = None if fonts is None else tuple(str(Path(p)) for p in fonts)
    faces = font_chain(FONT_SIZE, paths)
    small = font_chain(SMALL_SIZE, paths)
    ascii_face = _pick(faces, "#0123456789%·/") or faces[-1]
    small_face = _pick(small, "0123456789%") or small[-1]

    image = Image.new("RGB", (w, h), BACKGROUND)
    draw = ImageDraw.Draw(image)
    x0 = LABEL_COLUMN + 10
    x1 = w - VALUE_COLUMN
    span = x1 - x0
    plot_bottom = TOP + max(1, len(shown)) * ROW

    for pct in (0, 25, 50, 75, 100):
        x = x0 + span * pct / 100
        draw.line([(x, TOP - 4), (x, plot_bottom)], fill=GRID, width=1)
        label = f"{pct}%"
        draw.text(
            (x - small_face.length(label) / 2, plot_bottom + 8), label, font=small_face.font, fill=MUTED
        )

    numbered: list[tuple[int, str]] = []
    for i, bar in enumerate(shown):
        top = TOP + i * ROW
        mid = top + ROW / 2
        label = one_line_label(bar.label)
        face = _pick(faces, label)
        if face is None:
            numbered.append((i + 1, bar.label))
            face, label = ascii_face, f"#{i + 1}"
        label = fit_label(face, label, LABEL_COLUMN - 8)
        draw_label(draw, LABEL_COLUMN - face.length(label), mid, label, face, TEXT)
        acc = bar.accuracy
        length = span * acc
        if length >= 1:
            draw.rectangle([(x0, top + 7), (x0 + length, top + ROW - 7)], fill=bar_colour(acc))
        else:  # 0 %: a thin mark so the row does not look missing
            draw.rectangle([(x0, top + 7), (x0 + 2, top + ROW - 7)], fill=RED)
        value = f"{int(acc * 100 + 0.5)}% · {bar.correct}/{bar.answers}"
        draw_label(draw, x1 + 8, mid, value, ascii_face, TEXT)

    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return Chart(out.getvalue(), w, h, numbered)
