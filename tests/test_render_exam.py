"""What Discord shows of a mock exam (bot/render/exam.py): pages that never give the answer away,
the position grid, the result and the history, within Discord's limits whatever the bank holds."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import discord
import pytest

from bot.bank import load_bank
from bot.bank.blueprint import Blueprint, BlueprintSection
from bot.bank.model import Question, Section
from bot.core.exam import Exam, ExamItem, ExamResult, ExamSummary, SectionScore
from bot.i18n import EN, ZH
from bot.render.exam import (
    exam_history_embed,
    exam_overview,
    exam_page,
    exam_page_async,
    exam_result,
    section_name,
    text_bar,
)
from bot.render.limits import MESSAGE, embed_problems
from bot.render.text import utf16_len
from tests.helpers import TEST_BANK, ten_options

ROOT = Path(__file__).resolve().parents[1]
START = datetime(2026, 10, 3, 9, 0, tzinfo=UTC)
DEADLINE = START + timedelta(minutes=120)
DEADLINE_TS = int(DEADLINE.timestamp())

PROFESSIONAL = (
    ("developing-code", "Developing Code (Python/SQL)", 23.0, "開發程式碼（Python/SQL）"),
    ("ingestion", "Ingestion & Acquisition", 12.0, None),
    ("manipulation", "Data Manipulation", 12.0, None),
    ("monitoring", "Monitoring & Alerting", 10.0, None),
    ("cost", "Cost & Performance", 15.0, None),
    ("security", "Security & Compliance", 8.0, None),
    ("governance", "Governance", 5.0, None),
    ("debugging", "Debugging & Deploying", 10.0, None),
    ("modeling", "Data Modeling", 5.0, None),
)


def blueprint(
    sections: tuple[tuple[str, str, float, str | None], ...] = PROFESSIONAL, *, estimated: bool = True
) -> Blueprint:
    return Blueprint(
        key="professional",
        name="Data Engineer Professional",
        questions=60,
        minutes=120,
        pass_mark=70.0,
        pass_mark_estimated=estimated,
        source="study notes quoting the exam guide of Oct 2026",
        sections=tuple(BlueprintSection(k, n, w, name_zh=z) for k, n, w, z in sections),
        path="<test>",
        name_zh="資料工程師專業級",
    )


def exam(items: list[ExamItem], **changes: object) -> Exam:
    e = Exam(
        exam_id=12,
        guild_id=1,
        user_id=2,
        blueprint="professional",
        started_at=START,
        deadline=DEADLINE,
        pass_mark=70.0,
        items=tuple(items),
        current=0,
    )
    return replace(e, **changes)  # type: ignore[arg-type]


def item(
    position: int, key: str, section: str, correct: str, chosen: str = "", flagged: bool = False
) -> ExamItem:
    return ExamItem(position, key, section, correct, "ABCDE", chosen, flagged)


def text(embed: discord.Embed) -> str:
    parts = [embed.title or "", embed.description or "", embed.footer.text or ""]
    parts += [f"{f.name}\n{f.value}" for f in embed.fields]
    return "\n".join(parts)


@pytest.fixture(scope="module")
def bank_questions() -> list[Question]:
    qs = [q for root in (ROOT / "questions", TEST_BANK) for q in load_bank(root).questions]
    assert len(qs) >= 40 and any(q.choose > 1 for q in qs)
    return qs


# ------------------------------------------------------------------------------ never the answer


def _other_answer(q: Question) -> tuple[str, ...] | None:
    """As many letters as the answer, not the same ones (None when every option is right)."""
    wrong = [x for x in q.options if x not in q.answer]
    if not wrong:
        return None
    keep = list(q.answer[1:]) if len(wrong) < len(q.answer) else []
    return tuple(sorted([*wrong[: len(q.answer) - len(keep)], *keep]))


def _chosen(n: int, q: Question) -> str:
    """What the member chose on item n: nothing, the right letters, or wrong ones."""
    if n % 3 == 0:
        return ""
    if n % 3 == 1:
        return "".join(q.answer)
    return "".join(sorted(x for x in q.options if x not in q.answer)[: q.choose]) or "".join(q.answer)


def test_no_page_shows_the_answer(bank_questions: list[Question]) -> None:
    """A page for every item of an exam is the same whatever the right letters and whatever the
    bank says about why: it depends only on what the member chose (and how many to choose)."""
    bp = blueprint()
    keys = [s.key for s in bp.sections]
    items = [
        item(n, q.key, keys[n % len(keys)], "".join(q.answer), _chosen(n, q), flagged=n % 4 == 0)
        for n, q in enumerate(bank_questions)
    ]
    e = exam(items)
    tested = 0
    for n, q in enumerate(bank_questions):
        sentinel = replace(
            q,
            rationales={x: f"SENTINEL-WHY-{x}" for x in q.options},
            sections=(Section("concepts", "SENTINEL-HEADING", "", "SENTINEL-EXPLANATION"),),
            traps=("SENTINEL-TRAP",),
            source_answer="SENTINEL-SOURCE",
            community_answer="SENTINEL-COMMUNITY",
        )
        for locale in (EN, ZH):
            page = exam_page(e, n, sentinel, bp, locale=locale)
            assert embed_problems(page) == [], q.key
            shown = text(page)
            assert "SENTINEL" not in shown, q.key
            assert q.id not in (page.title or ""), q.key  # no id to look the question up with
            other = _other_answer(q)
            if other is None:
                continue
            moved = replace(sentinel, answer=other)
            e2 = replace(
                e, items=tuple(replace(i, correct="".join(other)) if i.position == n else i for i in e.items)
            )
            assert exam_page(e2, n, moved, bp, locale=locale).to_dict() == page.to_dict(), q.key
            tested += 1
            chosen = items[n].chosen
            right = ", ".join(q.answer)
            if chosen != "".join(q.answer) and len(q.answer) > 1:
                assert f"**{right}**" not in shown, q.key  # the right letter set is nowhere
    assert tested >= 2 * 30


def test_a_page_shows_section_stem_options_choice_flag_timer_and_counts(
    bank_questions: list[Question],
) -> None:
    q = next(q for q in bank_questions if q.choose == 2)
    bp = blueprint()
    items = [
        item(n, f"k/{n}", "ingestion", "AB", "B" if n < 12 else "", flagged=n in (4, 7)) for n in range(20)
    ]
    items[2] = item(2, q.key, "developing-code", "".join(q.answer), "CE", flagged=True)
    e = exam(items)
    page = exam_page(e, 2, q, bp, locale=EN)
    assert page.title == "Question 3 of 20 · Developing Code (Python/SQL)"
    assert "Choose 2 answers." in (page.description or "")
    fields = {f.name: f.value for f in page.fields}
    assert fields["Your answer"] == "**C, E**\n🚩 Flagged for review"
    assert fields["Time"] == f"⏱️ Ends <t:{DEADLINE_TS}:R> (at <t:{DEADLINE_TS}:t>)"
    assert page.footer.text == "12/20 answered · 3 flagged · no feedback until you submit"
    shown = text(page)
    assert all(f"**{x}.**" in shown or f"{x}." in fields for x in q.options)

    zh = exam_page(e, 2, q, bp, locale=ZH)
    assert zh.title == "第 3 題（共 20 題）· 開發程式碼（Python/SQL）"
    assert {f.name: f.value for f in zh.fields}["你的答案"] == "**C, E**\n🚩 已標記待檢查"
    assert zh.footer.text == "已作答 12/20 · 已標記 3 · 交卷前不顯示對錯"

    blank = exam_page(e, 19, q, bp, locale=EN)
    assert {f.name: f.value for f in blank.fields}["Your answer"] == "Not answered yet"
    assert blank.title == "Question 20 of 20 · Ingestion & Acquisition"


def test_page_of_a_question_gone_from_the_bank_and_time_states() -> None:
    bp = blueprint()
    e = exam([item(0, "old/`Q-9`", "unknown-section", "A", "A")])
    page = exam_page(e, 0, None, bp, locale=EN)
    assert page.description == "The question `old/ˋQ-9ˋ` is no longer in the bank: its text cannot be shown."
    assert page.title == "Question 1 of 1 · unknown-section"
    fields = {f.name: f.value for f in page.fields}
    assert fields["Your answer"] == "**A**"
    late = exam_page(e, 0, None, bp, locale=EN, now=DEADLINE + timedelta(seconds=1))
    assert {f.name: f.value for f in late.fields}["Time"] == "⏱️ Time is up"
    done = exam_page(replace(e, submitted_at=DEADLINE), 0, None, bp, locale=EN)
    assert {f.name: f.value for f in done.fields}["Time"] == f"Submitted <t:{DEADLINE_TS}:f>"
    with pytest.raises(IndexError, match="exam 12 has no question 1"):
        exam_page(e, 1, None, bp, locale=EN)
    with pytest.raises(IndexError):
        exam_page(e, -1, None, bp, locale=EN)


def test_the_async_page_is_the_page(bank_questions: list[Question]) -> None:
    q = bank_questions[0]
    e = exam([item(0, q.key, "cost", "".join(q.answer), "A")])
    page = asyncio.run(exam_page_async(e, 0, q, blueprint(), locale=ZH))
    assert page.to_dict() == exam_page(e, 0, q, blueprint(), locale=ZH).to_dict()


HOSTILE = {
    "spaces": "Stem" + " " * 40_000 + "end.",
    "backticks": "`" * 20_000,
    "fences": "```py\nx = 1\n```\n" * 2_000,
    "cjk": "中文字" * 7_000,
    "br": "<br>" * 5_000,
    "emoji": "👩\u200d💻" * 5_000,
    "table": "| a | b |\n|---|---|\n" + "| `x` and text | y<br>z |\n" * 1_000,
    "mentions": "@everyone **bold** [link](https://x.y) " * 500,
}


def _hostile_question(body: str, choose: int) -> Question:
    letters = "ABCDEFGHIJ"
    return Question(
        key="hostile/Q-1",
        id="`Q-1` **x** @everyone" + "長" * 60,
        collection="hostile",
        path="hostile/Q-1.md",
        line=1,
        stem=body,
        options=dict.fromkeys(letters, body),
        answer=tuple(letters[:choose]),
        rationales=dict.fromkeys(letters, body),
    )


@pytest.mark.parametrize("kind", list(HOSTILE))
def test_pages_of_hostile_questions_fit_discord(kind: str) -> None:
    bp = blueprint(
        tuple((f"s{i}", "部分名稱很長" * 60 + "`*_~", 100 / 12, "很長的中文名稱" * 60) for i in range(12))
    )
    for choose in (1, 3):
        q = _hostile_question(HOSTILE[kind], choose)
        e = exam(
            [
                item(n, q.key, f"s{n % 12}", "ABC"[:choose], "ABCDEFGHIJ"[:choose], flagged=True)
                for n in range(60)
            ]
        )
        for locale in (EN, ZH):
            page = exam_page(e, 59, q, bp, locale=locale)
            assert embed_problems(page) == [], kind
            assert len(page.fields) == 10 + 2 or "J." in (page.description or "")


def test_pages_of_ten_long_options_keep_every_letter() -> None:
    for choose in (1, 3):
        q = ten_options(choose=choose)
        e = exam([item(0, q.key, "cost", "".join(q.answer), "ABJ"[:choose], flagged=True)])
        page = exam_page(e, 0, q, blueprint(), locale=ZH)
        assert embed_problems(page) == []
        assert [f.name for f in page.fields][:10] == [f"{x}." for x in "ABCDEFGHIJ"]
        assert "Rationale" not in text(page) and "Option J sets" in text(page)


# ------------------------------------------------------------------------------ the grid


def test_overview_grid() -> None:
    items = [
        item(n, f"k/{n}", "cost", "A", "A" if n in (0, 1, 5) else "", flagged=n in (1, 9)) for n in range(12)
    ]
    grid = exam_overview(exam(items, current=5), locale=EN)
    assert grid.splitlines() == [
        "🟩 answered · 🚩 flagged · ⬜ not answered · 3/12 answered, 2 flagged",
        "` 1`🟩 ` 2`🚩 ` 3`⬜ ` 4`⬜ ` 5`⬜ `[ 6]`🟩 ` 7`⬜ ` 8`⬜ ` 9`⬜ `10`🚩",
        "`11`⬜ `12`⬜",
    ]
    assert exam_overview(exam(items), locale=ZH).startswith(
        "🟩 已作答 · 🚩 已標記 · ⬜ 未作答 · 已作答 3/12，已標記 2\n"
    )


def test_overview_of_a_huge_exam_fits_a_message() -> None:
    items = [item(n, f"k/{n}", "cost", "A", "A", flagged=n % 2 == 0) for n in range(1000)]
    grid = exam_overview(exam(items, current=999), locale=ZH)
    assert utf16_len(grid) <= MESSAGE
    assert grid.splitlines()[-1] == f"…還有 {1000 - 10 * (len(grid.splitlines()) - 2)} 項"
    assert (
        exam_overview(exam([]), locale=EN)
        == "🟩 answered · 🚩 flagged · ⬜ not answered · 0/0 answered, 0 flagged"
    )


# ------------------------------------------------------------------------------ the result


def _result(
    items: list[ExamItem], sections: tuple[SectionScore, ...], weakest: tuple[str, ...], used: timedelta
) -> ExamResult:
    correct = sum(1 for i in items if i.is_correct)
    return ExamResult(
        correct=correct,
        total=len(items),
        pass_mark=70.0,
        sections=sections,
        weakest=weakest,
        missed=tuple(i.position for i in items if not i.is_correct),
        time_used=used,
    )


def test_result_shows_score_estimated_verdict_time_bars_weakest_and_missed(
    bank_questions: list[Question],
) -> None:
    q = next(q for q in bank_questions if q.choose == 2)
    items = [item(n, f"k/{n}", "developing-code", "A", "A") for n in range(38)]
    items += [item(38 + n, f"k/{38 + n}", "cost", "B", "C") for n in range(21)]
    items.append(item(59, q.key, "ingestion", "AD", ""))
    sections = (
        SectionScore("developing-code", 23.0, 38, 38),
        SectionScore("ingestion", 12.0, 0, 1),
        SectionScore("cost", 15.0, 0, 21),
    )
    result = _result(
        items, sections, ("cost", "ingestion", "developing-code"), timedelta(minutes=83, seconds=20)
    )
    e = exam(items, submitted_at=START + timedelta(minutes=83, seconds=20))
    embed = exam_result(e, result, blueprint(), {q.key: q}, locale=EN)
    assert embed_problems(embed) == []
    assert embed.title == "📝 Mock exam · Data Engineer Professional"
    assert embed.colour == discord.Colour.red()
    lines = (embed.description or "").splitlines()
    assert lines[:4] == [
        "Score: **38/60 (63%)**",
        "❌ Below the estimated pass mark of 70%",
        "Databricks does not publish the pass mark: 70% is an estimate.",
        "Time used: 1 h 23 min of 2 h 0 min",
    ]
    assert "**Developing Code (Python/SQL)**\n`██████████` 100% (38/38) · weight 23%" in (
        embed.description or ""
    )
    assert "**Cost & Performance**\n`░░░░░░░░░░` 0% (0/21) · weight 15%" in (embed.description or "")
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Weakest sections"].splitlines() == [
        "1. Cost & Performance: 0% (0/21)",
        "2. Ingestion & Acquisition: 0% (0/1)",
        "3. Developing Code (Python/SQL): 100% (38/38)",
    ]
    names = [f.name for f in embed.fields]
    assert names[1:] == ["Missed: 22 · your answer → the answer", "Missed (continued)"]
    missed = [line for f in embed.fields[1:] for line in (f.value or "").splitlines()]
    assert missed[0] == "`39.` `k/38` · Cost & Performance · **C** → **B**"
    assert missed[-1] == f"`60.` `{q.id}` · Ingestion & Acquisition · **—** → **A, D**"
    assert len(missed) == 22
    assert embed.footer.text == "Exam #12"
    assert "Submitted when time ran out" not in text(embed)

    auto = exam_result(replace(e, auto_submitted=True), result, blueprint(estimated=False), {}, locale=ZH)
    zh = (auto.description or "").splitlines()
    assert zh[:4] == [
        "得分：**38/60（63%）**",
        "❌ 未及格（及格線 70%）",
        "用時：1 小時 23 分（限時 2 小時 0 分）",
        "⏰ 時間到，已自動交卷。",
    ]
    assert "估計" not in (auto.description or "")  # a published pass mark is not called an estimate


def test_a_passed_exam_and_nothing_missed() -> None:
    items = [item(n, f"k/{n}", "cost", "A", "A") for n in range(10)]
    result = _result(items, (SectionScore("cost", 15.0, 10, 10),), ("cost",), timedelta(minutes=9, seconds=5))
    embed = exam_result(exam(items), result, blueprint(), {}, locale=EN)
    assert embed.colour == discord.Colour.green()
    assert "✅ Above the estimated pass mark of 70%" in (embed.description or "")
    assert "Time used: 9 min 5 s of 2 h 0 min" in (embed.description or "")
    assert {f.name: f.value for f in embed.fields}["Missed: 0 · your answer → the answer"] == (
        "None: every answer was right. 🎉"
    )


@pytest.mark.parametrize("locale", [EN, ZH])
def test_result_with_60_missed_long_cjk_sections_and_hostile_ids_fits(locale: str) -> None:
    long = tuple(
        (f"section-{i}", "資料工程與治理的部分" * 40 + " `*_|", 100 / 12, "資料治理" * 80) for i in range(12)
    )
    bp = blueprint(long)
    items = [item(n, f"hostile/{n}", f"section-{n % 12}", "ABC", "DE" if n % 2 else "") for n in range(60)]
    questions = {
        i.question_key: replace(
            _hostile_question("x", 3), key=i.question_key, id="`" * 50 + "長" * 50 + f"{i.position}"
        )
        for i in items
    }
    sections = tuple(SectionScore(f"section-{i}", 100 / 12, 0, 5) for i in range(12))
    result = _result(items, sections, ("section-0", "section-1", "section-2"), timedelta(minutes=120))
    embed = exam_result(exam(items, auto_submitted=True), result, bp, questions, locale=locale)
    assert embed_problems(embed) == []
    missed = [line for f in embed.fields[1:] for line in (f.value or "").splitlines()]
    shown = [line for line in missed if line.startswith("`")]
    assert 10 <= len(shown) < 60
    more = missed[-1]
    assert str(60 - len(shown)) in more and more.startswith("…")


# ------------------------------------------------------------------------------ history and names


def test_history_lines_and_the_estimate_note() -> None:
    s = ExamSummary(7, "professional", START, START + timedelta(minutes=95), 45, 60, 70.0, False)
    auto = ExamSummary(8, "associate", START, START + timedelta(minutes=90), 20, 45, 70.0, True)
    bps = {"professional": blueprint(estimated=False)}
    embed = exam_history_embed([s, auto], bps, locale=EN)
    assert embed_problems(embed) == []
    when = f"<t:{int(s.submitted_at.timestamp())}:d>"
    when2 = f"<t:{int(auto.submitted_at.timestamp())}:d>"
    assert (embed.description or "").splitlines() == [
        f"{when} · Data Engineer Professional · **45/60** (75%) ✅ · 1 h 35 min",
        f"{when2} · associate · **20/45** (44%) ❌ ⏰ · 1 h 30 min",
    ]
    assert embed.footer.text is not None
    assert "estimates" in embed.footer.text  # an unknown blueprint: its pass mark may be one
    only_published = exam_history_embed([s], bps, locale=EN)
    assert (
        only_published.footer.text
        == "✅/❌ against the pass mark of the exam · ⏰ submitted when time ran out"
    )
    empty = exam_history_embed([], bps, locale=ZH)
    assert empty.description == "還沒有模擬考紀錄：用 /exam start 開始一場。"


def test_a_long_history_fits() -> None:
    bps = {"professional": blueprint(tuple(PROFESSIONAL))}
    bps["professional"] = replace(bps["professional"], name="長" * 300, name_zh="長" * 300)
    many = [
        ExamSummary(i, "professional", START, START + timedelta(minutes=i), i, 60, 70.0, i % 2 == 0)
        for i in range(500)
    ]
    embed = exam_history_embed(many, bps, locale=ZH)
    assert embed_problems(embed) == []
    assert (embed.description or "").splitlines()[-1].startswith("…還有")


def test_section_names() -> None:
    bp = blueprint()
    assert section_name(bp, "developing-code", ZH) == "開發程式碼（Python/SQL）"
    assert section_name(bp, "developing-code", EN) == "Developing Code (Python/SQL)"
    assert section_name(bp, "governance", ZH) == "Governance"  # no 繁體中文 name: the one there is
    assert section_name(bp, "nowhere", EN) == "nowhere"


def test_text_bars() -> None:
    assert text_bar(0.8) == "`████████░░`"
    assert text_bar(0.0) == text_bar(None) == "`░░░░░░░░░░`"
    assert text_bar(1.7) == "`██████████`"
    assert text_bar(0.25) == "`██░░░░░░░░`"  # 2.5 rounds to even


def test_a_graded_exam_renders_what_grade_computed(bank_questions: list[Question]) -> None:
    from bot.core.exam import grade

    bp = blueprint()
    two = next(q for q in bank_questions if q.choose == 2)
    # 5 questions: right, wrong, unanswered, choose-2 right, choose-2 half right (wrong)
    items = [
        item(0, "k/0", "developing-code", "A", "A"),
        item(1, "k/1", "developing-code", "B", "C"),
        item(2, "k/2", "cost", "D"),
        item(3, two.key, "cost", "".join(two.answer), "".join(two.answer)),
        item(4, two.key, "governance", "".join(two.answer), two.answer[0] + "E"),
    ]
    end = START + timedelta(minutes=42)
    result = grade(items, bp.weights, pass_mark=70.0, started_at=START, submitted_at=end)
    embed = exam_result(exam(items, submitted_at=end), result, bp, {two.key: two}, locale=EN)
    assert embed_problems(embed) == []
    lines = (embed.description or "").splitlines()
    assert lines[:4] == [
        "Score: **2/5 (40%)**",
        "❌ Below the estimated pass mark of 70%",
        "Databricks does not publish the pass mark: 70% is an estimate.",
        "Time used: 42 min 0 s of 2 h 0 min",
    ]
    assert "`█████░░░░░` 50% (1/2) · weight 23%" in lines
    assert "`░░░░░░░░░░` 0% (0/1) · weight 5%" in lines
    fields = {f.name: f.value for f in embed.fields}
    assert fields["Missed: 3 · your answer → the answer"].splitlines() == [
        "`2.` `k/1` · Developing Code (Python… · **C** → **B**",  # cut to 24
        "`3.` `k/2` · Cost & Performance · **—** → **D**",
        f"`5.` `{two.id}` · Governance · **{two.answer[0]}, E** → **{', '.join(two.answer)}**",
    ]
    assert fields["Weakest sections"].splitlines()[0] == "1. Governance: 0% (0/1)"
