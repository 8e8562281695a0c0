"""Topics as members type them: tag families, the bank's `topics.yaml` groups, autocomplete.

The rules (docs/question-format.md, "Topics"):

- Topics are compared **folded**: NFKC (fullwidth → ASCII), case-folded, and `-`, `_`, spaces
  (and other dashes) alike, a run of them counting as one: `ｃｌｉ` is `cli`, `Delta lake` and
  `delta_LAKE` are `delta-lake`.
- A typed topic selects its **family**: every tag equal to it, or holding it as whole words, in
  the same order and next to each other: `CLI` → `CLI`, `Databricks-CLI`; `Delta` → every
  `Delta-*`; `delta merge` → `Delta-MERGE`, `Delta-MERGE-Syntax` (not `Delta-Lake-MERGE`).
- A typed topic shorter than 2 characters (separators not counted) never matches by word, only
  a tag spelled the same (`Z` is not `Z-Order`).
- `=TAG` selects exactly that tag; autocomplete offers it when the tag alone is narrower than its
  family (`=CLI` is the one question tagged `CLI`, not the four of the `CLI` family).
- `topics.yaml` at the bank root adds **groups**: a name (and other names, e.g. in 繁體中文) that
  selects the union of its own family and of what each listed tag selects by the same rule (its
  family, or exactly that tag when written `=TAG`).

The index is built once per bank load (`Bank.topics`); resolving and completing a typed topic then
fold only the typed text and look through the ~260 tags and their words, never the questions.
A bad `topics.yaml` never stops the bank from loading: each problem is a `topics.yaml:line:
reason` error and what it concerns is ignored.
"""

from __future__ import annotations

import difflib
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from bot.bank.model import BankError, Question

if TYPE_CHECKING:
    from bot.bank.bank import Bank, Problem

TOPICS_FILE = "topics.yaml"
MAX_FILE_BYTES = 64 * 1024  # topics.yaml size cap (a few hundred groups fit in a tenth of it)
MAX_NAME = 100  # a name is an autocomplete value: Discord allows 100 characters
MIN_WORD_MATCH = 2  # a typed topic shorter than this matches only a tag spelled the same
MAX_DEPTH = 8  # YAML nesting refused beyond this (the format needs 3 levels)
EXACT = "="  # "=CLI": exactly the tag CLI
FAMILY_CHOICES = 10  # autocomplete: at most this many families and groups before the tags

_SEP = re.compile(r"[\s_\-\u2010-\u2015\u2212]+")


def topic_key(text: str) -> str:
    """The folded form topics are compared in: `"Delta  lake"`, `"ＤＥＬＴＡ_Lake"` → `"delta-lake"`."""
    return "-".join(w.casefold() for w in _SEP.split(unicodedata.normalize("NFKC", text)) if w)


#: `topic_key` of the bank's own tags, cached: a filter folds each question's tags once, not per pick.
tag_key = lru_cache(maxsize=8192)(topic_key)


def _display_words(text: str) -> list[str]:
    return [w for w in _SEP.split(unicodedata.normalize("NFKC", text).strip()) if w]


def _long_enough(key: str) -> bool:
    return len(key) - key.count("-") >= MIN_WORD_MATCH


def _run_at(words: Sequence[str], needle: Sequence[str]) -> int:
    """Where `needle` occurs in `words` as consecutive whole words, or -1."""
    n = len(needle)
    for i in range(len(words) - n + 1):
        if words[i] == needle[0] and tuple(words[i : i + n]) == tuple(needle):
            return i
    return -1


def tag_matches(typed: str, tag: str) -> bool:
    """Does `typed` select `tag` by the family rule (or, written `=TAG`, exactly)? Without groups:
    `TopicIndex.resolve` adds those."""
    text = typed.strip()
    if text.startswith(EXACT):
        return topic_key(text[1:]) == tag_key(tag)
    key, tkey = topic_key(text), tag_key(tag)
    if not key:
        return False
    if key == tkey:
        return True
    return _long_enough(key) and _run_at(tkey.split("-"), key.split("-")) >= 0


# ---------------------------------------------------------------------------------------- topics.yaml


