"""Reader for the bank's Markdown files: the structured zh-TW template and the raw English format.

`read_markdown(text, path)` returns the questions in one file (one, or many for a
multi-question dump such as `sample_1.md`), or raises `NotAQuestion` for files
that hold no question (templates, assignment lists, notes), or `BankError` with
`path:line: reason` for a question file that is broken.

The reader works on the block structure from `bot.bank.blocks` (headings and code
fences) and recognises fields by their keys rather than their exact place, because
the bank's template exists in dozens of variants (see docs/question-format.md).
"""

from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bot.bank.blocks import Blocks, Heading, scan
from bot.bank.model import LETTERS, LIMITS, BankError, Question, Reference, Section

# ---------------------------------------------------------------------------
# Vocabulary


class NotAQuestion(Exception):
    """The file holds no question; the message says why (for the check report)."""


class HeadingTooLong(ValueError):
    """A heading past LIMITS["heading"]: refused before any heading is classified (so neither the
    work on it nor the caches below ever see a hostile 100 KB heading)."""

    def __init__(self, line: int, length: int) -> None:
        super().__init__(f"a heading is {length:,} characters; the limit is {LIMITS['heading']:,}")
        self.line = line  # 0-based, in the text that was scanned


def check_headings(blocks: Blocks) -> None:
    for h in blocks.headings:
        if len(h.text) > LIMITS["heading"]:
            raise HeadingTooLong(h.line, len(h.text))


@functools.lru_cache(maxsize=4096)
def _norm_key(s: str) -> str:
    """Field/heading key for matching: NFKC, no emoji/punctuation/space, case-folded."""
    s = unicodedata.normalize("NFKC", s)
    return "".join(ch for ch in s if ch.isalnum()).casefold()


def _followed_by(text: str, first: str, then: tuple[str, ...]) -> bool:
    """`first` occurs and one of `then` comes after it (a linear `first.*then` search)."""
    i = text.find(first)
    return i >= 0 and any(text.find(x, i + len(first)) >= 0 for x in then)


class _Either:
    """A pattern and a predicate, searched like one pattern (`.search` returns a truthy value)."""

    def __init__(self, pattern: re.Pattern[str], predicate: Callable[[str], bool]) -> None:
        self.pattern = pattern
        self.predicate = predicate

    def search(self, text: str) -> bool:
        return bool(self.pattern.search(text)) or self.predicate(text)


def _disputes(text: str) -> bool:
    """Words that say an answer is disputed (`認為…錯誤` checked without a backtracking `.*`)."""
    return bool(_DISPUTE_WORDS_RE.search(text)) or _followed_by(text, "認為", ("錯誤",))


# Field keys, normalised with _norm_key.
ID_KEYS = {"id", "題目id", "題目編號", "questionid"}
SOURCE_KEYS = {"來源", "source"}
DIFFICULTY_KEYS = {"難度", "difficulty", "level", "難度等級", "leveltag"}
TOPIC_KEYS = {"topics", "topic", "topictags", "主題"}
TRAP_KEYS = {"traps", "trap", "traptags", "陷阱"}
DOMAIN_KEYS = {"domain", "knowledgedomain", "知識領域"}
ANSWER_KEYS = {
    "正解",
    "正確答案",
    "實際正確答案",
    "官方正確答案",
    "answer",
    "correctanswer",
    "correctanswers",
}
SOURCE_ANSWER_KEYS = {
    "來源標註答案",
    "來源標註",
    "官方答案",
    "官方標註答案",
    "原始答案",
    "sourceanswer",
    "來源答案",
}
COMMUNITY_KEYS = {"社群共識", "社群投票", "社群投票答案", "社群投票結果", "communityvote", "community"}
DISPUTE_KEYS = {"實務爭議", "答案爭議", "爭議", "爭議說明", "深入洞察", "補充說明", "備註", "note", "dispute"}

# Second-level headings that belong to the question, not to its explanation.
_META_H2 = re.compile(
    r"^(題目資訊|題目內容|標籤|答案|官方答案|question$|options$|answer|tags?$|metadata)", re.IGNORECASE
)
_EXPLANATION_H1 = re.compile(r"(解析|explanation|analysis)", re.IGNORECASE)

# Explanation section keys by what their heading says (first match wins).
_SECTION_PATTERNS: tuple[tuple[str, re.Pattern[str] | _Either], ...] = (
    ("review", re.compile(r"題目回顧|question\s*review", re.I)),
    ("wrong_options", re.compile(r"錯誤選項|其他選項|wrong\s*options?|other\s*options|why\s*not", re.I)),
    (
        "correct",
        _Either(
            re.compile(r"正解說明|正解分析|正確答案說明|correct\s*answer|why\s+[A-J]\b", re.I),
            lambda text: _followed_by(text, "為什麼", ("正確",)),
        ),
    ),
    ("concepts", re.compile(r"考點|key\s*concepts?", re.I)),
    ("mnemonic", re.compile(r"記憶|口訣|mnemonic", re.I)),
    (
        "references",
        re.compile(
            r"官方文件|參考(資源|文件|資料)|延伸閱讀|延伸學習|相關資源|references?|documentation", re.I
        ),
    ),
    ("notes", re.compile(r"補充說明|實務補充|notes?$", re.I)),
    ("exam_tips", re.compile(r"考試技巧|考試建議|exam\s*tips?", re.I)),
    ("related", re.compile(r"相關題目|related", re.I)),
    ("explanation", re.compile(r"^explanation$", re.I)),
)

