"""Readiness, the sprint plan and the radar (bot/render/readiness.py, bot/render/radar.py):
hand-checked figures, the estimated pass mark said where shown, Discord's limits, the picture's
geometry."""

from __future__ import annotations

import io
from pathlib import Path

import discord
import pytest
from PIL import Image

from bot.bank.blueprint import Blueprint, BlueprintSection
from bot.core.readiness import PlanDay, PlanItem, Readiness, SectionReadiness
from bot.i18n import EN, ZH
from bot.render.chart import AMBER, BACKGROUND
from bot.render.limits import embed_problems
from bot.render.radar import (
    ACCURACY,
    CX,
    CY,
    FILL_ALPHA,
    FONT_SIZE,
    HEIGHT,
    RADAR_FILENAME,
    RADAR_SIZE,
    RADIUS,
    _label_lines,
    radar_png,
)
from bot.render.readiness import plan_embed, readiness_embed

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
needs_dejavu = pytest.mark.skipif(not Path(DEJAVU).is_file(), reason="DejaVu Sans is not installed")
CJK_FONTS = [p for p in ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",) if Path(p).is_file()]


def blueprint(
    sections: tuple[tuple[str, str, float, str | None], ...],
    *,
    estimated: bool = True,
    pass_mark: float = 70.0,
) -> Blueprint:
    return Blueprint(
        key="test",
        name="Test Blueprint",
        questions=60,
        minutes=120,
        pass_mark=pass_mark,
        pass_mark_estimated=estimated,
        source="made up for the tests",
        sections=tuple(BlueprintSection(k, n, w, name_zh=z) for k, n, w, z in sections),
        path="<test>",
        name_zh="測試考綱",
    )


FOUR = blueprint(
    (
        ("a", "Alpha", 40.0, "甲"),
        ("b", "Beta", 30.0, None),
        ("c", "Gamma", 20.0, None),
        ("d", "Delta", 10.0, None),
    )
)


def four(answers: tuple[tuple[int, int], ...] = ((10, 8), (10, 5), (4, 1), (0, 0))) -> Readiness:
    sections = tuple(
        SectionReadiness(s.key, s.weight, answered, correct)
        for s, (answered, correct) in zip(FOUR.sections, answers, strict=True)
    )
    return Readiness(sections, sum(a for a, _ in answers))


def twelve(long: bool = False) -> tuple[Blueprint, Readiness]:
    name = "資料工程與治理的部分" * 40 + " `*_|" if long else "Section"
    bp = blueprint(tuple((f"s{i}", f"{name} {i}", 100 / 12, name * 2 if long else None) for i in range(12)))
    state = Readiness(tuple(SectionReadiness(f"s{i}", 100 / 12, 5 * i, 4 * i) for i in range(12)), 330)
    return bp, state


# ------------------------------------------------------------------------------ readiness embed


def test_readiness_embed_hand_checked() -> None:
    # predicted: (40 × 0.8 + 30 × 0.5 + 20 × 0.25 + 10 × 14/24) / 100 = 57.83 % → 58 %
    embed = readiness_embed(four(), FOUR, locale=EN, who="bob **x**", chart=True)
    assert embed_problems(embed) == []
    assert embed.title == "📡 Readiness · Test Blueprint · bob \\*\\*x\\*\\*"
    assert (embed.description or "").splitlines() == [
        "Predicted score: **58%** · pass mark 70% · from **24** answers",
        "Databricks does not publish the pass mark: 70% is an estimate.",
        "",
        "**Accuracy by section**",
        "1. **Alpha**",
        "`████████░░` 80% (8/10) · weight 40%",
        "2. **Beta**",
        "`█████░░░░░` 50% (5/10) · weight 30%",
        "3. **Gamma**",
        "`██░░░░░░░░` 25% (1/4) · weight 20%",
        "4. **Delta**",
        "`░░░░░░░░░░` not answered yet · weight 10%",
    ]
    assert [(f.name, f.value) for f in embed.fields] == [
        ("Weakest sections", "1. Gamma: 25% (1/4)\n2. Beta: 50% (5/10)\n3. Alpha: 80% (8/10)")
    ]
    assert embed.image.url == f"attachment://{RADAR_FILENAME}" == "attachment://readiness.png"
    assert readiness_embed(four(), FOUR, locale=EN, who="bob").image.url is None


def test_readiness_warns_below_min_answers_and_without_answers() -> None:
    few = four(((4, 3), (2, 1), (0, 0), (0, 0)))
    lines = (readiness_embed(few, FOUR, locale=ZH, who="mei").description or "").splitlines()
    # (40 × 0.75 + 30 × 0.5 + 20 × 4/6 + 10 × 4/6) / 100 = 65 %
    assert lines[:3] == [
        "預測分數：**65%** · 及格線 70% · 根據 **6** 次作答",
        "⚠️ 只有 6 次作答：預測至少需要 20 次才有參考價值。",
        "Databricks 不公布及格線：70% 只是估計值。",
    ]
    assert "1. **甲**" in lines
    none = readiness_embed(four(((0, 0),) * 4), FOUR, locale=EN, who="bob")
    assert (none.description or "").startswith("No answer falls in this exam's sections yet")
    assert {f.name: f.value for f in none.fields} == {"Weakest sections": "No section answered yet."}
    published = blueprint((("a", "Alpha", 100.0, None),), estimated=False, pass_mark=72.5)
    text = readiness_embed(
        Readiness((SectionReadiness("a", 100.0, 30, 21),), 30), published, locale=EN, who="x"
    )
    assert (text.description or "").splitlines()[:2] == [
        "Predicted score: **70%** · pass mark 72.5% · from **30** answers",
        "",
    ]


def test_server_readiness_lists_the_most_missed_questions_weakest_section_first() -> None:
    missed = {
        "a": [("`Q-7`", 4, 9)],
        "c": [("`Q-1`", 3, 4), ("`Q-2`\nsecond line", 2, 5)],
        "d": [],
        "unknown": [("`Q-9`", 9, 9)],
    }
    embed = readiness_embed(four(), FOUR, locale=EN, who="Study Group", server=True, missed=missed)
    assert embed_problems(embed) == []
    assert embed.title == "📡 Team readiness · Test Blueprint · Study Group"
    assert [(f.name, f.value) for f in embed.fields][1:] == [
        ("Most missed · Gamma", "`Q-1`: missed 3 of 4\n`Q-2` second line: missed 2 of 5"),
        ("Most missed · Alpha", "`Q-7`: missed 4 of 9"),
    ]
    assert embed.footer.text is not None and embed.footer.text.startswith("From the group's recent answers")
    member = readiness_embed(four(), FOUR, locale=EN, who="bob", missed=missed)
    assert len(member.fields) == 1  # the most missed questions are the server's view


@pytest.mark.parametrize("locale", [EN, ZH])
def test_readiness_of_twelve_long_cjk_sections_fits(locale: str) -> None:
    bp, state = twelve(long=True)
    missed = {f"s{i}": [("`" + "長" * 300 + "`", 9, 10)] * 25 for i in range(12)}
    embed = readiness_embed(
        state, bp, locale=locale, who="@everyone " + "名" * 300, server=True, missed=missed
    )
    assert embed_problems(embed) == []
    assert "@everyone" not in (embed.title or "")


# ------------------------------------------------------------------------------ plan


def test_plan_embed_hand_checked() -> None:
    plan = [
        PlanDay(1, (PlanItem("d", 4, 10.0, True), PlanItem("c", 6, 15.0, False))),
        PlanDay(2, (PlanItem("c", 2, 15.0, False), PlanItem("b", 8, 15.0, False))),
    ]
    embed = plan_embed(plan, four(), FOUR, locale=EN, days=2)
    assert embed_problems(embed) == []
    assert embed.title == "🗓️ 2-day sprint · Test Blueprint"
    assert (embed.description or "").splitlines() == [
        "Sections ordered by expected gain, weight × (1 − accuracy); sections you have not tried come first.",
        "Predicted now: **58%** · pass mark 70% · from 24 answers",
        "Databricks does not publish the pass mark: 70% is an estimate.",
    ]
    assert [(f.name, f.value) for f in embed.fields] == [
        (
            "Day 1 · 10 questions",
            "**Delta** × 4 · 🆕 not tried yet · weight 10%\n**Gamma** × 6 · now 25% · weight 20%",
        ),
        ("Day 2 · 10 questions", "**Gamma** × 2 · now 25% · weight 20%\n**Beta** × 8 · now 50% · weight 30%"),
    ]
    zh = plan_embed(plan, four(((0, 0),) * 4), FOUR, locale=ZH, days=2)
    assert zh.title == "🗓️ 2 天衝刺計畫 · 測試考綱"
    assert "目前預測" not in (zh.description or "")  # nothing to predict from
    assert zh.fields[0].name == "第 1 天 · 10 題"
    empty = plan_embed([], four(), FOUR, locale=EN, days=7)
    assert [(f.name, f.value) for f in empty.fields] == [("—", "Nothing to plan.")]


@pytest.mark.parametrize("locale", [EN, ZH])
def test_a_long_plan_of_long_sections_fits(locale: str) -> None:
    bp, state = twelve(long=True)
    plan = [PlanDay(d, tuple(PlanItem(f"s{i}", 1, 1.0, i % 2 == 0) for i in range(12))) for d in range(1, 61)]
    embed = plan_embed(plan, state, bp, locale=locale, days=60)
    assert embed_problems(embed) == []
    last = embed.fields[-1]
    days = [f for f in embed.fields if f.name != "…"]
    assert last.name == "…" and str(60 - len(days)) in (last.value or "")
    assert [f.name for f in days] == [f.name for f in days if f.name and f.name[0] in "D第"]
    short = [PlanDay(d, (PlanItem("s1", 10, 1.0, False),)) for d in range(1, 31)]
    bp, state = twelve()
    embed = plan_embed(short, state, bp, locale=locale, days=30)
    assert embed_problems(embed) == [] and len(embed.fields) == 25
    assert embed.fields[-1].name == "…" and " 6 " in (embed.fields[-1].value or "")  # 24 days shown


# ------------------------------------------------------------------------------ radar


def _png(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    image.load()
    return image.convert("RGB")


def _pixel(image: Image.Image, x: float, y: float) -> tuple[int, int, int]:
    return image.getpixel((round(x), round(y)))  # type: ignore[return-value]


def test_radar_of_four_sections_hand_checked_geometry() -> None:
    # axes: up, right, down, left; accuracies 1, 0.5, 0.75, 0.25 of a 210 px radius around (450, 318)
    assert (CX, CY, RADIUS) == (450, 318, 210)
    state = four(((4, 4), (10, 5), (4, 3), (4, 1)))
    image = _png(radar_png(state, FOUR, locale=EN))
    assert image.size == RADAR_SIZE == (900, 660)
    for x, y in ((450, 108), (555, 318), (450, 475.5), (397.5, 318)):
        assert _pixel(image, x, y) == ACCURACY, (x, y)
    # inside the polygon: the fill, see-through over the background
    fill = tuple(round(b + (a - b) * FILL_ALPHA / 255) for a, b in zip(ACCURACY, BACKGROUND, strict=True))
    assert all(abs(p - f) <= 2 for p, f in zip(_pixel(image, 470, 300), fill, strict=True))
    # outside it (right of the edge from (450, 108) to (555, 318), on no ring or axis): background
    assert _pixel(image, 520, 200) == BACKGROUND
    # the pass mark: a dashed ring at 70 %, starting on the left axis at 450 - 147
    assert _pixel(image, 303, 318) == AMBER


def _accuracy_pixels(image: Image.Image, box: tuple[int, int, int, int]) -> int:
    colours = image.crop(box).getcolors(1 << 20) or []
    return sum(count for count, colour in colours if colour == ACCURACY)


def test_radar_without_answers_draws_no_polygon() -> None:
    image = _png(radar_png(four(((0, 0),) * 4), FOUR, locale=ZH))
    assert image.size == RADAR_SIZE
    assert _accuracy_pixels(image, (0, 0, 900, HEIGHT - 40)) == 0  # only the legend's swatch
    assert _accuracy_pixels(image, (0, HEIGHT - 40, 900, HEIGHT)) > 0


def test_radar_skips_unanswered_sections_and_draws_twelve() -> None:
    # Delta (left) has no answers: no point there, the polygon joins Gamma (down) to Alpha (up)
    image = _png(radar_png(four(((4, 4), (10, 5), (4, 3), (0, 0))), FOUR, locale=EN))
    assert _pixel(image, 450, 300) == ACCURACY  # on the segment from (450, 475.5) to (450, 108)
    assert _pixel(image, CX - 3, CY) != ACCURACY  # no point at the centre for Delta
    assert _pixel(image, 430, 310) == BACKGROUND  # nothing on Delta's side
    bp, state = twelve()
    image = _png(radar_png(state, bp, locale=EN))
    assert image.size == RADAR_SIZE
    # section 3 (90°, pointing right): 12/15 = 0.8 → (450 + 168, 318)
    assert _pixel(image, 618, 318) == ACCURACY
    bp, state = twelve(long=True)
    assert _png(radar_png(state, bp, locale=ZH)).size == RADAR_SIZE


def test_fewer_than_three_sections_are_bars() -> None:
    one = blueprint((("a", "Alpha", 100.0, None),))
    image = _png(radar_png(Readiness((SectionReadiness("a", 100.0, 10, 5),), 10), one, locale=EN))
    assert image.size == RADAR_SIZE
    # a bar from x 300 to 300 + 540 × 0.5 = 570 around the centre line
    assert _pixel(image, 400, CY) == ACCURACY and _pixel(image, 700, CY) != ACCURACY
    two = blueprint((("a", "Alpha", 60.0, None), ("b", "Beta", 40.0, None)))
    state = Readiness((SectionReadiness("a", 60.0, 0, 0), SectionReadiness("b", 40.0, 4, 4)), 4)
    assert _png(radar_png(state, two, locale=ZH)).size == RADAR_SIZE
    none = blueprint(())
    assert _png(radar_png(Readiness((), 0), none, locale=EN)).size == RADAR_SIZE


@needs_dejavu
def test_radar_labels_a_name_no_font_draws_by_its_number() -> None:
    from bot.render.chart import font_chain

    state = four()
    latin = font_chain(FONT_SIZE, (DEJAVU,))
    lines = _label_lines(0, state.sections[0], state, FOUR, ZH, latin)
    assert [text for text, _ in lines] == ["#1", "80% · weight 40%"]  # no CJK font: English too
    assert [text for text, _ in _label_lines(1, state.sections[1], state, FOUR, EN, latin)] == [
        "2. Beta",
        "50% · weight 30%",
    ]
    long = blueprint((("a", "word " * 5000, 50.0, None), ("b", "b", 50.0, None)))
    wrapped = _label_lines(0, SectionReadiness("a", 50.0, 1, 1), state, long, EN, latin)
    assert len(wrapped) == 3 and wrapped[1][0].endswith("…")
    assert _png(radar_png(state, FOUR, locale=ZH, fonts=[DEJAVU])).size == RADAR_SIZE
    assert _png(radar_png(state, FOUR, locale=ZH, fonts=[])).size == RADAR_SIZE  # Pillow's own font
    if CJK_FONTS:
        cjk = font_chain(FONT_SIZE, (*CJK_FONTS, DEJAVU))
        assert _label_lines(0, state.sections[0], state, FOUR, ZH, cjk)[0][0] == "1. 甲"


def test_radar_is_a_picture_not_an_embed() -> None:
    assert isinstance(radar_png(four(), FOUR, locale=EN), bytes)
    assert discord.File(io.BytesIO(radar_png(four(), FOUR, locale=EN)), filename=RADAR_FILENAME).filename == (
        "readiness.png"
    )


def test_what_core_computes_renders_and_fits() -> None:
    from bot.core.readiness import readiness, sprint_plan

    # Alpha 3/4, Beta 1/2, Gamma none, Delta 0/1, and two answers in no section (ignored)
    answers = [("a", True)] * 3 + [
        ("a", False),
        ("b", True),
        ("b", False),
        ("d", False),
        (None, True),
        ("z", False),
    ]
    state = readiness(answers, FOUR.weights)
    embed = readiness_embed(state, FOUR, locale=EN, who="bob")
    assert embed_problems(embed) == []
    lines = (embed.description or "").splitlines()
    # (40 × 0.75 + 30 × 0.5 + 20 × 4/7 + 10 × 0) / 100 = 56.43 % → 56 %, from 7 answers
    assert lines[0] == "Predicted score: **56%** · pass mark 70% · from **7** answers"
    assert lines[1] == "⚠️ Only 7 answers: a prediction needs at least 20 to mean much."
    assert "`░░░░░░░░░░` not answered yet · weight 20%" in lines
    weakest = {f.name: f.value for f in embed.fields}["Weakest sections"].splitlines()
    assert weakest == ["1. Delta: 0% (0/1)", "2. Beta: 50% (1/2)", "3. Alpha: 75% (3/4)"]
    plan = sprint_plan(state, 7)
    embed = plan_embed(plan, state, FOUR, locale=ZH, days=7)
    assert embed_problems(embed) == [] and len(embed.fields) == len(plan) == 7
    assert "🆕" in (embed.fields[0].value or "")  # Gamma, never tried, comes first
    assert _png(radar_png(state, FOUR, locale=ZH)).size == RADAR_SIZE
