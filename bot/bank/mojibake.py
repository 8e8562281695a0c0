"""Repair question files whose UTF-8 went through a Windows code page and back ("mojibake").

What happened to the broken files: their UTF-8 bytes were decoded as Windows-1252 or
Windows-1254 (Turkish), the text was written back as UTF-8, and on the way every byte the code
page leaves undefined (cp1252: 0x81 0x8D 0x8F 0x90 0x9D; cp1254 also 0x8E 0x9E) was dropped,
and so was every soft hyphen (0xAD). ``來源`` became ``ä¾†æº`` (0x90 of ``源`` is gone).

Repair, in order:

1. ``needs_repair`` -- one compiled regex looks for what a code page makes of a UTF-8 lead
   byte followed by its continuation bytes (``æ¨™``, ``ðŸ“``). Clean text (CJK, emoji,
   ``café``, ``naïve``, ``’``, ``—``) has no such run, so it is left alone.
2. The code page is the one under which the text maps back to the most well-formed UTF-8
   (cp1254 and cp1252 are tried; ties go to cp1254, whose dropped-byte set is the larger).
3. Each run of code-page characters is mapped back to bytes and re-read as UTF-8. A complete
   sequence decodes as is. A sequence that is short (its lead byte promises more continuation
   bytes than follow it) lost bytes: every way of putting dropped-byte values back into it that
   decodes to an assigned character is a candidate. Characters outside the code page (real CJK
   in a partly clean file, say) are never touched.
4. Candidates are ranked in context: CJK candidates by a word-unigram language model of
   Traditional Chinese (best segmentation of the surrounding characters, so ``來?`` prefers
   ``來源``), symbols and emoji by a small prior plus layout rules (brackets pair up,
   box-drawing lines continue, a variation selector follows an emoji). Neighbouring broken
   characters are decided jointly.
5. With a ``Vocabulary`` (character n-grams learned from the bank's clean files: its words,
   phrasing, headings and table rows), candidates are also ranked by how the bank's own text
   continues the left context and leads into what follows.

The language model is ``data/zh_tw_words.txt.gz`` (built by ``tools/build_zh_model.py`` from
jieba's dictionary converted with OpenCC; see ``docs/mojibake.md``). It is read only when a
file actually needs a character rebuilt, and cached.
"""

from __future__ import annotations

import bisect
import functools
import gzip
import itertools
import math
import operator
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

__all__ = ["Fix", "RepairResult", "Vocabulary", "needs_repair", "repair"]

# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True, slots=True)
class Fix:
    """One character rebuilt from a sequence that had lost bytes.

    ``line`` and ``column`` are 1-based and point at the start of ``broken`` in the text that
    was given to ``repair`` (columns count characters). ``alternatives`` are the runner-up
    characters, best first; ``confidence`` is the model's probability for ``replacement``
    among all candidates (0..1); ``odds`` is how many times likelier ``replacement`` is than the
    runner-up (``inf`` when there was only one candidate).
    """

    line: int
    column: int
    broken: str
    replacement: str
    alternatives: tuple[str, ...]
    confidence: float
    odds: float


@dataclass(frozen=True, slots=True)
class RepairResult:
    """What ``repair`` did.

    ``rebuilt`` counts characters rebuilt from dropped bytes (one ``Fix`` each); ``uncertain``
    counts those whose best candidate was less than ``UNCERTAIN_RATIO`` times as likely as the
    runner-up (``Fix.odds``).
    """

    text: str
    changed: bool
    codepage: str | None
    rebuilt: int
    uncertain: int
    fixes: tuple[Fix, ...]


#: A rebuilt character is "uncertain" when its best candidate is less than this many times as
#: likely (under the model) as the runner-up.
UNCERTAIN_RATIO = 20.0

#: Weight of the bank's own n-gram statistics against the shipped word model.
VOCAB_WEIGHT = 0.7

# ---------------------------------------------------------------------------------------------
# Code pages


