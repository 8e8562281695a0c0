"""The YAML question format for authors (documented in docs/question-format.md).

A file holds one question (a mapping) or several (a list of mappings, or a
mapping with a `questions:` list). Same model as the Markdown reader.
"""

from __future__ import annotations

from typing import Any

import yaml

from bot.bank.markdown import (
    NotAQuestion,
    build_section,
    dedupe_section_keys,
    rationales_from_sections,
)
from bot.bank.model import LETTERS, BankError, Question, Reference

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


def read_yaml(text: str, path: str, *, collection: str = "") -> list[Question]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise BankError(path, line, f"invalid YAML: {problem}") from None
    if data is None:
        raise NotAQuestion("empty file")
    if isinstance(data, dict) and "questions" in data:
        data = data["questions"]
    items = data if isinstance(data, list) else [data]
    out = []
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise BankError(
                path, _line_of(text, index), "expected a mapping with id, stem, options and answer"
            )
        if not ({"stem", "options", "answer"} & set(item)):
            raise NotAQuestion("YAML without stem, options or answer")
        out.append(_question(item, path, collection, _line_of(text, index) if len(items) > 1 else 1))
    return out


def _line_of(text: str, index: int) -> int:
    """Line of the index-th top-level list item (1 when not found)."""
    count = -1
    for no, line in enumerate(text.split("\n"), 1):
        if line.startswith("- ") or line.rstrip() == "-":
            count += 1
            if count == index:
                return no
    return 1


def _text(value: Any, path: str, line: int, name: str) -> str:
    if value is None:
        return ""
    if isinstance(value, (str, int, float)):
        return str(value).strip()
    raise BankError(path, line, f"`{name}` must be text, got {type(value).__name__}")


def _list(value: Any, path: str, line: int, name: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [v for v in value.replace("，", ",").split(",")]
    if not isinstance(value, list):
        raise BankError(path, line, f"`{name}` must be a list")
    return tuple(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))


def _question(item: dict[str, Any], path: str, collection: str, line: int) -> Question:
    unknown = sorted(set(item) - KNOWN_FIELDS)
    qid = _text(item.get("id"), path, line, "id") or path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    stem = _text(item.get("stem"), path, line, "stem")
    if not stem:
        raise BankError(path, line, "empty stem")
    raw_options = item.get("options")
    if isinstance(raw_options, list):
        raw_options = {LETTERS[i]: v for i, v in enumerate(raw_options[: len(LETTERS)])}
    if not isinstance(raw_options, dict) or not raw_options:
        raise BankError(path, line, "no options (expected `options:` with A, B, ...)")
    options = {str(k).strip().upper(): _text(v, path, line, f"options.{k}") for k, v in raw_options.items()}
    letters = "".join(options)
    if letters != LETTERS[: len(letters)]:
        raise BankError(
            path, line, f"options are {letters}, expected consecutive letters {LETTERS[: len(letters)]}"
        )
    if len(options) < 2:
        raise BankError(path, line, "fewer than 2 options")
    for k, v in options.items():
        if not v:
            raise BankError(path, line, f"option {k} is empty")
    answer_value = item.get("answer")
    answer = tuple(sorted({a.strip().upper() for a in _list(answer_value, path, line, "answer")}))
    if not answer:
        raise BankError(path, line, "no answer")
    missing = [a for a in answer if a not in options]
    if missing:
        raise BankError(path, line, f"answer {', '.join(missing)} is not among the options {letters}")
    sections = []
    for entry in item.get("explanation") or []:
        if not isinstance(entry, dict) or "heading" not in entry:
            raise BankError(path, line, "each `explanation` entry needs `heading` and `body`")
        sections.append(
            build_section(
                _text(entry["heading"], path, line, "heading"),
                _text(entry.get("body"), path, line, "body"),
                _text(entry.get("emoji"), path, line, "emoji"),
            )
        )
    sections_t = dedupe_section_keys(sections)
    rationales = rationales_from_sections(sections_t, answer)
    for k, v in (item.get("rationales") or {}).items():
        rationales[str(k).strip().upper()] = _text(v, path, line, f"rationales.{k}")
    references = []
    for ref in item.get("references") or []:
        if isinstance(ref, str):
            references.append(Reference(ref, ref))
        elif isinstance(ref, dict) and ref.get("url"):
            references.append(Reference(str(ref.get("title") or ref["url"]), str(ref["url"])))
        else:
            raise BankError(path, line, "each reference needs a `url`")
    disputed = bool(item.get("disputed")) or bool(item.get("dispute_note"))
    notes = tuple(f"unknown field `{name}` ignored" for name in unknown)
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
        source=_text(item.get("source"), path, line, "source") or None,
        difficulty=_text(item.get("difficulty"), path, line, "difficulty") or None,
        source_answer=_text(item.get("source_answer"), path, line, "source_answer") or None,
        community_answer=_text(item.get("community_answer"), path, line, "community_answer") or None,
        disputed=disputed,
        dispute_note=_text(item.get("dispute_note"), path, line, "dispute_note") or None,
        topics=_list(item.get("topics"), path, line, "topics"),
        traps=_list(item.get("traps"), path, line, "traps"),
        domain=_text(item.get("domain"), path, line, "domain") or None,
        sections=sections_t,
        rationales=dict(sorted(rationales.items())),
        references=tuple(references),
        aliases=_list(item.get("aliases"), path, line, "aliases"),
        notes=notes,
    )