# (Possessive `*+`/`++` where two runs of spaces meet: a line of 100,000 spaces must not be tried
# 100,000 ways. The value's trailing spaces are stripped in Python, not by a lazy `.*?\s*$`.)
_FIELD = re.compile(
    r"^\s{0,3}(?:[-*+]\s++|\d++\.\s++)?\*\*(?P<key>[^*\n]{1,40}?)\s*+[:：]?+\s*+\*\*\s*+[:：]?[ \t]*+(?P<value>.*)$"
)
# An option line: `- **A.** text`, `**A.** text`, `- A. text`, `A) text`, `(A) text`, `**A**. text`.
_OPTION = re.compile(
    r"^\s{0,3}(?:[-*+]\s++)?(?:\*\*|__)?[(（]?(?P<letter>[A-Z])(?:[.．:：]|[)）])(?:\*\*|__)?[ \t]?(?P<rest>.*)$"
    r"|^\s{0,3}(?:[-*+]\s++)?\*\*(?P<letter2>[A-Z])\*\*[.．:：)）][ \t]?(?P<rest2>.*)$"
)
_AFTER_LAST = chr(ord(LETTERS[-1]) + 1)  # "K": an option line with it means an 11th option
_CORRECT_MARKS = ("(Correct)", "(correct)", "(CORRECT)", "(正確)")
_LETTER = re.compile(r"(?<![A-Za-z0-9_])([A-J])(?![A-Za-z0-9_])")
_PARENS = re.compile(r"[(（][^()（）]*[)）]")
_PERCENT = re.compile(r"(\d{1,3}(?:\.\d+)?)\s*%")
# (a title holds no `[`: a line of 100,000 `[` is then scanned once, not once per `[`)
_LINK = re.compile(r"\[(?P<title>[^\[\]\n]+)\]\((?P<url>https?://[^)\s]+)\)")
_QUESTION_TITLE = re.compile(r"^(?:question|題目|q)\s*+[#＃]?+\s*+(?P<n>\d++)\s*+$", re.IGNORECASE)
_ID_LIKE = re.compile(r"^[QＱqｑ][-－‐]?+[\w-]++$")
_DISPUTE_WORDS_RE = re.compile(r"爭議|有誤|錯誤標註|標註錯誤|不一致|disput|contested", re.IGNORECASE)
_NONE_VALUES = {"", "無", "(無)", "（無）", "none", "n/a", "na", "-", "—", "無陷阱", "null"}
_TEMPLATE_MARKERS = ("`Q-XXX", "[選項 A 內容]", "[在此填寫", "`[Tag1]`")
_CHOOSE_N = re.compile(r"\b(?:choose|select|pick)\s++(?P<n>two|three|2|3)\b", re.IGNORECASE)


# ---------------------------------------------------------------------------
# Patterns used in the reader's hot paths, compiled once.
_STEM_HEADING_ANY = re.compile(r"題幹|^question$", re.I)
_OPTION_FENCE_LINE = re.compile(r"^\s*+(?:[-*+]\s++)?[A-J][.)]\s*+`{3,}")
_CODE_START = re.compile(r"^[ \t]*+(SELECT|def |import |from |CREATE |spark\.|df)", re.I | re.M)
# Separators stand between spaces; the spaces themselves are stripped from the parts afterwards
# (a pattern like `\s*／\s*` would rescan a run of spaces from each of its positions).
_ALT_SPLIT = re.compile(r"(?<=\s)/(?=\s)|／|(?<=\s)or(?=\s)|(?<=\s)或(?=\s)")
_OPTION_WORD = re.compile(r"選項|option", re.I)
_ANSWER_NOISE = re.compile(r"[A-J,，、&+和與及\s.。:：✅]")
_INLINE_CODE = re.compile(r"`([^`]*)`")
_SPACES = re.compile(r"\s{2,}")
_TAG_SPLIT = re.compile(r"[,，、;；]|(?<=\s)/(?=\s)")
_BULLET = re.compile(r"^[-*+]\s+(.*)$")
_WRONG_OPTIONS = re.compile(r"錯誤選項|wrong\s*option", re.I)
_LETTERS_ONLY = re.compile(r"[A-J]")
_DISPUTE_HEADING = re.compile(r"爭議|disput", re.I)
_VOTE_SPLIT = re.compile(r"(?<=\s)/(?=\s)|／")
_NON_WORD = re.compile(r"[^\w]+")
_ANSWER_HEADING = re.compile(r"(實際)?正確答案|correct\s*answer", re.I)
_TAG_HEADINGS = {
    "topic": re.compile(r"topic", re.I),
    "trap": re.compile(r"trap|陷阱", re.I),
    "level": re.compile(r"level\s*tag|難度", re.I),
}


# ---------------------------------------------------------------------------
# Public entry point


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
    dump_starts = [h for h in blocks.headings if h.level == 1 and _QUESTION_TITLE.match(h.text)]
    if len(dump_starts) >= 2:
        return _read_dump(blocks, dump_starts, path, collection)
    n = len(blocks.lines)
    return [_read_one(blocks, 0, n, path, collection, file_stem=_stem(path), mask=[False] * n)]


# ---------------------------------------------------------------------------
# One question


