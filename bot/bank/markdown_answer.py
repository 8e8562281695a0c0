"""A Markdown question's answer and whether it is disputed: the answer field (or a heading with the
letter under it, or the explanation's `為什麼 X 是正確的`), the source's and the community's answers,
other answers argued for, and the notes that say the answer is contested."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.bank.markdown_doc import Doc, Field, first_value
from bot.bank.markdown_fields import PARENS, clean_value
from bot.bank.text import followed_by, strip_emoji

# Field keys, normalised with markdown_doc.norm_key.
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

_LETTER = re.compile(r"(?<![A-Za-z0-9_])([A-J])(?![A-Za-z0-9_])")
_PERCENT = re.compile(r"(\d{1,3}(?:\.\d+)?)\s*%")
_DISPUTE_WORDS_RE = re.compile(r"爭議|有誤|錯誤標註|標註錯誤|不一致|disput|contested", re.IGNORECASE)
# Separators stand between spaces; the spaces themselves are stripped from the parts afterwards
# (a pattern like `\s*／\s*` would rescan a run of spaces from each of its positions).
_ALT_SPLIT = re.compile(r"(?<=\s)/(?=\s)|／|(?<=\s)or(?=\s)|(?<=\s)或(?=\s)")
_OPTION_WORD = re.compile(r"選項|option", re.I)
_ANSWER_NOISE = re.compile(r"[A-J,，、&+和與及\s.。:：✅]")
_DISPUTE_HEADING = re.compile(r"爭議|disput", re.I)
_VOTE_SPLIT = re.compile(r"(?<=\s)/(?=\s)|／")
_ANSWER_HEADING = re.compile(r"(實際)?正確答案|correct\s*answer", re.I)
_ANSWER_WHY = re.compile(
    r"為什麼\s*+(?:選項\s*+)?([A-J])\s*+(?:是|才是)?(?:正確|正解)|why\s++([A-J])\s++is\s++correct", re.I
)


@dataclass(frozen=True, slots=True)
class Answer:
    letters: tuple[str, ...]  # the correct letters, sorted; () when none was found
    line: int  # line index where it was found, -1 when none
    source: str | None  # the source's answer, as written
    community: str | None  # the community's answer, as written
    alternatives: tuple[str, ...]  # other letters the answer field argues for ("B / C")


def read_answer(doc: Doc, meta_fields: list[Field], fields: list[Field]) -> Answer:
    """The answer, from the first place that says it: an answer field (question part first), a
    `### 正確答案` heading with the letter under it, the explanation's `為什麼 X 是正確的`, the
    source's answer."""
    letters, line, alts = _from_fields(meta_fields, fields)
    if not letters:
        letters, line, alts = _under_answer_heading(doc)
    if not letters:
        # only the explanation says it: `### 為什麼 D 是正確的？`
        why = _ANSWER_WHY
        found = sorted({(m[1] or m[2]).upper() for h in doc.headings if (m := why.search(h.text))})
        if found:
            letters = tuple(found)
            line = next(h.line for h in doc.headings if why.search(h.text))
    source = first_value(meta_fields, SOURCE_ANSWER_KEYS) or first_value(fields, SOURCE_ANSWER_KEYS)
    community = first_value(meta_fields, COMMUNITY_KEYS) or first_value(fields, COMMUNITY_KEYS)
    if not letters and source:
        letters = letters_in(source)
        line = next((i for k, _, i in fields if k in SOURCE_ANSWER_KEYS), line)
    return Answer(letters, line, source, community, alts)


def _from_fields(
    meta_fields: list[Field], fields: list[Field]
) -> tuple[tuple[str, ...], int, tuple[str, ...]]:
    for pool in (meta_fields, fields):
        for key, value, i in pool:
            if key in ANSWER_KEYS:
                letters, alternatives = _answer_letters(value)
                if letters:
                    return letters, i, alternatives
    return (), -1, ()


def _under_answer_heading(doc: Doc) -> tuple[tuple[str, ...], int, tuple[str, ...]]:
    """`### 正確答案` / `### ✅ 正確答案` heading followed by a bare letter line."""
    for h in doc.headings:
        if _ANSWER_HEADING.search(strip_emoji(h.text)[1]):
            a, b = doc.section_range(h)
            for i in range(a, min(b, a + 6)):
                if doc.blocks.in_code[i]:
                    continue
                letters, alternatives = _answer_letters(doc.blocks.lines[i])
                if letters and len(doc.blocks.lines[i].strip()) <= 40:
                    return letters, i, alternatives
    return (), -1, ()


def _answer_letters(value: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Letters of an answer value: "`B`, `C`" -> (B, C); "`B` (社群) / `C` (來源)" -> (B,), alts (C,)."""
    parts = _ALT_SPLIT.split(value)
    first = letters_in(parts[0])
    alts = tuple(sorted({x for p in parts[1:] for x in letters_in(p)} - set(first)))
    return first, alts


def letters_in(value: str) -> tuple[str, ...]:
    """The option letters a short value names, sorted; () for a sentence."""
    value = PARENS.sub(" ", value.replace("`", " ").replace("*", " "))
    value = _OPTION_WORD.sub(" ", value)
    found = _LETTER.findall(value)
    # a sentence that happens to contain a capital letter is not an answer
    words = _ANSWER_NOISE.sub("", value)
    if len(words) > 12:
        return ()
    return tuple(sorted(set(found)))


# ---------------------------------------------------------------------------
# Dispute


def read_dispute(
    doc: Doc, answer: tuple[str, ...], found: Answer, fields: list[Field]
) -> tuple[bool, str | None]:
    """Whether the answer is disputed, and a note saying why (each reason once, in order)."""
    reasons: list[str] = []
    community, source_answer = found.community, found.source
    if community:
        top = _community_top(community)
        if top and top != answer:
            reasons.append(f"community answer: {clean_value(community)}")
        elif not top and _disputes(community):
            reasons.append(f"community: {clean_value(community)}")
    if source_answer:
        src = letters_in(source_answer)
        if (src and src != answer) or _disputes(source_answer):
            reasons.append(f"source answer: {clean_value(source_answer)}")
    if found.alternatives:
        reasons.append(f"also argued: {', '.join(found.alternatives)}")
    for key, value, i in fields:
        if doc.meta[i] and key in DISPUTE_KEYS and _disputes(value + key):
            reasons.append(clean_value(value))
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


def _disputes(text: str) -> bool:
    """Words that say an answer is disputed (`認為…錯誤` checked without a backtracking `.*`)."""
    return bool(_DISPUTE_WORDS_RE.search(text)) or followed_by(text, "認為", ("錯誤",))


def _community_top(value: str) -> tuple[str, ...]:
    """The letters the community favours: "A (55%) / B (45%)" -> (A,); "B, C" -> (B, C)."""
    parts = _VOTE_SPLIT.split(value)
    best: tuple[float, tuple[str, ...]] | None = None
    for part in parts:
        letters = letters_in(part)
        if not letters:
            continue
        pct = _PERCENT.search(part)
        score = float(pct[1]) if pct else 100.0 - len(parts)
        if best is None or score > best[0]:
            best = (score, letters)
    return best[1] if best else ()
