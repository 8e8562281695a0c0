"""The scores export's one record builder (bot/core/export.py), which `quizbot export-scores` and
`/quizadmin export` both use: ranks, order, columns, accuracy and the CSV/JSON text."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime

from bot.core.export import (
    EXPORT_COLUMNS,
    csv_cell,
    score_records,
    scores_csv,
    scores_json,
)
from bot.core.models import ScoreRow
from bot.core.rules import accuracy

G = 111_111_111_111_111_111


def row(user: int, points: int, answers: int, correct: int, name: str | None = "x") -> ScoreRow:
    return ScoreRow(G, user, name, "all", points, answers, correct, accuracy(correct, answers), 2, 5)


def test_ranks_are_competition_ranks_by_points_then_user_id() -> None:
    rows = [row(5, 20, 3, 2), row(9, 30, 3, 3), row(2, 20, 3, 2), row(7, 0, 1, 0), row(8, 0, 1, 0)]
    records = score_records(rows)  # in any order: sorted here
    assert [(r.rank, r.user_id, r.points) for r in records] == [
        (1, "9", 30),
        (2, "2", 20),
        (2, "5", 20),
        (4, "7", 0),
        (4, "8", 0),
    ]
    assert score_records([]) == []


def test_the_columns_and_accuracy_of_a_record() -> None:
    (rec,) = score_records([row(10**18, 20, 3, 2, name="美玲")])
    assert EXPORT_COLUMNS == (
        "rank", "user_id", "display_name", "points", "answers", "correct", "accuracy",
        "current_streak", "best_streak", "period",
    )  # fmt: skip
    assert (rec.user_id, rec.accuracy, rec.period) == ("1000000000000000000", 0.6667, "all")
    (none,) = score_records([ScoreRow(G, 1, None, "all", 0, 0, 0, None, 0, 0)])
    assert (none.accuracy, none.display_name) == (None, None)


def test_csv_has_four_decimals_no_formulas_and_a_header() -> None:
    no_answers = ScoreRow(G, 4, "@x", "all", 0, 0, 0, None, 0, 0)
    rows = [
        row(1, 30, 3, 3, "=cmd|' /C calc'!A0"),
        row(2, 20, 3, 2, None),
        row(3, 10, 4, 1, "+1"),
        no_answers,
    ]
    text = scores_csv(score_records(rows))
    assert "\r" not in text
    assert text.endswith("\n")
    parsed = list(csv.reader(io.StringIO(text)))
    assert tuple(parsed[0]) == EXPORT_COLUMNS
    assert [(r[0], r[2], r[6]) for r in parsed[1:]] == [
        ("1", "'=cmd|' /C calc'!A0", "1.0000"),
        ("2", "", "0.6667"),
        ("3", "'+1", "0.2500"),
        ("4", "'@x", ""),
    ]
    assert scores_csv([]) == ",".join(EXPORT_COLUMNS) + "\n"


def test_csv_cell() -> None:
    assert [csv_cell(v) for v in ("-2", "\tx", "\rx", "ok", None, 3)] == ["'-2", "'\tx", "'\rx", "ok", "", 3]


def test_json_keeps_numbers_and_names_as_they_are() -> None:
    at = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)
    doc = json.loads(scores_json(G, "week:2030-02-25", at, score_records([row(1, 20, 3, 2, "=x")])))
    assert (doc["guild_id"], doc["period"]) == (str(G), "week:2030-02-25")
    assert doc["exported_at"] == "2030-03-01T12:00:00+00:00"
    assert doc["members"] == [
        {
            "rank": 1,
            "user_id": "1",
            "display_name": "=x",
            "points": 20,
            "answers": 3,
            "correct": 2,
            "accuracy": 0.6667,
            "current_streak": 2,
            "best_streak": 5,
            "period": "all",
        }
    ]