@dataclass
class _Doc:
    blocks: Blocks
    start: int
    end: int
    path: str
    headings: list[Heading] = field(default_factory=list)
    meta: list[bool] = field(
        default_factory=list
    )  # per line of the file: part of the question, not the explanation
    _fields: list[tuple[str, str, int]] | None = None
    _heading_index: dict[int, int] | None = None
    _ends: list[int] | None = None
    _heading_lines: set[int] | None = None

    def line_no(self, i: int) -> int:
        return i + 1

    def section_range(self, h: Heading) -> tuple[int, int]:
        """Lines after heading `h` up to the next heading of the same or a higher level."""
        return h.line + 1, self._section_ends()[self.index_of(h)]

    def index_of(self, h: Heading) -> int:
        if self._heading_index is None:
            self._heading_index = {x.line: k for k, x in enumerate(self.headings)}
        return self._heading_index.get(h.line, 0)

    def _section_ends(self) -> list[int]:
        """Per heading, the line of the next heading of the same or a higher level (one pass)."""
        if self._ends is None:
            ends = [self.end] * len(self.headings)
            open_: list[int] = []  # indexes of headings whose section is still open, levels rising
            for k, h in enumerate(self.headings):
                while open_ and self.headings[open_[-1]].level >= h.level:
                    ends[open_.pop()] = h.line
                open_.append(k)
            self._ends = ends
        return self._ends

    def is_heading(self, i: int) -> bool:
        if self._heading_lines is None:
            self._heading_lines = {h.line for h in self.headings}
        return i in self._heading_lines

    def text(self, a: int, b: int) -> str:
        """Lines a..b as a clean block (no blank lines or rules at either end)."""
        lines = self.blocks.lines
        while a < b and (not lines[a].strip() or _RULE.match(lines[a])):
            a += 1
        while b > a and (not lines[b - 1].strip() or _RULE.match(lines[b - 1])):
            b -= 1
        if a == b:
            return ""
        text = "\n".join(lines[a:b]).rstrip()
        if "<!--" in text:
            return _clean_block(text)
        return _collapse_blank(text)

    def fields(self) -> list[tuple[str, str, int]]:
        """(normalised key, value, line index) of every `**Key:** value` line outside code."""
        if self._fields is not None:
            return self._fields
        out = []
        lines, in_code = self.blocks.lines, self.blocks.in_code
        for i in range(self.start, self.end):
            if in_code[i]:
                continue
            line = lines[i]
            if "**" not in line:
                continue
            m = _FIELD.match(line)
            if m:
                out.append((_norm_key(m["key"]), m["value"], i))
        self._fields = out
        return out

    def find_heading(
        self, pattern: re.Pattern[str], *, max_level: int = 6, after: int = -1
    ) -> Heading | None:
        for h in self.headings:
            if h.line > after and h.level <= max_level and pattern.search(h.text):
                return h
        return None


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
    doc = _Doc(blocks, start, end, path, headings)
    if not any(not blocks.in_code[i] and blocks.lines[i].strip() for i in range(start, end)):
        raise NotAQuestion("empty file")
    raw = _is_raw(doc)
    doc.meta = _meta_mask(doc, mask)
    fields = doc.fields()
    meta_fields = [f for f in fields if doc.meta[f[2]]]

    # -- options
    options, correct_marked, options_line = _read_options(doc, raw)
    # -- answer
    answer, answer_line, source_answer, community, answer_alts = _read_answer(doc, meta_fields, fields)
    if not answer and correct_marked:
        answer = tuple(sorted(correct_marked))
    if not options and not answer:
        why = "no options and no answer" if not _has_stem_heading(doc) else "no options found"
        if _has_stem_heading(doc):
            raise BankError(
                path, doc.line_no(start), "question has a stem but no options (expected `- **A.** ...`)"
            )
        raise NotAQuestion(f"not a question ({why})")
    if not options:
        raise BankError(
            path,
            doc.line_no(answer_line if answer_line >= 0 else start),
            "no options found (expected `- **A.** text` lines under `### 選項`)",
        )
    if not answer:
        raise BankError(
            path, doc.line_no(options_line), "no answer (expected `**正解:** `X`` or `(Correct)`)"
        )
    missing = [a for a in answer if a not in options]
    if missing:
        raise BankError(
            path,
            doc.line_no(answer_line if answer_line >= 0 else options_line),
            f"answer {', '.join(missing)} is not among the options {''.join(options)}",
        )
    if len(options) < 2:
        raise BankError(path, doc.line_no(options_line), "fewer than 2 options")

    stem = _read_stem(doc, raw, options_line)
    if not stem:
        raise BankError(path, doc.line_no(start), "empty stem")

    # -- identity
    qid, aliases = _read_id(doc, meta_fields, file_stem, dump_number)

    # -- tags and metadata
    source = _first_value(meta_fields, SOURCE_KEYS)
    difficulty = _clean_value(_first_value(meta_fields, DIFFICULTY_KEYS) or "")
    if not difficulty:
        levels = _heading_list(doc, "level")
        difficulty = levels[0] if levels else ""
    topics = _tag_list(_first_value(meta_fields, TOPIC_KEYS)) or _heading_list(doc, "topic")
    traps = _tag_list(_first_value(meta_fields, TRAP_KEYS)) or _heading_list(doc, "trap")
    domain = (
        _clean_value(_first_value(meta_fields, DOMAIN_KEYS) or "")
        or _heading_text(doc)
        or _clean_value(_first_value(fields, DOMAIN_KEYS) or "")
    )

    # -- explanation
    sections = _read_sections(doc)
    rationales = _read_rationales(sections, answer)
    references = _read_references(doc, sections)

    # -- dispute
    disputed, note = _read_dispute(doc, answer, source_answer, community, answer_alts, fields)

    notes: list[str] = []
    explained = _explained_as_correct(sections)
    if explained and not explained & set(answer):
        notes.append(
            f"the answer is {', '.join(answer)} but the explanation explains why {', '.join(sorted(explained))} is correct"
        )
    expected = _expected_choices(stem)
    if expected and expected != len(answer):
        notes.append(f"the stem asks to choose {expected} but the answer has {len(answer)} letter(s)")

    key = f"{collection}/{qid}" if collection else qid
    return Question(
        key=key,
        id=qid,
        collection=collection,
        path=path,
        line=doc.line_no(start),
        stem=stem,
        options=options,
        answer=answer,
        format="raw" if raw else "markdown",
        source=_clean_value(source or "") or None,
        difficulty=difficulty or None,
        source_answer=_clean_value(source_answer or "") or None,
        community_answer=_clean_value(community or "") or None,
        disputed=disputed,
        dispute_note=note,
        topics=topics,
        traps=traps,
        domain=domain or None,
        sections=sections,
        rationales=rationales,
        references=references,
        aliases=aliases,
        notes=tuple(notes),
    )


