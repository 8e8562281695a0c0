"""What the shipped data says before the bank is looked at: the Traditional Chinese word model
(``data/zh_tw_words.txt.gz``, read when a character first needs rebuilding, and cached) for Han
characters, and a hand-set prior for symbols and emoji."""

from __future__ import annotations

import functools
import gzip
import math
import re
import unicodedata
from collections.abc import Iterable
from importlib import resources


def is_han(c: str) -> bool:
    o = ord(c)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3134F


HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")


def is_box(c: str) -> bool:
    return 0x2500 <= ord(c) <= 0x257F


# Per-token probabilities on the same scale as the word model's (a token is a word or a
# symbol). Hand-set from general usage in Traditional Chinese technical writing.
_TIERS: tuple[tuple[float, str], ...] = (
    # CJK and fullwidth punctuation.
    (1e-2, "，。、：「」（）"),
    (3e-3, "！？；"),
    (5e-4, "『』《》〈〉"),
    (5e-4, "【】〔〕～．"),
    (2e-4, "／－＝＋％＃＆＊＠＼｜０１２３４５６７８９"),
    # Typographic punctuation and the arrows and marks notes use.
    (2e-3, "’”“‘•·–—…→←↔↑↓⇒⇔✓✗×≠≤≥≈±°"),
    # Light box drawing (tables, trees) first, heavy and double lines next.
    (1e-3, "─│┌┐└┘├┤┬┴┼"),
    (2e-4, "━┃┏┓┗┛┣┫┳┻╋═║╔╗╚╝╠╣╦╩╬╭╮╯╰"),
    # The emoji the bank's analysis template puts in its headings.
    (1e-3, "📍✅❌🧠📚💡🎯"),
    # Emoji and marks common in Markdown notes and READMEs.
    (
        2e-4,
        "⚠⭐✔✘❗❓➕➖📌📝📖📘📋📊📈📉📦📁📂🔑🔒🔓🔍🔎🔗🔧🔨🛠⚙🚀🔥✨👉👍👎💻🖥⏰⏱⏳📅"
        "🏆🎉🐛⚡🆕🔄🔁🔴🟡🟢🔵⭕☑🚫⛔💬🧩🧪🏷👤👥🌐🔔💾🗑🛡🎓",
    ),
    # Variation selector 16 (emoji presentation) and zero-width joiner, see _context_bonus.
    (1e-4, "\ufe0f\u200d"),
)
_SYMBOL_LOGP: dict[str, float] = {c: math.log(p) for p, chars in _TIERS for c in chars}


@functools.lru_cache(maxsize=65536)
def symbol_logp(c: str) -> float:
    """Prior of a non-Han character as a token."""
    if c in _SYMBOL_LOGP:
        return _SYMBOL_LOGP[c]
    o = ord(c)
    cat = unicodedata.category(c)
    if 0x1F300 <= o <= 0x1F64F or 0x1F680 <= o <= 0x1F6FF or 0x1F900 <= o <= 0x1FAFF:
        return math.log(1e-6)  # pictographic emoji
    if 0x1F000 <= o <= 0x1F2FF or 0x1F650 <= o <= 0x1F67F or 0x1F700 <= o <= 0x1F8FF:
        return math.log(1e-8)  # tiles, cards, enclosed letters, alchemy, geometric and arrow extensions
    if 0x2600 <= o <= 0x27BF or 0x2B00 <= o <= 0x2BFF:
        return math.log(1e-6) if cat == "So" else math.log(1e-8)
    if is_box(c) or 0x2190 <= o <= 0x21FF or 0x2200 <= o <= 0x22FF:
        return math.log(3e-6)
    if 0xFF01 <= o <= 0xFF5E or 0x3000 <= o <= 0x303F:
        return math.log(1e-5)
    if 0xC0 <= o <= 0x17F and cat.startswith("L"):
        return math.log(1e-5)
    if cat.startswith("C") or cat.startswith("M") or cat == "Zs":
        return math.log(1e-9)
    return math.log(1e-7)


class ZhModel:
    """Unigram word model: log-probabilities of words (all-Han strings) from the shipped table."""

    def __init__(self, lines: Iterable[str]) -> None:
        total = 0
        logp: dict[str, float] = {}
        counts: list[tuple[str, int]] = []
        for line in lines:
            if not line or line.startswith("#"):
                continue
            word, _, count = line.rstrip("\n").partition("\t")
            if word == "total":
                total = int(count)
            else:
                counts.append((word, int(count)))
        total = max(total, sum(c for _, c in counts), 1)
        log_total = math.log(total)
        for word, n in counts:
            logp[word] = math.log(n) - log_total
        self.logp = logp
        self.max_len = max((len(w) for w, _ in counts), default=1)
        self.unknown = math.log(0.5) - log_total - 4.0  # a Han character the table has never seen
        self.segment = functools.lru_cache(maxsize=1 << 16)(self._segment)

    def char_logp(self, c: str) -> float:
        return self.logp.get(c, self.unknown)

    def _segment(self, text: str) -> float:
        """Log-probability of the best segmentation of an all-Han string into words."""
        n = len(text)
        if n == 0:
            return 0.0
        best = [0.0] + [-math.inf] * n
        logp = self.logp
        max_len = self.max_len
        for j in range(1, n + 1):
            b = best[j - 1] + logp.get(text[j - 1], self.unknown)
            for length in range(2, min(max_len, j) + 1):
                lp = logp.get(text[j - length : j])
                if lp is not None:
                    cand = best[j - length] + lp
                    if cand > b:
                        b = cand
            best[j] = b
        return best[n]


_MODEL_FILE = "zh_tw_words.txt.gz"


@functools.lru_cache(maxsize=1)
def word_model() -> ZhModel:
    """The shipped word model, read on first use and cached (``word_model.cache_clear()`` drops it)."""
    ref = resources.files("bot.bank").joinpath("data", _MODEL_FILE)
    with ref.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        return ZhModel(fh)


def char_prior(c: str) -> float:
    """What the shipped model says of ``c`` on its own (ASCII: a flat 1%)."""
    if c < "\x80":
        return 0.01
    if is_han(c):
        return math.exp(word_model().char_logp(c))
    return math.exp(symbol_logp(c))
