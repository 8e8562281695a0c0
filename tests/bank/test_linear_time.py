"""Every entry point of the bank does linear work on adversarial text (issue 13).

Each case feeds one kind of hostile text (long runs of spaces, backticks, `>`, `|`, `*`, `[`,
nested lists and quotes, 100 KB lines, thousands of headings, unclosed comments…) through one
entry point — the structured and raw Markdown readers, the YAML reader, decoding (with the
mojibake check), the copy detection, and the scrubbing of credentials from git's messages — once at 10 KB and once at 100 KB. Linear work grows
about 10× (up to ~13× here: 100 KB of parsed structures no longer fit the CPU caches, which costs
a constant ~30% per character, not a growing one); a quadratic pattern grows about 100×, even an
n^1.5 one 30×. The test asserts at most 25× (linear code measured up to 14× when the machine is busy) on the CPU time of the best of several runs (a ratio
on the same machine a moment apart, not a wall-clock limit), measuring again before failing so
that a moment of noise on a shared machine does not fail it.
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable

import pytest

from bot.bank import BankError
from bot.bank.git import redact
from bot.bank.identity import merge_copies
from bot.bank.markdown_reader import NotAQuestion, read_markdown
from bot.bank.model import Question
from bot.bank.parse import decode
from bot.bank.yamlformat import read_yaml

SMALL, LARGE = 10_000, 100_000
MAX_RATIO = 25.0


def _repeat(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


def _nested(line: Callable[[int], str], depth: int, n: int) -> str:
    return _repeat("".join(line(i) for i in range(depth)), n)


PATTERNS: dict[str, Callable[[int], str]] = {
    "spaces": lambda n: "a" + " " * (n - 2) + "b",
    "spaces-before-bold": lambda n: "**a" + " " * (n - 4) + "x",
    "blank-lines-of-spaces": lambda n: _repeat("   \n", n),
    "tabs": lambda n: "\t" * (n - 1) + "x",
    "backticks": lambda n: "`" * n,
    "fences": lambda n: _repeat("```\n", n),
    "gt": lambda n: ">" * n,
    "nested-quotes": lambda n: _nested(lambda i: "> " * i + "q\n", 60, n),
    "pipes": lambda n: "|" * n,
    "table-rows": lambda n: _repeat("| a | b |\n", n),
    "stars": lambda n: "*" * n,
    "bold-runs": lambda n: _repeat("** ", n),
    "brackets": lambda n: "[" * n,
    "open-links": lambda n: _repeat("[a](", n),
    "nested-lists": lambda n: _nested(lambda i: "  " * i + "- x\n", 60, n),
    "long-line": lambda n: _repeat("word ", n),
    "headings": lambda n: _repeat("## x\n", n),
    "sub-headings": lambda n: _repeat("### 選項 A\nx\n", n),
    "option-lines": lambda n: _repeat("- **A.** x\n", n),
    "field-lines": lambda n: _repeat("**Topics:** x\n", n),
    "open-comments": lambda n: _repeat("<!--", n),
    "why-correct": lambda n: _repeat("為什麼 A ", n),
    "correct-marks": lambda n: _repeat("(Correct) ", n),
    "numbers": lambda n: _repeat("1% 2.5 ", n),
    "dump": lambda n: _repeat("# Question 7\n- A. x (Correct)\n- B. y\n", n),
    "hash-spaces": lambda n: "#" + " " * (n - 2) + "x",
    "heading-spaces": lambda n: "# a" + " " * (n - 4) + "b",
    "closing-hashes": lambda n: "## a " + "#" * (n - 6) + "b",
    "mojibake": lambda n: _repeat("cafÃ© crÃ¨me ", n),
    "bare-fence-then-space-lines": lambda n: "```\n" + _repeat(" \n", n - 8) + "```",
    "scheme-like-run": lambda n: "a" * (n - 1) + ":",
    "dump-one-id": lambda n: "".join(
        f"# Question 7\n## Question\nq{i}\n## Options\n- A. a{i} (Correct)\n- B. b{i}\n"
        for i in range(n // 60)
    ),
    "yaml-keys": lambda n: "".join(f"k{i}: v\n" for i in range(n // 8)),
    "yaml-list": lambda n: _repeat("- [a, {b: c}]\n", n),
}


SKELETON = """# Question #1

## 題目資訊
**ID:** `Q-1`
**Topics:** {field}

## 題目內容

### 題幹
{stem}
Which one?

### 選項
- **A.** first {option}
- **B.** second

## 答案與來源
**正解:** `A`

# 題目解析

## ✅ 正解說明
Because. {explanation}

## ❌ 錯誤選項排除
### 選項 B - {heading}
B is wrong. {explanation}

