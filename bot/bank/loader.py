"""Read a bank directory tree into a `Bank`.

Identity (see docs/question-format.md):
- A question's **collection** is its folder relative to the bank root, and its **key**
  is `<collection>/<id>` — so `by-order_b1/Q-001` and `by-order_v1/Q-01-001` are
  different questions, both reachable.
- The same question stored twice (a copy under `by-topic/`, or the raw dump
  `sample_1.md` next to the structured files) is **one** question: copies are found
  by content (bounded fingerprints of the normalised stem and options), the best-kept
  file is the primary one and the others are listed in `also_in`. Two stems that carry
  different data (a table, a code block, the numbers of the text) are never copies.
  Copies whose correct options say different things make the question disputed.
- Two *different* questions that would get the same key (same id in one folder)
  both load; the second gets `<collection>/<file stem>/<id>` and a warning.

Hostile files (see docs/question-format.md, *Limits*): every file is judged alone — any
exception while reading one becomes that file's `path:line: reason` and the rest loads;
files over `MAX_FILE_BYTES`, fields over `LIMITS`, symbolic links and anything that is not a
regular file inside the root are refused, and nothing outside the root is ever opened.
"""

from __future__ import annotations

import errno
import logging
import os
import re
import stat
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from multiprocessing import get_context
from pathlib import Path
from typing import TYPE_CHECKING

from bot.bank.bank import Bank, Problem, Skipped
from bot.bank.blocks import scan
from bot.bank.markdown_reader import NotAQuestion, read_markdown, strip_comments
from bot.bank.model import LIMITS, MAX_COUNTS, MAX_FILE_BYTES, BankError, Question
from bot.bank.topics import TOPICS_FILE, attach_topics

if TYPE_CHECKING:
    from bot.bank.mojibake import Vocabulary

log = logging.getLogger(__name__)

QUESTION_SUFFIXES = {".md", ".markdown", ".yaml", ".yml"}
_SKIP_DIRS = {".git", ".github", "node_modules", "__pycache__", ".venv"}
_TEMPLATE_DIRS = {"_template", "_templates", "template", "templates"}
COPY_SIMILARITY = 0.75  # share of a copy's stem (and options) fingerprint found in the other copy
FINGERPRINT_CHARS = 4000  # normalised characters of a stem (of the options) a fingerprint covers
SHINGLE = 5  # characters per shingle
OPTION_SIMILARITY = 0.5  # Jaccard of two options' 3-grams for "the same option, one with a typo"


# A file's outcome, picklable for the worker process:
# ("ok", questions, repair counts) | ("skip", reason) | ("error", path, line, reason).
_Outcome = tuple


# Banks this large are parsed by two processes (on machines with more than one core):
# parsing is pure CPU, and a 5,000-file bank would otherwise take over 2 s.
PARALLEL_MIN_FILES = 1500


def load_bank(root: str | Path, *, workers: int | None = None) -> Bank:
    """Load every question under `root`. Broken files are reported, never fatal."""
    root = Path(root)
    if not root.is_dir():
        return Bank(problems=[Problem(str(root), 0, "questions folder not found")])
    rels, skipped, problems = _walk(root)
    rels = [rel for rel in rels if rel != TOPICS_FILE]  # topics.yaml at the root: not questions
    if workers is None:
        workers = min(2, os.cpu_count() or 1) if len(rels) >= PARALLEL_MIN_FILES else 1
    outcomes = (
        _read_parallel(root, rels, workers) if workers > 1 else [_read_one_file(root, rel) for rel in rels]
    )
    _repair_with_the_bank_s_vocabulary(root, rels, outcomes)
    questions: list[Question] = []
    repaired: dict[str, tuple[int, int]] = {}
    for rel, outcome in zip(rels, outcomes, strict=True):
        if outcome[0] == "skip":
            skipped.append(Skipped(rel, outcome[1]))
            continue
        if outcome[0] == "error":
            problem = Problem(outcome[1], outcome[2], outcome[3])
            problems.append(problem)
            log.warning("skipping %s", problem)
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
        data = read_bytes_inside(root, rel)
        parsed, fixed = parse_file(data, rel, vocabulary, defer_repair=vocabulary is None)
    except _Damaged:
        return ("damaged",)
    except NotAQuestion as exc:
        return ("skip", str(exc))
    except BankError as exc:
        return ("error", exc.path, exc.line, exc.reason)
    except RecursionError:
        return ("error", rel, 1, "nested too deeply to read")
    except Exception as exc:  # a reader bug costs this file, never the bank: reported, with its type
        log.warning("reading %s failed", rel, exc_info=True)
        detail = str(exc).splitlines()[0][:200] if str(exc) else ""
        return ("error", rel, 1, f"cannot be read ({type(exc).__name__}{': ' + detail if detail else ''})")
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


