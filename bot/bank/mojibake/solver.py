"""Choosing among the candidates of the rebuilt characters of one line: each candidate scored in
context (the word model over the Han run around it, the symbol prior with layout rules, and the
bank's own n-grams), neighbouring slots decided jointly."""

from __future__ import annotations

import bisect
import itertools
import math
import unicodedata

from bot.bank.mojibake.priors import HAN_RUN, ZhModel, is_box, is_han, symbol_logp
from bot.bank.mojibake.vocabulary import Vocabulary

#: Weight of the bank's own n-gram statistics against the shipped word model.
VOCAB_WEIGHT = 0.7

# Layout rules for symbols (see Line._context_bonus): brackets pair up, lines continue.
_BRACKETS = {
    "」": "「",
    "』": "『",
    "）": "（",
    "】": "【",
    "〕": "〔",
    "》": "《",
    "〉": "〈",
    "”": "“",
    "’": "‘",
}
_OPENERS = {v: k for k, v in _BRACKETS.items()}
_BRACKET_REACH = 300  # characters searched for the other half of a bracket pair
_PAIRED = 4.0  # log-bonus of a bracket that pairs up with the nearest one of its kind
_REPEATING = frozenset("─━═┄┅┈┉╌╍⭐★☆✓✔✗✘❌✅•·…～—")