@dataclass(frozen=True, slots=True)
class _CodePage:
    name: str
    byte_of: dict[str, int]  # character -> byte, for bytes 0x80..0xFF
    dropped: frozenset[int]  # bytes that vanished on the way (undefined in the code page, and 0xAD)


def _make_codepage(name: str) -> _CodePage:
    byte_of: dict[str, int] = {}
    undefined: set[int] = set()
    for b in range(0x80, 0x100):
        try:
            byte_of[bytes([b]).decode(name)] = b
        except UnicodeDecodeError:
            undefined.add(b)
    # Some converters keep an undefined byte as the C1 control of the same value, and a file
    # that went through Latin-1 has C1 controls for all of 0x80..0x9F: read those back too.
    for b in range(0x80, 0xA0):
        byte_of.setdefault(chr(b), b)
    return _CodePage(name, byte_of, frozenset(undefined | {0xAD}))


# Order matters for ties: cp1254 drops a superset of cp1252's bytes.
_CODEPAGES: tuple[_CodePage, ...] = (_make_codepage("cp1254"), _make_codepage("cp1252"))


def _char_class(chars: Iterable[str]) -> str:
    return "[" + "".join(re.escape(c) for c in sorted(set(chars))) + "]"


def _chars_for(lo: int, hi: int) -> set[str]:
    return {c for cp in _CODEPAGES for c, b in cp.byte_of.items() if lo <= b <= hi}


_CONT = _char_class(_chars_for(0x80, 0xBF))
# What a code page makes of UTF-8. Strong evidence, enough on its own: a Latin-1 letter or sign
# ("Ã©", "Â°", "Â " for a no-break space), General Punctuation ("â€™", "â€”"), an emoji
# ("ðŸ“", "ğŸ“") or a byte-order mark ("ï»¿"). Weak evidence, needed twice: any other
# complete 3-byte sequence ("æ¨™"), or a 4-byte one with at least two continuation bytes. (A
# single weak match can be real text: "café…”" reads as E9 85 94.)
_EVIDENCE = re.compile(
    f"(?P<strong>{_char_class(_chars_for(0xC3, 0xC3))}{_CONT}"
    f"|{_char_class(_chars_for(0xC2, 0xC2))}{_char_class(_chars_for(0xA0, 0xBF))}"
    f"|{_char_class(_chars_for(0xE2, 0xE2))}{_char_class(_chars_for(0x80, 0x80))}{_CONT}"
    f"|{_char_class(_chars_for(0xF0, 0xF0))}{_char_class(_chars_for(0x9F, 0x9F))}{_CONT}"
    "|\u00ef\u00bb\u00bf)"
    f"|{_char_class(_chars_for(0xE0, 0xEF))}{_CONT}{{2}}"
    f"|{_char_class(_chars_for(0xF0, 0xF4))}{_CONT}{{2}}"
)


# Any lead byte followed by a continuation byte: a fast first scan (about 20 µs for a 5 KB file)
# that clean text almost never matches; only then is the text searched for evidence.
_PREFILTER = re.compile(_char_class(_chars_for(0xC2, 0xF4)) + _CONT)


def needs_repair(text: str) -> bool:
    """True if ``text`` shows UTF-8 read through a Windows code page (cheap: one regex scan)."""
    first = _PREFILTER.search(text)
    if first is None:
        return False
    weak = 0
    for match in _EVIDENCE.finditer(text, first.start()):
        if match.lastgroup == "strong" or weak:
            return True
        weak = 1
    return False


# ---------------------------------------------------------------------------------------------
# Reading runs of code-page characters back as UTF-8


def _utf8_length(lead: int) -> int:
    """Bytes in a sequence starting with ``lead``; 0 if ``lead`` cannot start one."""
    if 0xC2 <= lead <= 0xDF:
        return 2
    if 0xE0 <= lead <= 0xEF:
        return 3
    if 0xF0 <= lead <= 0xF4:
        return 4
    return 0


def _is_cont(b: int) -> bool:
    return 0x80 <= b <= 0xBF


