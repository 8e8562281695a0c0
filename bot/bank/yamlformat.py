"""The YAML question format for authors (documented in docs/question-format.md).

A file holds one question (a mapping) or several (a list of mappings, or a
mapping with a `questions:` list). Same model as the Markdown reader.

The file is read from YAML *events* into small node objects that remember their
line, not through `yaml.safe_load`, because a bank anyone in a study group can
push to must not be able to:

- multiply work with anchors and aliases (`&a` … `*a` nested nine deep is a
  "billion laughs"): aliases are refused, with their line;
- nest without end (`[[[[…`): more than `MAX_DEPTH` levels is refused as soon
  as it is reached, so neither the parser nor this reader ever recurses deeply;
- hide a key: PyYAML keeps the last of two equal keys, and `a:`/`A:` were the
  same option letter; both are errors naming the keys and their lines;
- slip a wrong type past the reader: every field is checked against what it
  must be (text, a list of text, option letters → text, …) and a mismatch is a
  `path:line: reason` naming the field.

libyaml's parser is used when PyYAML has it (about 50× faster than the pure
Python one on a 500 KB file); the events are the same either way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from bot.bank.blocks import HeadingTooLong
from bot.bank.explanation import build_section, dedupe_section_keys, read_rationales
from bot.bank.model import LETTERS, BankError, NotAQuestion, Question, Reference

KNOWN_FIELDS = {
    "id",
    "source",
    "difficulty",
    "topics",
    "traps",
    "domain",
    "stem",
    "options",
    "answer",
    "source_answer",
    "community_answer",
    "disputed",
    "dispute_note",
    "explanation",
    "rationales",
    "references",
    "aliases",
}

MAX_DEPTH = 12  # a question is at most ~4 levels deep (questions: - explanation: - heading)
_SAFE_SCALAR_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:timestamp",
}
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# ---------------------------------------------------------------------------
# Nodes: values that know their line


@dataclass(slots=True)
class _Scalar:
    line: int
    text: str  # as written (after YAML's own unquoting/folding)
    value: Any  # as YAML types it: str, int, float, bool, None, date


@dataclass(slots=True)
class _Seq:
    line: int
    items: list[_Node] = field(default_factory=list)


@dataclass(slots=True)
class _Map:
    line: int
    items: dict[str, _Node] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)
    folded: dict[str, str] = field(default_factory=dict)  # casefolded key -> the key as written

    def get(self, key: str) -> _Node | None:
        return self.items.get(key)

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


_Node = _Scalar | _Seq | _Map


def _kind(node: _Node) -> str:
    if isinstance(node, _Map):
        return "a mapping"
    if isinstance(node, _Seq):
        return "a list"
    if node.value is None:
        return "nothing"
    return {bool: "true/false", int: "a number", float: "a number"}.get(type(node.value), "text")


class _Refused(Exception):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(reason)
        self.line = line
        self.reason = reason


def _compose(text: str, *, refuse_anchors: bool = False) -> _Node | None:
    """The document as nodes (None when it is empty). Iterative: the depth is checked, not recursed.
    With `refuse_anchors`, an anchor (`&a`) is refused too, not only an alias."""
    loader = _Loader(text)
    stack: list[_Map | _Seq] = []
    pending_key: list[_Scalar | None] = []  # per open mapping: the key waiting for its value
    root: _Node | None = None
    documents = 0
    try:
        while True:
            event = loader.get_event()
            if isinstance(event, yaml.StreamEndEvent):
                break
            line = event.start_mark.line + 1
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise _Refused(line, "more than one YAML document (`---`); one file holds one document")
                continue
            if isinstance(event, (yaml.StreamStartEvent, yaml.DocumentEndEvent)):
                continue
            if isinstance(event, yaml.AliasEvent):
                raise _Refused(
                    line,
                    f"YAML alias `*{event.anchor}` refused: aliases can multiply a file's size; "
                    "write the text out instead",
                )
            if refuse_anchors and getattr(event, "anchor", None):
                raise _Refused(line, "YAML anchors and aliases (&, *) are not allowed")
            node: _Node
            if isinstance(event, yaml.ScalarEvent):
                node = _scalar(loader, event, line)
            elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
                if len(stack) >= MAX_DEPTH:
                    raise _Refused(line, f"nested more than {MAX_DEPTH} levels deep")
                tag = event.tag
                is_map = isinstance(event, yaml.MappingStartEvent)
                if tag not in (None, "!", _MAP_TAG if is_map else _SEQ_TAG):
                    raise _Refused(line, f"unsupported YAML tag {tag}")
                opened: _Map | _Seq = _Map(line) if is_map else _Seq(line)
                stack.append(opened)
                pending_key.append(None)
                continue
            elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
                node = stack.pop()
                pending_key.pop()
            else:  # pragma: no cover - PyYAML has no other event
                raise _Refused(line, f"unexpected YAML event {type(event).__name__}")
            if not stack:
                root = node
                continue
            parent = stack[-1]
            if isinstance(parent, _Seq):
                parent.items.append(node)
            elif pending_key[-1] is None:
                if not isinstance(node, _Scalar):
                    raise _Refused(node.line, "a mapping key must be text, not a list or mapping")
                _check_new_key(parent, node)
                pending_key[-1] = node
            else:
                key = pending_key[-1]
                assert key is not None
                parent.items[key.text] = node
                parent.key_lines[key.text] = key.line
                pending_key[-1] = None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or (str(exc).splitlines() or ["?"])[0]
        raise _Refused(line, f"invalid YAML: {problem}") from None
    finally:
        loader.dispose()
    return root


def _scalar(loader: Any, event: Any, line: int) -> _Scalar:
    tag = event.tag
    if tag is None or tag == "!":
        tag = loader.resolve(yaml.ScalarNode, event.value, event.implicit)
    if tag not in _SAFE_SCALAR_TAGS:
        raise _Refused(line, f"unsupported YAML tag {tag}")
    node = yaml.ScalarNode(tag, event.value, event.start_mark, event.end_mark, event.style)
    try:
        value = loader.construct_object(node)
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        raise _Refused(line, f"invalid value {event.value[:40]!r}: {exc}") from None
    loader.constructed_objects.clear()  # one scalar at a time: nothing to share
    return _Scalar(line, event.value, value)


def _check_new_key(parent: _Map, key: _Scalar) -> None:
    if key.text in parent.items or key.text in parent.key_lines:
        first = parent.key_lines.get(key.text, parent.line)
        raise _Refused(key.line, f"key `{_short(key.text)}` appears twice (first on line {first})")
    folded = key.text.casefold()
    other = parent.folded.get(folded)
    if other is not None:
        raise _Refused(
            key.line,
            f"keys `{_short(other)}` (line {parent.key_lines[other]}) and `{_short(key.text)}` differ only "
            "in case; keep one",
        )
    parent.folded[folded] = key.text


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


# The same safe reading for the bank's other YAML files (exam blueprints: bot/bank/blueprint.py).
YamlScalar = _Scalar
YamlSeq = _Seq
YamlMap = _Map
YamlNode = _Node
YamlRefused = _Refused


def compose(text: str, *, refuse_anchors: bool = False) -> YamlNode | None:
    """`text` as line-aware nodes, refusing what `_compose` refuses (raises `YamlRefused`)."""
    return _compose(text, refuse_anchors=refuse_anchors)


# ---------------------------------------------------------------------------
# The reader


def read_yaml(text: str, path: str, *, collection: str = "") -> list[Question]:
    try:
        root = _compose(text)
    except _Refused as exc:
        raise BankError(path, exc.line, exc.reason) from None
    if root is None or (isinstance(root, _Scalar) and root.value is None):
        raise NotAQuestion("empty file")
    if isinstance(root, _Map) and "questions" in root.items:
        inner = root.items["questions"]
        if not isinstance(inner, _Seq):
            raise BankError(
                path, root.line_of("questions"), f"`questions` must be a list, got {_kind(inner)}"
            )
        root = inner
    items = root.items if isinstance(root, _Seq) else [root]
    out = []
    for item in items:
        if not isinstance(item, _Map):
            raise BankError(
                path, item.line, f"expected a mapping with id, stem, options and answer, got {_kind(item)}"
            )
        if not ({"stem", "options", "answer"} & set(item.items)):
            raise NotAQuestion("YAML without stem, options or answer")
        out.append(_question(item, path, collection, item.line if len(items) > 1 else 1))
    return out


class _Fields:
    """Typed access to one question's mapping: every mismatch is a BankError on the field's line."""

    def __init__(self, item: _Map, path: str) -> None:
        self.item = item
        self.path = path

    def error(self, name: str, reason: str, line: int | None = None) -> BankError:
        return BankError(self.path, line if line is not None else self.item.line_of(name), reason)

    def text(self, name: str, node: _Node | None = None, *, label: str | None = None) -> str:
        node = self.item.get(name) if node is None else node
        if node is None:
            return ""
        if not isinstance(node, _Scalar):
            raise self.error(name, f"`{label or name}` must be text, got {_kind(node)}", node.line)
        return "" if node.value is None else node.text.strip()

    def text_list(self, name: str) -> tuple[str, ...]:
        """A list of text, or one text with commas."""
        node = self.item.get(name)
        if node is None:
            return ()
        if isinstance(node, _Scalar):
            if node.value is None:
                return ()
            values = node.text.replace("，", ",").split(",")
        elif isinstance(node, _Seq):
            values = []
            for i, sub in enumerate(node.items):
                if not isinstance(sub, _Scalar):
                    raise self.error(name, f"`{name}[{i}]` must be text, got {_kind(sub)}", sub.line)
                values.append("" if sub.value is None else sub.text)
        else:
            raise self.error(name, f"`{name}` must be a list of text, got {_kind(node)}", node.line)
        return tuple(dict.fromkeys(v.strip() for v in values if v.strip()))

    def flag(self, name: str) -> bool:
        node = self.item.get(name)
        if node is None:
            return False
        if isinstance(node, _Scalar) and (node.value is None or isinstance(node.value, bool)):
            return bool(node.value)
        raise self.error(name, f"`{name}` must be true or false, got {_kind(node)}")


#: Unknown fields named one by one; the rest are counted (10,000 unknown keys: one line, not 10,000).
MAX_UNKNOWN_NAMED = 10


def _unknown_notes(unknown: list[str]) -> tuple[str, ...]:
    notes = [f"unknown field `{_short(name)}` ignored" for name in unknown[:MAX_UNKNOWN_NAMED]]
    if len(unknown) > MAX_UNKNOWN_NAMED:
        notes.append(f"… and {len(unknown) - MAX_UNKNOWN_NAMED:,} more unknown fields ignored")
    return tuple(notes)


def _question(item: _Map, path: str, collection: str, line: int) -> Question:
    f = _Fields(item, path)
    unknown = sorted(set(item.items) - KNOWN_FIELDS)
    qid = f.text("id") or path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    stem = f.text("stem")
    if not stem:
        raise f.error("stem", "empty stem" if "stem" in item.items else "no stem", line)
    options = _options(f, line)
    letters = "".join(options)
    answer_letters = {a.upper() for a in f.text_list("answer")}
    answer = tuple(sorted(answer_letters))
    if not answer:
        raise f.error("answer", "no answer", line if "answer" not in item.items else None)
    missing = [a for a in answer if a not in options]
    if missing:
        raise f.error("answer", f"answer {', '.join(missing)} is not among the options {letters}")
    sections_t = dedupe_section_keys(_sections(f))
    rationales = read_rationales(sections_t, answer)
    rationales.update(_rationales(f, options))
    references = _references(f)
    note = f.text("dispute_note")
    disputed = f.flag("disputed") or bool(note)
    notes = _unknown_notes(unknown)
    return Question(
        key=f"{collection}/{qid}" if collection else qid,
        id=qid,
        collection=collection,
        path=path,
        line=line,
        stem=stem,
        options=options,
        answer=answer,
        format="yaml",
        source=f.text("source") or None,
        difficulty=f.text("difficulty") or None,
        source_answer=f.text("source_answer") or None,
        community_answer=f.text("community_answer") or None,
        disputed=disputed,
        dispute_note=note or None,
        topics=f.text_list("topics"),
        traps=f.text_list("traps"),
        domain=f.text("domain") or None,
        sections=sections_t,
        rationales=dict(sorted(rationales.items())),
        references=tuple(references),
        aliases=f.text_list("aliases"),
        notes=notes,
    )


def _options(f: _Fields, line: int) -> dict[str, str]:
    node = f.item.get("options")
    if node is None or (isinstance(node, _Scalar) and node.value is None):
        raise f.error("options", "no options (expected `options:` with A, B, ...)", line)
    pairs: list[tuple[str, _Node, int]] = []
    if isinstance(node, _Seq):
        if len(node.items) > len(LETTERS):
            raise f.error(
                "options",
                f"{len(node.items)} options; at most {len(LETTERS)} ({LETTERS[0]}–{LETTERS[-1]}) are read",
            )
        pairs = [(LETTERS[i], sub, sub.line) for i, sub in enumerate(node.items)]
    elif isinstance(node, _Map):
        bad = [k for k in node.items if k.strip().upper() not in LETTERS or len(k.strip()) != 1]
        if bad:
            shown = ", ".join(f"`{_short(k, 12)}`" for k in bad[:6])
            raise f.error(
                "options",
                f"option keys must be the letters {LETTERS[0]}–{LETTERS[-1]}; found {shown}",
                node.key_lines.get(bad[0], node.line),
            )
        pairs = [(k.strip().upper(), sub, node.key_lines[k]) for k, sub in node.items.items()]
    else:
        raise f.error("options", f"`options` must be a list or a mapping of letters, got {_kind(node)}")
    options: dict[str, str] = {}
    for letter, sub, sub_line in pairs:
        options[letter] = f.text("options", sub, label=f"options.{letter}")
        if not options[letter]:
            raise f.error("options", f"option {letter} is empty", sub_line)
    letters = "".join(options)
    if letters != LETTERS[: len(letters)]:
        raise f.error(
            "options", f"options are {letters}, expected consecutive letters {LETTERS[: len(letters)]}"
        )
    if len(options) < 2:
        raise f.error("options", "fewer than 2 options")
    return options


def _sections(f: _Fields) -> list[Any]:
    node = f.item.get("explanation")
    if node is None or (isinstance(node, _Scalar) and node.value is None):
        return []
    if isinstance(node, _Scalar):
        if not isinstance(node.value, str):
            raise f.error(
                "explanation", f"`explanation` must be a list of sections or text, got {_kind(node)}"
            )
        try:
            return [build_section("Explanation", node.text)]
        except HeadingTooLong as exc:
            raise f.error("explanation", f"in `explanation`, {exc}") from None
    if not isinstance(node, _Seq):
        raise f.error("explanation", f"`explanation` must be a list of sections or text, got {_kind(node)}")
    sections = []
    for entry in node.items:
        if not isinstance(entry, _Map) or "heading" not in entry.items:
            raise f.error("explanation", "each `explanation` entry needs `heading` and `body`", entry.line)
        for name in entry.items:
            if name not in ("heading", "body", "emoji"):
                raise f.error(
                    "explanation",
                    f"unknown key `{_short(name)}` in an `explanation` entry (heading, body, emoji)",
                    entry.line_of(name),
                )
        try:
            sections.append(
                build_section(
                    f.text("heading", entry.items["heading"]),
                    f.text("body", entry.get("body")),
                    f.text("emoji", entry.get("emoji")),
                )
            )
        except HeadingTooLong as exc:
            raise f.error("explanation", f"in an `explanation` entry, {exc}", entry.line) from None
    return sections


def _rationales(f: _Fields, options: dict[str, str]) -> dict[str, str]:
    node = f.item.get("rationales")
    if node is None or (isinstance(node, _Scalar) and node.value is None):
        return {}
    if not isinstance(node, _Map):
        raise f.error(
            "rationales",
            f"`rationales` must map option letters to text (A: why A is wrong), got {_kind(node)}",
        )
    out: dict[str, str] = {}
    for key, sub in node.items.items():
        letter = key.strip().upper()
        if letter not in options:
            raise f.error(
                "rationales",
                f"rationale for `{_short(key, 12)}`, which is not an option ({''.join(options)})",
                node.key_lines[key],
            )
        out[letter] = f.text("rationales", sub, label=f"rationales.{letter}")
    return out


def _references(f: _Fields) -> list[Reference]:
    node = f.item.get("references")
    if node is None or (isinstance(node, _Scalar) and node.value is None):
        return []
    if not isinstance(node, _Seq):
        raise f.error("references", f"`references` must be a list of links, got {_kind(node)}")
    refs = []
    for ref in node.items:
        if isinstance(ref, _Scalar) and isinstance(ref.value, str) and ref.text.strip():
            refs.append(Reference(ref.text.strip(), ref.text.strip()))
        elif isinstance(ref, _Map) and isinstance(ref.get("url"), _Scalar):
            url = f.text("url", ref.items["url"])
            if not url:
                raise f.error("references", "each reference needs a `url`", ref.line)
            refs.append(Reference(f.text("title", ref.get("title")) or url, url))
        else:
            raise f.error("references", "each reference needs a `url` (text)", ref.line)
    return refs
