"""What the bank itself says: character n-grams learned from its clean files."""

from __future__ import annotations

import math
import operator
import re
from collections import Counter
from collections.abc import Iterable

from bot.bank.mojibake.priors import char_prior

_NON_ASCII_RUN = re.compile("[^\x00-\x7f]+")
_SEPARATOR = "\0"  # between the learned parts of a text; never part of a looked-up n-gram
_CACHE_SIZE = 1 << 17  # scores kept per vocabulary (a plain dict: no reference cycle to keep it alive)


class Vocabulary:
    """Character n-gram statistics learned from clean text: the bank's own vocabulary.

    In the bot, a bank's files that need no repair teach the words and phrasing the group
    uses (``考點``, ``陷阱``, ``選項 B``, ``## 📍 考點識別``, a table row's ``| ✅ |``), and the
    damaged files are repaired with it: ``repair(text, vocabulary=v)`` ranks every rebuilt
    character by the shipped word model *and* by how these texts continue its left context and
    what follows it (an interpolated Witten-Bell character model of ``order``).

    Only the text within ``order - 1`` characters of a non-ASCII character is counted: a
    rebuilt character is never ASCII, so no other n-gram can touch one. Time and memory are
    bounded: once ``max_chars`` such characters are learned, the remaining texts are not
    looked at (``skipped``). The default is about 250 of the users' question files (1.4 MB):
    ~0.3 s and under 20 MB; the whole 181-file sample bank is 286,000 characters, 13.5 MB.
    """

    def __init__(self, order: int = 3, max_chars: int = 400_000) -> None:
        if order < 1:
            raise ValueError("order must be at least 1")
        self.order = order
        self.max_chars = max_chars
        self.counts: Counter[str] = Counter()
        self.chars = 0  # characters counted (unigrams)
        self.texts = 0  # texts learned
        self.skipped = 0  # texts not learned because max_chars was reached
        self._types: dict[str, int] | None = {}  # history -> distinct continuations; None: stale
        self.scores: dict[tuple[str, str], float] = {}  # (history, character) -> logp

    def __len__(self) -> int:
        return len(self.counts)

    def __repr__(self) -> str:
        return f"Vocabulary(order={self.order}, texts={self.texts}, chars={self.chars}, ngrams={len(self)})"

    # -- learning ----------------------------------------------------------------------------

    def _joined(self, text: str) -> str:
        """The parts of ``text`` near non-ASCII characters, with line ends as ``\\n``."""
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        margin = self.order - 1
        spans: list[str] = []
        start = end = -1
        for m in _NON_ASCII_RUN.finditer(text):
            lo, hi = max(0, m.start() - margin), m.end() + margin
            if lo <= end:
                end = hi
            else:
                if end >= 0:
                    spans.append(text[start:end])
                start, end = lo, hi
        if end >= 0:
            spans.append(text[start:end])
        return _SEPARATOR.join(spans)

    def _grams(self, joined: str) -> list[Iterable[str]]:
        """Every n-gram of ``joined``, n = 1..order, one iterable per order (built at C speed)."""
        out: list[Iterable[str]] = [joined]
        previous: Iterable[str] = joined
        for n in range(1, self.order):
            previous = list(map(operator.add, previous, joined[n:]))
            out.append(previous)
        return out

    def learn(self, texts: Iterable[str]) -> Vocabulary:
        """Count the n-grams of ``texts`` (until ``max_chars``); returns ``self``."""
        if isinstance(texts, str):
            raise TypeError("learn() takes an iterable of texts, not one string")
        texts = list(texts)
        if self._types is not None and len(texts) <= 4:
            for text in texts:  # a few texts: keep the continuation counts up to date as we go
                self._change(self._joined(text), +1)
            return self
        for k, text in enumerate(texts):
            joined = self._joined(text)
            if self.chars + len(joined) > self.max_chars:
                self.skipped += len(texts) - k  # full: the rest is not even looked at
                break
            for grams in self._grams(joined):
                self.counts.update(grams)
            self.chars += len(joined)
            self.texts += 1
        self._types = None
        self.scores.clear()
        return self

    def forget(self, text: str) -> None:
        """Take back what ``learn([text])`` added (to leave one text out, say). Only for a text
        that was learned."""
        self._change(self._joined(text), -1)

    def _change(self, joined: str, sign: int) -> None:
        if sign > 0 and self.chars + len(joined) > self.max_chars:
            self.skipped += 1
            return
        types = self._continuations()
        counts = self.counts
        change: Counter[str] = Counter()
        for grams in self._grams(joined):
            change.update(grams)
        for g, n in change.items():
            old = counts.get(g, 0)
            new = old + sign * n
            if new > 0:
                counts[g] = new
            elif old:
                del counts[g]
            if (old > 0) != (new > 0) and len(g) > 1:
                h = g[:-1]
                left = types.get(h, 0) + (1 if new > 0 else -1)
                if left > 0:
                    types[h] = left
                else:
                    types.pop(h, None)
        self.chars += sign * len(joined)
        self.texts += sign
        self.scores.clear()

    def _continuations(self) -> dict[str, int]:
        """History -> how many different characters were seen after it."""
        if self._types is None:
            self._types = dict(Counter(g[:-1] for g in self.counts if len(g) > 1))
        return self._types

    # -- scoring -----------------------------------------------------------------------------

    def logp(self, history: str, c: str) -> float:
        """Log-probability of ``c`` after ``history``: Witten-Bell interpolation from the
        shipped model's view of ``c`` up to the longest history these texts have seen."""
        key = (history, c)
        cache = self.scores
        value = cache.get(key)
        if value is None:
            if len(cache) >= _CACHE_SIZE:
                cache.clear()
            value = cache[key] = self._logp(history, c)
        return value

    def _logp(self, history: str, c: str) -> float:
        counts = self.counts
        types = self._continuations()
        mu = self.chars * UNIGRAM_PRIOR
        p = (counts.get(c, 0) + mu * char_prior(c)) / (self.chars + mu)
        for m in range(1, min(len(history), self.order - 1) + 1):
            h = history[-m:]
            seen = counts.get(h)
            if not seen:
                break
            t = types.get(h, 0) + 0.5
            p = (counts.get(h + c, 0) + t * p) / (seen + t)
        return math.log(p)


#: Weight of the learned unigram's prior (the shipped model's view), as a share of the
#: characters learned: a character the bank never used is still possible in a new file.
UNIGRAM_PRIOR = 0.1