@dataclass(frozen=True, slots=True)
class TopicGroup:
    """One entry of topics.yaml: `name` and its other `names` select the listed `tags`."""

    name: str
    tags: tuple[str, ...]
    names: tuple[str, ...] = ()  # other names (another spelling, 繁體中文)
    line: int = 0
    tag_lines: tuple[int, ...] = ()  # line of each tag, for bank check

    @property
    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.names)


def read_topics_file(root: Path) -> tuple[list[TopicGroup], list[Problem]]:
    """The groups of `root/topics.yaml` (none when there is no such file), and its problems: each
    is a `topics.yaml:line: reason` error, and the entry (or the whole file) it names is ignored."""
    from bot.bank.files import read_bytes_inside  # (files imports the bank model; no cycle at import)

    path = root / TOPICS_FILE
    if not os.path.lexists(path):
        return [], []
    try:  # never through a symbolic link, only a regular file (as for question files)
        data = read_bytes_inside(root, TOPICS_FILE, limit=MAX_FILE_BYTES)
    except BankError as exc:
        if not exc.reason.startswith("file is "):
            return [], [_problem(1, f"{exc.reason}; file ignored")]
        try:
            size = f"{os.lstat(path).st_size:,} bytes"
        except OSError:
            size = "larger"
        return [], [_problem(1, f"file is {size}, over the {MAX_FILE_BYTES // 1024} KB limit; file ignored")]
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        return [], [
            _problem(line, f"not UTF-8 (byte 0x{data[exc.start]:02x}); save it as UTF-8; file ignored")
        ]
    return parse_topics(text)


def parse_topics(text: str) -> tuple[list[TopicGroup], list[Problem]]:
    """Groups from the text of a topics.yaml (see `read_topics_file`)."""
    refused = _refuse_events(text)
    if refused is not None:
        return [], [refused]
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        return [], [_yaml_problem(exc)]
    if root is None:  # empty, or only comments
        return [], []
    if not isinstance(root, yaml.MappingNode):
        return [], [_problem(_line(root), "expected a mapping of topic name → list of tags; file ignored")]
    groups: list[TopicGroup] = []
    problems: list[Problem] = []
    owner: dict[str, str] = {}  # name key -> the group that has it
    for key_node, value_node in root.value:
        group, why = _group(key_node, value_node)
        if group is None:
            problems.append(_problem(_line(key_node), f"{why}; entry ignored"))
            continue
        taken = next((n for n in group.all_names if topic_key(n) in owner), None)
        if taken is not None:
            problems.append(
                _problem(
                    group.line, f"`{taken}` is already a name of `{owner[topic_key(taken)]}`; entry ignored"
                )
            )
            continue
        for n in group.all_names:
            owner[topic_key(n)] = group.name
        groups.append(group)
    return groups, problems


