"""Drawing and grading a 60-question mock exam (the Professional blueprint) from a generated
5,000-question bank: bot CPU per exam, beside its floor from the same run.

    .venv/bin/python bench/exam.py [--files 5000] [--exams 300] [--keep DIR]

The bank is made with bench/bank_load.py's question (the users' structured template), its topic
tags spread over every section of the Professional blueprint, then loaded once. Per exam, as /exam
does it: the sections' pools from `Bank.sections` (cached), `bot.core.exam.draw` (60 questions by
largest remainder, a member who has seen 2,000 of them, so the unseen-first rule has work to do),
the `ExamItem`s with each question's answer and options, a member's answers, `bot.core.exam.grade`.
CPU is `time.process_time` over many exams, divided. The baseline is the floor of any draw: 60 keys
picked with `random.sample` from the same bank's keys, the same number of times. The SectionIndex
(which section each question falls in) is built once per bank load: its CPU is measured apart.
Goal: at most 50 ms of bot CPU per exam.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bank_load  # noqa: E402  (the generator of bench/bank_load.py)

from bot.bank import Bank, load_bank  # noqa: E402
from bot.bank.blueprint import SectionIndex  # noqa: E402
from bot.core.exam import ExamItem, draw, grade  # noqa: E402

#: Tags of the users' vocabulary, at least one in each section of the Professional blueprint.
EXAM_TOPICS = [
    "PySpark",  # developing code
    "Streaming",
    "Auto-Loader",  # ingestion
    "Delta-MERGE",  # data manipulation
    "Data-Quality",
    "Monitoring",  # monitoring
    "Spark-UI",
    "Performance-Tuning",  # cost & performance
    "Delta-Optimization",
    "Access-Control",  # security
    "Unity-Catalog",  # governance
    "Databricks-Repos",  # debugging & deploying
    "Jobs",
    "Data-Modeling",  # data modeling
]
SEEN = 2000


def generate(root: Path, files: int) -> None:
    """`files` questions in batch folders, question n tagged EXAM_TOPICS[n % len] (and a second
    tag of the same list one in three times)."""
    rng = random.Random(5000)
    for n in range(1, files + 1):
        tags = [EXAM_TOPICS[n % len(EXAM_TOPICS)]]
        if n % 3 == 0:
            tags.append(EXAM_TOPICS[(n * 7) % len(EXAM_TOPICS)])
        text = re.sub(
            r"\*\*Topics:\*\* .*",
            "**Topics:** " + ", ".join(f"`{t}`" for t in tags),
            bank_load.question(n, rng),
        )
        folder = root / f"batch-{n % 10}"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"Q-{n:04d}.md").write_text(text, encoding="utf-8")


def one_exam(bank: Bank, key: str, rng: random.Random, seen: frozenset[str]) -> int:
    """Draw, answer and grade one exam as /exam does; the number right (so nothing is optimised away)."""
    from datetime import UTC, datetime, timedelta

    bp = bank.blueprint(key)
    assert bp is not None
    pools = bank.sections(bp.key).pools
    drawn = draw(bp.weights, pools, bp.questions, rng=rng, seen=seen)
    items = []
    for position, (qkey, section) in enumerate(drawn):
        q = bank.get(qkey)
        assert q is not None
        chosen = rng.choice(list(q.options))
        items.append(ExamItem(position, qkey, section, "".join(q.answer), "".join(q.options), chosen))
    started = datetime(2026, 12, 6, 9, tzinfo=UTC)
    result = grade(
        items,
        bp.weights,
        pass_mark=bp.pass_mark,
        started_at=started,
        submitted_at=started + timedelta(hours=1),
    )
    return result.correct


def cpu_per_call(fn: object, repeat: int) -> float:
    """Mean CPU seconds of `fn()` over `repeat` calls."""
    assert callable(fn)
    start = time.process_time()
    for _ in range(repeat):
        fn()
    return (time.process_time() - start) / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=5000)
    parser.add_argument("--exams", type=int, default=300, help="exams per measurement")
    parser.add_argument("--keep", type=Path, help="generate the bank here and keep it")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        root = args.keep or Path(tmp) / "bank"
        if not root.exists() or not any(root.iterdir()):
            generate(root, args.files)
        t0 = time.perf_counter()
        bank = load_bank(root)
        load_s = time.perf_counter() - t0
    assert not bank.errors, bank.errors[:3]
    bp = bank.blueprint("professional")
    assert bp is not None

    builds = []
    for _ in range(5):
        start = time.process_time()
        index = SectionIndex(bp, bank.questions, bank.topics)
        builds.append(time.process_time() - start)
    assert bank.sections(bp.key).pools == index.pools
    sizes = {k: len(v) for k, v in index.pools.items()}

    keys = [q.key for q in bank.questions]
    seen_rng = random.Random(1)
    seen = frozenset(seen_rng.sample(keys, min(SEEN, len(keys))))
    rng = random.Random(60)
    baseline = statistics.median(
        cpu_per_call(lambda: rng.sample(keys, bp.questions), args.exams) for _ in range(3)
    )
    per_exam = statistics.median(
        cpu_per_call(lambda: one_exam(bank, bp.key, rng, seen), args.exams) for _ in range(3)
    )

    print(
        f"bank: {len(bank.questions)} questions (loaded in {load_s:.2f} s), blueprint {bp.key}: {bp.questions} questions"
    )
    print(f"sections: {sizes}; in no section: {len(index.unplaced)}")
    print(
        f"SectionIndex build, once per bank load: {1000 * statistics.median(builds):.1f} ms CPU (median of 5)"
    )
    print(f"baseline, random.sample of {bp.questions} keys: {1000 * baseline:.3f} ms CPU per exam")
    print(f"draw + items + grade of one exam:      {1000 * per_exam:.3f} ms CPU per exam (goal: <= 50 ms)")
    print(f"(median of 3 runs of {args.exams} exams each)")


if __name__ == "__main__":
    main()
