"""One file's bytes -> its questions: decoded (UTF-8, a double encoding repaired), read by the
reader its name calls for (Markdown or YAML), and every field checked against its limit."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from bot.bank.files import read_path
from bot.bank.markdown_reader import read_markdown
from bot.bank.model import LIMITS, MAX_COUNTS, BankError, Question

if TYPE_CHECKING:
    from bot.bank.mojibake import Vocabulary

#: (characters rebuilt, of which uncertain) of a file whose encoding was repaired
Repaired = tuple[int, int]


class Damaged(Exception):
    """decode() was asked to leave the repair of a double-encoded file for later."""


def decode(
    data: bytes, rel: str, vocabulary: Vocabulary | None = None, *, defer_repair: bool = False
) -> tuple[str, Repaired | None]:
    """Bytes -> clean text: UTF-8 (BOM tolerated), double-encoding repaired with
    ``vocabulary`` (what the bank's clean files teach) when given; ``defer_repair`` raises
    ``Damaged`` instead of repairing."""
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
    from bot.bank import mojibake  # imported when first needed: building its tables takes a while

    if not mojibake.needs_repair(text):
        return text, None
    if defer_repair:
        raise Damaged(rel)
    result = mojibake.repair(text, vocabulary=vocabulary)
    if mojibake.needs_repair(result.text):
        raise BankError(rel, 1, "unrecoverable encoding: the text is still double-encoded after repair")
    return result.text, (result.rebuilt, result.uncertain)


def read_file(
    path: Path, rel: str, vocabulary: Vocabulary | None = None
) -> tuple[list[Question], Repaired | None]:
    """Parse the file at `path`, named `rel` in its questions and errors (tests and tools; a bank is
    read through `files.read_bytes_inside`). Its questions, and (rebuilt, uncertain) when it was
    repaired (with `vocabulary`, what the bank's clean files teach, when given)."""
    return parse_file(read_path(path, rel), rel, vocabulary)


def parse_file(
    data: bytes, rel: str, vocabulary: Vocabulary | None = None, *, defer_repair: bool = False
) -> tuple[list[Question], Repaired | None]:
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