# ---------------------------------------------------------------------------
# Files: only regular files inside the root, never through a symbolic link

_LINK_REASON = "symbolic link: not followed"


def _walk(root: Path) -> tuple[list[str], list[Skipped], list[Problem]]:
    """Question files under `root` (relative POSIX paths, folders depth first in name order),
    what was left out and why (symbolic links, special files), and folders that cannot be read.
    Nothing is followed: a symbolic link to a file or a folder is reported, never read."""
    files: list[str] = []
    skipped: list[Skipped] = []
    problems: list[Problem] = []
    stack = [""]
    while stack:
        rel_dir = stack.pop()
        try:
            with os.scandir(root / rel_dir if rel_dir else root) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            problems.append(Problem(rel_dir or ".", 0, f"cannot read folder: {exc.strerror or exc}"))
            continue
        subdirs = []
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            rel = f"{rel_dir}/{name}" if rel_dir else name
            suffix = os.path.splitext(name)[1].lower()
            try:
                if entry.is_symlink():
                    if name not in _SKIP_DIRS:
                        skipped.append(Skipped(rel, _LINK_REASON))
                elif entry.is_dir(follow_symlinks=False):
                    if name not in _SKIP_DIRS:
                        subdirs.append(rel)
                elif suffix in QUESTION_SUFFIXES:
                    if entry.is_file(follow_symlinks=False):
                        files.append(rel)
                    else:
                        skipped.append(Skipped(rel, "not a regular file (a pipe, socket or device)"))
            except OSError as exc:
                problems.append(Problem(rel, 1, f"cannot read: {exc.strerror or exc}"))
        stack.extend(reversed(subdirs))
    return files, skipped, problems


_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_DIRECTORY = getattr(os, "O_DIRECTORY", 0)
_DIR_FD = os.open in os.supports_dir_fd and bool(_NOFOLLOW)


