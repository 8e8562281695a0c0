"""``repair()``: undo the code-page round trip of a text and rebuild the characters that lost bytes."""

from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass

from bot.bank.mojibake.codepages import CodePage, Unit, candidates, choose_codepage, needs_repair
from bot.bank.mojibake.priors import word_model
from bot.bank.mojibake.solver import Line
from bot.bank.mojibake.vocabulary import Vocabulary


@dataclass(frozen=True, slots=True)
class Fix:
    """One character rebuilt from a sequence that had lost bytes.

    ``line`` and ``column`` are 1-based and point at the start of ``broken`` in the text that
    was given to ``repair`` (columns count characters). ``alternatives`` are the runner-up
    characters, best first; ``confidence`` is the model's probability for ``replacement``
    among all candidates (0..1); ``odds`` is how many times likelier ``replacement`` is than the
    runner-up (``inf`` when there was only one candidate).
    """

    line: int
    column: int
    broken: str
    replacement: str
    alternatives: tuple[str, ...]
    confidence: float
    odds: float


@dataclass(frozen=True, slots=True)
class RepairResult:
    """What ``repair`` did.

    ``rebuilt`` counts characters rebuilt from dropped bytes (one ``Fix`` each); ``uncertain``
    counts those whose best candidate was less than ``UNCERTAIN_RATIO`` times as likely as the
    runner-up (``Fix.odds``).
    """

    text: str
    changed: bool
    codepage: str | None
    rebuilt: int
    uncertain: int
    fixes: tuple[Fix, ...]


#: A rebuilt character is "uncertain" when its best candidate is less than this many times as
#: likely (under the model) as the runner-up.
UNCERTAIN_RATIO = 20.0


#: A rebuilt character's slot in the draft: (piece index, unit, candidates).
_Slot = tuple[int, Unit, tuple[str, ...]]
#: One line of the draft to solve: its characters, slot -> candidates, slot -> piece index.
_Job = tuple[list[str], dict[int, tuple[str, ...]], dict[int, int]]


def _repair_once(text: str, vocabulary: Vocabulary | None = None) -> tuple[str, str | None, list[Fix], int]:
    """One pass. Returns (text, code page, fixes, uncertain count)."""
    if not needs_repair(text):
        return text, None, [], 0
    cp, units, dropped = choose_codepage(text)
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    out, slots = _draft(text, cp, units, dropped, line_starts)
    fixes: list[Fix] = []
    uncertain = 0
    if slots:
        fixes, uncertain = _rebuild(text, out, slots, line_starts, vocabulary)
    return "".join(out), cp.name, fixes, uncertain


def _draft(
    text: str, cp: CodePage, units: list[Unit], dropped: frozenset[int], line_starts: list[int]
) -> tuple[list[str], list[_Slot]]:
    """The text as pieces, complete sequences decoded, and a slot (an empty piece) for each
    truncated one that is rebuilt."""
    # Lines that hold evidence of mojibake: there a lone lead byte (all of whose continuation
    # bytes were dropped) is rebuilt too; elsewhere only if no letter touches it ("café").
    evidence_lines = {_line_of(line_starts, u.start) for u in units if not u.truncated or u.conts}
    out: list[str] = []  # output pieces; a slot's piece is filled in after solving
    slots: list[_Slot] = []
    pos = 0
    for u in units:
        if u.truncated:
            cands = candidates(u.lead, u.conts, u.length, dropped)
            if not cands:
                continue
            if not u.conts and _line_of(line_starts, u.start) not in evidence_lines:
                before = text[u.start - 1] if u.start > 0 else " "
                after = text[u.end] if u.end < len(text) else " "
                if _wordish(before, cp) or _wordish(after, cp):
                    continue
        out.append(text[pos : u.start])
        if u.truncated:
            slots.append((len(out), u, cands))
            out.append("")
        else:
            assert u.char is not None
            out.append(u.char)
        pos = u.end
    out.append(text[pos:])
    return out, slots


