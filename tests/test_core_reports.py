"""The pure rules of reports (bot/core/reports.py): notes, kinds, the rate limit, grouping, flags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core.reports import (
    NOTE_MAX,
    ExportRow,
    Report,
    check_kind,
    check_note,
    check_threshold,
    export_order,
    flagged_keys,
    group_reports,
    retry_at,
)

T0 = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
MIN = timedelta(minutes=1)


def report(rid: int, key: str, user: int, at: datetime = T0, kind: str = "other", **more: object) -> Report:
    checked = check_kind(kind)
    assert checked is not None
    return Report(rid, 1, key, user, None, checked, "n", at, **more)  # type: ignore[arg-type]


def test_notes_are_stripped_and_bounded() -> None:
    assert check_note("  typo in B \n") == ("typo in B", None)
    assert check_note("") == ("", "empty")
    assert check_note(None) == ("", "empty")
    assert check_note(" \u3000\n ") == ("", "empty")  # a fullwidth space is blank too
    assert check_note("x" * NOTE_MAX) == ("x" * NOTE_MAX, None)
    assert check_note("x" * (NOTE_MAX + 1))[1] == "too_long"
    assert check_note("  " + "x" * NOTE_MAX + "  ")[1] is None  # blanks around do not count


def test_kinds() -> None:
    assert check_kind("wrong_answer") == "wrong_answer"
    assert check_kind("Wrong_answer") is None
    assert check_kind(None) is None


def test_retry_at_counts_the_reports_inside_the_window() -> None:
    five = [T0 + i * 10 * MIN for i in range(5)]  # +0, +10 … +40
    assert retry_at(five[:4], T0 + 45 * MIN) is None  # four: one more is fine
    assert retry_at(five, T0 + 45 * MIN) == T0 + 60 * MIN  # the oldest leaves at +60
    assert retry_at(five, T0 + 60 * MIN) is None  # (+0 is out: the window is (now - 1 h, now])
    six = [*five, T0 + 60 * MIN]
    assert retry_at(six, T0 + 61 * MIN) == T0 + 70 * MIN  # +10 leaves at +70
    assert retry_at(five, T0 + 45 * MIN, limit=10) is None
    assert retry_at(five, T0 + 45 * MIN, limit=2, window=timedelta(minutes=30)) == T0 + 60 * MIN
    assert retry_at([T0 + MIN], T0, limit=1) is None  # the future does not count


def test_threshold_bounds() -> None:
    assert check_threshold(3) == 3
    for bad in (0, 26, -1):
        with pytest.raises(ValueError, match="between 1 and 25"):
            check_threshold(bad)


def test_groups_put_the_most_reported_question_first() -> None:
    reports = [
        report(1, "a", 1, T0, "wrong_answer"),
        report(2, "b", 1, T0 + MIN, "unclear"),
        report(3, "b", 2, T0 + 2 * MIN, "unclear"),
        report(4, "c", 3, T0 + 3 * MIN),  # c: one member, like a, but newer
        report(5, "b", 3, T0 + 4 * MIN, "wrong_answer"),
        report(6, "d", 4, T0 + 5 * MIN, status="resolved", resolved_at=T0 + 6 * MIN),  # not open
    ]
    groups = group_reports(reports)
    assert [(g.question_key, g.members) for g in groups] == [("b", 3), ("c", 1), ("a", 1)]
    b = groups[0]
    assert [r.report_id for r in b.reports] == [5, 3, 2]  # newest first
    assert b.latest == T0 + 4 * MIN
    assert b.kinds() == [("unclear", 2), ("wrong_answer", 1)]


def test_flagged_keys() -> None:
    assert flagged_keys({"a": 3, "b": 2, "c": 5}, 3) == {"a", "c"}
    assert flagged_keys({"a": 1}, 1) == {"a"}
    assert flagged_keys({}, 3) == frozenset()


def test_export_order_is_by_file_and_line_with_gone_questions_last() -> None:
    rows = [
        ExportRow("", 0, "Q-9", report(1, "gone/Q-9", 1)),
        ExportRow("b.md", 3, "Q-3", report(2, "b/Q-3", 1)),
        ExportRow("a.md", 40, "Q-2", report(3, "a/Q-2", 1)),
        ExportRow("a.md", 7, "Q-1", report(4, "a/Q-1", 2, T0 + MIN)),
        ExportRow("a.md", 7, "Q-1", report(5, "a/Q-1", 1, T0)),
    ]
    assert [r.report.report_id for r in export_order(rows)] == [5, 4, 3, 2, 1]
