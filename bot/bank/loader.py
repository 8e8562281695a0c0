"""Read a bank directory tree into a `Bank`.

Identity (see docs/question-format.md):
- A question's **collection** is its folder relative to the bank root, and its **key**
  is `<collection>/<id>` — so `by-order_b1/Q-001` and `by-order_v1/Q-01-001` are
  different questions, both reachable.
- The same question stored twice (a copy under `by-topic/`, or the raw dump
  `sample_1.md` next to the structured files) is **one** question: copies are found
  by content (normalised stem and options), the best-kept file is the primary one
  and the others are listed in `also_in`.
- Two *different* questions that would get the same key (same id in one folder)
  both load; the second gets `<collection>/<file stem>/<id>` and a warning.
"""

from __future__ import annotations

import difflib
import logging
import os
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import replace
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

from bot.bank.bank import Bank, Problem, Skipped
from bot.bank.markdown import NotAQuestion, read_markdown
from bot.bank.model import BankError, Question
from bot.bank.topics import TOPICS_FILE, attach_topics

if TYPE_CHECKING:
    from bot.bank.mojibake import Vocabulary

log = logging.getLogger(__name__)

QUESTION_SUFFIXES = {".md", ".markdown", ".yaml", ".yml"}
_SKIP_DIRS = {".git", ".github", "node_modules", "__pycache__", ".venv"}
_TEMPLATE_DIRS = {"_template", "_templates", "template", "templates"}
COPY_SIMILARITY = 0.75  # normalised stem+options similarity for copies found by id or by options


# A file's outcome: ("ok", questions, repair counts) | ("skip", reason) | ("error", BankError).
_Outcome = tuple


# Banks this large are parsed by two processes (on machines with more than one core):
# parsing is pure CPU, and a 5,000-file bank would otherwise take over 2 s.
PARALLEL_MIN_FILES = 1500


def load_bank(root: str | Path, *, workers: int | None = None) -> Bank:
    """Load every question under `root`. Broken files are reported, never fatal."""
    root = Path(root)
    if not root.is_dir():
        return Bank(problems=[Problem(str(root), 0, "questions folder not found")])
    paths = [p for p in _walk(root) if p != root / TOPICS_FILE]  # topics.yaml: not questions
    rels = [path.relative_to(root).as_posix() for path in paths]
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if len(paths) >= PARALLEL_MIN_FILES else 1
    outcomes = (
        _read_parallel(root, rels, workers) if workers > 1 else [_read_one_file(root, rel) for rel in rels]
    )
    _repair_with_the_bank_s_vocabulary(root, rels, outcomes)
    questions: list[Question] = []
    problems: list[Problem] = []
    skipped: list[Skipped] = []
    repaired: dict[str, tuple[int, int]] = {}
    for rel, outcome in zip(rels, outcomes, strict=True):
        if outcome[0] == "skip":
            skipped.append(Skipped(rel, outcome[1]))
            continue
        if outcome[0] == "error":
            exc = outcome[1]
            problems.append(Problem(exc.path, exc.line, exc.reason))
            log.warning("skipping %s", exc)
            continue
        parsed, fixed = outcome[1], outcome[2]
        if fixed is not None:
            repaired[rel] = fixed
            if fixed[1]:
                reason = f"encoding repaired: {fixed[0]} characters rebuilt, {fixed[1]} uncertain"
                problems.append(Problem(rel, 1, reason, "warning"))
        questions.extend(parsed)
        for q in parsed:
            problems.extend(Problem(q.path, q.line, note, "warning") for note in q.notes)
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
    return bank


def _read_one_file(root: Path, rel: str, vocabulary: Vocabulary | None = None) -> _Outcome:
    """Without a vocabulary, a double-encoded file is left for later: ("damaged",)."""
    if any(part.lower() in _TEMPLATE_DIRS for part in Path(rel).parts[:-1]):
        return ("skip", "template folder")
    try:
        parsed, fixed = read_file(root / rel, rel, vocabulary, defer_repair=vocabulary is None)
    except _Damaged:
        return ("damaged",)
    except NotAQuestion as exc:
        return ("skip", str(exc))
    except BankError as exc:
        return ("error", exc)
    return ("ok", parsed, fixed)


def _repair_with_the_bank_s_vocabulary(root: Path, rels: list[str], outcomes: list[_Outcome]) -> None:
    """Repair the double-encoded files with what the bank's clean files teach (its words,
    headings, table rows: docs/mojibake.md). Costs nothing when no file is damaged."""
    damaged = [k for k, outcome in enumerate(outcomes) if outcome[0] == "damaged"]
    if not damaged:
        return
    from bot.bank.mojibake import Vocabulary

    clean = [
        rel for rel, outcome in zip(rels, outcomes, strict=True) if outcome[0] == "ok" and outcome[2] is None
    ]

    def texts() -> Iterator[str]:
        for rel in clean:
            try:
                yield (root / rel).read_bytes().decode("utf-8-sig")
            except (OSError, UnicodeDecodeError):  # changed since it was read: learn from the others
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


def _walk(root: Path) -> list[Path]:
    out: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIP_DIRS and not d.startswith("."))
        for name in sorted(filenames):
            if Path(name).suffix.lower() in QUESTION_SUFFIXES and not name.startswith("."):
                out.append(Path(dirpath) / name)
    return out


class _Damaged(Exception):
    """decode() was asked to leave the repair of a double-encoded file for later."""


