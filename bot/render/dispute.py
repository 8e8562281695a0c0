"""What members are told about a disputed answer, worded from the catalog (no Discord imports:
`quizbot practice` uses it too)."""

from __future__ import annotations

from bot.bank.model import Question
from bot.i18n import t


def dispute_lines(q: Question, locale: str, *, headed: bool = True) -> list[str]:
    """The bank's note on the dispute (after "the answer is disputed:" when `headed`), and which
    copies of the question in the bank say which letters (`Question.disagreement`)."""
    lines = []
    if q.dispute_note or not q.disagreement:
        note = q.dispute_note or "—"
        lines.append(t("answer.disputed", locale, note=note) if headed else note)
    if q.disagreement:
        copies = t("list.sep", locale).join(
            t("answer.copy_says", locale, where=where, letters=letters) for where, letters in q.disagreement
        )
        lines.append(t("answer.copies_disagree", locale, copies=copies))
    return lines
