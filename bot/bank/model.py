"""The question model. Plain data, no I/O, no discord imports."""

from __future__ import annotations

from dataclasses import dataclass, field

LETTERS = "ABCDEFGHIJ"  # at most 10 options; readers report anything past J as an error

# Section keys (see bot.bank.explanation) whose sections do not explain the answer.
_NOT_EXPLAINING = {"references", "related", "review"}


# Limits: a file or a field past them is an error naming its size (see docs/question-format.md).
# About ten times what the users' bank has at most, so only hostile or broken files reach them;
# they keep the work per file bounded (and what the bot would have to show within reason).
MAX_FILE_BYTES = 512 * 1024
LIMITS = {  # field -> characters
    "id": 100,
    "stem": 64_000,  # room for long code and tables (issue 13: a 40,000-space stem is served)
    "option": 4_000,
    "heading": 300,
    "section": 200_000,
    "tag": 100,
    "text": 300,  # source, difficulty, domain, reference titles
    "note": 2_000,  # dispute note, community and source answers
    "url": 2_000,
}
MAX_COUNTS = {"topics": 50, "traps": 50, "aliases": 20, "references": 100, "sections": 100}


class NotAQuestion(Exception):
    """The file holds no question; the message says why (for the check report)."""


class BankError(Exception):
    """A question file cannot be read. `path:line: reason` is its message."""

    def __init__(self, path: str, line: int, reason: str) -> None:
        super().__init__(f"{path}:{line}: {reason}")
        self.path = path
        self.line = line
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Section:
    """One explanation section (a `##` heading) or sub-section (`###`)."""

    key: str
    heading: str  # original heading text, emoji removed
    emoji: str  # the heading's leading emoji, or ""
    body: str  # Markdown of the whole section, sub-sections included, heading line excluded
    subsections: tuple[Section, ...] = ()

    @property
    def title(self) -> str:
        return f"{self.emoji} {self.heading}".strip()


@dataclass(frozen=True, slots=True)
class Reference:
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Question:
    key: str  # stable, unique in a bank: "<collection>/<id>" (see docs/question-format.md)
    id: str  # as written in the file, e.g. "Q-104"
    collection: str  # the folder it came from, relative to the bank root ("" at the root)
    path: str  # file it was read from, relative to the bank root
    line: int  # line of the question in that file (1 for one-question files)
    stem: str  # Markdown
    options: dict[str, str]  # letter -> Markdown, in order
    answer: tuple[str, ...]  # correct letter(s), sorted
    format: str = "markdown"  # "markdown" | "raw" | "yaml"
    source: str | None = None
    difficulty: str | None = None  # e.g. "L1-Basic"
    source_answer: str | None = None  # the answer the source labelled, as written
    community_answer: str | None = None  # community vote or consensus, as written ("E (100%)")
    disputed: bool = False
    dispute_note: str | None = None  # as written in the file (its own language)
    # Copies of this question in the bank that disagree on the answer: (where, letters) per copy,
    # the primary (scored) copy first; "where" is the collection, or the file when two copies share
    # one; letters are in this question's lettering when the copy's correct option has the same
    # text. Renderers word it from the catalog (see bot.render.question.dispute_lines).
    disagreement: tuple[tuple[str, str], ...] = ()
    topics: tuple[str, ...] = ()
    traps: tuple[str, ...] = ()
    domain: str | None = None
    sections: tuple[Section, ...] = ()
    rationales: dict[str, str] = field(default_factory=dict)  # letter -> why (wrong) / why right
    references: tuple[Reference, ...] = ()
    aliases: tuple[str, ...] = ()  # other names it answers to (e.g. the file name "Q-001" for "Q-01-001")
    also_in: tuple[str, ...] = ()  # other files holding a copy of this question
    # the keys its copies would have on their own (a post stored under one still finds the question)
    copy_keys: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # non-fatal remarks from the reader (for `bank check`)

    @property
    def choose(self) -> int:
        """How many options the member must pick."""
        return len(self.answer)

    @property
    def has_explanation(self) -> bool:
        """True when some section explains (links and the recap alone do not)."""
        return any(s.body.strip() for s in self.sections if s.key.split("-")[0] not in _NOT_EXPLAINING)

    @property
    def level(self) -> int | None:
        """1, 2 or 3 from a difficulty like "L2-Intermediate"."""
        d = (self.difficulty or "").strip().upper()
        if len(d) >= 2 and d[0] == "L" and d[1].isdigit():
            return int(d[1])
        return None

    def section(self, key: str) -> Section | None:
        return next((s for s in self.sections if s.key == key), None)
