"""The readiness radar (弱點雷達): accuracy per blueprint section as a spider chart, drawn with
Pillow into a PNG (no matplotlib), in the looks of `bot.render.chart`: same dark background,
colours and font chain.

* One axis per section, the first pointing up, the others clockwise in blueprint order; rings at
  25/50/75/100 %; the pass mark as a dashed amber ring.
* The accuracy polygon joins the sections that have answers (a section without any has no
  point: the polygon goes from its neighbour to the next, and its label says "—"); each point is
  a dot of the polygon's colour. Two answered sections make a line, one a dot, none nothing.
* Labels: "n. name" (wrapped on two lines, cut to the label's room) and "accuracy · weight".
  A name no font can draw (CJK without a CJK font) is drawn as its number only: the readiness
  embed lists the sections with the same numbers.
* Fewer than three sections make no radar: they are drawn as horizontal bars on the same canvas,
  the pass mark a dashed vertical line.

The picture is always RADAR_SIZE.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw

from bot.bank.blueprint import Blueprint
from bot.core.readiness import Readiness, SectionReadiness
from bot.i18n import EN, t
from bot.render.chart import (
    AMBER,
    BACKGROUND,
    GREEN,
    GRID,
    MUTED,
    RED,
    TEXT,
    draw_label,
    fit_label,
    font_chain,
    one_line_label,
)
from bot.render.exam import mark, section_name, weight_percent

if TYPE_CHECKING:
    from bot.render.chart import Face

RADAR_FILENAME = "readiness.png"
WIDTH, HEIGHT = 900, 660
RADAR_SIZE = (WIDTH, HEIGHT)
CX, CY = 450, 318  # the centre of the radar
RADIUS = 210  # the 100 % ring
LABEL_GAP = 14  # between the 100 % ring and a label
LABEL_WIDTH = 200
LINE = 19  # height of a label line
FONT_SIZE = 15
ACCURACY = (88, 166, 255)  # the polygon, its points and the bars
FILL_ALPHA = 70
DOT = 4  # radius of a point
RINGS = (0.25, 0.5, 0.75, 1.0)


def axis_angle(i: int, n: int) -> float:
    """The angle of axis `i` of `n` in radians: the first points up, then clockwise."""
    return -math.pi / 2 + 2 * math.pi * i / n


def axis_point(i: int, n: int, fraction: float, radius: float = RADIUS) -> tuple[float, float]:
    """Where `fraction` (0..1) of axis `i` of `n` lies on the picture."""
    angle = axis_angle(i, n)
    return CX + radius * fraction * math.cos(angle), CY + radius * fraction * math.sin(angle)


def radar_png(
    state: Readiness, blueprint: Blueprint, *, locale: str, fonts: Sequence[str] | None = None
) -> bytes:
    """The radar of `state` (sections in its order, named from `blueprint`) as PNG bytes.

    `fonts`: font files to try instead of the chain of `bot.render.chart` (tests, deployments).
    """
    paths = None if fonts is None else tuple(fonts)
    faces = font_chain(FONT_SIZE, paths)
    image = Image.new("RGB", RADAR_SIZE, BACKGROUND)
    sections = state.sections
    pass_fraction = min(1.0, max(0.0, blueprint.pass_mark / 100.0))
    if len(sections) >= 3:
        image = _radar(image, sections, pass_fraction)
        draw = ImageDraw.Draw(image)
        for i, s in enumerate(sections):
            lines = _label_lines(i, s, state, blueprint, locale, faces)
            _draw_label(draw, i, len(sections), lines, _value_colour(s, blueprint.pass_mark))
    else:
        draw = ImageDraw.Draw(image)
        _bars(draw, sections, state, blueprint, locale, faces, pass_fraction)
    _legend(draw, blueprint, locale, faces)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _radar(image: Image.Image, sections: Sequence[SectionReadiness], pass_fraction: float) -> Image.Image:
    """Rings, axes, the dashed pass ring and the accuracy polygon (filled see-through)."""
    n = len(sections)
    draw = ImageDraw.Draw(image)
    for level in RINGS:
        draw.polygon([axis_point(i, n, level) for i in range(n)], outline=GRID)
    for i in range(n):
        draw.line([(CX, CY), axis_point(i, n, 1.0)], fill=GRID)
    ring = [axis_point(i, n, pass_fraction) for i in range(n)]
    for a, b in zip(ring, ring[1:] + ring[:1], strict=True):
        _dashed(draw, a, b, AMBER)
    points = [axis_point(i, n, s.accuracy) for i, s in enumerate(sections) if s.accuracy is not None]
    if len(points) >= 3:
        overlay = Image.new("RGBA", image.size, (0, 0, 0, 0))
        ImageDraw.Draw(overlay).polygon(points, fill=(*ACCURACY, FILL_ALPHA))
        image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
        draw = ImageDraw.Draw(image)
    if len(points) >= 2:
        draw.line([*points, points[0]] if len(points) >= 3 else points, fill=ACCURACY, width=3)
    for x, y in points:
        draw.ellipse([(x - DOT, y - DOT), (x + DOT, y + DOT)], fill=ACCURACY)
    return image


def _dashed(
    draw: ImageDraw.ImageDraw,
    a: tuple[float, float],
    b: tuple[float, float],
    fill: tuple[int, int, int],
    dash: float = 8,
    gap: float = 6,
) -> None:
    """A dashed line from `a` to `b` (Pillow draws only solid ones)."""
    length = math.dist(a, b)
    if length == 0:
        return
    dx, dy = (b[0] - a[0]) / length, (b[1] - a[1]) / length
    pos = 0.0
    while pos < length:
        end = min(pos + dash, length)
        draw.line(
            [(a[0] + dx * pos, a[1] + dy * pos), (a[0] + dx * end, a[1] + dy * end)], fill=fill, width=2
        )
        pos = end + gap


def _pick(faces: Sequence[Face], text: str) -> Face | None:
    return next((f for f in faces if f.covers(text)), None)


def _localized(
    faces: Sequence[Face], fallback: str, key: str, locale: str, **values: object
) -> tuple[str, Face]:
    """The message in `locale`, else in English, else `fallback` (ASCII): the first that a font of
    the chain can draw, with that font."""
    for text in (t(key, locale, **values), t(key, EN, **values)):
        face = _pick(faces, text)
        if face is not None:
            return text, face
    return fallback, _pick(faces, fallback) or faces[-1]


def _accuracy(s: SectionReadiness) -> str:
    return "—" if s.accuracy is None else f"{int(100 * s.accuracy + 0.5)}%"


def _value(s: SectionReadiness, state: Readiness, locale: str, faces: Sequence[Face]) -> tuple[str, Face]:
    total = sum(x.weight for x in state.sections)
    acc, weight = _accuracy(s), weight_percent(s.weight, total)
    ascii_acc = "-" if s.accuracy is None else acc
    return _localized(
        faces, f"{ascii_acc} / w {weight}", "readiness.radar_value", locale, accuracy=acc, weight=weight
    )


def _value_colour(s: SectionReadiness, pass_mark: float) -> tuple[int, int, int]:
    if s.accuracy is None:
        return MUTED
    return GREEN if 100 * s.accuracy >= pass_mark else RED


def _label_lines(
    i: int,
    s: SectionReadiness,
    state: Readiness,
    blueprint: Blueprint,
    locale: str,
    faces: Sequence[Face],
    room: float = LABEL_WIDTH,
) -> list[tuple[str, Face]]:
    """The label of axis `i`: the numbered name on up to two lines (its number alone when no
    font has its characters), then the accuracy and weight."""
    name = f"{i + 1}. {one_line_label(section_name(blueprint, s.key, locale))}"
    face = _pick(faces, name)
    if face is None:
        number = f"#{i + 1}"
        face = _pick(faces, number) or faces[-1]
        lines = [(number, face)]
    else:
        lines = [(line, face) for line in _wrap(face, name, room)]
    return [*lines, _value(s, state, locale, faces)]


def _wrap(face: Face, text: str, room: float, max_lines: int = 2) -> list[str]:
    """`text` on at most `max_lines` lines of `room` pixels (at a space when one is past the
    middle of the line), the last one cut with an ellipsis. Found by bisection: bounded work."""
    out: list[str] = []
    rest = text.strip()
    while rest and len(out) < max_lines - 1 and face.length(rest) > room:
        lo, hi = 1, len(rest)  # the longest rest[:k] that fits is in [lo, hi)
        while hi - lo > 1:
            mid = (lo + hi) // 2
            if face.length(rest[:mid]) <= room:
                lo = mid
            else:
                hi = mid
        space = rest.rfind(" ", 0, lo + 1)
        k = space if space > lo // 2 else lo
        out.append(rest[:k].rstrip())
        rest = rest[k:].lstrip()
    if rest:
        out.append(fit_label(face, rest, room))
    return out


def _draw_label(
    draw: ImageDraw.ImageDraw,
    i: int,
    n: int,
    lines: Sequence[tuple[str, Face]],
    value_colour: tuple[int, int, int],
) -> None:
    """Draw a label outside the end of axis `i`: left of it on the left side, right of it on the
    right, centred above or below it at the top and bottom."""
    angle = axis_angle(i, n)
    cos, sin = math.cos(angle), math.sin(angle)
    x, y = axis_point(i, n, 1.0, RADIUS + LABEL_GAP)
    height = LINE * len(lines)
    top = y - height if sin < -0.3 else y if sin > 0.3 else y - height / 2
    for row, (text, face) in enumerate(lines):
        width = face.length(text)
        left = x if cos > 0.3 else x - width if cos < -0.3 else x - width / 2
        left = max(4.0, min(left, WIDTH - 4 - width))
        colour = value_colour if row == len(lines) - 1 else TEXT
        draw_label(draw, left, top + LINE * row + LINE / 2, text, face, colour)


def _bars(
    draw: ImageDraw.ImageDraw,
    sections: Sequence[SectionReadiness],
    state: Readiness,
    blueprint: Blueprint,
    locale: str,
    faces: Sequence[Face],
    pass_fraction: float,
) -> None:
    """One or two sections (or none): a bar each, the pass mark a dashed vertical line."""
    x0, x1 = 300, WIDTH - 60
    row = 90
    top = CY - row * max(1, len(sections)) / 2
    for i, s in enumerate(sections):
        mid = top + row * i + row / 2
        *name, value = _label_lines(i, s, state, blueprint, locale, faces, room=x0 - 40)
        first = mid - LINE * (len(name) - 1) / 2
        for j, (text, face) in enumerate(name):
            draw_label(draw, x0 - 20 - face.length(text), first + LINE * j, text, face, TEXT)
        draw.rectangle([(x0, mid - 14), (x1, mid + 14)], outline=GRID)
        if s.accuracy is not None and s.accuracy > 0:
            draw.rectangle([(x0, mid - 14), (x0 + (x1 - x0) * s.accuracy, mid + 14)], fill=ACCURACY)
        draw_label(draw, x0, mid + 30, value[0], value[1], _value_colour(s, blueprint.pass_mark))
    px = x0 + (x1 - x0) * pass_fraction
    _dashed(draw, (px, top), (px, top + row * max(1, len(sections))), AMBER)


def _legend(draw: ImageDraw.ImageDraw, blueprint: Blueprint, locale: str, faces: Sequence[Face]) -> None:
    """Bottom left: the polygon's colour means accuracy, the dashed ring the (estimated) pass mark."""
    y = HEIGHT - 22
    draw.rectangle([(20, y - 7), (34, y + 7)], fill=ACCURACY)
    text, face = _localized(faces, "accuracy", "readiness.radar_accuracy", locale)
    draw_label(draw, 42, y, text, face, TEXT)
    x = 42 + face.length(text) + 28
    _dashed(draw, (x, y), (x + 28, y), AMBER)
    key = "readiness.radar_pass_estimated" if blueprint.pass_mark_estimated else "readiness.radar_pass"
    pass_mark = mark(blueprint.pass_mark)
    text, face = _localized(faces, f"pass mark {pass_mark}", key, locale, mark=pass_mark)
    draw_label(draw, x + 36, y, text, face, TEXT)
