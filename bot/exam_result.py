"""Mock exams as text for the terminal: the result of `quizbot exam` per section, and the blueprint
report of `quizbot bank check --exam` (questions in no section, sections too small for a full exam).

Plain text (a terminal draws it as is): no Discord import. Section names follow `--lang`.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING

from bot.bank.bank import printable
from bot.core.exam import allocate

if TYPE_CHECKING:
    from bot.bank import Bank, Question
    from bot.bank.blueprint import Blueprint
    from bot.core.exam import ExamItem, ExamResult

BAR = 10  # characters of a section's score bar
MISSED_SHOWN = 60  # a full Professional exam
UNMATCHED_SHOWN = 30
USUAL_PASS_MARK = 70.0
PASS_MARK_NOTE = "Databricks does not publish the pass mark: 70% is the usual estimate."
OWN_PASS_MARK_NOTE = (
    "Databricks does not publish the pass mark: {mark}% is this blueprint's estimate (70% is the usual one)."
)


def section_label(blueprint: Blueprint, key: str, locale: str) -> str:
    """A section's name in `locale` (its 繁體中文 name for zh-TW when it has one); the key when the
    blueprint no longer has the section."""
    section = blueprint.section(key)
    if section is None:
        return key
    return section.name_zh if locale == "zh-TW" and section.name_zh else section.name


def clock_text(span: timedelta) -> str:
    """`1:02:03`, or `12:34` under an hour."""
    seconds = max(int(span.total_seconds()), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    """`text` padded to `width` columns (a CJK character takes two)."""
    return text + " " * max(width - _width(text), 0)


def bar(percent: float) -> str:
    filled = round(percent / 100 * BAR)
    return "█" * filled + "░" * (BAR - filled)


def result_text(
    blueprint: Blueprint,
    result: ExamResult,
    items: Sequence[ExamItem],
    questions: Mapping[str, Question],
    *,
    locale: str,
    limit: timedelta,
    auto: bool,
) -> str:
    """The graded exam: score, estimated pass/fail, time used, a bar per section against its
    weight, the weakest sections and every missed question with the right letters."""
    verdict = "passed" if result.passed else "not passed"
    lines = [
        "",
        "═" * 60,
        f"Result: {result.correct}/{result.total} ({result.percent:.0f}%) · "
        f"pass mark {result.pass_mark:g}%{' (estimated)' if blueprint.pass_mark_estimated else ''}: {verdict}",
    ]
    if blueprint.pass_mark_estimated:
        usual = result.pass_mark == USUAL_PASS_MARK
        lines.append(PASS_MARK_NOTE if usual else OWN_PASS_MARK_NOTE.format(mark=f"{result.pass_mark:g}"))
    used = f"Time used: {clock_text(result.time_used)} of {clock_text(limit)}"
    lines += [used + (" · submitted when time ran out" if auto else ""), "", "By section:"]
    names = {s.key: printable(section_label(blueprint, s.key, locale)) for s in result.sections}
    width = max((_width(n) for n in names.values()), default=0)
    for s in result.sections:
        percent = s.percent or 0.0
        lines.append(
            f"  {_pad(names[s.key], width)}  {bar(percent)} {percent:>4.0f}%  {s.correct}/{s.total}"
            f"  · weight {s.weight:g}%"
        )
    scores = {s.key: s for s in result.sections}
    weakest = [f"{names[k]} ({scores[k].percent or 0:.0f}%)" for k in result.weakest]
    lines += ["", "Weakest: " + (", ".join(weakest) or "-")]
    lines += _missed(blueprint, result, items, questions, locale)
    return "\n".join(lines) + "\n"


def _missed(
    blueprint: Blueprint,
    result: ExamResult,
    items: Sequence[ExamItem],
    questions: Mapping[str, Question],
    locale: str,
) -> list[str]:
    if not result.missed:
        return ["No question missed."]
    by_position = {item.position: item for item in items}
    lines = [f"Missed ({len(result.missed)}):"]
    for position in result.missed[:MISSED_SHOWN]:
        item = by_position[position]
        q = questions.get(item.question_key)
        name = printable(f"{q.id} ({q.key})" if q is not None else item.question_key)
        yours = ", ".join(item.chosen) if item.chosen else "— (not answered)"
        section = printable(section_label(blueprint, item.section, locale))
        lines.append(
            f"  #{position + 1:<3} {name} · {section} · you: {yours} · right: {', '.join(item.correct)}"
        )
    if len(result.missed) > MISSED_SHOWN:
        lines.append(f"  … and {len(result.missed) - MISSED_SHOWN} more")
    return lines


def exam_report(bank: Bank, blueprint: Blueprint) -> str:
    """For `quizbot bank check --exam`: the blueprint, each section's questions in the bank against
    its share of a full exam (`bot.core.exam.allocate`), the questions in no section, and topic
    entries or folders that select nothing in this bank."""
    bp = blueprint
    index = bank.sections(bp.key)
    full = allocate(bp.weights, bp.questions)
    where = "built-in" if bp.builtin else bp.path
    mark = f"pass mark {bp.pass_mark:g}%"
    if bp.pass_mark_estimated:
        mark += " (an estimate: Databricks does not publish the pass mark)"
    lines = [
        printable(f"Exam blueprint {bp.key}: {bp.name} ({where})"),
        f"  {bp.questions} questions, {bp.minutes} minutes, {mark}",
    ]
    if bp.source:
        lines.append(printable(f"  source: {bp.source}"))
    lines.append(f"  sections: weight · questions in the bank · in a full exam of {bp.questions}")
    small = []
    key_width = max(len(s.key) for s in bp.sections)
    for s in bp.sections:
        have, need = len(index.pools[s.key]), full[s.key]
        note = f"  ← too small: {have} of {need}" if have < need else ""
        if have < need:
            small.append(f"{s.key} ({have} of {need})")
        lines.append(
            printable(f"    {s.key:<{key_width}}  {s.weight:>4g}%  {have:>5}  {need:>3}  {s.name}{note}")
        )
    total = len(bank.questions)
    placed = total - len(index.unplaced)
    share = f" ({100 * placed / total:.0f}%)" if total else ""
    lines.append(f"  placed: {placed} of {total} questions{share}")
    lines.append(f"  in no section: {len(index.unplaced)}")
    for key in index.unplaced:
        q = bank.get(key)
        if q is not None:
            tags = ", ".join(q.topics) or "no topic tags"
            lines.append(printable(f"    {q.key} ({q.path}:{q.line}) · {tags}"))
    lines.append(f"  too small for a full exam of {bp.questions}: {', '.join(small) or 'none'}")
    lines += _unmatched(index.unmatched_topics, index.empty_folders)
    return "\n".join(lines)


def _unmatched(topics: Sequence[tuple[str, str]], folders: Sequence[tuple[str, str]]) -> list[str]:
    lines = []
    if topics:
        shown = ", ".join(f"{entry} ({key})" for key, entry in topics[:UNMATCHED_SHOWN])
        more = f", … ({len(topics) - UNMATCHED_SHOWN} more)" if len(topics) > UNMATCHED_SHOWN else ""
        lines.append(
            printable(f"  topic entries that no question's tag matches: {len(topics)}: {shown}{more}")
        )
    if folders:
        shown = ", ".join(f"{folder} ({key})" for key, folder in folders)
        lines.append(printable(f"  folders with no question file under them: {shown}"))
    return lines
