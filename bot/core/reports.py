"""Reports of broken questions (issue 21, docs/reports.md): what a report is, the rules for filing
one (a note of at most 1,000 characters, a per-member rate limit), and how open reports are
grouped for the admins and flag a question for members. Pure: no I/O, no Discord."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

#: What a member can say is wrong, in the order the modal offers them.
ReportKind = Literal["wrong_answer", "unclear", "outdated", "explanation", "other"]
REPORT_KINDS: tuple[ReportKind, ...] = ("wrong_answer", "unclear", "outdated", "explanation", "other")
ReportStatus = Literal["open", "resolved"]

#: The longest note a report may carry (characters).
NOTE_MAX = 1000
#: A member may file at most RATE_LIMIT reports per RATE_WINDOW in a server.
RATE_LIMIT = 5
RATE_WINDOW = timedelta(hours=1)
#: Open reports from this many members flag a question (a server may choose another threshold).
FLAG_THRESHOLD = 3
THRESHOLD_MIN, THRESHOLD_MAX = 1, 25


@dataclass(frozen=True, slots=True)
class Report:
    """One member's report on one question in one server.

    `bank_commit`: the bank's Git commit when it was filed (None for a bank not read from Git).
    `resolution`: the admin's reply once resolved; `delivered`: whether that reply reached the
    member (by DM, or shown the next time they used the bot).
    """

    report_id: int
    guild_id: int
    question_key: str
    user_id: int
    display_name: str | None
    kind: ReportKind
    note: str
    created_at: datetime
    bank_commit: str | None = None
    notify_dm: bool = False
    locale: str | None = None  # the member's language when filing (the reply by DM is in it)
    status: ReportStatus = "open"
    resolved_at: datetime | None = None
    resolved_by: int | None = None
    resolution: str | None = None
    delivered: bool = False

    @property
    def is_open(self) -> bool:
        return self.status == "open"


@dataclass(frozen=True, slots=True)
class ReportOutcome:
    """What filing a report did: `stored` (the new report), `duplicate` (the member's open report
    on that question, unchanged) or `rate_limited` (nothing stored; `retry_at` says when)."""

    status: Literal["stored", "duplicate", "rate_limited"]
    report: Report | None = None
    retry_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class PausedQuestion:
    """A question a server took out of its daily rotation and /quiz (the bank is not touched)."""

    guild_id: int
    question_key: str
    paused_by: int | None
    paused_at: datetime


def check_note(text: str | None) -> tuple[str, Literal["empty", "too_long"] | None]:
    """The note as stored (surrounding blanks removed) and what is wrong with it, if anything."""
    note = (text or "").strip()
    if not note:
        return note, "empty"
    if len(note) > NOTE_MAX:
        return note, "too_long"
    return note, None


def check_kind(value: str | None) -> ReportKind | None:
    """The kind a modal sent, or None for a value that is not one of REPORT_KINDS."""
    for kind in REPORT_KINDS:
        if value == kind:
            return kind
    return None


def retry_at(
    recent: Iterable[datetime],
    now: datetime,
    *,
    limit: int = RATE_LIMIT,
    window: timedelta = RATE_WINDOW,
) -> datetime | None:
    """None when a member who filed reports at `recent` may file one more at `now`; otherwise the
    instant they may (when enough of those leave the window)."""
    inside = sorted(t for t in recent if now - window < t <= now)
    if len(inside) < limit:
        return None
    return inside[len(inside) - limit] + window


def check_threshold(value: int) -> int:
    """A server's flag threshold, or ValueError with a one-line reason."""
    if not THRESHOLD_MIN <= value <= THRESHOLD_MAX:
        raise ValueError(f"the report threshold must be between {THRESHOLD_MIN} and {THRESHOLD_MAX}")
    return value


@dataclass(frozen=True, slots=True)
class ReportGroup:
    """The open reports of one question in one server, newest first."""

    question_key: str
    reports: tuple[Report, ...]

    @property
    def members(self) -> int:
        return len({r.user_id for r in self.reports})

    @property
    def latest(self) -> datetime:
        return max(r.created_at for r in self.reports)

    def kinds(self) -> list[tuple[ReportKind, int]]:
        """Each kind with how many reports say it, most said first (then in REPORT_KINDS order)."""
        counts = Counter(r.kind for r in self.reports)
        return sorted(counts.items(), key=lambda kv: (-kv[1], REPORT_KINDS.index(kv[0])))


def group_reports(reports: Iterable[Report]) -> list[ReportGroup]:
    """Open reports by question, most reported first (members, then reports, then the newest)."""
    by_key: dict[str, list[Report]] = {}
    for r in reports:
        if r.is_open:
            by_key.setdefault(r.question_key, []).append(r)
    groups = [
        ReportGroup(key, tuple(sorted(rs, key=lambda r: (r.created_at, r.report_id), reverse=True)))
        for key, rs in by_key.items()
    ]
    groups.sort(key=lambda g: (-g.members, -len(g.reports), -g.latest.timestamp(), g.question_key))
    return groups


def flagged_keys(members_by_key: Mapping[str, int], threshold: int) -> frozenset[str]:
    """The questions whose open reports come from at least `threshold` members."""
    return frozenset(key for key, n in members_by_key.items() if n >= threshold)


@dataclass(frozen=True, slots=True)
class ExportRow:
    """One open report as `quizbot reports export` lists it: where the question is in the bank."""

    path: str  # the question's file ("" when the question is no longer in the bank)
    line: int
    question_id: str
    report: Report


def export_order(rows: Sequence[ExportRow]) -> list[ExportRow]:
    """By file, then line, then question, then time (questions gone from the bank last)."""
    return sorted(
        rows,
        key=lambda r: (
            r.path == "",
            r.path,
            r.line,
            r.report.question_key,
            r.report.created_at,
            r.report.report_id,
        ),
    )
