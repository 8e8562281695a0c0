"""Encoding repair on the whole sample bank: characters rebuilt right, per code page.

    .venv/bin/python bench/mojibake_repair.py [--bank DIR] [--codepage cp1252] [--every N]
                                              [--no-vocabulary] [--errors N]

Every clean file of the bank (``../shared/bank-sample/question-bank`` by default, read in
place) is corrupted the way the broken files were (UTF-8 bytes read as the code page, undefined
bytes and soft hyphens dropped; docs/mojibake.md) and repaired. The repair gets a
``Vocabulary`` learned from the bank's *other* files (leave-one-out: a file's own clean text
never helps to repair it). The seed's clean copy (``by-order_v1/Q-104.md``) is neither scored
nor learned from, and the seed itself is repaired with what the other files teach.

Printed: characters rebuilt and right, files exact, how often the fixes not flagged uncertain
are right, time per file (repair, and ``needs_repair`` on the clean text), the vocabulary's
learning time and size, and the same figures without the vocabulary (the shipped model alone).
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bot.bank.mojibake import UNCERTAIN_RATIO, Vocabulary, needs_repair, repair  # noqa: E402
from bot.bank.mojibake.priors import word_model  # noqa: E402

SHARED = ROOT.parent / "shared"
DEFAULT_BANK = SHARED / "bank-sample" / "question-bank"
SEED = SHARED / "seed" / "000_eddf2cd0f6cab2bb.txt"
ORACLE_REL = "by-order_v1/Q-104.md"


def corrupt(text: str, codepage: str) -> str:
    """UTF-8 bytes read as ``codepage``; undefined bytes and soft hyphens (0xAD) dropped."""
    out = []
    for b in text.encode("utf-8"):
        if b == 0xAD:
            continue
        try:
            out.append(bytes([b]).decode(codepage))
        except UnicodeDecodeError:
            continue
    return "".join(out)


def lost(text: str, codepage: str) -> list[int]:
    """Offsets of the characters of ``text`` that lose a byte on the way."""
    return [i for i, c in enumerate(text) if len(corrupt(c, codepage)) < len(c.encode("utf-8"))]


def measure(
    texts: dict[str, str], codepage: str, vocabulary: Vocabulary | None, errors: collections.Counter
) -> dict[str, float]:
    expected = right = exact = sure = sure_right = 0
    times: list[float] = []
    for rel, clean in texts.items():
        broken = corrupt(clean, codepage)
        if vocabulary is not None:
            vocabulary.forget(clean)  # leave one out
        started = time.perf_counter()
        result = repair(broken, vocabulary=vocabulary)
        times.append(time.perf_counter() - started)
        if vocabulary is not None:
            vocabulary.learn([clean])
        where = lost(clean, codepage)
        if len(result.text) != len(clean) or result.rebuilt != len(where):
            raise SystemExit(f"{rel}: the repair did not keep the text's shape")
        expected += len(where)
        ok = [result.text[i] == clean[i] for i in where]
        right += sum(ok)
        exact += result.text == clean
        for fix, i in zip(sorted(result.fixes, key=lambda f: (f.line, f.column)), where, strict=True):
            good = fix.replacement == clean[i]
            if fix.odds >= UNCERTAIN_RATIO:
                sure += 1
                sure_right += good
            if not good:
                errors[(clean[i], fix.replacement)] += 1
    return {
        "files": len(texts),
        "rebuilt": expected,
        "right": right,
        "accuracy": right / max(expected, 1),
        "exact": exact,
        "sure_share": sure / max(expected, 1),
        "sure_accuracy": sure_right / max(sure, 1),
        "ms_median": statistics.median(times) * 1e3,
        "ms_mean": statistics.fmean(times) * 1e3,
    }


LOAD_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
started = time.perf_counter()
from bot.bank import load_bank
bank = load_bank(Path(sys.argv[1]), workers=1)
print(json.dumps({"seconds": time.perf_counter() - started, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "repaired": {k: list(v) for k, v in bank.repaired.items()}, "files": bank.files_read}))
"""


