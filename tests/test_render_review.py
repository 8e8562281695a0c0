"""/review's pure parts: custom_ids within Discord's 100 characters and matched by their templates,
the summary and /stats lines, the reminder text, and how an export is cut into parts."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from bot.bank.bank import key_hash
from bot.cogs.review.export import chunks, filenames, mib
from bot.core.review import ReviewStats
from bot.render import review as view
from bot.render.limits import CUSTOM_ID
from bot.render.scores import review_stats_lines

BIG = 18_446_744_073_709_551_615  # the largest snowflake: 20 digits
KEY = "a/very/long/folder/name/that/goes/on/and/on/" * 5 + "Q-999"


@pytest.mark.parametrize(
    ("custom_id", "template"),
    [
        (view.answer_id(BIG, KEY, "J", BIG, 99_999, 99_999), view.ANSWER),
        (view.multi_id(BIG, KEY, BIG, 10, 3), view.MULTI),
        (view.rate_id(BIG, KEY, 4, "e", BIG, 9999, 9999), view.RATE),
        (view.rate_id(BIG, KEY, 0, "n", BIG, 0, 0), view.RATE),
        (view.go_id("n", BIG, BIG, 12, 7), view.GO),
        (view.remind_off_id(BIG, BIG), view.REMIND_OFF),
    ],
)
def test_custom_ids_fit_and_match_their_templates(custom_id: str, template: str) -> None:
    assert len(custom_id) <= CUSTOM_ID
    assert re.fullmatch(template, custom_id)


def test_an_answer_id_names_the_question_by_hash_and_caps_the_counts() -> None:
    cid = view.answer_id(1, KEY, "B", 2, 123_456, -5)
    assert cid == f"review:ans:1:{key_hash(KEY)}:B:2:9999:0"
    assert KEY not in cid


def _stats(**changes: object) -> ReviewStats:
    base: dict[str, object] = {
        "cards": 3,
        "due_now": 0,
        "due_today": 0,
        "due_week": 2,
        "next_due": datetime(2030, 3, 4, 1, 0, tzinfo=UTC),
        "recalls": 8,
        "recalled": 7,
        "reviews": 4,
    }
    base.update(changes)
    return ReviewStats(**base)  # type: ignore[arg-type]


def test_the_stats_lines_show_due_counts_and_retention_half_up() -> None:
    text = review_stats_lines(_stats(), "en")
    assert "Due today **0** · this week **2**" in text
    assert "**88%** (7/8 recalled)" in text  # 87.5 % shows as 88 %
    assert "<t:1898816400:R>" in text  # nothing due today: when the next card is
    assert "—" in review_stats_lines(_stats(recalls=0, recalled=0), "zh-TW")


def test_the_summary_says_what_is_left() -> None:
    done = view.summary_embed(3, 2, _stats(due_now=4, due_today=4, due_week=5), locale="en")
    assert done.title == "🔁 Review done"
    assert done.description is not None and "**3** reviewed · **2** right" in done.description
    assert "**4** more due now" in done.description
    empty = view.summary_embed(0, 0, _stats(cards=0, next_due=None, due_week=0), locale="en")
    assert empty.title == "🔁 Nothing to review now"
    assert empty.description is not None and "No cards yet" in empty.description


def test_the_reminder_cannot_format_or_ping_through_the_server_name() -> None:
    text = view.reminder_text(2, "**Big** @everyone", locale="en", mention=42)
    assert text.startswith("<@42> ") and "@everyone" not in text and "\\*\\*Big" in text


def test_an_export_is_cut_into_nearly_equal_runs_in_order() -> None:
    items = list(range(10))
    assert chunks(items, 3) == [[0, 1, 2, 3], [4, 5, 6], [7, 8, 9]]  # type: ignore[arg-type]
    assert chunks(items[:2], 3) == [[0], [1]]  # type: ignore[arg-type]
    assert filenames(1) == ["quizbot-review.apkg"]
    assert filenames(2) == ["quizbot-review-1-of-2.apkg", "quizbot-review-2-of-2.apkg"]
    assert (mib(25 * 1024 * 1024), mib(600 * 1024), mib(10)) == ("25.0 MiB", "600 KiB", "1 KiB")
