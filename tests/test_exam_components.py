"""The exam's components without Discord: what a letter click makes of an item's answer, the
submit counts, and custom_ids that fit Discord's 100 characters and match their DynamicItem."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from bot.bank import Bank
from bot.bank.blueprint import Blueprint, BlueprintSection
from bot.cogs.exam.layout import EXAM_BUTTON, EXAM_SELECT, counts, exam_id, jump_menu, page_view, picked
from bot.cogs.plan import PLAN, find_plan_section, plan_id
from bot.core.exam import Exam, ExamItem

T0 = datetime(2030, 3, 1, tzinfo=UTC)


def item(
    position: int = 0, correct: str = "B", options: str = "ABCD", chosen: str = "", flagged: bool = False
) -> ExamItem:
    return ExamItem(position, f"b/Q-{position}", "s", correct, options, chosen, flagged)


def exam(items: list[ExamItem], exam_id: int = 7) -> Exam:
    return Exam(exam_id, 1, 2, "professional", T0, T0 + timedelta(minutes=40), 70.0, tuple(items))


@pytest.mark.parametrize(
    ("correct", "chosen", "letter", "after"),
    [
        ("B", "", "A", "A"),  # choose-1: a pick
        ("B", "A", "C", "C"),  # picking replaces
        ("B", "C", "C", ""),  # the picked letter again clears it
        ("AC", "", "C", "C"),  # choose-2: toggles, one letter at a time
        ("AC", "C", "A", "AC"),  # sorted
        ("AC", "AC", "A", "C"),  # unpick
        ("AC", "AD", "B", None),  # full: refused until one is unpicked
    ],
)
def test_a_letter_click_replaces_or_toggles(
    correct: str, chosen: str, letter: str, after: str | None
) -> None:
    assert picked(item(correct=correct, chosen=chosen, options="ABCDE"), letter) == after


def test_submit_counts_unanswered_short_and_flagged() -> None:
    items = [
        item(0, chosen="A"),
        item(1),
        item(2, correct="AC", chosen="A", flagged=True),
        item(3, correct="AC", chosen="AD"),
        item(4, flagged=True),
    ]
    assert counts(exam(items)) == (2, 1, 2)


def test_custom_ids_fit_and_match_their_templates_at_the_largest_values() -> None:
    big = 10**18 - 1  # the largest exam id the templates take
    for action, letter in [("pick", "J"), ("next", ""), ("confirm", ""), ("explain", "")]:
        cid = exam_id(big, action, 9999, letter)
        assert len(cid) <= 100 and re.fullmatch(EXAM_BUTTON, cid)
    for action in ("jump", "explains"):
        assert re.fullmatch(EXAM_SELECT, exam_id(big, action, 119))
    assert not re.fullmatch(EXAM_BUTTON, exam_id(7, "pick", 0, "K"))  # ten letters at most


def test_the_jump_menu_lists_25_positions_around_the_current_one() -> None:
    items = [item(i, chosen="B" if i % 2 else "", flagged=i == 30) for i in range(60)]
    menu = jump_menu(exam(items), 30, locale="en")
    assert [int(o.value) for o in menu.options] == list(range(18, 43))
    current = next(o for o in menu.options if o.default)
    assert current.value == "30" and "🚩" in current.label and current.label.startswith("Question 31")
    assert next(o for o in menu.options if o.value == "31").label == "Question 32 · answered"
    assert [int(o.value) for o in jump_menu(exam(items), 2, locale="en").options] == list(range(25))
    assert [int(o.value) for o in jump_menu(exam(items), 59, locale="en").options] == list(range(35, 60))


def test_a_page_highlights_only_the_picked_letters_and_never_the_answer() -> None:
    ex = exam([item(0, correct="AC", options="ABCDE", chosen="AD"), item(1)])
    view = page_view(ex, 0, None, locale="en")
    styles = {b.label: b.style.value for b in view.children if getattr(b, "label", None) in set("ABCDE")}
    assert styles == {"A": 1, "B": 2, "C": 2, "D": 1, "E": 2}
    ids = [c.custom_id for c in view.children]  # type: ignore[attr-defined]
    assert all(":correct" not in i and "AC" not in i for i in ids)


def blueprint(key: str, *sections: str) -> Blueprint:
    parts = tuple(BlueprintSection(k, k.title(), 100 / len(sections)) for k in sections)
    return Blueprint(key, key.title(), 60, 120, 70.0, True, "test", parts, f"exams/{key}.yaml")


def test_plan_buttons_name_their_section_or_its_hash_when_the_keys_do_not_fit() -> None:
    long_bp, long_sec = "a-blueprint-" + "x" * 50, "a-section-" + "y" * 50
    bank = Bank(
        blueprints=(blueprint("professional", "monitoring-alerting"), blueprint(long_bp, long_sec, "short"))
    )
    plain = plan_id("professional", "monitoring-alerting")
    assert plain == "plan:professional:monitoring-alerting"
    hashed = plan_id(long_bp, long_sec)
    assert hashed.startswith("plan:~:") and len(hashed) <= 100
    assert plan_id(long_bp, "short") != hashed and len(plan_id(long_bp, "short")) <= 100
    for cid in (plain, hashed, plan_id("study-plan", "數據建模")):
        match = re.fullmatch(PLAN, cid)
        assert match is not None, cid
    found = find_plan_section(bank, *hashed.split(":")[1:])
    assert found is not None and (found[0].key, found[1].key) == (long_bp, long_sec)
    found = find_plan_section(bank, *plain.split(":")[1:])
    assert found is not None and found[1].key == "monitoring-alerting"
    assert find_plan_section(bank, "professional", "gone") is None
    assert find_plan_section(bank, "~", "0123456789") is None
