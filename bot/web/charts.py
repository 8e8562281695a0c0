"""The dashboard's charts as server-side SVG (no script): a line chart of answers and accuracy per
week, sorted horizontal bars, and a radar of accuracy per exam section. Every text is escaped;
colours are presentation attributes (the CSP allows no inline style). Each returns `Markup` to
embed in a page as it is."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

BLUE = "#2563eb"
GREEN = "#16a34a"
AMBER = "#d97706"
RED = "#dc2626"
GREY = "#9ca3af"
INK = "#1f2937"
GRID = "#e5e7eb"
FONT = 'font-family="system-ui, sans-serif"'


def _num(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def _svg(width: int, height: int, label: str, body: list[str]) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(label)}" class="chart" {FONT} font-size="13" fill="{INK}">'
        f"<title>{escape(label)}</title>"
    )
    return Markup(head + "".join(body) + "</svg>")


def accuracy_colour(acc: float | None) -> str:
    if acc is None:
        return GREY
    return RED if acc < 0.5 else AMBER if acc < 0.7 else GREEN


def _nice_max(value: int) -> int:
    """The smallest 1, 2, 4 or 8 x 10^k at or above value (at least 4): quarters of it are round."""
    value = max(value, 4)
    scale = 10 ** math.floor(math.log10(value))
    return int(next(m * scale for m in (1, 2, 4, 8, 10) if m * scale >= value))


@dataclass(frozen=True, slots=True)
class WeekPoint:
    label: str  # e.g. "11-23"
    answers: int
    accuracy: float | None  # 0..1


def line_chart(points: Sequence[WeekPoint], label: str, answers_name: str, accuracy_name: str) -> Markup:
    """Answers per week (left axis) and accuracy (right axis, %), one point per week."""
    width, height, left, right, top, bottom = 640, 280, 52, 52, 34, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    top_answers = _nice_max(max((p.answers for p in points), default=0))
    n = max(len(points), 1)

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def y(fraction: float) -> float:
        return top + plot_h * (1 - fraction)

    body = [
        f'<rect x="{left}" y="8" width="12" height="12" fill="{BLUE}"/>'
        f'<text x="{left + 18}" y="19">{escape(answers_name)}</text>'
        f'<rect x="{left + 150}" y="8" width="12" height="12" fill="{GREEN}"/>'
        f'<text x="{left + 168}" y="19">{escape(accuracy_name)} (%)</text>'
    ]
    for k in range(5):
        f = k / 4
        body.append(
            f'<line x1="{left}" x2="{width - right}" y1="{_num(y(f))}" y2="{_num(y(f))}" stroke="{GRID}"/>'
        )
        body.append(
            f'<text x="{left - 6}" y="{_num(y(f) + 4)}" text-anchor="end">{_num(top_answers * f)}</text>'
        )
        body.append(f'<text x="{width - right + 6}" y="{_num(y(f) + 4)}">{round(100 * f)}</text>')
    step = 1 if n <= 8 else 2
    for i, p in enumerate(points):
        if (n - 1 - i) % step == 0:
            body.append(
                f'<text x="{_num(x(i))}" y="{height - 12}" text-anchor="middle">{escape(p.label)}</text>'
            )
    body.append(
        _polyline([(x(i), y(p.answers / top_answers)) for i, p in enumerate(points)], BLUE, "answers")
    )
    runs: list[list[tuple[float, float]]] = [[]]
    for i, p in enumerate(points):
        if p.accuracy is None:
            runs.append([])
        else:
            runs[-1].append((x(i), y(p.accuracy)))
    body += [_polyline(run, GREEN, "accuracy") for run in runs if run]
    return _svg(width, height, label, body)


def _polyline(xy: list[tuple[float, float]], colour: str, name: str) -> str:
    pts = " ".join(f"{_num(a)},{_num(b)}" for a, b in xy)
    dots = "".join(f'<circle cx="{_num(a)}" cy="{_num(b)}" r="3.5" fill="{colour}"/>' for a, b in xy)
    return f'<g class="{name}"><polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2.5"/>{dots}</g>'


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: float  # 0..1: the bar's length
    note: str  # shown at its right end, e.g. "45% · 9 of 20 right"
    colour: str | None = None  # default: by value as an accuracy


def bar_chart(bars: Sequence[Bar], label: str, width: int = 640) -> Markup:
    """Horizontal bars in the order given, each with its label above it (long labels fit a phone);
    a narrower `width` draws the same text larger where the chart is shown small."""
    row = 40
    body = []
    for i, b in enumerate(bars):
        top = i * row
        value = min(max(b.value, 0.0), 1.0)
        colour = b.colour or accuracy_colour(value)
        body.append(
            f'<g class="bar"><text x="0" y="{top + 14}">{escape(b.label)}</text>'
            f'<rect x="0" y="{top + 20}" width="{width}" height="12" rx="3" fill="{GRID}"/>'
            f'<rect x="0" y="{top + 20}" width="{_num(width * value)}" height="12" rx="3" fill="{colour}"/>'
            f'<text x="{width}" y="{top + 14}" text-anchor="end">{escape(b.note)}</text></g>'
        )
    return _svg(width, max(len(bars), 1) * row, label, body)


@dataclass(frozen=True, slots=True)
class Spoke:
    label: str
    accuracy: float | None  # None: nothing answered in it


def _wrap(text: str, width: int = 18, lines: int = 2) -> list[str]:
    words, out, line = text.split(), [], ""
    for word in words:
        if line and len(line) + 1 + len(word) > width:
            out.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    out.append(line)
    if len(out) > lines:
        out = [*out[: lines - 1], out[lines - 1][: width - 1] + "…"]
    return out


def radar(spokes: Sequence[Spoke], label: str, pass_mark: float | None = None) -> Markup:
    """Accuracy per section on one spoke each (clockwise from the top), rings at 25% steps, the
    pass mark dashed; an unanswered section is a hollow dot at the centre."""
    size, cx, cy, r = 640, 320, 270, 160
    n = len(spokes)
    if n < 3:  # a radar needs three spokes: bars say the same
        return bar_chart([Bar(s.label, s.accuracy or 0.0, _pct(s.accuracy)) for s in spokes], label)

    def at(i: int, fraction: float) -> tuple[float, float]:
        angle = -math.pi / 2 + 2 * math.pi * i / n
        return cx + r * fraction * math.cos(angle), cy + r * fraction * math.sin(angle)

    def ring(fraction: float, colour: str, extra: str = "") -> str:
        pts = " ".join(f"{_num(a)},{_num(b)}" for a, b in (at(i, fraction) for i in range(n)))
        return f'<polygon points="{pts}" fill="none" stroke="{colour}"{extra}/>'

    body = [ring(f, GRID) for f in (0.25, 0.5, 0.75, 1.0)]
    for i in range(n):
        a, b = at(i, 1.0)
        body.append(f'<line x1="{cx}" y1="{cy}" x2="{_num(a)}" y2="{_num(b)}" stroke="{GRID}"/>')
    if pass_mark is not None:
        body.append(ring(pass_mark / 100, AMBER, ' stroke-dasharray="6 4" stroke-width="1.5"'))
    pts = [at(i, s.accuracy or 0.0) for i, s in enumerate(spokes)]
    body.append(
        f'<polygon points="{" ".join(f"{_num(a)},{_num(b)}" for a, b in pts)}" '
        f'fill="{BLUE}" fill-opacity="0.25" stroke="{BLUE}" stroke-width="2"/>'
    )
    for (a, b), s in zip(pts, spokes, strict=True):
        fill = BLUE if s.accuracy is not None else "white"
        body.append(f'<circle cx="{_num(a)}" cy="{_num(b)}" r="4" fill="{fill}" stroke="{BLUE}"/>')
    for i, s in enumerate(spokes):
        a, b = at(i, 1.16)
        anchor = "middle" if abs(a - cx) < 20 else "start" if a > cx else "end"
        lines = [*_wrap(s.label), _pct(s.accuracy)]
        first = b - 8 * (len(lines) - 1) + (6 if b > cy else 0)
        bold = ' font-weight="bold"'
        tspans = "".join(
            f'<tspan x="{_num(a)}" y="{_num(first + 16 * k)}"{bold if k == len(lines) - 1 else ""}>'
            f"{escape(line)}</tspan>"
            for k, line in enumerate(lines)
        )
        body.append(f'<text text-anchor="{anchor}">{tspans}</text>')
    return _svg(size, 530, label, body)


def _pct(acc: float | None) -> str:
    return "—" if acc is None else f"{round(100 * acc)}%"