@dataclass(slots=True)
class _Unit:
    start: int  # character offsets into the text
    end: int
    char: str | None = None  # complete sequence: its character
    lead: int = 0  # truncated sequence: lead byte, the continuation bytes present, and length
    conts: bytes = b""
    length: int = 0

    @property
    def truncated(self) -> bool:
        return self.char is None


def _parse(text: str, cp: _CodePage) -> tuple[list[_Unit], int, set[int]]:
    """Find the UTF-8 sequences hidden in runs of code-page characters.

    Returns the units (complete or truncated sequences; everything else is left as it is),
    a well-formedness score (bytes in sequences minus bytes that fit none) and the set of
    bytes seen in runs.
    """
    units: list[_Unit] = []
    score = 0
    seen: set[int] = set()
    byte_of = cp.byte_of
    n = len(text)
    i = 0
    while i < n:
        if text[i] not in byte_of:
            i += 1
            continue
        j = i
        while j < n and text[j] in byte_of:
            j += 1
        run = bytes(byte_of[c] for c in text[i:j])
        seen.update(run)
        k = 0
        while k < len(run):
            lead = run[k]
            length = _utf8_length(lead)
            m = k + 1
            while m < len(run) and _is_cont(run[m]) and m - k < max(length, 1):
                m += 1
            if length == 0:
                score -= m - k  # stray continuation bytes or a byte that starts nothing
            elif m - k == length:
                try:
                    char = run[k:m].decode("utf-8")
                except UnicodeDecodeError:
                    score -= m - k
                else:
                    units.append(_Unit(i + k, i + m, char=char))
                    score += m - k
            else:
                units.append(_Unit(i + k, i + m, lead=lead, conts=run[k + 1 : m], length=length))
                score += m - k
            k = m
        i = j
    return units, score, seen


def _choose_codepage(text: str) -> tuple[_CodePage, list[_Unit], frozenset[int]]:
    best: tuple[int, _CodePage, list[_Unit], set[int]] | None = None
    for cp in _CODEPAGES:
        units, score, seen = _parse(text, cp)
        if best is None or score > best[0]:
            best = (score, cp, units, seen)
    assert best is not None
    _, cp, units, seen = best
    # A byte that is still in the text was evidently not dropped.
    return cp, units, cp.dropped - seen


_EXCLUDED_CATEGORIES = frozenset({"Cn", "Co", "Cs"})


@functools.lru_cache(maxsize=65536)
def _candidates(lead: int, conts: bytes, length: int, dropped: frozenset[int]) -> tuple[str, ...]:
    """Characters whose UTF-8 is ``lead + conts`` with ``length - 1 - len(conts)`` dropped bytes put back."""
    missing = length - 1 - len(conts)
    out: set[str] = set()
    values = sorted(dropped)
    for slots in itertools.combinations(range(length - 1), missing):
        for fill in itertools.product(values, repeat=missing):
            seq = bytearray([lead])
            given = iter(conts)
            fills = iter(fill)
            for pos in range(length - 1):
                seq.append(next(fills) if pos in slots else next(given))
            try:
                char = bytes(seq).decode("utf-8")
            except UnicodeDecodeError:
                continue
            if unicodedata.category(char) not in _EXCLUDED_CATEGORIES:
                out.add(char)
    return tuple(sorted(out))


# ---------------------------------------------------------------------------------------------
# Character classes and the prior for symbols


def _is_han(c: str) -> bool:
    o = ord(c)
    return 0x4E00 <= o <= 0x9FFF or 0x3400 <= o <= 0x4DBF or 0xF900 <= o <= 0xFAFF or 0x20000 <= o <= 0x3134F


_HAN_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")


def _is_box(c: str) -> bool:
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


@functools.lru_cache(maxsize=65536)
def _symbol_logp(c: str) -> float:
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
    if _is_box(c) or 0x2190 <= o <= 0x21FF or 0x2200 <= o <= 0x22FF:
        return math.log(3e-6)
    if 0xFF01 <= o <= 0xFF5E or 0x3000 <= o <= 0x303F:
        return math.log(1e-5)
    if 0xC0 <= o <= 0x17F and cat.startswith("L"):
        return math.log(1e-5)
    if cat.startswith("C") or cat.startswith("M") or cat == "Zs":
        return math.log(1e-9)
    return math.log(1e-7)