def read_bytes_inside(root: Path, rel: str, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of `root/rel`, refusing a symbolic link anywhere below `root`, anything that is not
    a regular file, and more than `limit` bytes. Each folder is opened relative to the one above
    with O_NOFOLLOW, so a folder swapped for a link after the walk is refused too."""
    parts = rel.split("/")
    if any(p in ("", ".", "..") for p in parts):
        raise BankError(rel, 1, "not a path inside the bank")
    try:
        if _DIR_FD:
            fd = os.open(root, os.O_RDONLY | _DIRECTORY)
            try:
                for part in parts[:-1]:
                    try:
                        nxt = os.open(part, os.O_RDONLY | _DIRECTORY | _NOFOLLOW, dir_fd=fd)
                    except OSError as exc:  # Linux says ENOTDIR, not ELOOP, for a link to a folder
                        if exc.errno == errno.ENOTDIR and _is_link(part, fd):
                            raise OSError(errno.ELOOP, "a symbolic link") from None
                        raise
                    os.close(fd)
                    fd = nxt
                file_fd = os.open(parts[-1], os.O_RDONLY | _NOFOLLOW | _NONBLOCK, dir_fd=fd)
            finally:
                os.close(fd)
        else:  # pragma: no cover - platforms without openat (Windows): check each step's lstat
            path = root
            for part in parts:
                path = path / part
                if path.is_symlink():
                    raise OSError(errno.ELOOP, "Too many levels of symbolic links")
            file_fd = os.open(path, os.O_RDONLY | _NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise BankError(rel, 1, _LINK_REASON) from None
        raise BankError(rel, 1, f"cannot read: {exc.strerror or exc}") from None
    return _read_open(file_fd, rel, limit)


def _is_link(name: str, dir_fd: int) -> bool:
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


def _read_open(file_fd: int, rel: str, limit: int) -> bytes:
    with os.fdopen(file_fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise BankError(rel, 1, "not a regular file (a pipe, socket or device)")
        if info.st_size > limit:
            raise BankError(rel, 1, _too_big(info.st_size, limit))
        data = fh.read(info.st_size + 1)  # one more byte: a file that grew since is noticed
        if len(data) > info.st_size:
            data += fh.read(limit + 1 - len(data))
    if len(data) > limit:  # it grew while being read
        raise BankError(rel, 1, _too_big(len(data), limit))
    return data


def _too_big(size: int, limit: int) -> str:
    return f"file is {size / 1024:,.0f} KB; the limit is {limit // 1024:,} KB per file"


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
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise BankError(rel, line, "binary data (a NUL byte), not a text file")
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
    path: Path, rel: str, vocabulary: Vocabulary | None = None
) -> tuple[list[Question], tuple[int, int] | None]:
    """Parse the file at `path`, named `rel` in its questions and errors (tests and tools; a bank is
    read through `read_bytes_inside`). Its questions, and (rebuilt, uncertain) when it was repaired
    (with `vocabulary`, what the bank's clean files teach, when given)."""
    try:
        file_fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK)
    except OSError as exc:
        reason = _LINK_REASON if exc.errno == errno.ELOOP else f"cannot read: {exc.strerror or exc}"
        raise BankError(rel, 1, reason) from None
    return parse_file(_read_open(file_fd, rel, MAX_FILE_BYTES), rel, vocabulary)


def parse_file(
    data: bytes, rel: str, vocabulary: Vocabulary | None = None, *, defer_repair: bool = False
) -> tuple[list[Question], tuple[int, int] | None]:
    """The questions in a file's bytes (format from the name `rel`), every field within its limit
    (`vocabulary` and `defer_repair`: see `decode`)."""
    text, fixed = decode(data, rel, vocabulary, defer_repair=defer_repair)
    collection = Path(rel).parent.as_posix()
    collection = "" if collection == "." else collection
    if Path(rel).suffix.lower() in {".yaml", ".yml"}:
        from bot.bank.yamlformat import read_yaml

        questions = read_yaml(text, rel, collection=collection)
    else:
        questions = read_markdown(text, rel, collection=collection)
    for q in questions:
        check_limits(q)
    return questions, fixed


def check_limits(q: Question) -> None:
    """BankError naming the first field over its limit (see model.LIMITS)."""

    def over(name: str, value: str | None, limit: str) -> None:
        if value is not None and len(value) > LIMITS[limit]:
            raise BankError(
                q.path, q.line, f"{name} is {len(value):,} characters; the limit is {LIMITS[limit]:,}"
            )

    def too_many(name: str, items: Iterable[object]) -> None:
        n = len(list(items))
        if n > MAX_COUNTS[name]:
            raise BankError(q.path, q.line, f"{n} {name}; the limit is {MAX_COUNTS[name]}")

    over("the id", q.id, "id")
    over("the stem", q.stem, "stem")
    for letter, text in q.options.items():
        over(f"option {letter}", text, "option")
    for name in ("source", "difficulty", "domain"):
        over(f"`{name}`", getattr(q, name), "text")
    for name in ("dispute_note", "community_answer", "source_answer"):
        over(f"`{name}`", getattr(q, name), "note")
    too_many("topics", q.topics)
    too_many("traps", q.traps)
    too_many("aliases", q.aliases)
    too_many("references", q.references)
    too_many("sections", q.sections)
    for tag in (*q.topics, *q.traps):
        over(f"the tag {tag[:30]!r}…" if len(tag) > 30 else f"the tag {tag!r}", tag, "tag")
    for alias in q.aliases:
        over("an alias", alias, "id")
    for ref in q.references:
        over("a reference title", ref.title, "text")
        over("a reference link", ref.url, "url")
    for sec in q.sections:
        over("a section heading", sec.heading, "heading")
        over(f"the section {sec.heading[:40]!r}", sec.body, "section")
        for sub in sec.subsections:
            over("a sub-section heading", sub.heading, "heading")


# ---------------------------------------------------------------------------
# Identity


_FENCE_INFO = re.compile(r"(`{3,}|~{3,})[\w+-]*")
_NOT_ALNUM = re.compile(r"[\W_]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_TABLE_RULE = re.compile(r"^[\s|:\-]*$")


def _norm(text: str) -> str:
    """Content fingerprint text: no comments, fence languages, Markdown, punctuation or spaces."""
    if "<!--" in text:
        text = strip_comments(text)
    text = _FENCE_INFO.sub("", text)
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text).casefold())


