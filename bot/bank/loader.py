"""Read a bank directory tree into a `Bank`.

The files under the root are listed and read safely (`bot.bank.files`), each parsed on its own
(`bot.bank.parse`): any exception while reading one becomes that file's `path:line: reason` and
the rest loads (see docs/question-format.md, *Limits*). Double-encoded files are repaired with
what the bank's clean files teach (`bot.bank.mojibake`). Copies are then folded and keys made
unique (`bot.bank.identity`), `topics.yaml` attached (`bot.bank.topics`) and the exam blueprints
read (`bot.bank.blueprint`: the built-in ones and the bank's `exams/*.yaml`, never questions). A
large bank is parsed by two processes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

from bot.bank.bank import Bank, Problem, Skipped
from bot.bank.blueprint import EXAMS_DIR, read_blueprints
from bot.bank.files import read_bytes_inside, walk
from bot.bank.identity import merge_copies
from bot.bank.model import BankError, NotAQuestion, Question
from bot.bank.parse import Damaged, Repaired, parse_file
from bot.bank.topics import TOPICS_FILE, attach_topics

if TYPE_CHECKING:
    from bot.bank.mojibake import Vocabulary

log = logging.getLogger(__name__)

_TEMPLATE_DIRS = {"_template", "_templates", "template", "templates"}

# Banks this large are parsed by two processes (on machines with more than one core):
# parsing is pure CPU, and a 5,000-file bank would otherwise take over 2 s.
PARALLEL_MIN_FILES = 1500


# A file's outcome (picklable, for the worker processes).
@dataclass(frozen=True, slots=True)
class _Parsed:
    questions: list[Question]
    repaired: Repaired | None  # (rebuilt, uncertain) when its encoding was repaired


@dataclass(frozen=True, slots=True)
class _Skip:
    reason: str  # not a question file


@dataclass(frozen=True, slots=True)
class _Failed:
    problem: Problem


@dataclass(frozen=True, slots=True)
class _Later:
    """Double-encoded: read again once the clean files have taught the bank's vocabulary."""


_Outcome = _Parsed | _Skip | _Failed | _Later


def load_bank(root: str | Path, *, workers: int | None = None) -> Bank:
    """Load every question under `root`. Broken files are reported, never fatal."""
    root = Path(root)
    if not root.is_dir():
        return Bank(problems=[Problem(str(root), 0, "questions folder not found")])
    rels, skipped, problems = walk(root)
    # topics.yaml and the exam blueprints in exams/ at the root: not questions
    rels = [rel for rel in rels if rel != TOPICS_FILE and not _in_exams(rel)]
    skipped = [s for s in skipped if not _in_exams(s.path)]  # read_blueprints reports exams/'s links
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if len(rels) >= PARALLEL_MIN_FILES else 1
    outcomes = (
        _read_parallel(root, rels, workers) if workers > 1 else [_read_one_file(root, rel) for rel in rels]
    )
    _repair_with_the_bank_s_vocabulary(root, rels, outcomes)
    questions, repaired = _collect(rels, outcomes, skipped, problems)
    merged, copies, identity_problems = merge_copies(questions)
    problems.extend(identity_problems)
    bank = Bank(
        questions=merged,
        problems=problems,
        skipped=skipped,
        copies_merged=copies,
        files_read=len(rels),
        repaired=repaired,
    )
    attach_topics(bank, root)  # topics.yaml's groups, its problems, the topic index built once
    blueprints, blueprint_problems = read_blueprints(root)
    bank.blueprints = tuple(blueprints)
    bank.problems.extend(blueprint_problems)
    return bank


def _in_exams(rel: str) -> bool:
    return rel == EXAMS_DIR or rel.startswith(EXAMS_DIR + "/")


