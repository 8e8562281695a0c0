"""A loaded bank: the questions, plus what the loader had to say about the files."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING

from bot.bank.model import Question

if TYPE_CHECKING:
    from bot.bank.blueprint import Blueprint, SectionIndex
    from bot.bank.lookup import Entry as LookupEntry
    from bot.bank.topics import TopicGroup, TopicIndex


# Control characters (ESC sequences, line breaks that would forge a `path:line: reason` line) and
# bidirectional overrides that make a file name read as another; file names and problem texts come
# from whoever can push to the bank.
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    """`text` with every control or bidi-override character written as an escape (`\\x1b`)."""
    return _UNPRINTABLE.sub(
        lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100 else f"\\u{ord(m.group()):04x}", text
    )


def key_hash(key: str) -> str:
    """A short, stable name for a question key (keys can be long; Discord's custom_ids cannot)."""
    return hashlib.blake2s(key.encode("utf-8"), digest_size=5).hexdigest()


@dataclass(frozen=True, slots=True)
class Problem:
    path: str  # relative to the bank root
    line: int
    reason: str
    severity: str = "error"  # "error": the question is not loaded; "warning": loaded with a remark

    def __str__(self) -> str:
        return printable(f"{self.path}:{self.line}: {self.reason}")


@dataclass(frozen=True, slots=True)
class Skipped:
    path: str
    reason: str


def _builtin_blueprints() -> tuple[Blueprint, ...]:
    from bot.bank.blueprint import builtin_blueprints

    return builtin_blueprints()


@dataclass
class Bank:
    questions: list[Question] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    copies_merged: int = 0
    files_read: int = 0
    repaired: dict[str, tuple[int, int]] = field(default_factory=dict)  # path -> (rebuilt, uncertain)
    topic_groups: tuple[TopicGroup, ...] = ()  # from the bank's topics.yaml (bot/bank/topics.py)
    # path -> keys of the questions kept from the previous load because the file is broken now
    kept: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # exam blueprints (bot/bank/blueprint.py): the bank's own exams/*.yaml first, then the built-in
    # ones they do not replace; set by the loader (the built-in ones for a bank made otherwise)
    blueprints: tuple[Blueprint, ...] = field(default_factory=_builtin_blueprints)

    def __post_init__(self) -> None:
        self._sections: dict[str, SectionIndex] = {}
        self._by_key = {q.key: q for q in self.questions}
        self._by_copy_key: dict[str, Question] = {}
        for q in self.questions:
            for key in q.copy_keys:
                if key not in self._by_key:
                    self._by_copy_key.setdefault(key, q)
        self._by_id: dict[str, list[Question]] = {}
        for q in self.questions:
            # each question once per distinct name (linear: no list scans, however many share an id)
            for name in dict.fromkeys(_norm_id(n) for n in (q.id, *q.aliases)):
                self._by_id.setdefault(name, []).append(q)

    @classmethod
    def empty(cls) -> Bank:
        return cls()

    def get(self, key: str) -> Question | None:
        """The question with this key, or whose copy has it: a key stored with a post stays valid
        when a reload merges its file with a copy elsewhere that becomes the primary one."""
        found = self._by_key.get(key)
        return found if found is not None else self._by_copy_key.get(key)

    def canonical(self, key: str) -> str:
        """The key the bank serves the question of `key` under (`key` itself when unknown)."""
        q = self.get(key)
        return q.key if q is not None else key

    def known_keys(self, key: str) -> frozenset[str]:
        """Every key the question of `key` is known by (its own, its copies'; `key` when unknown)."""
        q = self.get(key)
        return frozenset((key,) if q is None else (key, q.key, *q.copy_keys))

    def find(self, ref: str) -> list[Question]:
        """Questions named by `ref`: a key ("b1/Q-001"), or an id ("Q-001") that may name several."""
        ref = ref.strip()
        if ref in self._by_key:
            return [self._by_key[ref]]
        if "/" in ref:
            coll, _, qid = ref.rpartition("/")
            return [
                q
                for q in self._by_id.get(_norm_id(qid), [])
                if q.collection == coll or q.collection.endswith("/" + coll) or q.collection.endswith(coll)
            ]
        return list(self._by_id.get(_norm_id(ref), []))

    def closest(self, ref: str, n: int = 3) -> list[str]:
        """The `n` ids or keys that look most like `ref` (for "did you mean")."""
        import difflib

        names = sorted({q.id for q in self.questions} | set(self._by_key))
        wanted = _norm_id(ref)
        by_norm: dict[str, str] = {}
        for name in names:
            by_norm.setdefault(_norm_id(name), name)
        hits = difflib.get_close_matches(wanted, list(by_norm), n=n, cutoff=0.5)
        return [by_norm[h] for h in hits]

    @cached_property
    def lookup(self) -> tuple[LookupEntry, ...]:
        """What /explain's autocomplete searches, built once per bank (bot/bank/lookup.py)."""
        from bot.bank.lookup import build_index

        return build_index(self.questions)

    @cached_property
    def by_hash(self) -> dict[str, Question]:
        """Questions by a short hash of their key (custom_ids name questions so): see `key_hash`."""
        return {key_hash(q.key): q for q in self.questions}

    @cached_property
    def topics(self) -> TopicIndex:
        """Topic families, topics.yaml groups and autocomplete, built once per bank."""
        from bot.bank.topics import TopicIndex

        return TopicIndex(self.questions, self.topic_groups)

    def blueprint(self, name: str) -> Blueprint | None:
        """The blueprint with this key, else with this name (English or 繁體中文); case-insensitive."""
        from bot.bank.topics import topic_key

        wanted = topic_key(name)
        if not wanted:
            return None
        for bp in self.blueprints:
            if topic_key(bp.key) == wanted:
                return bp
        return next(
            (bp for bp in self.blueprints if wanted in (topic_key(bp.name), topic_key(bp.name_zh or ""))),
            None,
        )

    @property
    def default_blueprint(self) -> Blueprint | None:
        """The bank's own blueprint (the first of exams/*.yaml), else the built-in "professional"."""
        own = next((bp for bp in self.blueprints if not bp.builtin), None)
        return own or self.blueprint("professional") or next(iter(self.blueprints), None)

    def sections(self, blueprint_key: str) -> SectionIndex:
        """Which section of the blueprint each question falls in, built once per bank object.
        KeyError when there is no such blueprint."""
        bp = self.blueprint(blueprint_key)
        if bp is None:
            raise KeyError(blueprint_key)
        index = self._sections.get(bp.key)
        if index is None:
            from bot.bank.blueprint import SectionIndex

            index = self._sections[bp.key] = SectionIndex(bp, self.questions, self.topics)
        return index

    def keeping_last_good(self, previous: Bank) -> Bank:
        """This bank plus, for every file that is broken now but loaded in `previous`, the questions
        it had then (the last good version), each with a warning. Not when this bank holds the
        question anyway (from a copy in another file, or under the same key).

        Keys stay where they were: when the broken file's question had a key that another question
        of `previous` takes now (two files with one id in a folder: the second was loaded as
        `<folder>/<file>/<id>`), that question goes back to the key it had, so posts and scores
        stored under either key keep meaning the same question."""
        broken = {p.path for p in self.errors}
        if not broken:
            return self
        kept = self._kept_questions(previous, broken) if previous.questions else {}
        blueprints, kept_blueprints = self._kept_blueprints(previous, broken)
        if not kept and not kept_blueprints:
            return self
        problems = [
            p for p in self.problems if not (p.path in kept_blueprints and p.severity == "warning")
        ]  # not "the built-in blueprint is used": the last good version of the file is
        for path, questions in kept.items():
            names = ", ".join(q.key for q in questions[:5]) + (" …" if len(questions) > 5 else "")
            problems.append(
                Problem(
                    path,
                    questions[0].line,
                    f"kept the last good version of this file ({names}) until it is fixed",
                    "warning",
                )
            )
        for path, key in kept_blueprints.items():
            reason = f"kept the last good version of this blueprint (`{key}`) until it is fixed"
            problems.append(Problem(path, 1, reason, "warning"))
        before = {(q.path, q.id): q.key for q in previous.questions}
        moved = {q.key for qs in kept.values() for q in qs}
        current = [replace(q, key=before[(q.path, q.id)]) if q.key in moved else q for q in self.questions]
        questions = sorted(
            [*current, *(q for qs in kept.values() for q in qs)],
            key=lambda q: (q.collection, q.path, q.line),
        )
        return Bank(
            questions=questions,
            problems=problems,
            skipped=self.skipped,
            copies_merged=self.copies_merged,
            files_read=self.files_read,
            repaired=self.repaired,
            topic_groups=self.topic_groups,
            kept={path: tuple(q.key for q in qs) for path, qs in kept.items()},
            blueprints=blueprints,
        )

    def _kept_questions(self, previous: Bank, broken: set[str]) -> dict[str, list[Question]]:
        """The questions of `previous` to keep, by the broken file they came from."""
        served = {q.path for q in self.questions} | {_file_of(w) for q in self.questions for w in q.also_in}
        before = {(q.path, q.id): q.key for q in previous.questions}
        kept: dict[str, list[Question]] = {}
        for q in previous.questions:
            if q.path not in broken or any(_file_of(where) in served for where in q.also_in):
                continue  # not broken, or a copy of it loads from another file
            holder = self._by_key.get(q.key)
            if holder is not None:
                was = before.get((holder.path, holder.id), q.key)
                if was == q.key or was in self._by_key:
                    continue  # this bank has it (or a new question under its key): nothing to keep
            kept.setdefault(q.path, []).append(q)
        return kept

    def _kept_blueprints(
        self, previous: Bank, broken: set[str]
    ) -> tuple[tuple[Blueprint, ...], dict[str, str]]:
        """The blueprints with, for each bank blueprint file broken now, its version of `previous`
        (in place of the built-in one it replaced, or added); and path -> key of those kept."""
        mine = {bp.key: bp for bp in self.blueprints if not bp.builtin}
        kept = {
            bp.key: bp
            for bp in previous.blueprints
            if not bp.builtin and bp.path in broken and bp.key not in mine
        }
        if not kept:
            return self.blueprints, {}
        own = sorted([*mine.values(), *kept.values()], key=lambda bp: bp.path)
        rest = [bp for bp in self.blueprints if bp.builtin and bp.key not in kept]
        return (*own, *rest), {bp.path: bp.key for bp in kept.values()}

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def topic_counts(self) -> Counter[str]:
        return Counter(t for q in self.questions for t in q.topics)

    def trap_counts(self) -> Counter[str]:
        return Counter(t for q in self.questions for t in q.traps)

    def summary_line(self) -> str:
        return (
            f"{len(self.questions)} questions from {self.files_read} files, "
            f"{self.copies_merged} copies merged, {len(self.skipped)} files skipped, "
            f"{len(self.errors)} errors"
        )


def _file_of(where: str) -> str:
    """The file of an `also_in` entry ("dump.md:120" -> "dump.md")."""
    head, sep, tail = where.rpartition(":")
    return head if sep and tail.isdigit() else where


def _norm_id(qid: str) -> str:
    """Ids compare case-insensitively, fullwidth letters folded ("Ｑ-103" == "q-103")."""
    return unicodedata.normalize("NFKC", qid).strip().upper()
