"""Exam blueprints: YAML files naming an exam's size, time, estimated pass mark and weighted
sections, and which questions of the bank fall in each section. See docs/exam.md.

Built-in blueprints ship with the bot (`bot/bank/blueprints/*.yaml`); a bank adds its own, or
replaces a built-in one with the same file name, in `exams/*.yaml` at its root. No discord, no SQL.

A blueprint file is read as safely as a question file (`bot.bank.yamlformat.compose`: no anchors or
aliases, no duplicate keys, bounded nesting, at most `MAX_FILE_BYTES`); every problem is a
`path:line: reason` error and a blueprint with one is not loaded (a bank file that replaces a
built-in one leaves the built-in one in use). A broken blueprint never stops the bank from loading.

Membership (`SectionIndex`): a question falls in the first section, in blueprint order, holding a
folder that one of its files (`q.path`, `q.also_in`) lies under; otherwise in the section whose topic
entries (resolved like /quiz topic:, through `TopicIndex`) match most of its topic tags, the earlier
section on a tie; otherwise in none.
"""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from bot.bank.bank import Problem
from bot.bank.model import BankError
from bot.bank.topics import tag_key, topic_key
from bot.bank.yamlfields import MAX_ENTRY, FieldReader, cut, folder_entry, topic_entry
from bot.bank.yamlformat import YamlMap, YamlRefused, YamlSeq, compose

if TYPE_CHECKING:
    from bot.bank.bank import Bank
    from bot.bank.model import Question
    from bot.bank.topics import TopicIndex

EXAMS_DIR = "exams"  # at the bank root; the loader reads no questions from it
BUILTIN_DIR = Path(__file__).with_name("blueprints")
BUILTIN_PATH = "bot/bank/blueprints"  # how a built-in file is named in messages
BUILTIN_ORDER = ("professional", "associate", "study-plan")
SUFFIXES = (".yaml", ".yml")

MAX_FILE_BYTES = 64 * 1024  # a blueprint is a few KB; the three built-in ones are under 8
MAX_FILES = 50  # blueprint files read from exams/
MAX_SECTIONS = 30
MAX_QUESTIONS = 200
MAX_MINUTES = 600
MAX_NAME = MAX_ENTRY  # a name is an autocomplete value: Discord allows 100 characters
MAX_SOURCE = 500
MAX_KEY = 40
WEIGHT_TOLERANCE = 0.5  # the weights sum to 100 within this
DEFAULT_PASS_MARK = 70.0  # Databricks does not publish the pass mark; 70% is the usual estimate
NOT_LOADED = "; blueprint not loaded"

FIELDS = ("name", "name_zh", "source", "questions", "minutes", "pass_mark", "pass_mark_estimated", "sections")
SECTION_FIELDS = ("key", "name", "name_zh", "weight", "topics", "folders")
_KEY = re.compile(r"[a-z0-9][a-z0-9_-]*\Z")


@dataclass(frozen=True, slots=True)
class BlueprintSection:
    key: str  # a slug, unique in its blueprint, e.g. "developing-code"
    name: str  # as shown, e.g. "Developing Code (Python/SQL)"
    weight: float  # percent of the exam (the weights of a blueprint sum to 100, within 0.5)
    topics: tuple[str, ...] = ()  # topic tags, matched like /quiz topic: (bot.bank.topics)
    folders: tuple[str, ...] = ()  # bank folders (relative to the root); a copy there places a question
    name_zh: str | None = None  # 繁體中文 name, when it differs


@dataclass(frozen=True, slots=True)
class Blueprint:
    key: str  # the file name without .yaml, e.g. "professional"
    name: str
    questions: int  # scored questions of the real exam
    minutes: int
    pass_mark: float  # percent; an estimate unless the source says otherwise
    pass_mark_estimated: bool
    source: str  # where the figures come from
    sections: tuple[BlueprintSection, ...]
    path: str  # where it was read from (for messages)
    name_zh: str | None = None
    builtin: bool = False  # shipped with the bot (not from the bank's exams/)

    @property
    def weights(self) -> dict[str, float]:
        """Section key -> weight, in blueprint order (what bot.core.exam and readiness take)."""
        return {s.key: s.weight for s in self.sections}

    def section(self, key: str) -> BlueprintSection | None:
        return next((s for s in self.sections if s.key == key), None)


# ---------------------------------------------------------------------------------------- reading


def key_of(path: str) -> str:
    """A blueprint's key: its file name without .yaml/.yml, in lower case."""
    name = PurePosixPath(path).name
    for suffix in SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)].lower()
    return name.lower()