def _refuse_events(text: str) -> Problem | None:
    """Anchors and aliases (a cheap way to multiply work) and deep nesting are refused before the
    file is composed (composing is recursive)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                return _problem(
                    _event_line(event), "YAML anchors and aliases (&, *) are not allowed; file ignored"
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return _problem(_event_line(event), "nested too deeply; file ignored")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError as exc:
        return _yaml_problem(exc)
    return None


def _group(key_node: yaml.Node, value_node: yaml.Node) -> tuple[TopicGroup | None, str]:
    name, why = _name(key_node, "a topic name")
    if name is None:
        return None, why
    line = _line(key_node)
    names: tuple[str, ...] = ()
    if isinstance(value_node, yaml.SequenceNode):
        tags_node: yaml.Node = value_node
    elif isinstance(value_node, yaml.MappingNode):
        fields: dict[str, yaml.Node] = {}
        for k, v in value_node.value:
            field_name = k.value if _is_text(k) else None
            if field_name not in ("tags", "names"):
                return None, f"`{name}`: unknown field `{_shown(k)}` (expected `tags:` and `names:`)"
            if field_name in fields:
                return None, f"`{name}`: `{field_name}` given twice"
            fields[field_name] = v
        if "tags" not in fields:
            return None, f"`{name}`: no `tags:` list"
        tags_node = fields["tags"]
        if "names" in fields:
            other, why = _names(fields["names"], f"`{name}`: `names`")
            if other is None:
                return None, why
            names = tuple(n for n in dict.fromkeys(other) if topic_key(n) != topic_key(name))
    else:
        return None, f"`{name}`: the value must be a list of tags, e.g. `{name}: [Tag-1, Tag-2]`"
    if not isinstance(tags_node, yaml.SequenceNode):
        return None, f"`{name}`: `tags` must be a list of tags"
    tags, why = _names(tags_node, f"`{name}`: a tag", exact_ok=True)
    if tags is None:
        return None, why
    if not tags:
        return None, f"`{name}`: no tags"
    lines = tuple(_line(n) for n in tags_node.value)
    return TopicGroup(name=name, tags=tuple(tags), names=names, line=line, tag_lines=lines), ""


def _names(node: yaml.Node, what: str, *, exact_ok: bool = False) -> tuple[list[str] | None, str]:
    if not isinstance(node, yaml.SequenceNode):
        return None, f"{what} must be a list"
    out = []
    for item in node.value:
        name, why = _name(item, what, exact_ok=exact_ok)
        if name is None:
            return None, why
        out.append(name)
    return out, ""


def _name(node: yaml.Node, what: str, *, exact_ok: bool = False) -> tuple[str | None, str]:
    if not _is_text(node):
        hint = f' (quote it: "{node.value}")' if isinstance(node, yaml.ScalarNode) and node.value else ""
        return None, f"{what} must be text, not `{_shown(node)}`{hint}"
    value = str(node.value).strip()
    bare = value[1:] if exact_ok and value.startswith(EXACT) else value
    if not topic_key(bare):
        return None, f"{what} is empty"
    if bare.startswith(EXACT):
        return None, f"{what} cannot start with `{EXACT}`: `{_cut(value)}`"
    if len(value) > MAX_NAME:
        return None, f"{what} is over {MAX_NAME} characters: `{_cut(value)}`"
    return value, ""


def _is_text(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str"


def _shown(node: yaml.Node) -> str:
    if isinstance(node, yaml.ScalarNode):
        return _cut(str(node.value)) or "null"
    return "a list" if isinstance(node, yaml.SequenceNode) else "a mapping"


def _cut(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _event_line(event: yaml.Event) -> int:
    """The 1-based line of a parser event (the parser marks every event it makes)."""
    return event.start_mark.line + 1 if event.start_mark is not None else 1


def _problem(line: int, reason: str, severity: str = "error") -> Problem:
    from bot.bank.bank import Problem

    return Problem(TOPICS_FILE, line, reason, severity)


def _yaml_problem(exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None)
    line = mark.line + 1 if mark is not None else 1
    problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
    return _problem(line, f"invalid YAML: {problem}; file ignored")


def attach_topics(bank: Bank, root: Path) -> None:
    """Read `root/topics.yaml` into `bank`, build its topic index now (the loader runs off the event
    loop) and add the file's problems to the bank's."""
    groups, problems = read_topics_file(root)
    bank.topic_groups = tuple(groups)
    bank.__dict__.pop("topics", None)  # a stale index, if anything built one already
    bank.problems.extend(problems)
    bank.problems.extend(bank.topics.problems)


# ---------------------------------------------------------------------------------------- the index


@dataclass(frozen=True, slots=True)
class Selection:
    """What a typed topic selects. `name` is how to show it (and what to store: resolving it again
    selects the same); `tags` are tag keys (`topic_key`); `count` is the number of questions."""

    name: str
    kind: str  # "family" | "group" | "tag"
    tags: frozenset[str]
    count: int


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One autocomplete entry: `value` is what is sent back when it is picked."""

    name: str
    value: str
    count: int
    kind: str  # "family" | "group" | "tag"
    only_tag: bool = False  # a tag narrower than its family, picked as `=TAG`


@dataclass(slots=True)
class _Tag:
    key: str
    name: str
    words: tuple[str, ...]
    display: tuple[str, ...]
    questions: frozenset[str]
    plain: bool = True  # typing its name selects this tag only (no wider family, no group)


@dataclass(slots=True)
class _Named:
    """A group name or a family word, for autocomplete."""

    key: str
    name: str
    value: str
    count: int
    kind: str
    group: str = ""  # the group's name, for a group