# ---------------------------------------------------------------------------------------------
# The Traditional Chinese word model


class _ZhModel:
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
        for word, count in counts:
            logp[word] = math.log(count) - log_total
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
def _model() -> _ZhModel:
    ref = resources.files("bot.bank").joinpath("data", _MODEL_FILE)
    with ref.open("rb") as raw, gzip.open(raw, "rt", encoding="utf-8") as fh:
        return _ZhModel(fh)


# ---------------------------------------------------------------------------------------------
# What the bank itself says: character n-grams learned from its clean files


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
        self._cache: dict[tuple[str, str], float] = {}  # (history, character) -> logp

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
        self._cache.clear()
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
        self._cache.clear()

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
        cache = self._cache
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
        p = (counts.get(c, 0) + mu * _prior(c)) / (self.chars + mu)
        for m in range(1, min(len(history), self.order - 1) + 1):
            h = history[-m:]
            seen = counts.get(h)
            if not seen:
                break
            t = types.get(h, 0) + 0.5
            p = (counts.get(h + c, 0) + t * p) / (seen + t)
        return math.log(p)


def _prior(c: str) -> float:
    """What the shipped model says of ``c`` on its own (ASCII: a flat 1%)."""
    if c < "\x80":
        return 0.01
    if _is_han(c):
        return math.exp(_model().char_logp(c))
    return math.exp(_symbol_logp(c))


#: Weight of the learned unigram's prior (the shipped model's view), as a share of the
#: characters learned: a character the bank never used is still possible in a new file.
UNIGRAM_PRIOR = 0.1


# ---------------------------------------------------------------------------------------------
# Choosing among candidates


