"""Every question of the bank renders into posts, feedback and /explain pages within Discord's limits."""

from __future__ import annotations

import re
from pathlib import Path

import discord
import pytest

from bot.bank import Bank, load_bank
from bot.i18n import EN, ZH
from bot.render import ids
from bot.render.explain import OVERVIEW, explain_embed, explain_view, option_embed, page_count
from bot.render.limits import CUSTOM_ID, embed_problems, fit
from bot.render.question import Feedback, Tally, answer_view, feedback_embed, feedback_view, question_embed
from bot.render.text import utf16_len

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT.parent / "shared" / "bank-sample" / "question-bank"


def banks() -> list[Bank]:
    out = [load_bank(ROOT / "questions")]
    if SAMPLE.is_dir():
        out.append(load_bank(SAMPLE))
    return out


@pytest.fixture(scope="module")
def questions() -> list:  # type: ignore[type-arg]
    qs = [q for b in banks() for q in b.questions]
    assert len(qs) >= 31
    return qs


def _custom_ids(view: discord.ui.View) -> list[str]:
    return [item.custom_id for item in view.children if getattr(item, "custom_id", None)]  # type: ignore[attr-defined]


def test_posts_and_feedback_within_limits(questions: list) -> None:  # type: ignore[type-arg]
    for q in questions:
        for loc in (EN, ZH):
            assert embed_problems(question_embed(q, locale=loc, kind="daily", answered=12)) == [], q.key
            tally = Tally({k: 3 for k in q.options}, participants=3 * len(q.options), correct=3)
            assert embed_problems(question_embed(q, locale=loc, kind="practice", tally=tally)) == [], q.key
            for letter in q.options:
                fb = Feedback(letter, letter in q.answer, 10, 120, 3, 5, "daily")
                assert embed_problems(feedback_embed(q, fb, locale=loc)) == [], (q.key, letter)


def test_explain_pages_within_limits(questions: list) -> None:  # type: ignore[type-arg]
    for q in questions:
        for section in [OVERVIEW, *range(len(q.sections))]:
            for page in range(page_count(q, section)):
                assert embed_problems(explain_embed(q, section, page, locale=ZH)) == [], (
                    q.key,
                    section,
                    page,
                )
            view = explain_view(q, section, 0, owner=2**63, locale=ZH)
            assert all(len(c) <= CUSTOM_ID for c in _custom_ids(view))
            select = view.children[0]
            assert isinstance(select, discord.ui.Select) and len(select.options) <= 25
        for letter in q.options:
            assert embed_problems(option_embed(q, letter, locale=EN)) == [], (q.key, letter)


def test_custom_ids_never_reveal_the_answer(questions: list) -> None:  # type: ignore[type-arg]
    for q in questions:
        post_id = 123456789
        cids = _custom_ids(answer_view(q, post_id, locale=EN))
        if q.choose == 1:
            assert cids == [ids.answer(post_id, letter) for letter in q.options]
            # right and wrong buttons differ only by their own letter
            assert {re.sub(r":[A-F]$", "", c) for c in cids} == {f"quiz:ans:{post_id}"}
        else:
            assert cids == [ids.multi(post_id)]
        assert _custom_ids(feedback_view(post_id, locale=EN)) == [ids.explain_post(post_id)]
        # styles too: before the reveal every button looks the same
        buttons = [b for b in answer_view(q, post_id, locale=EN).children if isinstance(b, discord.ui.Button)]
        assert len({b.style for b in buttons}) <= 1


def test_fit_keeps_fences_balanced() -> None:
    text = "intro\n\n```python\n" + "\n".join(f"x = {i}" for i in range(400)) + "\n```\n\nafter"
    cut = fit(text, 1024)
    assert utf16_len(cut) <= 1024
    assert cut.count("```") % 2 == 0
    assert cut.endswith("…")


def test_prepared_feedback_payload_is_the_feedback_embed(questions: list) -> None:  # type: ignore[type-arg]
    from bot.render.question import PreparedEmbed, feedback_payload

    for q in questions[:40]:
        for letter in q.options:
            fb = Feedback(letter, letter in q.answer, 1, 7, 2, 4, "practice")
            payload = PreparedEmbed(feedback_payload(q, fb, locale=ZH)).to_dict()
            assert payload == feedback_embed(q, fb, locale=ZH).to_dict()
            assert embed_problems(discord.Embed.from_dict(payload)) == []
