"""A bank folder holding every hostile case of issue 13 next to the seed question, built on demand.

Used by tests/bank/test_hostile.py (`bank check` on it), tests/e2e/test_hostile_bank.py (the bot
starting on it) and bench/bank_load.py (how long it takes). `build(root)` writes the folder and
returns what must come of each file: `Expected.errors` (paths reported as errors), `.skipped`
(reported as skipped: links, special files), `.keys` (questions that must load).
"""

from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from pathlib import Path

from tests.helpers import Q104, SCD_OPTIONS, SCD_TYPE1, SCD_TYPE2, alias_bomb, structured, yaml_question


@dataclass
class Expected:
    errors: set[str] = field(default_factory=set)
    skipped: set[str] = field(default_factory=set)
    keys: set[str] = field(default_factory=set)
    disputed: set[str] = field(default_factory=set)


def build(root: Path, *, outside: Path | None = None) -> Expected:
    """Write the hostile bank into `root` (created). Links point into `outside` (default: a sibling
    folder `root.name + '-outside'`), which holds a readable question that must never load."""
    root.mkdir(parents=True, exist_ok=True)
    outside = outside or root.parent / f"{root.name}-outside"
    outside.mkdir(parents=True, exist_ok=True)
    exp = Expected()

    def write(rel: str, text: str | bytes, *, error: bool = False, key: str | None = None) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        if error:
            exp.errors.add(rel)
        if key:
            exp.keys.add(key)

    # the seed, which must still load
    write("community/Q-104.md", Q104, key="community/Q-104")

    # YAML fields of the wrong type
    write("yaml/rationales-text.yaml", yaml_question("Y-1", "rationales: why A is right\n"), error=True)
    write("yaml/explanation-number.yaml", yaml_question("Y-2", "explanation: 5\n"), error=True)
    write("yaml/references-number.yaml", yaml_question("Y-3", "references: 7\n"), error=True)
    write("yaml/stem-mapping.yaml", "id: Y-4\nstem: {a: 1}\noptions: [x, y]\nanswer: A\n", error=True)
    # aliases nested nine deep, and nesting without end
    write("yaml/alias-bomb.yaml", alias_bomb(), error=True)
    write("yaml/deep.yaml", "stem: " + "[" * 100_000 + "\n", error=True)
    # keys that differ only in case, an 11th option, and 7 options that must all be read
    write("yaml/case-keys.yaml", yaml_question("Y-5", options="  a: first\n  A: second\n"), error=True)
    write(
        "yaml/eleven.yaml",
        yaml_question("Y-6", options="".join(f"  - option {i}\n" for i in range(11))),
        error=True,
    )
    write(
        "yaml/seven.yaml",
        yaml_question("Y-7", options="".join(f"  - option {i}\n" for i in range(7)), answer="G"),
        key="yaml/Y-7",
    )
    # Markdown options past F (read), past J (an error)
    write(
        "md/Q-G.md", structured("Q-G", "Pick the seventh.", [f"opt {i}" for i in range(7)], "G"), key="md/Q-G"
    )
    write("md/Q-K.md", structured("Q-K", "Eleven options.", [f"opt {i}" for i in range(11)], "A"), error=True)
    # a 40,000-space stem, and two 60 KB stems with the same id in one folder
    spaces = structured("Q-SP", "Why" + " " * 40_000 + "?", ["a", "b"], "A").replace("`Hostile`", "`Spaces`")
    write("md/spaces.md", spaces, key="md/Q-SP")
    big_stem = " ".join(f"word{i}" for i in range(6_500))  # ~58 KB, within the stem limit
    write("dup/Q-DUP.md", structured("Q-DUP", big_stem, ["one", "two"], "A"), key="dup/Q-DUP")
    write("dup/Q-DUP-copy.md", structured("Q-DUP", big_stem + " more", ["one", "two"], "A"))
    # a stem over the limit
    write("md/long.md", structured("Q-LONG", "w " * 40_000, ["one", "two"], "A"), error=True)
    # two 15 KB stems (within the limit) with the same id: compared as copies, merged
    mid_stem = " ".join(f"term{i}" for i in range(1_800))
    write("dup15/Q-MID.md", structured("Q-MID", mid_stem, ["one", "two"], "A"), key="dup15/Q-MID")
    write("dup15/Q-MID-copy.md", structured("Q-MID", mid_stem + " again", ["one", "two"], "A"))
    # a file over the size limit, binary junk, broken UTF-8, NUL bytes, an empty file
    write("md/huge.md", structured("Q-HUGE", "x", ["a", "b"], "A") + "y" * 600_000, error=True)
    write("md/junk.md", bytes(random.Random(13).randrange(256) for _ in range(4096)), error=True)
    write(
        "md/latin1.md", structured("Q-L1", "café", ["a", "b"], "A").encode("latin-1", "replace"), error=True
    )
    write("md/nul.md", structured("Q-NUL", "a\x00b", ["a", "b"], "A"), error=True)
    write("md/empty.md", "")
    # hostile but valid Markdown: 100 KB lines and runs in the explanation
    runs = (
        "\n\n".join("x" + ch * 5_000 + "y" for ch in " `>|*[") + "\n\n" + "- " * 2_500 + "\n\n" + "> " * 2_500
    )
    write("md/Q-RUNS.md", structured("Q-RUNS", "Runs?", ["a", "b"], "B", explanation=runs), key="md/Q-RUNS")
    # a double-encoded (mojibake) question, repaired on load
    clean = structured("Q-MOJI", "Which café serves crème brûlée?", ["the first", "the second"], "A")
    write("md/Q-MOJI.md", clean.encode("utf-8").decode("cp1252", "ignore"), key="md/Q-MOJI")
    # the same wording over two different tables: two questions
    write("batch1/Q-SCD.md", structured("Q-SCD", SCD_TYPE2, SCD_OPTIONS, "C"), key="batch1/Q-SCD")
    write("batch2/Q-SCD.md", structured("Q-SCD", SCD_TYPE1, SCD_OPTIONS, "B"), key="batch2/Q-SCD")
    # copies that disagree (letters shuffled, and the correct option's text differs)
    stem = "A streaming query must not lose its progress across restarts. What must it be given?"
    write(
        "by-order/Q-CP.md",
        structured("Q-CP", stem, ["a checkpoint location", "a trigger", "a watermark"], "A"),
    )
    write(
        "by-topic/Streaming/Q-CP.md",
        structured("Q-CP", stem, ["a trigger", "a watermark", "a checkpoint location"], "B"),
    )
    exp.keys.add("by-order/Q-CP")
    exp.disputed.add("by-order/Q-CP")

    # links: to a file and to a folder outside the bank; neither may be read
    (outside / "secret.yaml").write_text(yaml_question("SECRET"), encoding="utf-8")
    (outside / "folder").mkdir(exist_ok=True)
    (outside / "folder" / "Q-OUT.yaml").write_text(yaml_question("Q-OUT"), encoding="utf-8")
    (root / "links").mkdir(exist_ok=True)
    os.symlink(outside / "secret.yaml", root / "links" / "secret.yaml")
    os.symlink(outside / "folder", root / "links" / "folder")
    exp.skipped |= {"links/secret.yaml", "links/folder"}
    if hasattr(os, "mkfifo"):  # a pipe named like a question: opening it would block for ever
        os.mkfifo(root / "md" / "pipe.md")
        exp.skipped.add("md/pipe.md")
    return exp
