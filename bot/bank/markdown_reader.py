"""Reader for the bank's Markdown files: the structured zh-TW template and the raw English format.

`read_markdown(text, path)` returns the questions in one file (one, or many for a
multi-question dump such as `sample_1.md`), or raises `NotAQuestion` for files
that hold no question (templates, assignment lists, notes), or `BankError` with
`path:line: reason` for a question file that is broken.

The reader works on the block structure from `bot.bank.blocks` (headings and code
fences) and recognises fields by their keys rather than their exact place, because
the bank's template exists in dozens of variants (see docs/question-format.md). Its parts:
`markdown_doc` (one question's lines, headings and fields), `markdown_options` (options and
stem), `markdown_answer` (answer and dispute), `markdown_fields` (id and tags) and
`explanation` (sections, rationales, references; shared with the YAML reader).
"""

from __future__ import annotations

import bisect
import re

from bot.bank.blocks import Blocks, Heading, HeadingTooLong, check_headings, scan
from bot.bank.explanation import explained_as_correct, read_rationales, read_references, section_key
from bot.bank.markdown_answer import Answer, read_answer, read_dispute
from bot.bank.markdown_doc import QUESTION_TITLE, Doc
from bot.bank.markdown_fields import clean_value, read_id, read_tags
from bot.bank.markdown_options import Options, read_options, read_stem
from bot.bank.model import BankError, NotAQuestion, Question, Section
from bot.bank.text import file_stem, slug, strip_emoji

__all__ = ["NotAQuestion", "read_markdown"]

_TEMPLATE_MARKERS = ("`Q-XXX", "[選項 A 內容]", "[在此填寫", "`[Tag1]`")
# Second-level headings that belong to the question, not to its explanation.
_META_H2 = re.compile(
    r"^(題目資訊|題目內容|標籤|答案|官方答案|question$|options$|answer|tags?$|metadata)", re.IGNORECASE
)
_STEM_HEADING_ANY = re.compile(r"題幹|^question$", re.I)
_CHOOSE_N = re.compile(r"\b(?:choose|select|pick)\s++(?P<n>two|three|2|3)\b", re.IGNORECASE)


