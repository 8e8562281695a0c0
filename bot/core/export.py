"""The scores export: one record builder for `quizbot export-scores` and `/quizadmin export`.

Pure: no I/O, no Discord. The rules (docs/scoring.md, "Exports"):

- members by points, then user id; `rank` is the competition rank (tied points share a rank, the
  next rank skips: 1, 2, 2, 4);
- columns `rank, user_id, display_name, points, answers, correct, accuracy, current_streak,
  best_streak, period`;
- `accuracy` is correct / answers rounded to 4 decimals: a number in JSON, always written with
  4 decimals in CSV (`1.0000`, `0.6667`), empty without answers;
- in CSV a text cell that a spreadsheet would run as a formula gets a leading `'`.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, astuple, dataclass, fields
from datetime import datetime

from bot.core.models import ScoreRow

#: The first characters that make a spreadsheet read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True, slots=True)
class ScoreRecord:
    """One member's line of an export; the fields in column order."""

    rank: int
    user_id: str  # a string, as in Discord's API (JSON numbers lose precision past 2**53)
    display_name: str | None
    points: int
    answers: int
    correct: int
    accuracy: float | None  # rounded to 4 decimals
    current_streak: int
    best_streak: int
    period: str  # the bucket key: "all", "week:2026-11-23", "month:2026-11-01"


EXPORT_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(ScoreRecord))


def score_records(rows: Iterable[ScoreRow]) -> list[ScoreRecord]:
    """The export's records, by points then user id, with competition ranks."""
    ordered = sorted(rows, key=lambda r: (-r.points, r.user_id))
    records: list[ScoreRecord] = []
    for i, r in enumerate(ordered):
        rank = records[-1].rank if records and ordered[i - 1].points == r.points else i + 1
        records.append(
            ScoreRecord(
                rank=rank,
                user_id=str(r.user_id),
                display_name=r.display_name,
                points=r.points,
                answers=r.answers,
                correct=r.correct,
                accuracy=None if r.accuracy is None else round(r.accuracy, 4),
                current_streak=r.current_streak,
                best_streak=r.best_streak,
                period=r.period_key,
            )
        )
    return records


def csv_cell(value: object) -> object:
    """A cell as written to CSV: no formula (a leading `'`), None as empty."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def scores_csv(records: Sequence[ScoreRecord]) -> str:
    """The CSV text: a header line, then one line per record ("\\n" line ends, no BOM)."""
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(EXPORT_COLUMNS)
    for rec in records:
        cells = list(astuple(rec))
        cells[EXPORT_COLUMNS.index("accuracy")] = "" if rec.accuracy is None else f"{rec.accuracy:.4f}"
        out.writerow([csv_cell(cell) for cell in cells])
    return buf.getvalue()


def scores_json(guild_id: int, period_key: str, exported_at: datetime, records: Sequence[ScoreRecord]) -> str:
    """`{"guild_id", "period", "exported_at", "members": [...]}`, indented, ids as strings."""
    doc = {
        "guild_id": str(guild_id),
        "period": period_key,
        "exported_at": exported_at.isoformat(),
        "members": [asdict(rec) for rec in records],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2) + "\n"
