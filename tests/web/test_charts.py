"""The SVG charts (bot/web/charts.py): escaped text, the right shapes, no inline style or script."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from bot.web.charts import RED, Bar, Spoke, WeekPoint, bar_chart, line_chart, radar

EVIL = '<script>alert(1)</script> & "quoted"'
SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    assert "<script" not in svg and "style=" not in svg
    return ET.fromstring(svg)  # well-formed: every text escaped


def test_line_chart_has_a_point_per_week_and_gaps_for_empty_weeks() -> None:
    points = [WeekPoint(EVIL, 10, 0.5), WeekPoint("11-23", 0, None), WeekPoint("11-30", 40, 0.75)]
    root = parse(line_chart(points, EVIL, EVIL, EVIL))
    assert root.find(f"{SVG}title").text == EVIL  # type: ignore[union-attr]
    answers = root.find(f".//{SVG}g[@class='answers']/{SVG}polyline")
    assert answers is not None and len(answers.get("points", "").split()) == 3
    accuracy = root.findall(f".//{SVG}g[@class='accuracy']/{SVG}polyline")
    assert [len(p.get("points", "").split()) for p in accuracy] == [1, 1]  # broken at the empty week
    ticks = [t.text for t in root.iter(f"{SVG}text")]
    assert "40" in ticks and "100" in ticks  # answers axis up to 40, accuracy to 100
    # 75% sits three quarters of the way up the accuracy axis
    dots = root.findall(f".//{SVG}g[@class='accuracy']/{SVG}circle")
    top, bottom = 34, 280 - 34
    assert float(dots[-1].get("cy", "0")) == bottom - 0.75 * (bottom - top)


def test_bars_keep_their_order_and_scale() -> None:
    root = parse(
        bar_chart([Bar(EVIL, 0.25, EVIL), Bar("b", 1.0, "all"), Bar("c", 0.0, "none")], "x", width=400)
    )
    bars = root.findall(f".//{SVG}g[@class='bar']")
    assert [b.find(f"{SVG}text").text for b in bars] == [EVIL, "b", "c"]  # type: ignore[union-attr]
    widths = [float(b.findall(f"{SVG}rect")[1].get("width", "")) for b in bars]
    assert widths == [100.0, 400.0, 0.0]
    assert bars[0].findall(f"{SVG}rect")[1].get("fill") == RED  # 25%: red


def test_radar_has_a_spoke_per_section_and_the_pass_mark() -> None:
    spokes = [Spoke(EVIL, 1.0), Spoke("b", 0.5), Spoke("c", None), Spoke("d", 0.0)]
    svg = radar(spokes, "r", pass_mark=70)
    root = parse(svg)
    polygons = root.findall(f"{SVG}polygon")
    assert len(polygons) == 6  # four rings, the pass mark, the figures
    assert polygons[4].get("stroke-dasharray")
    figures = [tuple(map(float, p.split(","))) for p in polygons[5].get("points", "").split()]
    assert figures[0] == (320.0, 270.0 - 160.0)  # 100% at the top: the full radius
    assert figures[2] == (320.0, 270.0)  # unanswered: the centre
    hollow = [c for c in root.findall(f"{SVG}circle") if c.get("fill") == "white"]
    assert len(hollow) == 1
    assert re.search(r"&lt;script&gt;alert\(1\)", str(svg))


def test_radar_with_fewer_than_three_sections_draws_bars() -> None:
    root = parse(radar([Spoke("a", 0.5), Spoke("b", None)], "r"))
    assert root.findall(f"{SVG}polygon") == [] and len(root.findall(f".//{SVG}g[@class='bar']")) == 2
