"""A question's explanation, whatever format it was written in: section keys from headings, sections
built from Markdown, and what the sections say about each option (its rationale) and which links
they give. Shared by the Markdown reader and the YAML reader."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import replace

from bot.bank.blocks import HeadingTooLong, check_headings, scan
from bot.bank.model import LIMITS, Reference, Section
from bot.bank.text import clean_block, followed_by, slug, strip_emoji


class _Either:
    """A pattern and a predicate, searched like one pattern (`.search` returns a truthy value)."""

    def __init__(self, pattern: re.Pattern[str], predicate: Callable[[str], bool]) -> None:
        self.pattern = pattern
        self.predicate = predicate

    def search(self, text: str) -> bool:
        return bool(self.pattern.search(text)) or self.predicate(text)


# Explanation section keys by what their heading says (first match wins).
_SECTION_PATTERNS: tuple[tuple[str, re.Pattern[str] | _Either], ...] = (
    ("review", re.compile(r"題目回顧|question\s*review", re.I)),
    ("wrong_options", re.compile(r"錯誤選項|其他選項|wrong\s*options?|other\s*options|why\s*not", re.I)),
    (
        "correct",
        _Either(
            re.compile(r"正解說明|正解分析|正確答案說明|correct\s*answer|why\s+[A-J]\b", re.I),
            lambda text: followed_by(text, "為什麼", ("正確",)),
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


@functools.lru_cache(maxsize=8192)
def section_key(heading: str) -> str:
    """The stable key of a section (`correct`, `wrong_options`, …), or a slug of its heading."""
    for key, pattern in _SECTION_PATTERNS:
        if pattern.search(heading):
            return key
    return slug(heading)


def build_section(heading: str, body: str, emoji: str = "") -> Section:
    """A section from a heading and its Markdown body; `###` headings in the body become sub-sections.
    HeadingTooLong when the heading, or one in the body, is over the limit."""
    if len(heading) > LIMITS["heading"]:
        raise HeadingTooLong(0, len(heading))
    if not emoji:
        emoji, heading = strip_emoji(heading)
    body = clean_block(body.replace("\r\n", "\n"))
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
        sub_emoji, sub_heading = strip_emoji(h.text)
        subs.append(
            Section(
                slug(sub_heading),
                sub_heading,
                sub_emoji,
                clean_block("\n".join(blocks.lines[h.line + 1 : end])),
            )
        )
    return Section(section_key(heading), heading, emoji, body, tuple(subs))


def dedupe_section_keys(sections: list[Section]) -> tuple[Section, ...]:
    """The second `correct` section becomes `correct-2`, and so on."""
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


# ---------------------------------------------------------------------------
# Rationales: why each option is wrong (or right)

_WRONG_OPTIONS = re.compile(r"錯誤選項|wrong\s*option", re.I)
_LETTERS_ONLY = re.compile(r"[A-J]")
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
_WHY_LETTER = re.compile(r"為什麼\s*+(?:選項\s*+)?([A-J])\b", re.I)
_WHY_IS_CORRECT = re.compile(r"why\s++(?:option\s++)?([A-J])\s++is\s++(?:the\s++)?correct", re.I)


def why_correct(heading: str) -> str | None:
    """The letter a heading like `為什麼 D 是正確的？` or `Why D is correct` says is right."""
    m = _WHY_LETTER.search(heading)
    zh = m if m and (heading.find("正確", m.end()) >= 0 or heading.find("正解", m.end()) >= 0) else None
    en = _WHY_IS_CORRECT.search(heading)
    if zh and (not en or zh.start() <= en.start()):
        return zh[1].upper()
    return en[1].upper() if en else None


def read_rationales(sections: tuple[Section, ...], answer: tuple[str, ...]) -> dict[str, str]:
    """Letter -> why that option is wrong (from the wrong-options sections: a sub-section or a bullet
    per option, or a whole `## 選項 C 分析`), or why it is right; in letter order."""
    out: dict[str, str] = {}
    containers: list[Section] = [s for s in sections if s.key.startswith("wrong_options")]
    containers += [sub for s in sections for sub in s.subsections if _WRONG_OPTIONS.search(sub.heading)]
    for sec in containers:
        for sub in sec.subsections:
            _add_for_letters(out, _RATIONALE_HEADING.match(sub.heading), sub.body)
        for letters, chunk in _bullet_chunks(sec.body).items():
            for letter in _LETTERS_ONLY.findall(letters):
                out.setdefault(letter, clean_block("\n".join(chunk)))
    for sec in sections:  # a whole `## 選項 C 分析` section
        _add_for_letters(out, _RATIONALE_HEADING.match(sec.heading), sec.body)
    for letter, text in _why_right(sections, answer).items():
        out[letter] = text
    return {k: out[k] for k in sorted(out)}


def _add_for_letters(out: dict[str, str], m: re.Match[str] | None, body: str) -> None:
    """`body` as the rationale of each letter a rationale heading names (first one wins)."""
    if m and body:
        for letter in _LETTERS_ONLY.findall(m["letters"].upper()):
            out.setdefault(letter, body)


def _bullet_chunks(body: str) -> dict[str, list[str]]:
    """`- **選項 A** ...` / `- **B**：...` bullets: letters -> lines; each runs until the next one."""
    current: str | None = None
    chunks: dict[str, list[str]] = {}
    for line in body.split("\n") if "**" in body else ():
        m = _RATIONALE_BULLET.match(line) if "**" in line else None
        if m:
            current = m["letters"].upper()
            chunks.setdefault(current, []).append(line.strip())
        elif current and (
            line.startswith((" ", "\t")) or (line.strip() and not line.startswith(("#", "-", "*")))
        ):
            chunks[current].append(line)
        else:
            current = None
    return chunks


def _why_right(sections: tuple[Section, ...], answer: tuple[str, ...]) -> dict[str, str]:
    """Per correct letter, why it is right: its `為什麼 X 是正確的` sub-section, or the whole `correct`
    section when there is one correct letter."""
    per_letter: dict[str, str] = {}
    for sec in sections:
        for sub in sec.subsections:
            letter = why_correct(sub.heading)
            if letter and sub.body:
                per_letter.setdefault(letter, sub.body)
    correct = next((s for s in sections if s.key == "correct"), None)
    out: dict[str, str] = {}
    for letter in answer:
        text = per_letter.get(letter) or (correct.body if correct is not None and len(answer) == 1 else "")
        if text:
            out[letter] = text
    return out


def explained_as_correct(sections: tuple[Section, ...]) -> set[str]:
    """Letters the explanation's `為什麼 X 是正確的` headings name."""
    return {letter for sec in sections for sub in sec.subsections if (letter := why_correct(sub.heading))}


# (a title holds no `[`: a line of 100,000 `[` is then scanned once, not once per `[`)
_LINK = re.compile(r"\[(?P<title>[^\[\]\n]+)\]\((?P<url>https?://[^)\s]+)\)")


def read_references(sections: tuple[Section, ...]) -> tuple[Reference, ...]:
    """The links of the reference sections, each URL once."""
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
