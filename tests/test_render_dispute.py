"""Copies that disagree, as members see them: the feedback and the /explain overview, in en and zh-TW."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.bank import load_bank
from bot.bank.model import Question
from bot.i18n import EN, ZH
from bot.practice_views import render_explanation
from bot.render.explain import OVERVIEW, explain_embed
from bot.render.question import Feedback, feedback_payload
from tests.helpers import structured

STEM = "A streaming query must not lose its progress across restarts. What must the engineer give it?"


@pytest.fixture
def disputed(tmp_path: Path) -> Question:
    """A constructed pair: the by-topic copy shuffles the options and marks another option's text."""
    for rel, options, answer in [
        ("by-order_v1/Q-070.md", ["a checkpoint location", "a trigger", "a watermark"], "A"),
        ("by-topic/Streaming/Q-070.md", ["a trigger", "a watermark", "a checkpoint location"], "B"),
    ]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(structured("Q-070", STEM, options, answer), encoding="utf-8")
    bank = load_bank(tmp_path)
    (q,) = bank.questions
    assert q.key == "by-order_v1/Q-070" and q.answer == ("A",) and q.disputed
    return q


def _field(payload: dict, name: str) -> str:  # type: ignore[type-arg]
    return next(f["value"] for f in payload.get("fields", []) if f["name"] == name)


EXPECTED = {
    EN: "Copies of this question in the bank disagree: by-order_v1 says A, by-topic/Streaming says C. "
    "Scored with the first.",
    ZH: "題庫中這一題的副本答案不一致：by-order_v1 為 A、by-topic/Streaming 為 C。計分以第一份為準。",
}


@pytest.mark.parametrize("locale", [EN, ZH])
def test_feedback_names_both_copies(disputed: Question, locale: str) -> None:
    for chosen, correct in (("A", True), ("C", False)):
        payload = feedback_payload(disputed, Feedback(chosen, correct, 1, 1, 1, 1, "practice"), locale=locale)
        assert _field(payload, "⚠️") == EXPECTED[locale]


@pytest.mark.parametrize("locale", [EN, ZH])
def test_explain_overview_names_both_copies(disputed: Question, locale: str) -> None:
    embed = explain_embed(disputed, OVERVIEW, 0, locale=locale).to_dict()
    title = {EN: "⚠️ Disputed", ZH: "⚠️ 答案有爭議"}[locale]
    assert _field(embed, title) == EXPECTED[locale]
    assert EXPECTED[locale] in render_explanation(disputed, locale)  # quizbot practice says it too


def test_a_note_from_the_file_and_the_copies_both_show(disputed: Question) -> None:
    q = replace(disputed, dispute_note="社群投票 B (40%)")
    payload = feedback_payload(q, Feedback("A", True, 1, 1, 1, 1, "daily"), locale=EN)
    assert _field(payload, "⚠️") == (
        "⚠️ The answer to this question is disputed: 社群投票 B (40%)\n" + EXPECTED[EN]
    )
    embed = explain_embed(q, OVERVIEW, 0, locale=ZH).to_dict()
    assert _field(embed, "⚠️ 答案有爭議") == "社群投票 B (40%)\n" + EXPECTED[ZH]
    # a question disputed only by its file reads as before
    plain = replace(disputed, disagreement=(), dispute_note="source says D")
    payload = feedback_payload(plain, Feedback("A", True, 1, 1, 1, 1, "daily"), locale=EN)
    assert _field(payload, "⚠️") == "⚠️ The answer to this question is disputed: source says D"