class _Line:
    """One line of the draft: fixed characters, and slots that hold a choice of candidates."""

    _JOINT_TOP = 5  # candidates per slot tried jointly for neighbouring slots
    _MAX_SWEEPS = 3

    def __init__(
        self,
        chars: list[str],
        slots: dict[int, tuple[str, ...]],
        model: _ZhModel,
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
        if c in _REPEATING and (c == left or c == right):
            bonus += 4.0
        if _is_box(c) and (_is_box(left) or _is_box(right)):
            bonus += 3.0
            if c not in _REPEATING and (c == left or c == right):
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
        for run in _HAN_RUN.findall("".join(self.chars[lo:hi])):
            total += segment(run)
        for k in range(bisect.bisect_left(self.order, lo), bisect.bisect_left(self.order, hi)):
            i = self.order[k]
            c = self.chars[i]
            if not _is_han(c):
                total += _symbol_logp(c) + self._context_bonus(i)
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
        cache = vocab._cache
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
                cands, key=lambda c: (self.model.char_logp(c) if _is_han(c) else _symbol_logp(c), c)
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


# ---------------------------------------------------------------------------------------------
# repair()


def _repair_once(text: str, vocabulary: Vocabulary | None = None) -> tuple[str, str | None, list[Fix], int]:
    """One pass. Returns (text, code page, fixes, uncertain count)."""
    if not needs_repair(text):
        return text, None, [], 0
    cp, units, dropped = _choose_codepage(text)

    # Lines that hold evidence of mojibake: there a lone lead byte (all of whose continuation
    # bytes were dropped) is rebuilt too; elsewhere only if no letter touches it ("café").
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    evidence_lines = {_line_of(line_starts, u.start) for u in units if not u.truncated or u.conts}

    out: list[str] = []  # output pieces; a slot's piece is filled in after solving
    slot_meta: list[tuple[int, _Unit, tuple[str, ...]]] = []  # (piece index, unit, candidates)
    pos = 0
    for u in units:
        if u.truncated:
            cands = _candidates(u.lead, u.conts, u.length, dropped)
            if not cands:
                continue
            if not u.conts and _line_of(line_starts, u.start) not in evidence_lines:
                before = text[u.start - 1] if u.start > 0 else " "
                after = text[u.end] if u.end < len(text) else " "
                if _wordish(before, cp) or _wordish(after, cp):
                    continue
        out.append(text[pos : u.start])
        if u.truncated:
            slot_meta.append((len(out), u, cands))
            out.append("")
        else:
            assert u.char is not None
            out.append(u.char)
        pos = u.end
    out.append(text[pos:])

    fixes: list[Fix] = []
    uncertain = 0
    if slot_meta:
        model = _model()
        slot_of_piece = {p: (u, cands) for p, u, cands in slot_meta}
        # Split the draft into lines of single characters with slots marked.
        line_chars: list[str] = []
        line_slots: dict[int, tuple[str, ...]] = {}
        line_pieces: dict[int, int] = {}  # char index in line -> piece index
        jobs: list[tuple[list[str], dict[int, tuple[str, ...]], dict[int, int]]] = []
        for p, piece in enumerate(out):
            if p in slot_of_piece:
                line_slots[len(line_chars)] = slot_of_piece[p][1]
                line_pieces[len(line_chars)] = p
                line_chars.append("")
                continue
            for ch in piece:
                if ch == "\n":
                    if line_slots:
                        jobs.append((line_chars, line_slots, line_pieces))
                    line_chars, line_slots, line_pieces = [], {}, {}
                else:
                    line_chars.append(ch)
        if line_slots:
            jobs.append((line_chars, line_slots, line_pieces))
        for chars, slots, pieces in jobs:
            solved = _Line(chars, slots, model, vocabulary).solve()
            for i, (choice, confidence, alternatives, margin) in solved.items():
                p = pieces[i]
                u = slot_of_piece[p][0]
                out[p] = choice
                line = _line_of(line_starts, u.start)
                odds = math.exp(min(margin, 700.0))
                if odds < UNCERTAIN_RATIO:
                    uncertain += 1
                fixes.append(
                    Fix(
                        line=line + 1,
                        column=u.start - line_starts[line] + 1,
                        broken=text[u.start : u.end],
                        replacement=choice,
                        alternatives=alternatives,
                        confidence=round(confidence, 4),
                        odds=odds if math.isfinite(margin) else math.inf,
                    )
                )
        fixes.sort(key=lambda f: (f.line, f.column))
    return "".join(out), cp.name, fixes, uncertain


def _wordish(ch: str, cp: _CodePage) -> bool:
    """A letter or digit that is not itself a code-page character ("f" in "café", not "â")."""
    return ch.isalnum() and (ch.isascii() or ch not in cp.byte_of)


def _line_of(line_starts: list[int], offset: int) -> int:
    """0-based line number of a character offset."""
    return bisect.bisect_right(line_starts, offset) - 1


_MAX_PASSES = 16


def repair(text: str, vocabulary: Vocabulary | None = None) -> RepairResult:
    """Undo the code-page round trip in ``text`` and rebuild the characters that lost bytes.

    ``vocabulary``: what the bank's clean files say (``Vocabulary().learn(texts)``), used with
    the shipped word model to choose among the candidates of a rebuilt character.

    Clean text comes back unchanged (``changed`` is False). The repair is repeated until the
    text no longer changes (a file double-encoded twice needs two passes), which also makes it
    idempotent. ``fixes`` of a second pass refer to the text after the first.
    """
    current = text
    codepage: str | None = None
    fixes: list[Fix] = []
    uncertain = 0
    for _ in range(_MAX_PASSES):
        if not needs_repair(current):
            break
        repaired, cp, pass_fixes, pass_uncertain = _repair_once(current, vocabulary)
        if repaired == current:
            break
        codepage = codepage or cp
        fixes.extend(pass_fixes)
        uncertain += pass_uncertain
        current = repaired
    return RepairResult(
        text=current,
        changed=current != text,
        codepage=codepage,
        rebuilt=len(fixes),
        uncertain=uncertain,
        fixes=tuple(fixes),
    )