def _read_dump(blocks: Blocks, starts: list[Heading], path: str, collection: str) -> list[Question]:
    out = []
    stem = _stem(path)
    bounds = [h.line for h in starts] + [len(blocks.lines)]
    heading_lines = [h.line for h in blocks.headings]
    mask = [False] * len(blocks.lines)  # shared: each question writes its own lines
    for h, a, b in zip(starts, bounds, bounds[1:], strict=False):
        number = int(_QUESTION_TITLE.match(h.text)["n"])  # type: ignore[index]
        inside = blocks.headings[bisect.bisect_left(heading_lines, a) : bisect.bisect_left(heading_lines, b)]
        q = _read_one(
            blocks, a, b, path, collection, file_stem=stem, mask=mask, dump_number=number, headings=inside
        )
        out.append(q)
    return out


# ---------------------------------------------------------------------------
# Pieces


def _looks_raw(text: str) -> bool:
    return "## Options" in text or "## options" in text


def _is_raw(doc: _Doc) -> bool:
    names = {h.text.strip().casefold() for h in doc.headings if h.level == 2}
    return "options" in names and "question" in names


def _has_stem_heading(doc: _Doc) -> bool:
    return any(_STEM_HEADING_ANY.search(h.text) for h in doc.headings)


def _meta_mask(doc: _Doc, mask: list[bool]) -> list[bool]:
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
            current = h.line == doc.start or bool(_QUESTION_TITLE.match(_strip_emoji(h.text)[1]))
        else:
            current = bool(_META_H2.match(_strip_emoji(h.text)[1]))
        pos = h.line
    for i in range(pos, doc.end):
        mask[i] = current
    return mask


_OPTIONS_HEADING = re.compile(r"^(選項|options?|choices|答案選項)\s*$", re.I)
_HRULE = re.compile(r"^\s{0,3}(-{3,}|\*{3,}|_{3,})\s*$")


def _option_region(doc: _Doc) -> tuple[int, int, int, bool]:
    """(first line, end line, anchor line, has a heading or label) of the options block."""
    headings = [
        h
        for h in doc.headings
        if h.level >= 2 and len(h.text) < 24 and _OPTIONS_HEADING.match(_strip_emoji(h.text)[1])
    ]
    heading = next((h for h in headings if doc.meta[h.line]), headings[0] if headings else None)
    if heading is not None:
        a, b = doc.section_range(heading)
        anchor = heading.line
    else:
        # `**選項：**` on a line of its own, followed by the options
        label = next(
            (
                i
                for key, value, i in doc.fields()
                if key in {"選項", "options", "choices"} and not value.strip()
            ),
            None,
        )
        if label is None:
            # no heading, no label: the first run of option lines in the question part
            meta_lines = [i for i in range(doc.start, doc.end) if doc.meta[i]]
            if not meta_lines:
                return doc.start, doc.start, doc.start, False
            return meta_lines[0], meta_lines[-1] + 1, meta_lines[0], False
        a, anchor = label + 1, label
        b = next((h.line for h in doc.headings if h.line > label), doc.end)
    for i in range(a, b):  # the block also ends at a horizontal rule
        if not doc.blocks.in_code[i] and _HRULE.match(doc.blocks.lines[i]):
            return a, i, anchor, True
    return a, b, anchor, True