def decode(
    data: bytes, rel: str, vocabulary: Vocabulary | None = None, *, defer_repair: bool = False
) -> tuple[str, tuple[int, int] | None]:
    """Bytes -> clean text: UTF-8 (BOM tolerated), double-encoding repaired with
    ``vocabulary`` (what the bank's clean files teach) when given; ``defer_repair`` raises
    ``_Damaged`` instead of repairing."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BankError(
            rel, line, f"not UTF-8 (byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        ) from None
    from bot.bank import mojibake

    if not mojibake.needs_repair(text):
        return text, None
    if defer_repair:
        raise _Damaged(rel)
    result = mojibake.repair(text, vocabulary=vocabulary)
    if mojibake.needs_repair(result.text):
        raise BankError(rel, 1, "unrecoverable encoding: the text is still double-encoded after repair")
    return result.text, (result.rebuilt, result.uncertain)


def read_file(
    path: Path, rel: str, vocabulary: Vocabulary | None = None, *, defer_repair: bool = False
) -> tuple[list[Question], tuple[int, int] | None]:
    """Parse one file; returns its questions and (rebuilt, uncertain) when it was repaired."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BankError(rel, 0, f"cannot read: {exc.strerror}") from None
    text, fixed = decode(data, rel, vocabulary, defer_repair=defer_repair)
    collection = Path(rel).parent.as_posix()
    collection = "" if collection == "." else collection
    if path.suffix.lower() in {".yaml", ".yml"}:
        from bot.bank.yamlformat import read_yaml

        return read_yaml(text, rel, collection=collection), fixed
    return read_markdown(text, rel, collection=collection), fixed


# ---------------------------------------------------------------------------
# Identity


_COMMENT = re.compile(r"<!--.*?-->", re.S)
_FENCE_INFO = re.compile(r"(`{3,}|~{3,})[\w+-]*")
_NOT_ALNUM = re.compile(r"[\W_]+")


def _norm(text: str) -> str:
    """Content fingerprint text: no comments, fence languages, Markdown, punctuation or spaces."""
    if "<!--" in text:
        text = _COMMENT.sub("", text)
    text = _FENCE_INFO.sub("", text)
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text).casefold())


def _rank(q: Question) -> tuple[int, int, int, int, str]:
    """Lower is a better primary copy."""
    return (
        1 if q.path.startswith("by-topic/") or "/by-topic/" in q.path else 0,
        1 if q.format == "raw" else 0,
        0 if q.has_explanation else 1,
        -len(q.sections),
        q.path,
    )


def _where(q: Question) -> str:
    return q.path if q.line <= 1 else f"{q.path}:{q.line}"


def merge_copies(questions: list[Question]) -> tuple[list[Question], int, list[Problem]]:
    """Fold copies into one question each and make keys unique. Returns (questions, copies, problems)."""
    n = len(questions)
    parent = list(range(n))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    stems = [_norm(q.stem) for q in questions]
    opts = [_norm("\n".join(q.options.values())) for q in questions]
    full = [s + "|" + o for s, o in zip(stems, opts, strict=True)]
    buckets: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, q in enumerate(questions):
        buckets[("full", full[i])].append(i)
        if len(opts[i]) >= 40:
            buckets[("opts", opts[i])].append(i)
        if len(stems[i]) >= 80:
            buckets[("stem", stems[i])].append(i)
        buckets[("id", f"{q.collection}\0{unicodedata.normalize('NFKC', q.id).upper()}")].append(i)
    for (kind, _), members in buckets.items():
        if len(members) < 2:
            continue
        first = members[0]
        for other in members[1:]:
            if find(first) == find(other):
                continue
            if kind == "full" or _similar(full[first], full[other]):
                parent[find(other)] = find(first)

    groups: dict[int, list[int]] = defaultdict(list)
    for i in range(n):
        groups[find(i)].append(i)
    problems: list[Problem] = []
    merged: list[Question] = []
    copies = 0
    for members in groups.values():
        group = sorted((questions[i] for i in members), key=_rank)
        primary, rest = group[0], group[1:]
        if rest:
            copies += len(rest)
            for copy in rest:
                if copy.answer != primary.answer:
                    problems.append(
                        Problem(
                            copy.path,
                            copy.line,
                            f"copy of {primary.path} but its answer is {','.join(copy.answer)}, "
                            f"not {','.join(primary.answer)} (using {primary.path})",
                            "warning",
                        )
                    )
            also = tuple(dict.fromkeys(_where(c) for c in rest if _where(c) != _where(primary)))
            # a copy filed under another id still finds the question
            names = {primary.id, *primary.aliases}
            aliases = tuple(
                dict.fromkeys(
                    [*primary.aliases, *(x for c in rest for x in (c.id, *c.aliases) if x not in names)]
                )
            )
            primary = replace(primary, also_in=also, aliases=aliases)
        merged.append(primary)

    merged.sort(key=lambda q: (q.collection, q.path, q.line))
    seen: dict[str, Question] = {}
    unique: list[Question] = []
    for q in merged:
        if q.key in seen:
            stem_name = Path(q.path).stem
            new_key = f"{q.collection}/{stem_name}/{q.id}" if q.collection else f"{stem_name}/{q.id}"
            suffix = 2
            while new_key in seen:
                new_key = f"{q.collection}/{stem_name}/{q.id}~{suffix}"
                suffix += 1
            problems.append(
                Problem(
                    q.path,
                    q.line,
                    f"duplicate key {q.key} (also {seen[q.key].path}), a different question: "
                    f"loaded as {new_key}",
                    "warning",
                )
            )
            q = replace(q, key=new_key)
        seen[q.key] = q
        unique.append(q)
    return unique, copies, problems


def _similar(a: str, b: str) -> bool:
    if not a or not b:
        return False
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return matcher.real_quick_ratio() >= COPY_SIMILARITY and matcher.ratio() >= COPY_SIMILARITY