## 📚 官方文件與參考資源
- [Docs](https://docs.databricks.com/) {references}
"""
SLOTS = ("field", "stem", "option", "explanation", "heading", "references")


def _structured(slot: str, make: Callable[[int], str], n: int) -> str:
    """A structured file with the pattern in one slot (the others plain, so the file stays a
    question and the pattern reaches the code that reads that part)."""
    p = make(n // 2 if slot == "explanation" else n)
    if slot in ("field", "heading"):
        p = p.replace("\n", " ")
    return SKELETON.format(**{name: p if name == slot else "" for name in SLOTS})


RAW = "# Question 1\n\n## Question\n{stem}\n\n## Options\n- A. {option} (Correct)\n- B. b\n\n## Explanation\n{explanation}\n"


def _raw(slot: str, make: Callable[[int], str], n: int) -> str:
    return RAW.format(
        **{name: make(n) if name == slot else "x" for name in ("stem", "option", "explanation")}
    )


def _yaml(slot: str, make: Callable[[int], str], n: int) -> str:
    def block(text: str, indent: str) -> str:
        return indent + text.replace("\n", "\n" + indent)

    p = make(n)
    stem, body, source = (
        (p, "x", "x") if slot == "stem" else ("x", p, "x") if slot == "explanation" else ("x", "x", p)
    )
    return (
        f"id: Q-1\nstem: |2\n  Which?\n{block(stem, '  ')}\noptions:\n  A: a\n  B: b\nanswer: A\n"
        f"source: {json.dumps(source)}\n"
        f"explanation:\n  - heading: h\n    body: |2\n      Because.\n{block(body, '      ')}\n"
    )


def _question(stem: str, path: str) -> Question:
    return Question(
        key="c/Q-1",
        id="Q-1",
        collection="c",
        path=path,
        line=1,
        stem=stem,
        options={"A": "a", "B": "b"},
        answer=("A",),
    )


def _input(kind: str, make: Callable[[int], str], n: int) -> str:
    """The whole input of `kind` for the pattern, about n characters of it."""
    fmt, _, slot = kind.partition(":")
    if fmt == "markdown" and slot:
        return _structured(slot, make, n)
    if fmt == "raw":
        return _raw(slot, make, n)
    if fmt == "yaml" and slot:
        return _yaml(slot, make, n)
    return make(n)


def _run(kind: str, text: str) -> None:
    fmt = kind.partition(":")[0]
    try:
        if fmt in ("markdown", "raw"):
            read_markdown(text, "x.md")
        elif fmt == "yaml":
            read_yaml(text, "x.yaml")
        elif fmt == "decode":
            decode(text.encode("utf-8"), "x.md")
        elif fmt == "bank":  # a whole file read and its questions merged, as load_bank does
            merge_copies(read_markdown(text, "c/x.md", collection="c"))
        elif fmt == "git-redact":  # git's error output, which a remote can put text into
            redact(text)
        elif fmt == "copies":  # two files, same id in one folder, stems of n/2: the copy comparison
            half = text[: len(text) // 2]
            merge_copies([_question(half, "c/a.md"), _question(half + " x", "c/b.md")])
        else:  # pragma: no cover
            raise AssertionError(kind)
    except (BankError, NotAQuestion):
        pass


KINDS = [
    *(f"markdown:{slot}" for slot in SLOTS),
    "markdown",  # the pattern as the whole file
    "bank",  # the same, its questions then merged (a dump of thousands of questions)
    *(f"raw:{slot}" for slot in ("stem", "option", "explanation")),
    *(f"yaml:{slot}" for slot in ("stem", "explanation", "source")),
    "yaml",
    "decode",
    "copies",
    "git-redact",
]


def _cpu(kind: str, text: str, runs: int) -> float:
    """Best CPU time of `runs` runs, with the cyclic garbage collector paused: its passes cost in
    proportion to everything alive in the process (the whole test session's objects), not to the
    input, and would make the ratio depend on which tests ran before."""
    best = float("inf")
    gc.disable()
    try:
        for _ in range(runs):
            start = time.process_time_ns()
            _run(kind, text)
            best = min(best, time.process_time_ns() - start)
    finally:
        gc.enable()
    return max(best, 1.0)


@pytest.mark.parametrize("kind", KINDS)
def test_work_grows_linearly(kind: str) -> None:
    slow: list[str] = []
    for name, make in PATTERNS.items():
        small, large = _input(kind, make, SMALL), _input(kind, make, LARGE)
        _run(kind, small)  # warm: imports, caches, regex compilation
        ratio = _cpu(kind, large, 1) / _cpu(kind, small, 3)
        if ratio > MAX_RATIO:  # measure again, more carefully, before calling it super-linear
            # (the first 100 KB run may also have paid for growing the process's heap, once)
            ratio = min(ratio, _cpu(kind, large, 3) / _cpu(kind, small, 7))
        if ratio > MAX_RATIO:
            slow.append(f"{name}: {ratio:.1f}x")
    assert not slow, f"{kind}: work grows faster than the input (10 KB -> 100 KB): {', '.join(slow)}"