def _line_jobs(out: list[str], slot_of_piece: dict[int, tuple[Unit, tuple[str, ...]]]) -> list[_Job]:
    """Split the draft into lines of single characters with slots marked (lines without one are
    left out)."""
    line_chars: list[str] = []
    line_slots: dict[int, tuple[str, ...]] = {}
    line_pieces: dict[int, int] = {}  # char index in line -> piece index
    jobs: list[_Job] = []
    for p, piece in enumerate(out):
        if p in slot_of_piece:
            line_slots[len(line_chars)] = slot_of_piece[p][1]
            line_pieces[len(line_chars)] = p
            line_chars.append("")
            continue
        for ch in piece:
            if ch == "\n":
                if line_slots:
                    jobs.append((line_chars, line_slots, line_pieces))
                line_chars, line_slots, line_pieces = [], {}, {}
            else:
                line_chars.append(ch)
    if line_slots:
        jobs.append((line_chars, line_slots, line_pieces))
    return jobs


def _rebuild(
    text: str,
    out: list[str],
    slots: list[_Slot],
    line_starts: list[int],
    vocabulary: Vocabulary | None,
) -> tuple[list[Fix], int]:
    """Fill every slot of the draft `out` with its best candidate, line by line; the fixes (in
    text order) and how many are uncertain."""
    model = word_model()
    slot_of_piece = {p: (u, cands) for p, u, cands in slots}
    fixes: list[Fix] = []
    uncertain = 0
    for chars, line_slots, pieces in _line_jobs(out, slot_of_piece):
        solved = Line(chars, line_slots, model, vocabulary).solve()
        for i, (choice, confidence, alternatives, margin) in solved.items():
            p = pieces[i]
            u = slot_of_piece[p][0]
            out[p] = choice
            line = _line_of(line_starts, u.start)
            odds = math.exp(min(margin, 700.0))
            if odds < UNCERTAIN_RATIO:
                uncertain += 1
            fixes.append(
                Fix(
                    line=line + 1,
                    column=u.start - line_starts[line] + 1,
                    broken=text[u.start : u.end],
                    replacement=choice,
                    alternatives=alternatives,
                    confidence=round(confidence, 4),
                    odds=odds if math.isfinite(margin) else math.inf,
                )
            )
    fixes.sort(key=lambda f: (f.line, f.column))
    return fixes, uncertain


def _wordish(ch: str, cp: CodePage) -> bool:
    """A letter or digit that is not itself a code-page character ("f" in "café", not "â")."""
    return ch.isalnum() and (ch.isascii() or ch not in cp.byte_of)


def _line_of(line_starts: list[int], offset: int) -> int:
    """0-based line number of a character offset."""
    return bisect.bisect_right(line_starts, offset) - 1


_MAX_PASSES = 16


def repair(text: str, vocabulary: Vocabulary | None = None) -> RepairResult:
    """Undo the code-page round trip in ``text`` and rebuild the characters that lost bytes.

    ``vocabulary``: what the bank's clean files say (``Vocabulary().learn(texts)``), used with
    the shipped word model to choose among the candidates of a rebuilt character.

    Clean text comes back unchanged (``changed`` is False). The repair is repeated until the
    text no longer changes (a file double-encoded twice needs two passes), which also makes it
    idempotent. ``fixes`` of a second pass refer to the text after the first.
    """
    current = text
    codepage: str | None = None
    fixes: list[Fix] = []
    uncertain = 0
    for _ in range(_MAX_PASSES):
        if not needs_repair(current):
            break
        repaired, cp, pass_fixes, pass_uncertain = _repair_once(current, vocabulary)
        if repaired == current:
            break
        codepage = codepage or cp
        fixes.extend(pass_fixes)
        uncertain += pass_uncertain
        current = repaired
    return RepairResult(
        text=current,
        changed=current != text,
        codepage=codepage,
        rebuilt=len(fixes),
        uncertain=uncertain,
        fixes=tuple(fixes),
    )
