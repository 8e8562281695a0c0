"""`quizbot practice --review`: the terminal user's due cards, driven through stdin; and that
`quizbot practice` answers make cards. Earlier answers are stored through `Storage` with past
instants, so cards are due now without a clock."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.practice import LOCAL_GUILD_ID, local_user_id
from bot.storage import Storage
from tests.helpers import CHOOSE2, Q104, practice

DAY = timedelta(days=1)


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    root = tmp_path / "questions"
    (root / "community").mkdir(parents=True)
    (root / "raw").mkdir()
    (root / "community" / "Q-104.md").write_text(Q104, encoding="utf-8")  # answer E
    (root / "raw" / "Q-023.md").write_text(CHOOSE2, encoding="utf-8")  # answer A, D
    return root


def _answered(db: Path, user: str, *given: tuple[str, str, str, timedelta]) -> None:
    """Store `user`'s answers (key, correct letters, letters given, how long ago) in the local server."""

    async def run() -> None:
        s = await Storage.open(db)
        try:
            for key, correct, letters, ago in given:
                at = datetime.now(UTC) - ago
                p = await s.create_post(
                    LOCAL_GUILD_ID, 0, key, "practice", correct, option_letters="ABCDE", created_at=at
                )
                await s.record_answer(LOCAL_GUILD_ID, p.post_id, local_user_id(user), letters, answered_at=at)
                await s.close_post(p.post_id, closed_at=at)
        finally:
            await s.close()

    asyncio.run(run())


def _cards(db: Path, user: str = "ann") -> dict[str, tuple[int, int, int]]:
    """key -> (reps, lapses, last rating) of `user`'s cards in the local server (pending answers
    folded first)."""

    async def fold() -> None:
        s = await Storage.open(db)
        try:
            await s.fold_reviews()
        finally:
            await s.close()

    asyncio.run(fold())
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT question_key, reps, lapses, last_rating FROM cards WHERE guild_id = ? AND user_id = ?",
            (LOCAL_GUILD_ID, local_user_id(user)),
        ).fetchall()
    return {k: (r, lapse, rating) for k, r, lapse, rating in rows}


def _count(db: Path, table: str) -> int:
    with sqlite3.connect(db) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def test_no_cards_and_nothing_due(bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = practice(tmp_path, monkeypatch, "", "--review", "--user", "ann")
    assert code == 0 and "'ann' has no cards yet" in out
    code, out, _ = practice(tmp_path, monkeypatch, "a\n\n", "--topic", "cli", "--user", "ann")  # Q-104, wrong
    assert code == 0 and "0 right" in out
    db = tmp_path / "quizbot.sqlite3"
    assert _cards(db) == {"community/Q-104": (1, 1, 1)}  # a practice answer makes a card: Again
    code, out, _ = practice(tmp_path, monkeypatch, "", "--review", "--user", "ann")
    assert code == 0 and "Nothing is due for 'ann'. Next card due: " in out  # tomorrow


def test_a_review_session(bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "quizbot.sqlite3"
    _answered(db, "ann", ("raw/Q-023", "AD", "AD", 5 * DAY), ("community/Q-104", "E", "A", 3 * DAY))
    _answered(db, "bob", ("community/Q-104", "E", "A", 3 * DAY))
    answers_before = _count(db, "answers")
    # Q-023 (right 5 days ago: due 3 days ago) comes first, then Q-104 (wrong 3 days ago).
    typed = "d a\n4\na\n\n"
    code, out, _ = practice(tmp_path, monkeypatch, typed, "--review", "--user", "Ann")
    assert code == 0
    assert "Review as 'Ann': 2 due" in out
    assert out.index("Review 1/2 · Q-023") < out.index("Review 2/2 · Q-104")
    assert "Rated Easy: next review " in out and "Rated Again: next review " in out
    assert "Not quite: you chose **A**" in out and "Why A is wrong" in out
    assert "in this server" not in out and "streak" not in out  # reviews score nothing
    assert "2 reviewed, 1 right · still due: 0" in out
    assert _cards(db) == {"raw/Q-023": (2, 0, 4), "community/Q-104": (2, 2, 1)}
    assert _count(db, "answers") == answers_before and _count(db, "reviews") == 2
    assert _cards(db, "bob") == {"community/Q-104": (1, 1, 1)}
    code, out, _ = practice(tmp_path, monkeypatch, "", "--review", "--user", "bob")  # bob's own card
    assert "Review as 'bob': 1 due" in out and "Q-104" in out


def test_quitting_at_the_rating_rates_good_and_explanations(
    bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "quizbot.sqlite3"
    _answered(db, "ann", ("raw/Q-023", "AD", "B", 5 * DAY), ("community/Q-104", "E", "A", 3 * DAY))
    typed = "e\nad\n9\ne\nq\n"  # e: explanation; 9: not a rating; then quit at the rating
    code, out, _ = practice(tmp_path, monkeypatch, typed, "--review", "--user", "ann")
    assert code == 0
    assert "Both tasks need ingestion upstream" in out  # the explanation, twice asked
    assert "Type 1, 2, 3 or 4" in out
    assert "Rated Good" in out and "1 reviewed, 1 right · still due: 1" in out
    assert _cards(db)["raw/Q-023"] == (2, 1, 3)


def test_count_filters_and_the_spoiler_rule(
    bank: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "quizbot.sqlite3"
    _answered(db, "ann", ("raw/Q-023", "AD", "B", 5 * DAY), ("community/Q-104", "E", "A", 3 * DAY))
    code, out, _ = practice(tmp_path, monkeypatch, "ad\n\n", "--review", "--count", "1", "--user", "ann")
    assert code == 0 and "Review 1/1 · Q-023" in out and "Q-104" not in out.split("Review as")[1]
    code, out, _ = practice(tmp_path, monkeypatch, "", "--review", "--topic", "pipelines", "--user", "ann")
    assert code == 2  # the filters are checked as for practice

    async def open_daily() -> None:  # Q-104 is an open daily in some server now
        s = await Storage.open(db)
        try:
            await s.create_post(5, 6, "community/Q-104", "daily", "E", option_letters="ABCDE")
        finally:
            await s.close()

    asyncio.run(open_daily())
    code, out, _ = practice(tmp_path, monkeypatch, "", "--review", "--user", "ann")
    assert code == 0 and "Nothing is due for 'ann'" in out  # Q-104 is held back, Q-023 reviewed
    code, out, _ = practice(tmp_path, monkeypatch, "", "--review", "--topic", "cli", "--user", "ann")
    assert "Nothing is due" in out