def parse_blueprint(text: str, path: str) -> tuple[Blueprint | None, list[Problem]]:
    """Read one blueprint file's text; every problem is a `path:line: reason`."""
    r = FieldReader(path, NOT_LOADED)
    key = key_of(path)
    if not _KEY.match(key) or len(key) > MAX_KEY:
        r.error(
            1,
            f"the file name `{cut(PurePosixPath(path).name)}` is the blueprint's key: use lower-case "
            f"letters, digits, - and _ (at most {MAX_KEY}), e.g. `my-exam.yaml`",
        )
    try:
        root = compose(text, refuse_anchors=True)
    except YamlRefused as exc:
        r.error(exc.line, exc.reason)
        return None, r.problems
    if not isinstance(root, YamlMap):
        r.error(
            1, "expected a mapping with name, questions, minutes, pass_mark and sections (see docs/exam.md)"
        )
        return None, r.problems
    r.fields(root, FIELDS, "")
    name = r.text(root, "name", MAX_NAME, required=True)
    name_zh = r.text(root, "name_zh", MAX_NAME)
    source = r.text(root, "source", MAX_SOURCE) or ""
    questions = r.number(root, "questions", 1, MAX_QUESTIONS, whole=True)
    minutes = r.number(root, "minutes", 1, MAX_MINUTES, whole=True)
    pass_mark: float | None = DEFAULT_PASS_MARK
    if "pass_mark" in root.items:
        pass_mark = r.number(root, "pass_mark", 1, 100, whole=False)
    estimated = r.flag(root, "pass_mark_estimated", default=True)
    sections = _sections(r, root)
    if r.problems or name is None or questions is None or minutes is None or pass_mark is None:
        return None, r.problems
    return Blueprint(
        key=key,
        name=name,
        questions=int(questions),
        minutes=int(minutes),
        pass_mark=pass_mark,
        pass_mark_estimated=estimated,
        source=source,
        sections=tuple(sections),
        path=path,
        name_zh=name_zh,
    ), []


def _sections(r: FieldReader, root: YamlMap) -> list[BlueprintSection]:
    node = root.get("sections")
    if node is None:
        r.error(root.line, "no `sections:` list")
        return []
    line = root.line_of("sections")
    if not isinstance(node, YamlSeq) or not node.items:
        r.error(
            line, "`sections` must be a list of sections, each with key, name, weight and topics or folders"
        )
        return []
    if len(node.items) > MAX_SECTIONS:
        r.error(line, f"over {MAX_SECTIONS} sections")
        return []
    out: list[BlueprintSection] = []
    first: dict[str, int] = {}
    for number, item in enumerate(node.items, 1):
        if not isinstance(item, YamlMap):
            r.error(item.line, f"section {number} must be a mapping (key, name, weight, topics, folders)")
            continue
        section = _section(r, item, number)
        if section is None:
            continue
        if section.key in first:
            r.error(
                item.line_of("key"),
                f"section key `{section.key}` is used twice (first on line {first[section.key]})",
            )
            continue
        first[section.key] = item.line_of("key")
        out.append(section)
    if len(out) == len(node.items):
        total = sum(s.weight for s in out)
        if abs(total - 100) > WEIGHT_TOLERANCE:
            r.error(line, f"the section weights sum to {total:g}, not 100 (within {WEIGHT_TOLERANCE:g})")
    return out


def _section(r: FieldReader, m: YamlMap, number: int) -> BlueprintSection | None:
    where = f"section {number}: "
    r.fields(m, SECTION_FIELDS, where)
    key = r.text(m, "key", MAX_NAME, required=True, where=where)
    if key is not None:
        where = f"section `{cut(key)}`: "
        if not _KEY.match(key) or len(key) > MAX_KEY:
            r.error(
                m.line_of("key"),
                f"{where}the key must be a slug: lower-case letters, digits, - and _, e.g. `data-modeling`",
            )
            key = None
    name = r.text(m, "name", MAX_NAME, required=True, where=where)
    name_zh = r.text(m, "name_zh", MAX_NAME, where=where)
    weight = r.number(m, "weight", 0, 100, whole=False, where=where)
    topics = r.entries(m, "topics", where=where, check=topic_entry)
    folders = r.entries(m, "folders", where=where, check=folder_entry)
    if topics is not None and folders is not None and not topics and not folders:
        r.error(
            m.line, f"{where}list `topics:` or `folders:` (or both): they say which questions belong to it"
        )
        return None
    if key is None or name is None or weight is None or topics is None or folders is None:
        return None
    return BlueprintSection(
        key=key, name=name, weight=weight, topics=topics, folders=folders, name_zh=name_zh
    )