MAX_DATA_ITEMS = 16  # tables, code blocks of a stem compared (each cut to FINGERPRINT_CHARS)
MAX_NUMBERS = 200
MAX_VARIANTS = 8  # different-looking data one group of copies may hold (a copy that lost a table…)


@dataclass(frozen=True, slots=True)
class _Data:
    """What a stem shows besides its wording: its tables, its code blocks and its numbers.

    Two stems that both have tables (or both code) are different questions when a table (a code
    block) of one is not found, normalised, anywhere in the other's text; and so are two stems
    whose numbers neither include the other's. So the same SCD question over two different
    tables is two questions, while a raw dump that lost a table, or turned a code block into
    inline code, is still a copy of the structured file.
    """

    text: str  # the normalised stem
    tables: tuple[str, ...]
    code: tuple[str, ...]
    numbers: Counter[str]

    @property
    def key(self) -> tuple[object, ...]:
        return (self.tables, self.code, tuple(sorted(self.numbers.items())))

    def conflicts(self, other: _Data) -> bool:
        for mine, theirs in ((self.tables, other.tables), (self.code, other.code)):
            if mine and theirs:
                if any(b not in other.text for b in mine) or any(b not in self.text for b in theirs):
                    return True
        a, b = self.numbers, other.numbers
        return bool(a) and bool(b) and not (a <= b or b <= a)


def _stem_data(stem: str) -> _Data:
    blocks = scan(stem)
    tables: list[list[str]] = []
    code: list[list[str]] = []
    numbers: list[str] = []
    last = ""  # kind of the previous line: consecutive table rows (code lines) are one block
    for line, in_code in zip(blocks.lines, blocks.in_code, strict=True):
        if in_code:
            if line.lstrip().startswith(("```", "~~~")):
                last = ""  # a fence line: the next block starts after it
            else:
                if last != "code":
                    code.append([])
                code[-1].append(line)
                last = "code"
        elif line.count("|") >= 2:
            if last != "table":
                tables.append([])
            if not _TABLE_RULE.match(line):
                tables[-1].append(line)
            last = "table"
        else:
            last = ""
        if len(numbers) < MAX_NUMBERS:
            numbers.extend(_NUMBER.findall(line))

    def norm_blocks(found: list[list[str]]) -> tuple[str, ...]:
        normed = (_norm("\n".join(b))[:FINGERPRINT_CHARS] for b in found[:MAX_DATA_ITEMS])
        return tuple(b for b in normed if b)

    return _Data(_norm(stem), norm_blocks(tables), norm_blocks(code), Counter(numbers[:MAX_NUMBERS]))


def _shingles(text: str, size: int = SHINGLE) -> frozenset[str]:
    text = text[:FINGERPRINT_CHARS]
    if len(text) <= size:
        return frozenset([text]) if text else frozenset()
    return frozenset(text[i : i + size] for i in range(len(text) - size + 1))


