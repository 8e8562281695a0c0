"""Cold load of a generated 5,000-file bank: time and peak memory, against a baseline; and the
load of a hostile bank (every case of issue 13 next to the seed question).

    .venv/bin/python bench/bank_load.py [--files 5000] [--keep DIR] [--hostile-only]

Each measurement runs in a fresh Python process (cold: no module or parse cache),
reported next to the baseline of the same process only reading and decoding the
files (the floor any loader pays). Goal: under 2 s and under 150 MB. The hostile
folder is built by tests/bank/hostile.py in a temporary directory; goal: under a
second of work, every bad file named.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.bank import hostile  # noqa: E402  (the hostile folder, shared with the tests)

TOPICS = [
    "Delta-Lake",
    "Streaming",
    "Auto-Loader",
    "Unity-Catalog",
    "Jobs",
    "CLI",
    "DLT",
    "Performance-Tuning",
]
TRAPS = ["Concept-Confusion", "Syntax-Confusion", "Scope-Misunderstanding", "Similar-Function"]


def question(n: int, rng: random.Random) -> str:
    answer = rng.choice("ABCDE")
    topics = ", ".join(f"`{t}`" for t in rng.sample(TOPICS, 2))
    traps = ", ".join(f"`{t}`" for t in rng.sample(TRAPS, 1))
    wrong = "\n\n".join(
        f'### 選項 {x} - "option {x}"\n\n**為什麼錯誤？**\n\n- {x} 描述的是另一個概念，與題目情境不符。\n- 這是常見的混淆點。'
        for x in "ABCDE"
        if x != answer
    )
    return (
        textwrap.dedent(f"""\
        # Question #{n}

        ---

        ## 題目資訊

        ### 題目編號
        **ID:** `Q-{n:04d}`

        ### 來源
        **來源:** Generated

        ### 難度等級
        **難度:** `L{1 + n % 3}-Basic`

        ---

        ## 題目內容

        ### 題幹

        A data engineer runs job number {n} and needs to choose the right configuration for the pipeline.

        ```python
        df = spark.readStream.table("events_{n}")
        # a comment that is not a heading
        ```

        Which option meets the requirement?

        ### 選項

        - **A.** Use option A for question {n}.
        - **B.** Use option B for question {n}.
        - **C.** Use option C for question {n}.
        - **D.** Use option D for question {n}.
        - **E.** Use option E for question {n}.

        ---

        ## 標籤系統

        ### Topic Tags (技術主題標籤)
        **Topics:** {topics}

        ### Trap Tags (陷阱類型標籤)
        **Traps:** {traps}

        ### Knowledge Domain (知識領域)
        **Domain:** Data Engineering

        ---

        ## 答案與來源

        ### 正確答案
        **正解:** `{answer}`

        ### 答案來源
        - **來源標註答案:** {answer}
        - **社群投票答案:** {answer} (100%)

        ---

        # 題目解析

        ## 📍 考點識別

        **核心技術:** 題目 {n} 的核心概念
        - 關鍵概念一
        - 關鍵概念二

        ## ✅ 正解說明

        ### 為什麼 {answer} 是正確的？

        | 概念 | 說明 |
        |------|------|
        | 選項 {answer} | 正確的設定 |

        ## ❌ 錯誤選項排除

        """)
        + wrong
        + textwrap.dedent("""

        ## 🧠 記憶法

        ### 口訣記憶
        記住關鍵字即可。

        ## 📚 官方文件與參考資源

        - [Docs](https://docs.databricks.com/aws/en/)
        """)
    )


def generate(root: Path, files: int) -> int:
    rng = random.Random(5000)
    total = 0
    for n in range(1, files + 1):
        folder = root / f"batch-{n % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        data = question(n, rng).encode("utf-8")
        (folder / f"Q-{n:04d}.md").write_bytes(data)
        total += len(data)
    return total


CHILD = r"""
import json, resource, sys, time
from pathlib import Path
root = Path(sys.argv[1]); mode = sys.argv[2]
t_import = time.perf_counter()
if mode != "baseline":
    from bot.bank import load_bank
import_s = time.perf_counter() - t_import
t0 = time.perf_counter()
cpu0 = time.process_time()
errors = 0
if mode == "hostile":
    bank = load_bank(root)
    count, errors = len(bank.questions), len(bank.errors)
elif mode == "baseline":
    n = 0
    for p in sorted(root.rglob("*.md")):
        n += len(p.read_bytes().decode("utf-8"))
    count = n
else:
    bank = load_bank(root)
    count = len(bank.questions)
    assert not bank.errors, bank.errors[:3]
elapsed = time.perf_counter() - t0
cpu = time.process_time() - cpu0
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
# the loader parses a large bank in worker processes: count the largest of them too
child_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(json.dumps({"seconds": elapsed, "cpu": cpu, "import": import_s, "peak_mb": peak_mb + child_mb,
                  "count": count, "errors": errors}))
"""


def measure(root: Path, mode: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(root), mode], check=True, capture_output=True, text=True, cwd=ROOT
    )
    return json.loads(out.stdout)


def bench_hostile(runs: int) -> None:
    """`load_bank` on the hostile folder, cold, best of `runs`; and `quizbot bank check` on it."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "hostile"
        expected = hostile.build(root)
        size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file() and not p.is_symlink())
        print(
            f"hostile folder: {sum(1 for _ in root.rglob('*'))} entries, {size / 1e6:.1f} MB "
            f"({len(expected.errors)} bad files, {len(expected.skipped)} links and pipes, "
            f"{len(expected.keys)} questions to load)"
        )
        best = min((measure(root, "hostile") for _ in range(runs)), key=lambda r: r["seconds"])
        t0 = time.perf_counter()
        check = subprocess.run(
            [sys.executable, "-m", "bot", "bank", "check", str(root)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        check_s = time.perf_counter() - t0
        named = sum(1 for path in expected.errors if f"\n{path}:" in "\n" + check.stdout)
        print(
            f"{'hostile load_bank':28}{best['seconds']:>12.3f} s{best['cpu']:>10.3f} s CPU"
            f"{best['peak_mb']:>10.1f} MB   {best['count']} questions, {best['errors']} errors"
        )
        print(
            f"{'quizbot bank check':28}{check_s:>12.3f} s (whole process, interpreter and imports included); "
            f"exit {check.returncode}; {named} of {len(expected.errors)} bad files named; "
            f"traceback: {'yes' if 'Traceback' in check.stdout + check.stderr else 'no'}"
        )
        ok = best["cpu"] < 1 and named == len(expected.errors) and check.returncode == 1
        print(f"goal: under a second of work, every bad file named, exit 1 -> {'met' if ok else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="generate into this folder and keep it")
    parser.add_argument("--hostile-only", action="store_true", help="only the hostile folder")
    args = parser.parse_args()
    bench_hostile(args.runs)
    if args.hostile_only:
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp) / "bank"
        size = generate(root, args.files)
        print(f"generated {args.files} question files, {size / 1e6:.1f} MB, in {root}")
        rows = []
        for mode in ("baseline", "load_bank"):
            runs = [measure(root, mode) for _ in range(args.runs)]
            best = min(runs, key=lambda r: r["seconds"])
            rows.append((mode, best))
        print(
            f"{'':28}{'cold seconds (best of ' + str(args.runs) + ')':>30}{'peak RSS MB':>14}{'import s':>10}"
        )
        print(f"{'':28}{'':>30}{'(+ workers)':>14}")
        labels = {"baseline": "baseline: read+decode only", "load_bank": "quizbot load_bank"}
        for mode, r in rows:
            print(f"{labels[mode]:28}{r['seconds']:>30.3f}{r['peak_mb']:>14.1f}{r['import']:>10.3f}")
        loaded = rows[1][1]["count"]
        print(
            f"questions loaded: {loaded}; goal: < 2 s and < 150 MB -> "
            f"{'met' if rows[1][1]['seconds'] < 2 and rows[1][1]['peak_mb'] < 150 else 'NOT met'}"
        )


if __name__ == "__main__":
    main()