def _read_options(doc: _Doc, raw: bool) -> tuple[dict[str, str], set[str], int]:
    a, b, start_line, labelled = _option_region(doc)
    heading = start_line if labelled else None
    lines, in_code = doc.blocks.lines, doc.blocks.in_code
    options: dict[str, list[str]] = {}
    order: list[str] = []
    option_lines: list[int] = []
    current: str | None = None
    first_option_line = -1
    for i in range(a, b):
        line = lines[i]
        m = None if (in_code[i] and not _starts_option_fence(line)) else _OPTION.match(line)
        letter = (m["letter"] or m["letter2"]) if m else ""
        if m and letter not in LETTERS:
            if order and order[-1] == LETTERS[-1] and letter == _AFTER_LAST:
                raise BankError(
                    doc.path,
                    i + 1,
                    f"options {LETTERS}{letter}: at most {len(LETTERS)} options "
                    f"({LETTERS[0]}–{LETTERS[-1]}) are read",
                )
            m = None  # `K.`, `X)`: text of the option above, not an option
        if m:
            rest = m["rest"] if m["letter"] else m["rest2"]
            if letter in options:
                if heading is None:
                    break  # a second run of letters further down is not the options block
                raise BankError(doc.path, i + 1, f"option {letter} appears twice")
            if heading is None and not order and letter != "A":
                continue
            options[letter] = [rest]
            order.append(letter)
            option_lines.append(i)
            current = letter
            if first_option_line < 0:
                first_option_line = i
            continue
        if current is None:
            continue
        if heading is None and not line.strip() and i + 1 < b and not lines[i + 1].strip():
            # two blank lines end a heading-less option run
            current = None
            continue
        if heading is None and doc.is_heading(i):
            break
        options[current].append(line)
    if not order:
        return {}, set(), start_line
    expected = LETTERS[: len(order)]
    if "".join(order) != expected:
        bad = next(i for i, (got, want) in enumerate(zip(order, expected, strict=True)) if got != want)
        raise BankError(
            doc.path,
            option_lines[bad] + 1,
            f"options are {''.join(order)}, expected consecutive letters {expected}",
        )
    if len(order) > len(LETTERS):  # pragma: no cover - the letters stop at LETTERS[-1]
        raise BankError(doc.path, first_option_line + 1, f"more than {len(LETTERS)} options")
    result: dict[str, str] = {}
    correct: set[str] = set()
    for letter in order:
        body = _dedent_option(options[letter])
        body, marked = _strip_correct(body)
        if marked:
            correct.add(letter)
        result[letter] = body
    for letter, body in result.items():
        if not body.strip():
            raise BankError(doc.path, first_option_line + 1, f"option {letter} is empty")
    return result, correct, start_line if heading is not None else first_option_line


def _starts_option_fence(line: str) -> bool:
    return bool(_OPTION_FENCE_LINE.match(line))


def _dedent_option(lines: list[str]) -> str:
    first, rest = lines[0], lines[1:]
    while rest and not rest[-1].strip():
        rest.pop()
    indents = [len(x) - len(x.lstrip(" ")) for x in rest if x.strip()]
    cut = min(indents) if indents else 0
    body = "\n".join([first.strip()] + [x[cut:].rstrip() for x in rest])
    return _clean_block(body)


def _strip_correct(body: str) -> tuple[str, bool]:
    tail = body.rstrip()
    for mark in _CORRECT_MARKS:
        if tail.endswith(mark):
            return tail[: -len(mark)].rstrip(), True
    return body, False


def _read_stem(doc: _Doc, raw: bool, options_line: int) -> str:
    pattern = re.compile(r"^question$", re.I) if raw else re.compile(r"題幹|原文題目|^question$|^stem$", re.I)
    found = [h for h in doc.headings if pattern.search(h.text)]
    heading = next((h for h in found if doc.meta[h.line]), found[0] if found else None)
    if heading is not None:
        a, b = doc.section_range(heading)
        b = min(b, options_line) if options_line > heading.line else b
    else:
        content = doc.find_heading(re.compile(r"題目內容|^question$", re.I))
        a = content.line + 1 if content else doc.start + 1
        b = options_line
    text = doc.text(a, b)
    # a stem kept in a bare fence (the template's style) is prose, not code
    inner = _bare_fence_content(text)
    if inner is not None and not _CODE_START.search(inner):
        text = inner.strip()
    return text


def _bare_fence_content(text: str) -> str | None:
    """What is inside a text that is one fence without a language (```` ``` ```` lines around it), or
    None. (With str methods: a regex `\\s*` over the blank lines after the fence was quadratic.)"""
    if not (text.startswith("```") and text.endswith("\n```")):
        return None
    first_nl = text.find("\n")
    if text[3:first_nl].strip():
        return None  # a language: code
    return text[first_nl + 1 : -4]


def _read_answer(
    doc: _Doc, meta_fields: list[tuple[str, str, int]], fields: list[tuple[str, str, int]]
) -> tuple[tuple[str, ...], int, str | None, str | None, tuple[str, ...]]:
    answer: tuple[str, ...] = ()
    alts: tuple[str, ...] = ()
    line = -1
    for pool in (meta_fields, fields):
        for key, value, i in pool:
            if key in ANSWER_KEYS:
                letters, alternatives = _answer_letters(value)
                if letters:
                    answer, alts, line = letters, alternatives, i
                    break
        if answer:
            break
    if not answer:
        # `### 正確答案` / `### ✅ 正確答案` heading followed by a bare letter line
        for h in doc.headings:
            if _ANSWER_HEADING.search(_strip_emoji(h.text)[1]):
                a, b = doc.section_range(h)
                for i in range(a, min(b, a + 6)):
                    if doc.blocks.in_code[i]:
                        continue
                    letters, alternatives = _answer_letters(doc.blocks.lines[i])
                    if letters and len(doc.blocks.lines[i].strip()) <= 40:
                        answer, alts, line = letters, alternatives, i
                        break
                if answer:
                    break
    if not answer:
        # only the explanation says it: `### 為什麼 D 是正確的？`
        why = _ANSWER_WHY
        found = sorted({(m[1] or m[2]).upper() for h in doc.headings if (m := why.search(h.text))})
        if found:
            answer = tuple(found)
            line = next(h.line for h in doc.headings if why.search(h.text))
    source = _first_value(meta_fields, SOURCE_ANSWER_KEYS) or _first_value(fields, SOURCE_ANSWER_KEYS)
    community = _first_value(meta_fields, COMMUNITY_KEYS) or _first_value(fields, COMMUNITY_KEYS)
    if not answer and source:
        answer = _letters_in(source)
        line = next((i for k, _, i in fields if k in SOURCE_ANSWER_KEYS), line)
    return answer, line, source, community, alts


