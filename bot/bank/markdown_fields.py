"""A Markdown question's identity and tags: its id (and the names it also answers to), source,
difficulty, topics, traps and domain, from `**Key:** value` fields or from headings with the values
under them. Fields are recognised by their keys, not their place (the template has many variants)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.bank.markdown_doc import QUESTION_TITLE, Doc, Field, first_value
from bot.bank.text import strip_emoji

# Field keys, normalised with markdown_doc.norm_key.
ID_KEYS = {"id", "題目id", "題目編號", "questionid"}
SOURCE_KEYS = {"來源", "source"}
DIFFICULTY_KEYS = {"難度", "difficulty", "level", "難度等級", "leveltag"}
TOPIC_KEYS = {"topics", "topic", "topictags", "主題"}
TRAP_KEYS = {"traps", "trap", "traptags", "陷阱"}
DOMAIN_KEYS = {"domain", "knowledgedomain", "知識領域"}

_ID_LIKE = re.compile(r"^[QＱqｑ][-－‐]?+[\w-]++$")
_NONE_VALUES = {"", "無", "(無)", "（無）", "none", "n/a", "na", "-", "—", "無陷阱", "null"}
_INLINE_CODE = re.compile(r"`([^`]*)`")
_SPACES = re.compile(r"\s{2,}")
_TAG_SPLIT = re.compile(r"[,，、;；]|(?<=\s)/(?=\s)")
PARENS = re.compile(r"[(（][^()（）]*[)）]")
_BULLET = re.compile(r"^[-*+]\s+(.*)$")
_TAG_HEADINGS = {
    "topic": re.compile(r"topic", re.I),
    "trap": re.compile(r"trap|陷阱", re.I),
    "level": re.compile(r"level\s*tag|難度", re.I),
}
_DOMAIN_HEADING = re.compile(r"knowledge\s*domain|知識領域", re.I)


@dataclass(frozen=True, slots=True)
class Tags:
    source: str | None
    difficulty: str | None
    topics: tuple[str, ...]
    traps: tuple[str, ...]
    domain: str | None


def read_tags(doc: Doc, meta_fields: list[Field], fields: list[Field]) -> Tags:
    """Source, difficulty, topics, traps and domain; fields of the question part first."""
    difficulty = clean_value(first_value(meta_fields, DIFFICULTY_KEYS) or "")
    if not difficulty:
        levels = _heading_list(doc, "level")
        difficulty = levels[0] if levels else ""
    topics = _tag_list(first_value(meta_fields, TOPIC_KEYS)) or _heading_list(doc, "topic")
    traps = _tag_list(first_value(meta_fields, TRAP_KEYS)) or _heading_list(doc, "trap")
    domain = (
        clean_value(first_value(meta_fields, DOMAIN_KEYS) or "")
        or _heading_text(doc)
        or clean_value(first_value(fields, DOMAIN_KEYS) or "")
    )
    return Tags(
        source=clean_value(first_value(meta_fields, SOURCE_KEYS) or "") or None,
        difficulty=difficulty or None,
        topics=topics,
        traps=traps,
        domain=domain or None,
    )


def read_id(
    doc: Doc, meta_fields: list[Field], file_stem: str, dump_number: int | None
) -> tuple[str, tuple[str, ...]]:
    """The question's id and its aliases: the id field, else an id-like title or file name, else
    `Q-<n>` from a `# Question #n` title (in a dump, from its own title)."""
    aliases: list[str] = []
    written = clean_value(first_value(meta_fields, ID_KEYS) or "")
    title = doc.headings[0] if doc.headings and doc.headings[0].level == 1 else None
    title_number = None
    if title is not None:
        m = QUESTION_TITLE.match(strip_emoji(title.text)[1])
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


def clean_value(value: str) -> str:
    """A field's value without backticks around it or inside, runs of spaces made one."""
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
        tag = PARENS.sub("", tag).strip() if not tag.startswith(("(", "（")) else tag
        if tag and _norm_value(tag) not in _NONE_VALUES and tag not in out:
            out.append(tag)
    return tuple(out)


def _norm_value(value: str) -> str:
    return unicodedata.normalize("NFKC", value).strip().strip("`").strip().casefold()


def _heading_list(doc: Doc, kind: str) -> tuple[str, ...]:
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


def _heading_text(doc: Doc) -> str:
    """The domain written as text under a `### Knowledge Domain` heading."""
    h = doc.meta_heading(_DOMAIN_HEADING)
    if h is None:
        return ""
    a, b = doc.section_range(h)
    for i in range(a, b):
        line = doc.blocks.lines[i].strip().lstrip("-*+ ").strip()
        if line and not line.startswith(("<!--", "---")):
            return clean_value(line)
    return ""