# ---------------------------------------------------------------------------------------- files


@lru_cache(maxsize=1)
def _builtins() -> tuple[tuple[Blueprint, ...], tuple[Problem, ...]]:
    order = {name: i for i, name in enumerate(BUILTIN_ORDER)}
    files = sorted(BUILTIN_DIR.glob("*.yaml"), key=lambda p: (order.get(p.stem, len(order)), p.name))
    blueprints: list[Blueprint] = []
    problems: list[Problem] = []
    for file in files:
        bp, found = parse_blueprint(file.read_text(encoding="utf-8"), f"{BUILTIN_PATH}/{file.name}")
        problems.extend(found)
        if bp is not None:
            blueprints.append(replace(bp, builtin=True))
    return tuple(blueprints), tuple(problems)


def builtin_blueprints() -> tuple[Blueprint, ...]:
    """The blueprints shipped with the bot (read once per process)."""
    return _builtins()[0]


def read_blueprints(root: Path | None) -> tuple[list[Blueprint], list[Problem]]:
    """The built-in blueprints, then the bank's `exams/*.yaml` (same key: the bank's wins).

    In the result the bank's own come first (in file name order), then the built-in ones it does not
    replace, in their order (professional, associate, study-plan)."""
    builtins, found = _builtins()
    problems = list(found)
    own: list[Blueprint] = []
    if root is not None:
        own, more = _bank_blueprints(root, {b.key for b in builtins})
        problems.extend(more)
    replaced = {b.key for b in own}
    return own + [b for b in builtins if b.key not in replaced], problems


def _bank_files(root: Path) -> tuple[list[str], list[Problem]]:
    """The blueprint files of `root/exams` (relative paths, name order) and what cannot be read."""
    folder = root / EXAMS_DIR
    try:
        info = os.lstat(folder)
    except FileNotFoundError:
        return [], []
    except OSError as exc:
        return [], [Problem(EXAMS_DIR, 0, f"cannot read folder: {exc.strerror or exc}")]
    if stat.S_ISLNK(info.st_mode):
        return [], [Problem(EXAMS_DIR, 0, "symbolic link: not followed; no blueprint read from it")]
    if not stat.S_ISDIR(info.st_mode):
        return [], [Problem(EXAMS_DIR, 0, "not a folder; no blueprint read from it")]
    problems: list[Problem] = []
    try:
        with os.scandir(folder) as it:
            entries = sorted(
                (e for e in it if not e.name.startswith(".") and e.name.lower().endswith(SUFFIXES)),
                key=lambda e: e.name,
            )
            rels = []
            for e in entries:
                if e.is_symlink():
                    problems.append(
                        Problem(f"{EXAMS_DIR}/{e.name}", 1, "symbolic link: not followed" + NOT_LOADED)
                    )
                elif not e.is_dir(follow_symlinks=False):
                    rels.append(f"{EXAMS_DIR}/{e.name}")
    except OSError as exc:
        return [], [Problem(EXAMS_DIR, 0, f"cannot read folder: {exc.strerror or exc}")]
    if len(rels) > MAX_FILES:
        problems.append(
            Problem(EXAMS_DIR, 0, f"{len(rels)} blueprint files; only the first {MAX_FILES} are read")
        )
        rels = rels[:MAX_FILES]
    return rels, problems


def _bank_blueprints(root: Path, builtin_keys: set[str]) -> tuple[list[Blueprint], list[Problem]]:
    from bot.bank.files import read_bytes_inside  # (files imports the bank model; no cycle at import)

    rels, problems = _bank_files(root)
    own: list[Blueprint] = []
    where: dict[str, str] = {}
    for rel in rels:
        bp: Blueprint | None = None
        try:
            data = read_bytes_inside(root, rel, limit=MAX_FILE_BYTES)
            bp, found = parse_blueprint(data.decode("utf-8-sig"), rel)
        except BankError as exc:
            found = [Problem(rel, exc.line, exc.reason + NOT_LOADED)]
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            found = [
                Problem(rel, line, f"not UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8{NOT_LOADED}")
            ]
        problems.extend(found)
        key = key_of(rel)
        if bp is None:
            if key in builtin_keys and key not in where:
                problems.append(
                    Problem(
                        rel, 1, f"the built-in blueprint `{key}` is used until this file is fixed", "warning"
                    )
                )
            continue
        if bp.key in where:
            problems.append(Problem(rel, 1, f"the same key `{bp.key}` as {where[bp.key]}{NOT_LOADED}"))
            continue
        where[bp.key] = rel
        own.append(bp)
    return own, problems


# ---------------------------------------------------------------------------------------- sections