def _contained(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the smaller fingerprint found in the other (a copy that lost a table still counts)."""
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return sum(1 for x in small if x in large) / len(small)


class _Fingerprints:
    """Per question, computed on first use: normalised texts, shingle sets, stem data."""

    def __init__(self, questions: list[Question]) -> None:
        self.questions = questions
        self.stems = [_norm(q.stem) for q in questions]
        self.options = [[_norm(text) for text in q.options.values()] for q in questions]
        self.opts = ["".join(options) for options in self.options]
        self._stem_sh: dict[int, frozenset[str]] = {}
        self._opt_sh: dict[int, frozenset[str]] = {}
        self._data: dict[int, _Data] = {}

    def data(self, i: int) -> _Data:
        if i not in self._data:
            self._data[i] = _stem_data(self.questions[i].stem)
        return self._data[i]

    def _option_shingles(self, k: int) -> frozenset[str]:
        """Each option's shingles (order-free: a copy may shuffle the options), within the cap."""
        out: set[str] = set()
        budget = FINGERPRINT_CHARS
        for text in self.options[k]:
            out |= _shingles(text[:budget])
            budget -= min(len(text), budget)
            if budget <= 0:
                break
        return frozenset(out)

    def similar(self, i: int, j: int) -> bool:
        """Copies: the stems and the options each share COPY_SIMILARITY of their fingerprints."""
        for k in (i, j):
            if k not in self._stem_sh:
                self._stem_sh[k] = _shingles(self.stems[k])
                self._opt_sh[k] = self._option_shingles(k)
        return (
            _contained(self._stem_sh[i], self._stem_sh[j]) >= COPY_SIMILARITY
            and _contained(self._opt_sh[i], self._opt_sh[j]) >= COPY_SIMILARITY
        )


def _rank(q: Question) -> tuple[int, int, int, int, int, str]:
    """Lower is a better primary copy: not filed by topic, structured, explained, then the one
    with the longer stem (a copy may have lost a table), then the first by path."""
    return (
        1 if q.path.startswith("by-topic/") or "/by-topic/" in q.path else 0,
        1 if q.format == "raw" else 0,
        0 if q.has_explanation else 1,
        -len(q.sections),
        -len(q.stem),
        q.path,
    )


def _where(q: Question) -> str:
    return q.path if q.line <= 1 else f"{q.path}:{q.line}"


def merge_copies(questions: list[Question]) -> tuple[list[Question], int, list[Problem]]:
    """Fold copies into one question each and make keys unique. Returns (questions, copies, problems).

    Candidates are questions with the same normalised stem and options, the same options (in any
    order), the same stem, or the same id in one folder; each candidate pair is compared once, through
    fingerprints of bounded size (never whole texts), so the work per pair is bounded whatever
    the files hold. A group never takes in a question whose stem data conflicts with the group's.
    """
    n = len(questions)
    parent = list(range(n))
    fp = _Fingerprints(questions)
    variants: dict[int, list[_Data]] = {}  # per group root: its members' different stem data

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def variants_of(root: int) -> list[_Data]:
        if root not in variants:
            variants[root] = [fp.data(root)]
        return variants[root]

    def join(a: int, b: int) -> bool:
        """Merge group b into group a unless their stem data conflict."""
        va, vb = variants_of(a), variants_of(b)
        if any(x.conflicts(y) for x in va for y in vb):
            return False  # same words, different table/code/numbers: two questions
        keys = {x.key for x in va}
        joined = va + [y for y in vb if y.key not in keys]
        if len(joined) > MAX_VARIANTS:
            return False
        variants[a] = joined
        variants.pop(b, None)
        parent[b] = a
        return True

    buckets: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i, q in enumerate(questions):
        buckets[("full", fp.stems[i] + "|" + fp.opts[i])].append(i)
        buckets[("full", fp.stems[i] + "|" + "|".join(sorted(fp.options[i])))].append(i)  # shuffled
        if len(fp.opts[i]) >= 40:
            buckets[("opts", fp.opts[i])].append(i)
        if len(fp.opts[i]) >= 20:  # the same options in another order (a copy may shuffle them)
            buckets[("optset", "|".join(sorted(fp.options[i])))].append(i)
        if len(fp.stems[i]) >= 80:
            buckets[("stem", fp.stems[i])].append(i)
        buckets[("id", f"{q.collection}\0{unicodedata.normalize('NFKC', q.id).upper()}")].append(i)
    for (kind, _), members in buckets.items():
        if len(members) < 2:
            continue
        first = members[0]
        for other in members[1:]:
            a, b = find(first), find(other)
            if a == b:
                continue
            try:
                if kind == "full" or fp.similar(first, other):
                    join(a, b)
            except Exception:  # a bug here must not cost the bank: the two stay apart
                log.warning(
                    "comparing %s with %s failed",
                    _where(questions[first]),
                    _where(questions[other]),
                    exc_info=True,
                )

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
            try:
                primary = _fold(primary, rest, problems)
            except Exception as exc:  # a bug here must not cost the bank: the primary as it is
                log.warning("folding the copies of %s failed", _where(primary), exc_info=True)
                reason = f"its copies could not be compared ({type(exc).__name__}); served as it is"
                problems.append(Problem(primary.path, primary.line, reason, "warning"))
        merged.append(primary)

    merged.sort(key=lambda q: (q.collection, q.path, q.line))
    seen: dict[str, Question] = {}
    next_suffix: dict[str, int] = {}  # so that 10,000 questions with one key are renamed in linear time
    unique: list[Question] = []
    for q in merged:
        if q.key in seen:
            stem_name = Path(q.path).stem
            new_key = f"{q.collection}/{stem_name}/{q.id}" if q.collection else f"{stem_name}/{q.id}"
            if new_key in seen:
                base, suffix = new_key, next_suffix.get(new_key, 2)
                while f"{base}~{suffix}" in seen:
                    suffix += 1
                new_key = f"{base}~{suffix}"
                next_suffix[base] = suffix + 1
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


def _option_text(text: str) -> str:
    """An option's text for telling options apart: case, spaces, backticks, bold and a final period
    ignored, punctuation kept (`BROADCAST(c)` and `/*+ BROADCAST(c) */` are different options)."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("`", "").replace("**", "")
    return "".join(text.split()).rstrip(".。")


def _same_option(text: str, options: dict[str, str], cache: dict[str, frozenset[str]]) -> str | None:
    """The letter of `options` whose text is `text`, else the most alike one if it is alike enough
    (a copy may fix a typo), else None."""
    mine = _shingles(_option_text(text), 3)
    best, best_score = None, OPTION_SIMILARITY
    for letter, other in options.items():
        if letter not in cache:
            cache[letter] = _shingles(_option_text(other), 3)
        if cache[letter] == mine:
            return letter
        theirs = cache[letter]
        union = len(mine | theirs)
        score = len(mine & theirs) / union if union else 0.0
        if score >= best_score:
            best, best_score = letter, score
    return best


def _answer_said(q: Question) -> str:
    texts = "; ".join(_clip(q.options[x]) for x in q.answer)
    return f"{','.join(q.answer)} ({texts})"


def _clip(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return f"“{text}”" if len(text) <= n else f"“{text[: n - 1]}…”"


def _fold(primary: Question, rest: list[Question], problems: list[Problem]) -> Question:
    """The primary copy, knowing its copies: `also_in`, their ids as aliases, and — when a copy's
    correct option(s) say something else than the primary's — the disagreement (disputed)."""
    cache: dict[str, frozenset[str]] = {}
    said: dict[int, str] = {}  # copy -> its answer in the primary's letters (its own when unmatched)
    dissent: list[Question] = []
    for copy in rest:
        mapped = [_same_option(copy.options[x], primary.options, cache) for x in copy.answer]
        said[id(copy)] = ",".join(sorted(m or x for m, x in zip(mapped, copy.answer, strict=True)))
        if None in mapped or tuple(sorted(mapped)) != primary.answer:  # type: ignore[type-var]
            dissent.append(copy)
            problems.append(
                Problem(
                    copy.path,
                    copy.line,
                    f"copy of {primary.path} but its answer is {_answer_said(copy)}, "
                    f"not {_answer_said(primary)} (using {primary.path}; members see both)",
                    "warning",
                )
            )
    also = tuple(dict.fromkeys(_where(c) for c in rest if _where(c) != _where(primary)))
    names = {primary.id, *primary.aliases}
    aliases = tuple(
        dict.fromkeys([*primary.aliases, *(x for c in rest for x in (c.id, *c.aliases) if x not in names)])
    )
    changes: dict[str, object] = {"also_in": also, "aliases": aliases}
    if dissent:
        involved = [primary, *dissent]
        collections = [q.collection for q in involved]

        def where(q: Question) -> str:
            unique = q.collection and collections.count(q.collection) == 1
            return q.collection if unique else _where(q)

        changes["disagreement"] = tuple((where(q), said.get(id(q), ",".join(q.answer))) for q in involved)
        changes["disputed"] = True
    return replace(primary, **changes)  # type: ignore[arg-type]