def _collect(
    rels: list[str], outcomes: list[_Outcome], skipped: list[Skipped], problems: list[Problem]
) -> tuple[list[Question], dict[str, Repaired]]:
    """The questions of the files read, in file order, and the files repaired; what was skipped and
    every problem (a repair with uncertain characters, the reader's notes) added to the lists."""
    questions: list[Question] = []
    repaired: dict[str, Repaired] = {}
    for rel, outcome in zip(rels, outcomes, strict=True):
        if isinstance(outcome, _Skip):
            skipped.append(Skipped(rel, outcome.reason))
            continue
        if isinstance(outcome, _Failed):
            problems.append(outcome.problem)
            log.warning("skipping %s", outcome.problem)
            continue
        if not isinstance(outcome, _Parsed):  # pragma: no cover - every damaged file was read again
            raise AssertionError(f"{rel} was not read again after the vocabulary was learned")
        parsed, fixed = outcome.questions, outcome.repaired
        if fixed is not None:
            repaired[rel] = fixed
            if fixed[1]:
                reason = f"encoding repaired: {fixed[0]} characters rebuilt, {fixed[1]} uncertain"
                problems.append(Problem(rel, 1, reason, "warning"))
        questions.extend(parsed)
        for q in parsed:
            problems.extend(Problem(q.path, q.line, note, "warning") for note in q.notes)
    return questions, repaired


def _read_one_file(root: Path, rel: str, vocabulary: Vocabulary | None = None) -> _Outcome:
    """Without a vocabulary, a double-encoded file is left for later (`_Later`)."""
    if any(part.lower() in _TEMPLATE_DIRS for part in Path(rel).parts[:-1]):
        return _Skip("template folder")
    try:
        data = read_bytes_inside(root, rel)
        parsed, fixed = parse_file(data, rel, vocabulary, defer_repair=vocabulary is None)
    except Damaged:
        return _Later()
    except NotAQuestion as exc:
        return _Skip(str(exc))
    except BankError as exc:
        return _Failed(Problem(exc.path, exc.line, exc.reason))
    except RecursionError:
        return _Failed(Problem(rel, 1, "nested too deeply to read"))
    except Exception as exc:  # a reader bug costs this file, never the bank: reported, with its type
        log.warning("reading %s failed", rel, exc_info=True)
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        return _Failed(
            Problem(rel, 1, f"cannot be read ({type(exc).__name__}{': ' + detail if detail else ''})")
        )
    return _Parsed(parsed, fixed)


def _repair_with_the_bank_s_vocabulary(root: Path, rels: list[str], outcomes: list[_Outcome]) -> None:
    """Repair the double-encoded files with what the bank's clean files teach (its words,
    headings, table rows: docs/mojibake.md). Costs nothing when no file is damaged."""
    damaged = [k for k, outcome in enumerate(outcomes) if isinstance(outcome, _Later)]
    if not damaged:
        return
    from bot.bank.mojibake import Vocabulary

    clean = [
        rel
        for rel, outcome in zip(rels, outcomes, strict=True)
        if isinstance(outcome, _Parsed) and outcome.repaired is None
    ]

    def texts() -> Iterator[str]:
        for rel in clean:
            try:
                yield read_bytes_inside(root, rel).decode("utf-8-sig")
            except (BankError, UnicodeDecodeError):  # changed since it was read: learn from the others
                log.warning("not learning from %s: it could not be read again", rel)

    vocabulary = Vocabulary().learn(texts())
    for k in damaged:
        outcomes[k] = _read_one_file(root, rels[k], vocabulary)


def _read_chunk(root: str, rels: list[str]) -> list[_Outcome]:
    return [_read_one_file(Path(root), rel) for rel in rels]


def _read_parallel(root: Path, rels: list[str], workers: int) -> list[_Outcome]:
    """Parse the first share here and the others in `workers - 1` fresh processes (spawned, not
    forked, so it is safe inside a threaded program), then join the outcomes in file order."""
    size = -(-len(rels) // workers)
    chunks = [rels[i : i + size] for i in range(0, len(rels), size)]
    if len(chunks) < 2:
        return _read_chunk(str(root), rels)
    try:
        with ProcessPoolExecutor(max_workers=len(chunks) - 1, mp_context=get_context("spawn")) as pool:
            futures = [pool.submit(_read_chunk, str(root), chunk) for chunk in chunks[1:]]
            mine = _read_chunk(str(root), chunks[0])
            return mine + [outcome for f in futures for outcome in f.result()]
    except (OSError, BrokenProcessPool) as exc:  # no processes here (sandbox, limits): do it ourselves
        log.warning("parallel bank load unavailable (%s); loading in one process", exc)
        return [_read_one_file(root, rel) for rel in rels]
