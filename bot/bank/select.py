"""Choosing questions: filters, tag matching for autocomplete, and picking what to ask next.

Topics match by family (`CLI` → `CLI`, `Databricks-CLI`) and by the bank's topics.yaml groups:
the rules are in bot.bank.topics; `Filter.topic_tags` carries what `Bank.topics.resolve` selected.
Trap tags match as before: the same tag, case- and width-insensitive."""

from __future__ import annotations

import difflib
import random
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from bot.bank.model import Question
from bot.bank.topics import Selection, tag_key, tag_matches


def fold(text: str) -> str:
    """Case- and width-insensitive form for matching user input ("cli" == "CLI" == "ＣＬＩ")."""
    return unicodedata.normalize("NFKC", text).casefold().strip()


def _tag_key(tag: str) -> str:
    return fold(tag).replace("_", "-").replace(" ", "-")


@dataclass(frozen=True, slots=True)
class Filter:
    topic: str | None = None
    difficulty: str | None = None  # "L1".."L3", "1".."3" or a full "L2-Intermediate"
    trap: str | None = None
    # The tag keys `topic` selects (`Bank.topics.resolve`, topics.yaml groups included); when None,
    # the topic's family is found among the question's own tags (bot.bank.topics.tag_matches).
    topic_tags: frozenset[str] | None = None

    @classmethod
    def of(
        cls, selection: Selection | None, difficulty: str | None = None, trap: str | None = None
    ) -> Filter:
        """A filter on what a typed topic resolved to (`Bank.topics.resolve`)."""
        if selection is None:
            return cls(difficulty=difficulty, trap=trap)
        return cls(topic=selection.name, difficulty=difficulty, trap=trap, topic_tags=selection.tags)

    def matches(self, q: Question) -> bool:
        if self.topic:
            if self.topic_tags is not None:
                if not any(tag_key(t) in self.topic_tags for t in q.topics):
                    return False
            elif not any(tag_matches(self.topic, t) for t in q.topics):
                return False
        if self.trap and _tag_key(self.trap) not in {_tag_key(t) for t in q.traps}:
            return False
        if self.difficulty:
            wanted = level_of(self.difficulty)
            if wanted is None or q.level != wanted:
                return False
        return True


def level_of(difficulty: str) -> int | None:
    d = fold(difficulty).lstrip("l")
    return int(d[0]) if d[:1].isdigit() else None


def tag_counts(questions: Iterable[Question], kind: str = "topics") -> Counter[str]:
    """Tag -> number of questions, with tags that differ only in case merged under the most used spelling."""
    raw: Counter[str] = Counter(t for q in questions for t in getattr(q, kind))
    merged: dict[str, tuple[str, int]] = {}
    for tag, count in raw.most_common():
        key = _tag_key(tag)
        if key in merged:
            name, total = merged[key]
            merged[key] = (name, total + count)
        else:
            merged[key] = (tag, count)
    return Counter(dict(merged.values()))


def match_tags(counts: Counter[str], typed: str, limit: int = 25) -> list[tuple[str, int]]:
    """Autocomplete: tags whose name starts with, then contains, what was typed; most questions first."""
    needle = _tag_key(typed)
    ranked = []
    for tag, count in counts.items():
        key = _tag_key(tag)
        if not needle or key.startswith(needle):
            rank = 0
        elif needle in key:
            rank = 1
        else:
            continue
        ranked.append((rank, -count, tag, count))
    ranked.sort()
    return [(tag, count) for _, _, tag, count in ranked[:limit]]


def resolve_tag(counts: Counter[str], typed: str) -> str | None:
    """The tag the user meant (case-insensitive exact match), or None."""
    needle = _tag_key(typed)
    return next((tag for tag in counts if _tag_key(tag) == needle), None)


def close_tags(counts: Counter[str], typed: str, n: int = 5) -> list[str]:
    """Tags that look like what was typed, for a "did you mean" message."""
    by_key = {_tag_key(t): t for t in counts}
    needle = _tag_key(typed)
    hits = [by_key[k] for k in difflib.get_close_matches(needle, list(by_key), n=n, cutoff=0.5)]
    hits += [t for k, t in by_key.items() if needle and needle in k and t not in hits]
    return hits[:n]


def pick(
    questions: Sequence[Question],
    flt: Filter,
    *,
    solved: Collection[str] = (),
    recent: Collection[str] = (),
    exclude: Collection[str] = (),
    rng: random.Random | None = None,
) -> Question | None:
    """A question that matches `flt`, preferring ones the user has not answered correctly (`solved`
    holds question keys) and, among those, ones not asked recently. Questions whose key is in
    `exclude` are never picked (the open daily questions the user may not see, bot/core/spoiler.py)."""
    rng = rng or random.Random()
    pool = [q for q in questions if flt.matches(q) and q.key not in exclude]
    if not pool:
        return None
    for tier in (
        [q for q in pool if q.key not in solved and q.key not in recent],
        [q for q in pool if q.key not in solved],
        [q for q in pool if q.key not in recent],
        pool,
    ):
        if tier:
            return rng.choice(tier)
    return None