def read_markdown(text: str, path: str, *, collection: str = "") -> list[Question]:
    """Parse one Markdown file. `text` is already decoded and repaired; CRLF is tolerated."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
    if any(marker in text for marker in _TEMPLATE_MARKERS):
        raise NotAQuestion("template (placeholder fields such as Q-XXX)")
    blocks = scan(text, option_fences=_looks_raw(text))
    try:
        check_headings(blocks)
    except HeadingTooLong as exc:
        raise BankError(path, exc.line + 1, str(exc)) from None
    dump_starts = [
        (h, int(m["n"])) for h in blocks.headings if h.level == 1 and (m := QUESTION_TITLE.match(h.text))
    ]
    if len(dump_starts) >= 2:
        return _read_dump(blocks, dump_starts, path, collection)
    n = len(blocks.lines)
    return [_read_one(blocks, 0, n, path, collection, file_stem=file_stem(path), mask=[False] * n)]


def _read_dump(
    blocks: Blocks, starts: list[tuple[Heading, int]], path: str, collection: str
) -> list[Question]:
    """A multi-question dump: one question per `# Question #n` title, numbered by it."""
    out = []
    stem = file_stem(path)
    bounds = [h.line for h, _ in starts] + [len(blocks.lines)]
    heading_lines = [h.line for h in blocks.headings]
    mask = [False] * len(blocks.lines)  # shared: each question writes its own lines
    for (_, number), a, b in zip(starts, bounds, bounds[1:], strict=False):
        inside = blocks.headings[bisect.bisect_left(heading_lines, a) : bisect.bisect_left(heading_lines, b)]
        q = _read_one(
            blocks, a, b, path, collection, file_stem=stem, mask=mask, dump_number=number, headings=inside
        )
        out.append(q)
    return out


# ---------------------------------------------------------------------------
# One question


def _read_one(
    blocks: Blocks,
    start: int,
    end: int,
    path: str,
    collection: str,
    *,
    file_stem: str,
    mask: list[bool],
    dump_number: int | None = None,
    headings: list[Heading] | None = None,
) -> Question:
    """One question in lines start..end. `mask` is the file's meta mask, shared by the questions
    of a dump (each writes its own lines only); `headings` are the ones in start..end."""
    if headings is None:
        headings = [h for h in blocks.headings if start <= h.line < end]
    doc = Doc(blocks, start, end, path, headings)
    if not any(not blocks.in_code[i] and blocks.lines[i].strip() for i in range(start, end)):
        raise NotAQuestion("empty file")
    raw = _is_raw(doc)
    doc.meta = _meta_mask(doc, mask)
    fields = doc.fields()
    meta_fields = [f for f in fields if doc.meta[f[2]]]

    options = read_options(doc)
    found = read_answer(doc, meta_fields, fields)
    answer = found.letters or tuple(sorted(options.marked))
    _check_options_and_answer(doc, options, answer, found)
    stem = read_stem(doc, raw, options.line)
    if not stem:
        raise BankError(path, doc.line_no(start), "empty stem")

    qid, aliases = read_id(doc, meta_fields, file_stem, dump_number)
    tags = read_tags(doc, meta_fields, fields)
    sections = _read_sections(doc)
    disputed, note = read_dispute(doc, answer, found, fields)
    return Question(
        key=f"{collection}/{qid}" if collection else qid,
        id=qid,
        collection=collection,
        path=path,
        line=doc.line_no(start),
        stem=stem,
        options=options.texts,
        answer=answer,
        format="raw" if raw else "markdown",
        source=tags.source,
        difficulty=tags.difficulty,
        source_answer=_clean_or_none(found.source),
        community_answer=_clean_or_none(found.community),
        disputed=disputed,
        dispute_note=note,
        topics=tags.topics,
        traps=tags.traps,
        domain=tags.domain,
        sections=sections,
        rationales=read_rationales(sections, answer),
        references=read_references(sections),
        aliases=aliases,
        notes=_notes(stem, answer, sections),
    )


def _clean_or_none(value: str | None) -> str | None:
    return clean_value(value or "") or None


def _check_options_and_answer(doc: Doc, options: Options, answer: tuple[str, ...], found: Answer) -> None:
    """NotAQuestion when there are neither options nor an answer (and no stem heading); BankError
    for options without an answer, an answer without options, or an answer not among them."""
    path, start, options_line = doc.path, doc.start, options.line
    if not options.texts and not answer:
        if _has_stem_heading(doc):
            raise BankError(
                path, doc.line_no(start), "question has a stem but no options (expected `- **A.** ...`)"
            )
        raise NotAQuestion("not a question (no options and no answer)")
    answer_line = found.line
    if not options.texts:
        raise BankError(
            path,
            doc.line_no(answer_line if answer_line >= 0 else start),
            "no options found (expected `- **A.** text` lines under `### 選項`)",
        )
    if not answer:
        raise BankError(
            path, doc.line_no(options_line), "no answer (expected `**正解:** `X`` or `(Correct)`)"
        )
    missing = [a for a in answer if a not in options.texts]
    if missing:
        raise BankError(
            path,
            doc.line_no(answer_line if answer_line >= 0 else options_line),
            f"answer {', '.join(missing)} is not among the options {''.join(options.texts)}",
        )
    if len(options.texts) < 2:
        raise BankError(path, doc.line_no(options_line), "fewer than 2 options")


def _notes(stem: str, answer: tuple[str, ...], sections: tuple[Section, ...]) -> tuple[str, ...]:
    """Non-fatal remarks for `bank check`: the explanation or the stem disagree with the answer."""
    notes: list[str] = []
    explained = explained_as_correct(sections)
    if explained and not explained & set(answer):
        notes.append(
            f"the answer is {', '.join(answer)} but the explanation explains why {', '.join(sorted(explained))} is correct"
        )
    expected = _expected_choices(stem)
    if expected and expected != len(answer):
        notes.append(f"the stem asks to choose {expected} but the answer has {len(answer)} letter(s)")
    return tuple(notes)


def _expected_choices(stem: str) -> int | None:
    m = _CHOOSE_N.search(stem)
    if not m:
        return None
    return {"two": 2, "three": 3}.get(m["n"].lower()) or int(m["n"])


# ---------------------------------------------------------------------------
# The question's parts


def _looks_raw(text: str) -> bool:
    return "## Options" in text or "## options" in text


def _is_raw(doc: Doc) -> bool:
    names = {h.text.strip().casefold() for h in doc.headings if h.level == 2}
    return "options" in names and "question" in names


def _has_stem_heading(doc: Doc) -> bool:
    return any(_STEM_HEADING_ANY.search(h.text) for h in doc.headings)


def _meta_mask(doc: Doc, mask: list[bool]) -> list[bool]:
    """Which lines belong to the question (id, stem, options, tags, answer) rather than the explanation.

    Files put the two parts in either order (some start with the analysis), so each
    `##` block is classified by its heading; the lines before the first `##` belong
    to the question, and so does the block under a title `# Question #N`.
    """
    current = True
    boundaries = [h for h in doc.headings if h.level <= 2]
    pos = doc.start
    for h in boundaries:
        for i in range(pos, h.line):
            mask[i] = current
        if h.level == 1:
            current = h.line == doc.start or bool(QUESTION_TITLE.match(strip_emoji(h.text)[1]))
        else:
            current = bool(_META_H2.match(strip_emoji(h.text)[1]))
        pos = h.line
    for i in range(pos, doc.end):
        mask[i] = current
    return mask


def _read_sections(doc: Doc) -> tuple[Section, ...]:
    """The explanation's `#`/`##` sections (outside the question part), with their `###` sub-sections."""
    sections: list[Section] = []
    used: dict[str, int] = {}
    headings = doc.headings
    for k, h in enumerate(headings):
        if h.level > 2 or doc.meta[h.line]:
            continue
        # the headings inside: up to the next `#`/`##` (ranges of candidates never overlap)
        j = k + 1
        while j < len(headings) and headings[j].level > 2:
            j += 1
        inside = headings[k + 1 : j]
        if h.level == 1:
            b = headings[j].line if j < len(headings) else doc.end
            body = doc.text(h.line + 1, b)
            if not body:
                continue  # `# 題目解析` is a divider, not a section
        else:
            a, b = doc.section_range(h)
            body = doc.text(a, b)
        emoji, heading = strip_emoji(h.text)
        key = section_key(heading)
        if key in used:
            used[key] += 1
            key = f"{key}-{used[key]}"
        else:
            used[key] = 1
        subs = []
        for sub in inside:
            if sub.level == 3:
                sa, sb = doc.section_range(sub)
                sub_emoji, sub_heading = strip_emoji(sub.text)
                subs.append(Section(slug(sub_heading), sub_heading, sub_emoji, doc.text(sa, sb)))
        sections.append(Section(key, heading, emoji, body, tuple(subs)))
    return tuple(sections)