class TopicIndex:
    """Families, groups and autocomplete over one bank's topic tags (see the module docstring)."""

    def __init__(self, questions: Iterable[Question], groups: Sequence[TopicGroup] = ()) -> None:
        spellings: dict[str, Counter[str]] = {}
        members: dict[str, set[str]] = {}
        for q in questions:
            for tag in q.topics:
                key = tag_key(tag)
                if not key:
                    continue
                spellings.setdefault(key, Counter())[tag.strip()] += 1
                members.setdefault(key, set()).add(q.key)
        self._tags: dict[str, _Tag] = {}
        self._by_word: dict[str, list[str]] = {}
        for key, names in spellings.items():
            name = names.most_common(1)[0][0]  # the most used spelling (the first seen on a tie)
            words = tuple(key.split("-"))
            display = tuple(_display_words(name))
            if len(display) != len(words):  # a fold that changes word boundaries: show the key's words
                display = words
            self._tags[key] = _Tag(key, name, words, display, frozenset(members[key]))
            for word in dict.fromkeys(words):
                self._by_word.setdefault(word, []).append(key)

        self.groups: tuple[TopicGroup, ...] = tuple(groups)
        self.problems: list[Problem] = []
        self._groups: dict[str, Selection] = {}  # any name key of a group -> its selection
        self._named: list[_Named] = []
        for group in self.groups:
            tags: set[str] = set()
            for n in group.all_names:
                tags |= self._family(topic_key(n))
            for i, needle in enumerate(group.tags):
                found = self._needle(needle)
                if not found:
                    line = group.tag_lines[i] if i < len(group.tag_lines) else group.line
                    self.problems.append(
                        _problem(
                            line,
                            f"`{group.name}` lists `{needle}`, which no question is tagged with",
                            "warning",
                        )
                    )
                tags |= found
            sel = Selection(group.name, "group", frozenset(tags), self._count(tags))
            for n in group.all_names:
                self._groups[topic_key(n)] = sel
                shown = n if n == group.name else f"{n} ({group.name})"
                self._named.append(_Named(topic_key(n), shown, n, sel.count, "group", group.name))

        for entry in self._tags.values():
            entry.plain = entry.key not in self._groups and self._family(entry.key) == {entry.key}
        # one-word families that reach more than one tag ("CLI", "Delta", "Streaming")
        for word, keys in self._by_word.items():
            if len(keys) < 2 or not _long_enough(word) or word in self._groups:
                continue
            fam = frozenset(keys)
            name = self._family_name(word, fam)
            self._named.append(_Named(word, name, name, self._count(fam), "family"))
        self._named.sort(key=lambda n: (-n.count, n.name.casefold()))

    # ------------------------------------------------------------------ matching

    def _family(self, key: str) -> set[str]:
        """Tag keys of the family of `key`: the tag spelled so, and tags holding it as whole words."""
        if not key:
            return set()
        out = {key} if key in self._tags else set()
        if not _long_enough(key):
            return out
        needle = key.split("-")
        for candidate in self._by_word.get(needle[0], ()):
            if _run_at(self._tags[candidate].words, needle) >= 0:
                out.add(candidate)
        return out

    def _needle(self, text: str) -> set[str]:
        """What one listed tag of a group selects: `=TAG` exactly, otherwise its family."""
        text = text.strip()
        if text.startswith(EXACT):
            key = topic_key(text[1:])
            return {key} if key in self._tags else set()
        return self._family(topic_key(text))

    def _count(self, tags: Iterable[str]) -> int:
        seen: set[str] = set()
        for key in tags:
            seen |= self._tags[key].questions
        return len(seen)

    def _family_name(self, key: str, tags: Iterable[str]) -> str:
        """How to show the family of `key`: the tag's own spelling, or the matching words as the
        most used tag of the family spells them (`cli` → `CLI`)."""
        if key in self._tags:
            return self._tags[key].name
        needle = key.split("-")
        best = sorted(
            (self._tags[k] for k in tags), key=lambda tg: (-len(tg.questions), tg.name.casefold(), tg.name)
        )
        for tag in best:
            at = _run_at(tag.words, needle)
            if at >= 0:
                return "-".join(tag.display[at : at + len(needle)])
        return key

    def resolve(self, typed: str) -> Selection | None:
        """What `typed` selects (None for nothing typed); `count == 0` when it matches no question."""
        text = typed.strip()
        if text.startswith(EXACT):
            key = topic_key(text[1:])
            if not key:
                return None
            tag = self._tags.get(key)
            if tag is None:
                return Selection(text, "tag", frozenset(), 0)
            return Selection(EXACT + tag.name, "tag", frozenset({key}), len(tag.questions))
        key = topic_key(text)
        if not key:
            return None
        group = self._groups.get(key)
        if group is not None:
            return group
        tags = self._family(key)
        name = self._family_name(key, tags) if tags else text
        return Selection(name, "family", frozenset(tags), self._count(tags))

    def tag_names(self, selection: Selection) -> list[str]:
        """The tags a selection holds, as the bank spells them, most questions first."""
        tags = sorted((self._tags[k] for k in selection.tags), key=lambda tg: (-len(tg.questions), tg.name))
        return [tg.name for tg in tags]

    # ------------------------------------------------------------------ autocomplete

    def complete(self, typed: str, limit: int = 25) -> list[Suggestion]:
        """Autocomplete: the family (or group) of what is typed first, with its total; then other
        families and groups starting with it; then the tags starting with it, then holding it."""
        text = typed.strip()
        exact_only = text.startswith(EXACT)
        key = topic_key(text[1:] if exact_only else text)
        out: list[Suggestion] = []
        groups_shown: set[str] = set()
        if not exact_only:
            sel = self.resolve(text) if key else None
            if sel is not None and sel.count and (sel.kind == "group" or len(sel.tags) > 1):
                named = next((n for n in self._named if n.key == key and n.kind == "group"), None)
                name = named.name if named is not None else sel.name
                value = named.value if named is not None else sel.name
                out.append(Suggestion(name, value, sel.count, sel.kind))
                if sel.kind == "group":
                    groups_shown.add(sel.name)
            for n in self._named:
                if len(out) >= min(FAMILY_CHOICES, limit):
                    break
                if n.count and n.key != key and n.key.startswith(key) and n.group not in groups_shown:
                    out.append(Suggestion(n.name, n.value, n.count, n.kind))
                    if n.group:
                        groups_shown.add(n.group)
        ranked = []
        for tag in self._tags.values():
            if not key or tag.key.startswith(key):
                rank = 0 if tag.key == key else 1
            elif ("-" + tag.key).find("-" + key) >= 0:
                rank = 2
            elif key in tag.key:
                rank = 3
            else:
                continue
            ranked.append((rank, -len(tag.questions), tag.name.casefold(), tag.name, tag))
        ranked.sort()
        values = {s.value for s in out}
        for *_, tag in ranked:
            if len(out) >= limit:
                break
            value = tag.name if tag.plain and not exact_only else EXACT + tag.name
            if value in values:
                continue
            out.append(Suggestion(tag.name, value, len(tag.questions), "tag", only_tag=value != tag.name))
        return out[:limit]

    def close(self, typed: str, n: int = 5) -> list[str]:
        """Names that look like `typed` (tags, families, groups), for a "did you mean" message."""
        text = typed.strip().removeprefix(EXACT)
        needle = topic_key(text[: MAX_NAME * 2])  # difflib is quadratic: a name is at most 100 long
        by_key: dict[str, str] = {}
        for named in self._named:
            by_key.setdefault(named.key, named.value)
        for tag in sorted(self._tags.values(), key=lambda tg: -len(tg.questions)):
            by_key.setdefault(tag.key, tag.name)
        hits = [by_key[k] for k in difflib.get_close_matches(needle, list(by_key), n=n, cutoff=0.5)]
        if needle:
            hits += [v for k, v in by_key.items() if needle in k and v not in hits]
        return hits[:n]

    def popular(self, n: int = 5) -> list[str]:
        """The biggest families, groups and tags (for "did you mean" when nothing looks alike)."""
        entries = [(named.count, named.value) for named in self._named]
        entries += [(len(tag.questions), tag.name) for tag in self._tags.values()]
        entries.sort(key=lambda e: (-e[0], e[1].casefold()))
        return list(dict.fromkeys(value for _, value in entries))[:n]

    def __len__(self) -> int:
        return len(self._tags)