class Line:
    """One line of the draft: fixed characters, and slots that hold a choice of candidates."""

    _JOINT_TOP = 5  # candidates per slot tried jointly for neighbouring slots
    _MAX_SWEEPS = 3

    def __init__(
        self,
        chars: list[str],
        slots: dict[int, tuple[str, ...]],
        model: ZhModel,
        vocabulary: Vocabulary | None = None,
    ) -> None:
        self.chars = [c if c != "\r" else "\n" for c in chars]  # the learned text has "\n" line ends
        self.slots = slots
        self.order = sorted(slots)
        self.model = model
        self.reach = model.max_len + 1
        self.vocab = vocabulary if vocabulary is not None and vocabulary.chars else None
        if self.vocab is not None:
            self.reach = max(self.reach, self.vocab.order - 1)

    # -- scoring ---------------------------------------------------------------------------

    def _context_bonus(self, i: int) -> float:
        c = self.chars[i]
        left = self.chars[i - 1] if i > 0 else "\n"
        right = self.chars[i + 1] if i + 1 < len(self.chars) else "\n"
        bonus = 0.0
        if c in _REPEATING and (c in (left, right)):
            bonus += 4.0
        if is_box(c) and (is_box(left) or is_box(right)):
            bonus += 3.0
            if c not in _REPEATING and (c in (left, right)):
                bonus -= 4.0  # corners and tees do not come in pairs ("┐┐")
        if c == "\ufe0f" or c == "\u200d":
            bonus += 8.0 if unicodedata.category(left) == "So" else -8.0
        if c in _BRACKETS:  # a closing bracket closes the nearest open one, and leaves no other unmatched
            bonus += self._bracket_bonus(i, _BRACKETS[c], c, closing=True)
        elif c in _OPENERS:
            bonus += self._bracket_bonus(i, c, _OPENERS[c], closing=False)
        return bonus

    def _bracket_bonus(self, i: int, opener: str, closer: str, *, closing: bool) -> float:
        """Brackets pair up: the nearest bracket of the same kind on the side a bracket looks
        at must be its other half, and the nearest on the other side must not need this one."""
        chars = self.chars
        before = after = ""
        for j in range(i - 1, max(-1, i - 1 - _BRACKET_REACH), -1):
            if chars[j] == opener or chars[j] == closer:
                before = chars[j]
                break
        for j in range(i + 1, min(len(chars), i + 1 + _BRACKET_REACH)):
            if chars[j] == opener or chars[j] == closer:
                after = chars[j]
                break
        if closing:
            return (_PAIRED if before == opener else -6.0) + (-4.0 if after == closer else 0.0)
        return (_PAIRED if after == closer else -6.0) + (-4.0 if before == opener else 0.0)

    def score(self, lo: int, hi: int, focus: list[int]) -> float:
        """Log-score of chars[lo:hi]: Han runs by the word model, slot symbols by their prior,
        and (with a vocabulary) every n-gram that holds one of the ``focus`` slots, the ones
        being decided (the other terms are the same for every choice)."""
        total = 0.0
        segment = self.model.segment
        for run in HAN_RUN.findall("".join(self.chars[lo:hi])):
            total += segment(run)
        for k in range(bisect.bisect_left(self.order, lo), bisect.bisect_left(self.order, hi)):
            i = self.order[k]
            c = self.chars[i]
            if not is_han(c):
                total += symbol_logp(c) + self._context_bonus(i)
        vocab = self.vocab
        if vocab is not None:
            total += VOCAB_WEIGHT * self._learned(focus)
        return total

    def _learned(self, focus: list[int]) -> float:
        """The vocabulary's log-score of every position whose n-gram holds one of ``focus``
        (sorted slot indices): position j depends on chars[j - order + 1 .. j]."""
        vocab = self.vocab
        assert vocab is not None
        chars = self.chars
        n = len(chars)
        k = vocab.order - 1
        logp = vocab.logp
        cache = vocab.scores
        total = 0.0
        last = 0
        for s in focus:
            end = s + k + 1 if s + k < n else n + 1
            j = s if s > last else last
            while j < end:
                if j < k:
                    h = "\n" + "".join(chars[:j])
                elif k == 2:
                    h = chars[j - 2] + chars[j - 1]
                else:
                    h = "".join(chars[j - k : j])
                key = (h, chars[j] if j < n else "\n")
                value = cache.get(key)
                total += logp(*key) if value is None else value
                j += 1
            last = end
        return total

    def _window(self, first: int, last: int) -> tuple[int, int]:
        return max(0, first - self.reach), min(len(self.chars), last + self.reach + 1)

    def _ranked(self, i: int) -> list[tuple[float, str]]:
        """Every candidate of slot ``i`` with its score, the other slots as they stand; best first."""
        lo, hi = self._window(i, i)
        keep = self.chars[i]
        scored = []
        for c in self.slots[i]:
            self.chars[i] = c
            scored.append((self.score(lo, hi, [i]), c))
        self.chars[i] = keep
        scored.sort(key=lambda sc: (-sc[0], sc[1]))
        return scored

    # -- search ------------------------------------------------------------------------------

    def _initial(self) -> None:
        for i, cands in self.slots.items():
            self.chars[i] = max(
                cands, key=lambda c: (self.model.char_logp(c) if is_han(c) else symbol_logp(c), c)
            )

    def _clusters(self) -> list[list[int]]:
        clusters: list[list[int]] = []
        for i in self.order:
            if clusters and i - clusters[-1][-1] <= 2:
                clusters[-1].append(i)
            else:
                clusters.append([i])
        return clusters

    def _decide(self, cluster: list[int]) -> bool:
        """Set the cluster's slots to their best joint choice; True if anything changed."""
        before = [self.chars[i] for i in cluster]
        if len(cluster) == 1:
            self.chars[cluster[0]] = self._ranked(cluster[0])[0][1]
        elif len(cluster) > 4:
            # A long run of broken characters ("━━━━━━", "⭐⭐⭐⭐⭐") is often one character
            # repeated: try each shared candidate everywhere, then improve slot by slot.
            lo, hi = self._window(cluster[0], cluster[-1])
            best_score, best_fill = self.score(lo, hi, cluster), before
            for c in sorted(set.intersection(*(set(self.slots[i]) for i in cluster))):
                for i in cluster:
                    self.chars[i] = c
                s = self.score(lo, hi, cluster)
                if s > best_score:
                    best_score, best_fill = s, [c] * len(cluster)
            for i, c in zip(cluster, best_fill, strict=True):
                self.chars[i] = c
            for i in cluster:
                self.chars[i] = self._ranked(i)[0][1]
        else:
            tops = [[c for _, c in self._ranked(i)[: self._JOINT_TOP]] for i in cluster]
            lo, hi = self._window(cluster[0], cluster[-1])
            best: tuple[float, tuple[str, ...]] | None = None
            for combo in itertools.product(*tops):
                for i, c in zip(cluster, combo, strict=True):
                    self.chars[i] = c
                s = self.score(lo, hi, cluster)
                if best is None or s > best[0]:
                    best = (s, combo)
            assert best is not None
            for i, c in zip(cluster, best[1], strict=True):
                self.chars[i] = c
        return before != [self.chars[i] for i in cluster]

    def solve(self) -> dict[int, tuple[str, float, tuple[str, ...], float]]:
        """Fill every slot; return slot -> (choice, confidence, alternatives, margin)."""
        self._initial()
        clusters = self._clusters()
        for _ in range(self._MAX_SWEEPS):
            changed = False
            for cluster in clusters:
                changed |= self._decide(cluster)
            if not changed:
                break
        out: dict[int, tuple[str, float, tuple[str, ...], float]] = {}
        for i in self.order:
            chosen = self.chars[i]
            scored = self._ranked(i)
            top = scored[0][0]
            z = sum(math.exp(s - top) for s, _ in scored)
            own = next(s for s, c in scored if c == chosen)
            others = [(s, c) for s, c in scored if c != chosen]
            margin = own - others[0][0] if others else math.inf
            out[i] = (chosen, math.exp(own - top) / z, tuple(c for _, c in others[:3]), margin)
        return out