def load_bank_with_the_seed(bank: Path, copies: int) -> None:
    """Cold ``load_bank`` (fresh process, one worker) of the sample bank linked ``copies`` times
    into a temporary folder (symlinks: the users' files stay where they are), without and with
    the seed: what one damaged file costs a bank load (model load, learning, repair)."""
    if not SEED.exists():
        print("load: the seed is not there, skipped")
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for k in range(copies):
            for path in sorted(bank.rglob("*.md")):
                rel = path.relative_to(bank)
                if rel.as_posix() == ORACLE_REL:
                    continue
                link = root / f"copy-{k}" / rel
                link.parent.mkdir(parents=True, exist_ok=True)
                link.symlink_to(path)
        print(f"\nload_bank, cold, {copies} linked copies of the sample bank (best of 3):")
        for label in ("all clean", "+ the seed"):
            if label != "all clean":
                (root / "seed").mkdir()
                (root / "seed" / "Q-104.md").symlink_to(SEED)
            runs = []
            for _ in range(3):
                out = subprocess.run(
                    [sys.executable, "-c", LOAD_CHILD, str(root)],
                    check=True,
                    capture_output=True,
                    text=True,
                    cwd=ROOT,
                )
                runs.append(json.loads(out.stdout))
            best = min(runs, key=lambda r: r["seconds"])
            print(
                f"  {label}: {best['files']} files, {best['seconds']:.2f} s, peak {best['peak_mb']:.0f} MB, "
                f"repaired {best['repaired'] or 'none'}"
            )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bank", type=Path, default=DEFAULT_BANK)
    ap.add_argument("--codepage", action="append", choices=["cp1252", "cp1254"])
    ap.add_argument("--every", type=int, default=1, help="score every N-th file only (all are learned from)")
    ap.add_argument("--no-vocabulary", action="store_true", help="only the shipped model")
    ap.add_argument("--no-baseline", action="store_true", help="skip the run without the vocabulary")
    ap.add_argument("--errors", type=int, default=0, help="print the N most common confusions")
    ap.add_argument(
        "--load",
        type=int,
        default=0,
        metavar="N",
        help="also time load_bank on N linked copies of the bank ± the seed",
    )
    args = ap.parse_args(argv)
    if not args.bank.is_dir():
        print(f"{args.bank}: not there (the users' sample bank lives in ../shared)", file=sys.stderr)
        return 2
    codepages = args.codepage or ["cp1252", "cp1254"]
    paths = sorted(p for p in args.bank.rglob("*.md") if p.relative_to(args.bank).as_posix() != ORACLE_REL)
    texts = {p.relative_to(args.bank).as_posix(): p.read_text(encoding="utf-8") for p in paths}
    scored = dict(list(texts.items())[:: args.every])
    chars = sum(map(len, texts.values()))
    print(f"bank: {args.bank} — {len(texts)} clean files, {chars:,} characters; scoring {len(scored)}")

    # needs_repair on clean files (what every bank load pays).
    rounds = 20
    started = time.perf_counter()
    for _ in range(rounds):
        flagged = sum(needs_repair(t) for t in texts.values())
    per_file = (time.perf_counter() - started) / (rounds * len(texts))
    print(f"needs_repair: {per_file * 1e6:.1f} µs per clean file, {flagged} flagged")

    started = time.perf_counter()
    word_model()  # the shipped model's one-off load is not part of any file's time
    print(f"shipped word model: loaded in {time.perf_counter() - started:.2f} s (once per process)")
    vocabulary = None
    if not args.no_vocabulary:
        took = []
        for _ in range(3):
            started = time.perf_counter()
            vocabulary = Vocabulary().learn(texts.values())
            vocabulary.logp("", "中")  # continuation counts are built on first use
            took.append(time.perf_counter() - started)
        tracemalloc.start()
        sized = Vocabulary().learn(texts.values())
        sized.logp("", "中")
        size = tracemalloc.get_traced_memory()[0]
        tracemalloc.stop()
        del sized
        assert vocabulary is not None
        print(
            f"vocabulary: learned from {len(texts)} files ({vocabulary.chars:,} characters near non-ASCII "
            f"text) in {min(took) * 1e3:.0f} ms (best of 3), {len(vocabulary):,} n-grams, {size / 2**20:.1f} MiB"
        )

    runs = [("shipped model + bank vocabulary (leave-one-out)", vocabulary)] if vocabulary else []
    if vocabulary is None or not args.no_baseline:
        runs.append(("shipped model only", None))
    for label, vocab in runs:
        print(f"\n{label}")
        print(
            "| code page | characters rebuilt | right | files exact | not-uncertain right | ms per file (median / mean) |"
        )
        print("|---|---|---|---|---|---|")
        for cp in codepages:
            errors: collections.Counter = collections.Counter()
            m = measure(scored, cp, vocab, errors)
            print(
                f"| {cp} | {m['rebuilt']:,} | {m['right']:,} = **{m['accuracy']:.2%}** | "
                f"{m['exact']} / {m['files']} | {m['sure_accuracy']:.2%} of {m['sure_share']:.0%} | "
                f"{m['ms_median']:.0f} / {m['ms_mean']:.0f} |"
            )
            if args.errors:
                common = ", ".join(f"{a}→{b} ×{n}" for (a, b), n in errors.most_common(args.errors))
                print(f"  confusions ({cp}): {common}")

    if args.load:
        load_bank_with_the_seed(args.bank, args.load)

    if SEED.exists():
        seed = SEED.read_text(encoding="utf-8")
        oracle_path = args.bank / ORACLE_REL
        oracle = oracle_path.read_text(encoding="utf-8") if oracle_path.exists() else None
        for label, vocab in runs:
            started = time.perf_counter()
            result = repair(seed, vocabulary=vocab)
            took = time.perf_counter() - started
            line = (
                f"seed ({label}): {result.rebuilt} rebuilt, {result.uncertain} uncertain, {took * 1e3:.0f} ms"
            )
            if oracle is not None and len(oracle) == len(result.text):
                wrong = [(a, b) for a, b in zip(oracle, result.text, strict=True) if a != b]
                line += f"; {len(wrong)} differ from the clean copy: " + " ".join(
                    f"{a}→{b}" for a, b in wrong
                )
            print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
