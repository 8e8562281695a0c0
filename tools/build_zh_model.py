"""Build the zh-TW word-frequency table that ``bot.bank.mojibake`` uses to rebuild characters.

Source: the word-frequency dictionary ``dict.txt`` that ships inside the ``jieba`` package
(PyPI ``jieba``, MIT licence; about 349,000 Simplified Chinese words with corpus counts; the
shipped table was built with jieba 0.42.1 and OpenCC 1.4.2).
Every word is converted to Traditional Chinese (Taiwan) with OpenCC (PyPI ``opencc``,
Apache-2.0), both with the character-level ``s2tw`` profile and the Taiwan-phrase ``s2twp``
profile (``数据`` → ``數據`` and ``資料``), so that both spellings are known; a form with the
formal ``臺`` is also known with the everyday ``台`` (``平臺`` and ``平台``). Counts of words that
end up with the same Traditional spelling are added up.

Only words made entirely of CJK ideographs are kept, up to ``--max-len`` characters and with a
count of at least ``--min-count``. Single characters are always kept, whatever their count, and
each gets at least 2% of the count of the words it occurs in (the segmenter's fallback when a
character forms no known word with its neighbours).

Rebuild (build-time dependencies only; the bot does not need them at run time)::

    .venv/bin/pip install jieba opencc
    .venv/bin/python tools/build_zh_model.py            # writes bot/bank/data/zh_tw_words.txt.gz

Output format (UTF-8 text, gzip): comment lines start with ``#``; the first non-comment line is
``total<TAB>N`` (the sum of all counts of the *unpruned* converted table); then one
``word<TAB>count`` line per word, most frequent first.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from collections import Counter
from importlib import metadata, resources
from pathlib import Path

DEFAULT_OUT = Path(__file__).resolve().parent.parent / "bot" / "bank" / "data" / "zh_tw_words.txt.gz"
SINGLE_SHARE = 0.02
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")


def read_jieba_dict() -> list[tuple[str, int]]:
    """Return (word, count) pairs from the dict.txt shipped with the installed jieba package."""
    text = resources.files("jieba").joinpath("dict.txt").read_text(encoding="utf-8")
    pairs: list[tuple[str, int]] = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[1].isdigit():
            pairs.append((parts[0], int(parts[1])))
    return pairs


def convert(pairs: list[tuple[str, int]]) -> Counter[str]:
    import opencc  # build-time dependency

    s2tw = opencc.OpenCC("s2tw")
    s2twp = opencc.OpenCC("s2twp")
    counts: Counter[str] = Counter()
    for word, count in pairs:
        forms = {s2tw.convert(word), s2twp.convert(word)}
        # OpenCC writes the formal 臺 (臺灣, 平臺, 後臺); Taiwanese text mostly writes 台 (台灣,
        # 平台, 後台): know both.
        forms |= {form.replace("臺", "台") for form in forms}
        for form in forms:
            counts[form] += count
    return counts


def build(min_count: int, max_len: int) -> tuple[int, list[tuple[str, int]]]:
    counts = convert(read_jieba_dict())
    total = sum(counts.values())
    kept = [
        (w, c)
        for w, c in counts.items()
        if _HAN.fullmatch(w) and len(w) <= max_len and (len(w) == 1 or c >= min_count)
    ]
    # A character seen only inside words (or rarely on its own) still needs a single-character
    # score for the segmenter to fall back on: give it SINGLE_SHARE of its in-word count.
    in_words: Counter[str] = Counter()
    for w, c in kept:
        for ch in set(w):
            in_words[ch] += c
    singles = {w: c for w, c in kept if len(w) == 1}
    for ch, c in in_words.items():
        singles[ch] = max(singles.get(ch, 0), round(SINGLE_SHARE * c))
    kept = [(w, c) for w, c in kept if len(w) > 1] + [(ch, c) for ch, c in singles.items() if c > 0]
    kept.sort(key=lambda wc: (-wc[1], wc[0]))
    return total, kept


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--min-count", type=int, default=3)
    ap.add_argument("--max-len", type=int, default=4)
    args = ap.parse_args(argv)
    total, kept = build(args.min_count, args.max_len)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    versions = f"jieba {metadata.version('jieba')}, OpenCC {metadata.version('opencc')}"
    lines = [
        "# zh-TW word counts for bot/bank/mojibake/priors.py, built by tools/build_zh_model.py",
        "# source: jieba dict.txt (MIT licence), converted with OpenCC s2tw + s2twp (Apache-2.0)",
        f"# built with {versions}",
        f"# min-count={args.min_count} max-len={args.max_len}",
        f"total\t{total}",
    ]
    lines += [f"{w}\t{c}" for w, c in kept]
    data = ("\n".join(lines) + "\n").encode("utf-8")
    # mtime=0 and no file name in the header keep the output byte-identical between runs.
    with (
        open(args.out, "wb") as fh,
        gzip.GzipFile(filename="", fileobj=fh, mode="wb", compresslevel=9, mtime=0) as gz,
    ):
        gz.write(data)
    print(f"{args.out}: {len(kept)} words, {args.out.stat().st_size / 1024:.0f} KiB", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