def _answer_letters(value: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Letters of an answer value: "`B`, `C`" -> (B, C); "`B` (社群) / `C` (來源)" -> (B,), alts (C,)."""
    parts = _ALT_SPLIT.split(value)
    first = _letters_in(parts[0])
    alts = tuple(sorted({x for p in parts[1:] for x in _letters_in(p)} - set(first)))
    return first, alts


def _letters_in(value: str) -> tuple[str, ...]:
    value = _PARENS.sub(" ", value.replace("`", " ").replace("*", " "))
    value = _OPTION_WORD.sub(" ", value)
    found = _LETTER.findall(value)
    # a sentence that happens to contain a capital letter is not an answer
    words = _ANSWER_NOISE.sub("", value)
    if len(words) > 12:
        return ()
    return tuple(sorted(set(found)))


def _read_id(
    doc: _Doc, meta_fields: list[tuple[str, str, int]], file_stem: str, dump_number: int | None
) -> tuple[str, tuple[str, ...]]:
    aliases: list[str] = []
    written = _clean_value(_first_value(meta_fields, ID_KEYS) or "")
    title = doc.headings[0] if doc.headings and doc.headings[0].level == 1 else None
    title_number = None
    if title is not None:
        m = _QUESTION_TITLE.match(_strip_emoji(title.text)[1])
        if m:
            title_number = int(m["n"])
        elif _ID_LIKE.match(unicodedata.normalize("NFKC", title.text.strip())):
            written = written or title.text.strip()
    stem_id = unicodedata.normalize("NFKC", file_stem)
    if dump_number is not None:
        qid = written or f"Q-{dump_number:03d}"
    elif written:
        qid = written
    elif _ID_LIKE.match(stem_id):
        qid = stem_id
    elif title_number is not None:
        qid = f"Q-{title_number:03d}"
    else:
        qid = stem_id
    qid = unicodedata.normalize("NFKC", qid).strip()
    if dump_number is None and _ID_LIKE.match(stem_id) and stem_id != qid:
        aliases.append(stem_id)
    return qid, tuple(aliases)


def _first_value(fields: list[tuple[str, str, int]], keys: set[str]) -> str | None:
    for key, value, _ in fields:
        if key in keys and value.strip():
            return value
    return None


def _clean_value(value: str) -> str:
    value = value.strip().strip("`").strip()
    value = _INLINE_CODE.sub(r"\1", value)
    return _SPACES.sub(" ", value).strip()


def _tag_list(value: str | None) -> tuple[str, ...]:
    if not value:
        return ()
    if _norm_value(value) in _NONE_VALUES:
        return ()
    parts = _TAG_SPLIT.split(value)
    out: list[str] = []
    for part in parts:
        tag = part.strip().strip("`").strip().strip("[]").strip()
        tag = _PARENS.sub("", tag).strip() if not tag.startswith(("(", "（")) else tag
        if tag and _norm_value(tag) not in _NONE_VALUES and tag not in out:
            out.append(tag)
    return tuple(out)


def _norm_value(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().strip("`").strip().casefold()


def _heading_list(doc: _Doc, kind: str) -> tuple[str, ...]:
    """Tags written as a bullet list under a heading such as `### Topic Tags` (first that has any)."""
    pattern = _TAG_HEADINGS[kind]
    for h in doc.headings:
        if not (doc.meta[h.line] and pattern.search(h.text)):
            continue
        a, b = doc.section_range(h)
        out: list[str] = []
        for i in range(a, b):
            line = doc.blocks.lines[i].strip()
            m = _BULLET.match(line)
            if m:
                out.extend(t for t in _tag_list(m[1]) if t not in out)
            elif line and not line.startswith(("**", "<!--", "---")):
                out.extend(t for t in _tag_list(line) if t not in out)
        if out or kind != "level":
            return tuple(out)
    return ()


def _heading_text(doc: _Doc) -> str:
    """The domain written as text under a `### Knowledge Domain` heading."""
    pattern = re.compile(r"knowledge\s*domain|知識領域", re.I)
    h = next((x for x in doc.headings if doc.meta[x.line] and pattern.search(x.text)), None)
    if h is None:
        return ""
    a, b = doc.section_range(h)
    for i in range(a, b):
        line = doc.blocks.lines[i].strip().lstrip("-*+ ").strip()
        if line and not line.startswith(("<!--", "---")):
            return _clean_value(line)
    return ""


# ---------------------------------------------------------------------------
# Explanation


def _read_sections(doc: _Doc) -> tuple[Section, ...]:
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
        emoji, heading = _strip_emoji(h.text)
        key = _section_key(heading)
        if key in used:
            used[key] += 1
            key = f"{key}-{used[key]}"
        else:
            used[key] = 1
        subs = []
        for sub in inside:
            if sub.level == 3:
                sa, sb = doc.section_range(sub)
                sub_emoji, sub_heading = _strip_emoji(sub.text)
                subs.append(Section(_slug(sub_heading), sub_heading, sub_emoji, doc.text(sa, sb)))
        sections.append(Section(key, heading, emoji, body, tuple(subs)))
    return tuple(sections)


_RATIONALE_HEADING = re.compile(
    r"^(?:[❌✗✘×]\s*+)?(?:關於\s*+)?(?:(?:選項|option)\s*+)?"
    r"(?P<letters>[A-J](?:\s*+(?:與|和|、|,|/|&|and)\s*+[A-J])*)"
    r"(?:\s*+(?:[-–—:：.．)）]|$)|(?<=[A-J])(?=\s*[（(\s]))",
    re.I,
)
_RATIONALE_BULLET = re.compile(
    r"^\s*+[-*+]?\s*+\*\*(?:[❌✗✘×]\s*+)?(?:(?:選項|option)\s*+)?"
    r"(?P<letters>[A-J](?:\s*+[/、,&]\s*+[A-J])*)(?:[.．)）:：])?\*\*",
    re.I,
)
# `為什麼 X … 正確` / `why X is correct`: the letter comes from the first `為什麼 X`; whether `正確` or
# `正解` follows is checked with str.find (a lazy `.*?` would rescan the heading from every `為什麼`).
_ANSWER_WHY = re.compile(
    r"為什麼\s*+(?:選項\s*+)?([A-J])\s*+(?:是|才是)?(?:正確|正解)|why\s++([A-J])\s++is\s++correct", re.I
)
_WHY_LETTER = re.compile(r"為什麼\s*+(?:選項\s*+)?([A-J])\b", re.I)
_WHY_IS_CORRECT = re.compile(r"why\s++(?:option\s++)?([A-J])\s++is\s++(?:the\s++)?correct", re.I)


def _why_correct(heading: str) -> str | None:
    """The letter a heading like `為什麼 D 是正確的？` or `Why D is correct` says is right."""
    m = _WHY_LETTER.search(heading)
    zh = m if m and (heading.find("正確", m.end()) >= 0 or heading.find("正解", m.end()) >= 0) else None
    en = _WHY_IS_CORRECT.search(heading)
    if zh and (not en or zh.start() <= en.start()):
        return zh[1].upper()
    return en[1].upper() if en else None


def _read_rationales(sections: tuple[Section, ...], answer: tuple[str, ...]) -> dict[str, str]:
    out: dict[str, str] = {}
    containers: list[Section] = [s for s in sections if s.key.startswith("wrong_options")]
    containers += [sub for s in sections for sub in s.subsections if _WRONG_OPTIONS.search(sub.heading)]
    for sec in containers:
        for sub in sec.subsections:
            m = _RATIONALE_HEADING.match(sub.heading)
            if m and sub.body:
                for letter in _LETTERS_ONLY.findall(m["letters"].upper()):
                    out.setdefault(letter, sub.body)
        # `- **選項 A** ...` / `- **B**：...` bullets: each runs until the next one
        current: str | None = None
        chunks: dict[str, list[str]] = {}
        for line in sec.body.split("\n") if "**" in sec.body else ():
            m2 = _RATIONALE_BULLET.match(line) if "**" in line else None
            if m2:
                current = m2["letters"].upper()
                chunks.setdefault(current, []).append(line.strip())
            elif current and (
                line.startswith((" ", "\t")) or (line.strip() and not line.startswith(("#", "-", "*")))
            ):
                chunks[current].append(line)
            else:
                current = None
        for letters, chunk in chunks.items():
            for letter in _LETTERS_ONLY.findall(letters):
                out.setdefault(letter, _clean_block("\n".join(chunk)))
    for sec in sections:  # a whole `## 選項 C 分析` section
        m = _RATIONALE_HEADING.match(sec.heading)
        if m and sec.body:
            for letter in _LETTERS_ONLY.findall(m["letters"].upper()):
                out.setdefault(letter, sec.body)
    per_letter: dict[str, str] = {}
    for sec in sections:
        for sub in sec.subsections:
            letter = _why_correct(sub.heading)
            if letter and sub.body:
                per_letter.setdefault(letter, sub.body)
    correct = next((s for s in sections if s.key == "correct"), None)
    for letter in answer:
        text = per_letter.get(letter) or (correct.body if correct is not None and len(answer) == 1 else "")
        if text:
            out[letter] = text
    return {k: out[k] for k in sorted(out)}


def _explained_as_correct(sections: tuple[Section, ...]) -> set[str]:
    """Letters the explanation's `為什麼 X 是正確的` headings name."""
    return {letter for sec in sections for sub in sec.subsections if (letter := _why_correct(sub.heading))}


def _read_references(doc: _Doc, sections: tuple[Section, ...]) -> tuple[Reference, ...]:
    refs: list[Reference] = []
    seen: set[str] = set()
    for sec in sections:
        if not sec.key.startswith("references"):
            continue
        for m in _LINK.finditer(sec.body):
            url = m["url"].rstrip(".,;")
            if url not in seen:
                seen.add(url)
                refs.append(Reference(m["title"].strip(), url))
    return tuple(refs)


def _read_dispute(
    doc: _Doc,
    answer: tuple[str, ...],
    source_answer: str | None,
    community: str | None,
    alts: tuple[str, ...],
    fields: list[tuple[str, str, int]],
) -> tuple[bool, str | None]:
    reasons: list[str] = []
    if community:
        top = _community_top(community)
        if top and top != answer:
            reasons.append(f"community answer: {_clean_value(community)}")
        elif not top and _disputes(community):
            reasons.append(f"community: {_clean_value(community)}")
    if source_answer:
        src = _letters_in(source_answer)
        if (src and src != answer) or _disputes(source_answer):
            reasons.append(f"source answer: {_clean_value(source_answer)}")
    if alts:
        reasons.append(f"also argued: {', '.join(alts)}")
    for key, value, i in fields:
        if doc.meta[i] and key in DISPUTE_KEYS and _disputes(value + key):
            reasons.append(_clean_value(value))
    for h in doc.headings:
        if doc.meta[h.line] and _DISPUTE_HEADING.search(h.text):
            a, b = doc.section_range(h)
            text = doc.text(a, b)
            if text:
                reasons.append(text.split("\n")[0])
    if not reasons:
        return False, None
    unique = list(dict.fromkeys(r for r in reasons if r))
    return True, "; ".join(unique)


def _community_top(value: str) -> tuple[str, ...]:
    """The letters the community favours: "A (55%) / B (45%)" -> (A,); "B, C" -> (B, C)."""
    parts = _VOTE_SPLIT.split(value)
    best: tuple[float, tuple[str, ...]] | None = None
    for part in parts:
        letters = _letters_in(part)
        if not letters:
            continue
        pct = _PERCENT.search(part)
        score = float(pct[1]) if pct else 100.0 - len(parts)
        if best is None or score > best[0]:
            best = (score, letters)
    return best[1] if best else ()


def _expected_choices(stem: str) -> int | None:
    m = _CHOOSE_N.search(stem)
    if not m:
        return None
    return {"two": 2, "three": 3}.get(m["n"].lower(), None) or int(m["n"])


# ---------------------------------------------------------------------------
# Text helpers


@functools.lru_cache(maxsize=8192)
def _strip_emoji(text: str) -> tuple[str, str]:
    """Split a heading's leading emoji (and variation selectors) from its words."""
    text = text.strip()
    i = 0
    while i < len(text):
        ch = text[i]
        cat = unicodedata.category(ch)
        if cat in ("So", "Sk", "Cf", "Mn") or ch in "\ufe0f\u200d" or 0x1F000 <= ord(ch) <= 0x1FAFF:
            i += 1
            continue
        break
    return text[:i].strip(), text[i:].strip()


@functools.lru_cache(maxsize=8192)
def _section_key(heading: str) -> str:
    for key, pattern in _SECTION_PATTERNS:
        if pattern.search(heading):
            return key
    return _slug(heading)


@functools.lru_cache(maxsize=8192)
def _slug(heading: str) -> str:
    s = unicodedata.normalize("NFKC", heading).casefold()
    s = _NON_WORD.sub("-", s).strip("-")
    return s[:48] or "section"


_RULE = re.compile(r"^\s{0,3}(-{3,}|\*{3,}|_{3,})\s*$")


def strip_comments(text: str) -> str:
    """Remove closed HTML comments (`<!-- … -->`; an unclosed one stays). One pass with str.find: a
    lazy `<!--.*?-->` regex rescans to the end of the text from every unclosed `<!--`."""
    out: list[str] = []
    pos = 0
    while True:
        i = text.find("<!--", pos)
        j = text.find("-->", i + 4) if i >= 0 else -1
        if j < 0:
            break
        out.append(text[pos:i])
        pos = j + 3
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def _clean_block(text: str) -> str:
    """Drop HTML comments, trim blank lines and rules at both ends, collapse runs of blank lines."""
    if "<!--" in text:
        text = strip_comments(text)
    lines = text.split("\n")
    a, b = 0, len(lines)
    while a < b and (not lines[a].strip() or _RULE.match(lines[a])):
        a += 1
    while b > a and (not lines[b - 1].strip() or _RULE.match(lines[b - 1])):
        b -= 1
    return _collapse_blank("\n".join(lines[a:b]).rstrip())


_BLANK_RUN = re.compile(r"\n{3,}")


def _collapse_blank(text: str) -> str:
    return _BLANK_RUN.sub("\n\n", text) if "\n\n\n" in text else text


def _stem(path: str) -> str:
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    return name.rsplit(".", 1)[0]


# ---------------------------------------------------------------------------
# Shared with the YAML reader


def build_section(heading: str, body: str, emoji: str = "") -> Section:
    """A section from a heading and its Markdown body; `###` headings in the body become sub-sections.
    HeadingTooLong when the heading, or one in the body, is over the limit."""
    if len(heading) > LIMITS["heading"]:
        raise HeadingTooLong(0, len(heading))
    if not emoji:
        emoji, heading = _strip_emoji(heading)
    body = _clean_block(body.replace("\r\n", "\n"))
    blocks = scan(body)
    check_headings(blocks)
    subs = []
    headings = blocks.headings
    for k, h in enumerate(headings):
        if h.level != 3:
            continue
        j = k + 1
        while j < len(headings) and headings[j].level > 3:
            j += 1
        end = headings[j].line if j < len(headings) else len(blocks.lines)
        sub_emoji, sub_heading = _strip_emoji(h.text)
        subs.append(
            Section(
                _slug(sub_heading),
                sub_heading,
                sub_emoji,
                _clean_block("\n".join(blocks.lines[h.line + 1 : end])),
            )
        )
    return Section(_section_key(heading), heading, emoji, body, tuple(subs))


def rationales_from_sections(sections: tuple[Section, ...], answer: tuple[str, ...]) -> dict[str, str]:
    return _read_rationales(sections, answer)


def dedupe_section_keys(sections: list[Section]) -> tuple[Section, ...]:
    used: dict[str, int] = {}
    out = []
    for sec in sections:
        key = sec.key
        if key in used:
            used[key] += 1
            sec = replace(sec, key=f"{key}-{used[key]}")
        else:
            used[key] = 1
        out.append(sec)
    return tuple(out)