def _file_of(where: str) -> str:
    """The file of an `also_in` entry ("dump.md:120" -> "dump.md")."""
    head, sep, tail = where.rpartition(":")
    return head if sep and tail.isdigit() else where


class SectionIndex:
    """Which section of one blueprint each question of a bank falls in."""

    def __init__(self, blueprint: Blueprint, questions: Iterable[Question], topics: TopicIndex) -> None:
        self.blueprint = blueprint
        sections = blueprint.sections
        folder_section: dict[str, int] = {}  # folder -> the first section holding it
        for i, s in enumerate(sections):
            for folder in s.folders:
                folder_section.setdefault(folder, i)
        tag_sections: dict[str, list[int]] = {}  # tag key -> sections whose topic entries select it
        unmatched: list[tuple[str, str]] = []
        for i, s in enumerate(sections):
            selected: set[str] = set()
            for entry in s.topics:
                sel = topics.resolve(entry)
                if sel is None or not sel.tags:
                    unmatched.append((s.key, entry))
                else:
                    selected |= sel.tags
            for tag in selected:
                tag_sections.setdefault(tag, []).append(i)
        self._folder_section = folder_section
        self._tag_sections = tag_sections
        self._used_folders: set[str] = set()
        pools: list[list[str]] = [[] for _ in sections]
        unplaced: list[str] = []
        self._of: dict[str, str | None] = {}
        copies: list[tuple[str, str | None]] = []
        for q in questions:
            at = self._place(q)
            placed = sections[at].key if at is not None else None
            (pools[at] if at is not None else unplaced).append(q.key)
            self._of[q.key] = placed
            copies.extend((c, placed) for c in q.copy_keys)
        for c, placed in copies:
            self._of.setdefault(c, placed)
        self._pools = {s.key: tuple(pools[i]) for i, s in enumerate(sections)}
        self._unplaced = tuple(unplaced)
        #: (section key, topic entry) pairs that select no tag of the bank (for `bank check --exam`)
        self.unmatched_topics: tuple[tuple[str, str], ...] = tuple(unmatched)
        #: (section key, folder) pairs under which no question file lies
        self.empty_folders: tuple[tuple[str, str], ...] = tuple(
            (s.key, f) for s in sections for f in s.folders if f not in self._used_folders
        )

    def _place(self, q: Question) -> int | None:
        best: int | None = None
        if self._folder_section:
            for where in (q.path, *q.also_in):
                parts = unicodedata.normalize("NFC", _file_of(where)).split("/")
                for n in range(1, len(parts)):
                    folder = "/".join(parts[:n])
                    i = self._folder_section.get(folder)
                    if i is not None:
                        self._used_folders.add(folder)
                        best = i if best is None else min(best, i)
        if best is not None:
            return best
        counts: dict[int, int] = {}
        for tag in {tag_key(t) for t in q.topics}:
            for i in self._tag_sections.get(tag, ()):
                counts[i] = counts.get(i, 0) + 1
        if not counts:
            return None
        top = max(counts.values())
        return min(i for i, n in counts.items() if n == top)

    def section_of(self, key: str) -> str | None:
        """The section key of a question (by its key or a copy's key), None when it falls in none."""
        return self._of.get(key)

    @property
    def pools(self) -> Mapping[str, Sequence[str]]:
        """Section key -> question keys (every section present, possibly empty)."""
        return self._pools

    @property
    def unplaced(self) -> Sequence[str]:
        """Keys of the questions in no section."""
        return self._unplaced


def _fold(text: str) -> str:
    return topic_key(text)


def parse_section_ref(text: str, bank: Bank) -> tuple[Blueprint, BlueprintSection] | None:
    """The section `text` names: `"<blueprint key>:<section key>"` (the blueprint also by its name),
    or a bare section key or name (English or 繁體中文) of the bank's default blueprint; compared
    case-, width- and separator-insensitively. None when it names none."""
    text = text.strip()
    head, sep, tail = text.partition(":")
    if sep:
        bp = bank.blueprint(head)
        if bp is not None:
            found = _find_section(bp, tail)
            return (bp, found) if found is not None else None
    bp = bank.default_blueprint
    if bp is None:
        return None
    found = _find_section(bp, text)
    return (bp, found) if found is not None else None


def _find_section(bp: Blueprint, text: str) -> BlueprintSection | None:
    wanted = _fold(text)
    if not wanted:
        return None
    for s in bp.sections:
        if wanted == _fold(s.key):
            return s
    for s in bp.sections:
        if wanted in (_fold(s.name), _fold(s.name_zh or "")):
            return s
    return None
