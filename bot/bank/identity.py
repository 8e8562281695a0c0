"""Which questions are the same one, and a unique key for each (see docs/question-format.md).

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

A bug while comparing or folding copies costs no question: the questions concerned stay apart, or
the primary is served as it is, with a warning.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from bot.bank.bank import Problem
from bot.bank.blocks import scan
from bot.bank.model import Question
from bot.bank.text import strip_comments

log = logging.getLogger(__name__)

COPY_SIMILARITY = 0.75  # share of a copy's stem (and options) fingerprint found in the other copy
FINGERPRINT_CHARS = 4000  # normalised characters of a stem (of the options) a fingerprint covers
SHINGLE = 5  # characters per shingle
OPTION_SIMILARITY = 0.5  # Jaccard of two options' 3-grams for "the same option, one with a typo"

_FENCE_INFO = re.compile(r"(`{3,}|~{3,})[\w+-]*")
_NOT_ALNUM = re.compile(r"[\W_]+")
_DIGIT = re.compile(r"\d")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+>]|\d{1,9}[.)])\s+")
_TABLE_RULE = re.compile(r"^[\s|:\-]*$")


def _norm(text: str) -> str:
    """Content fingerprint text: no comments, fence languages, Markdown, punctuation or spaces."""
    if "<!--" in text:
        text = strip_comments(text)
    text = _FENCE_INFO.sub("", text)
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", text).casefold())


MAX_DATA_ITEMS = 16  # tables, code blocks of a stem compared (each cut to FINGERPRINT_CHARS)
MAX_NUMBERED_LINES = 64  # lines with a number compared (each cut to FINGERPRINT_CHARS)
MAX_VARIANTS = 8  # different-looking data one group of copies may hold (a copy that lost a table…)


@dataclass(frozen=True, slots=True)
class _Data:
    """What a stem shows besides its wording: its tables, its code blocks and its lines that hold a
    number (outside tables and code).

    Two stems that both have tables (both code, both numbered lines) are different questions when
    a table (a code block, a numbered line) of one is not found, normalised, anywhere in the
    other's text. So the same SCD question over two different tables is two questions, and so are
    two stems that swap `logRetentionDuration = 30` and `deletedFileRetentionDuration = 7`; while a
    raw dump that lost a table, turned a code block into inline code or joined two lines, or
    writes `1,000` for `1000` or `１０００`, is still a copy of the structured file (normalising
    keeps letters and digits only, NFKC-folded).
    """

    text: str  # the normalised stem
    tables: tuple[str, ...]
    code: tuple[str, ...]
    numbered: tuple[str, ...]  # normalised lines holding a digit, sorted

    @property
    def key(self) -> tuple[object, ...]:
        return (self.tables, self.code, self.numbered)

    def conflicts(self, other: _Data) -> bool:
        for mine, theirs in (
            (self.tables, other.tables),
            (self.code, other.code),
            (self.numbered, other.numbered),
        ):
            if (
                mine
                and theirs
                and (any(b not in other.text for b in mine) or any(b not in self.text for b in theirs))
            ):
                return True
        return False


def _stem_data(stem: str) -> _Data:
    blocks = scan(stem)
    tables: list[list[str]] = []
    code: list[list[str]] = []
    numbered: list[str] = []
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
            if len(numbered) < MAX_NUMBERED_LINES and _DIGIT.search(line):
                normed = _norm(_LIST_MARKER.sub("", line))[:FINGERPRINT_CHARS]
                if normed:
                    numbered.append(normed)

    def norm_blocks(found: list[list[str]]) -> tuple[str, ...]:
        normed = (_norm("\n".join(b))[:FINGERPRINT_CHARS] for b in found[:MAX_DATA_ITEMS])
        return tuple(b for b in normed if b)

    return _Data(_norm(stem), norm_blocks(tables), norm_blocks(code), tuple(sorted(set(numbered))))


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
    fp = _Fingerprints(questions)
    groups = _Groups(fp)
    for kind, members in _candidates(questions, fp):
        first = members[0]
        for other in members[1:]:
            a, b = groups.find(first), groups.find(other)
            if a == b:
                continue
            try:
                if kind == "full" or fp.similar(first, other):
                    groups.join(a, b)
            except Exception:  # a bug here must not cost the bank: the two stay apart
                log.warning(
                    "comparing %s with %s failed",
                    _where(questions[first]),
                    _where(questions[other]),
                    exc_info=True,
                )
    problems: list[Problem] = []
    merged, copies = _fold_groups(questions, groups.members(), problems)
    merged.sort(key=lambda q: (q.collection, q.path, q.line))
    return _unique_keys(merged, problems), copies, problems


def _candidates(questions: list[Question], fp: _Fingerprints) -> list[tuple[str, list[int]]]:
    """Buckets of questions that may be copies, by kind of evidence ("full": the same normalised
    stem and options, a copy without further comparison); only buckets of two or more."""
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
    return [(kind, members) for (kind, _), members in buckets.items() if len(members) >= 2]


class _Groups:
    """Union-find over question indexes; each group remembers its members' different stem data."""

    def __init__(self, fp: _Fingerprints) -> None:
        self.fp = fp
        self.parent = list(range(len(fp.questions)))
        self.variants: dict[int, list[_Data]] = {}  # per group root: its members' different stem data

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def _variants_of(self, root: int) -> list[_Data]:
        if root not in self.variants:
            self.variants[root] = [self.fp.data(root)]
        return self.variants[root]

    def join(self, a: int, b: int) -> bool:
        """Merge group b into group a unless their stem data conflict."""
        va, vb = self._variants_of(a), self._variants_of(b)
        if any(x.conflicts(y) for x in va for y in vb):
            return False  # same words, different table/code/numbers: two questions
        keys = {x.key for x in va}
        joined = va + [y for y in vb if y.key not in keys]
        if len(joined) > MAX_VARIANTS:
            return False
        self.variants[a] = joined
        self.variants.pop(b, None)
        self.parent[b] = a
        return True

    def members(self) -> list[list[int]]:
        """The groups' members, each group in index order, groups in the order of their first."""
        groups: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.parent)):
            groups[self.find(i)].append(i)
        return list(groups.values())


def _fold_groups(
    questions: list[Question], groups: list[list[int]], problems: list[Problem]
) -> tuple[list[Question], int]:
    """One question per group, its best-kept copy knowing the others; and how many copies were folded."""
    merged: list[Question] = []
    copies = 0
    for members in groups:
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
    return merged, copies


def _unique_keys(merged: list[Question], problems: list[Problem]) -> list[Question]:
    """The questions with unique keys: a second question with a key gets `<collection>/<file stem>/<id>`
    (then `~2`, `~3`, …) and a warning."""
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
    return unique


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
        matched = [m for m in mapped if m is not None]
        if len(matched) < len(mapped) or tuple(sorted(matched)) != primary.answer:
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
    copy_keys = tuple(dict.fromkeys(c.key for c in rest if c.key != primary.key))
    if not dissent:
        return replace(primary, also_in=also, aliases=aliases, copy_keys=copy_keys)
    involved = [primary, *dissent]
    collections = [q.collection for q in involved]

    def where(q: Question) -> str:
        unique = q.collection and collections.count(q.collection) == 1
        return q.collection if unique else _where(q)

    disagreement = tuple((where(q), said.get(id(q), ",".join(q.answer))) for q in involved)
    return replace(
        primary,
        also_in=also,
        aliases=aliases,
        copy_keys=copy_keys,
        disagreement=disagreement,
        disputed=True,
    )
