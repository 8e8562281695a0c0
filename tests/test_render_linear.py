"""Every render entry point does linear work on hostile text (issue 13).

Each entry point gets each adversarial text at 10 KB and at 100 KB; the CPU time of the
100 KB run may be at most GROWTH_LIMIT times that of the 10 KB run. Linear work measures 9.5–14×
on the project's shared 2-core machine (a 100 KB text and its tokens miss the CPU caches more),
n log n 12.5×, n^1.5 32×, quadratic work 100×: the limit is 25 (linear code measured up to 14× in a busy full run). Times are `time.process_time`
with the collector off, the best of up to five rounds (other work on the machine slows some);
no absolute time is asserted.

Each call renders a new Question object, so the render caches (keyed by the object) never
answer in place of the renderer.
"""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable, Iterator

import discord
import pytest

from bot.bank.model import Question, Section
from bot.i18n import EN, ZH
from bot.render.cache import clear_all
from bot.render.chart import Bar, accuracy_chart
from bot.render.discord_markdown import preview, to_discord
from bot.render.explain import OVERVIEW, build_menu, explain_embed, option_embed
from bot.render.limits import cut, embed_problems, fit
from bot.render.paginate import paginate
from bot.render.question import Feedback, Tally, answer_view, feedback_payload, question_embed
from bot.render.text import display_width

SMALL = 10_000
BIG = 100_000
GROWTH_LIMIT = 25.0
ROUNDS = 5  # only a near miss takes more than one


def _repeat(unit: str, n: int) -> str:
    return (unit * (n // len(unit) + 1))[:n]


def _after(head: str, unit: str, n: int) -> str:
    return head + _repeat(unit, n - len(head))


def _staircase(n: int) -> str:
    """Backtick runs of every length 1, 2, 3, … — no run has a partner to close it."""
    parts: list[str] = []
    size = 0
    k = 1
    while size < n:
        parts.append("`" * k + "a")
        size += k + 1
        k += 1
    return "".join(parts)[:n]


def _nested_lists(n: int) -> str:
    return _repeat("".join("  " * depth + "- an item of a nested list\n" for depth in range(30)), n)


def _nested_quotes(n: int) -> str:
    return _repeat("".join("> " * depth + "- a quoted list item\n" for depth in range(1, 25)), n)


ADVERSARIAL: dict[str, Callable[[int], str]] = {
    "a run of spaces": lambda n: "Stem" + " " * (n - 8) + "end.",
    "a link, then spaces and tabs": lambda n: (
        "[back](#top) or [on](https://x.y)" + _repeat(" \t", n - 37) + "end."
    ),
    "a run of backticks": lambda n: "`" * n,
    "backtick runs of every length": _staircase,
    "backtick words": lambda n: _repeat("`a", n),
    "a run of >": lambda n: ">" * n,
    "nested quotes and lists": _nested_quotes,
    "a run of |": lambda n: "|" * n,
    "table rows": lambda n: _after("| a | b |\n|---|---|\n", "| `x` and text | y<br>z<br>more |\n", n),
    "a wide table with short rows": lambda n: _after(
        "|" + "h|" * 100 + "\n|" + "-|" * 100 + "\n", "| a row of one cell and 99 padded |\n", n
    ),
    "a run of *": lambda n: "*" * n,
    "bold words": lambda n: _repeat("**a", n),
    "a run of [": lambda n: "[" * n,
    "unclosed links": lambda n: _repeat("[a](", n),
    "anchors with spaces": lambda n: _repeat("  [a](#b)  x", n),
    "nested brackets": lambda n: _repeat("[[x]", n),
    "<br> runs": lambda n: _repeat("<br>", n),
    "unclosed <br": lambda n: _repeat("<br ", n),
    "a run of #": lambda n: "#" * n,
    "headings": lambda n: _repeat("# a heading, then another\n", n),
    "a run of backslashes": lambda n: "\\" * n,
    "one 100 KB line of words": lambda n: _repeat("word ", n),
    "10,000 short lines": lambda n: _repeat("short one\n", n),
    "blank lines": lambda n: "x" + "\n" * (n - 2) + "y",
    "nested lists": _nested_lists,
    "unclosed fences in list items": lambda n: _repeat("- ```text and an info string\n", n),
    "many fences": lambda n: _repeat("```py\nx = 1\n```\n", n),
    "one long code line": lambda n: "```\n" + "x" * (n - 8) + "\n```",
    "CJK": lambda n: _repeat("中文字", n),
    "emoji ZWJ sequences": lambda n: _repeat("👩\u200d💻", n),
    "combining marks": lambda n: "e" + "\u0301" * (n - 1),
    "everything mixed": lambda n: _repeat("> - **[a](#x)** `c` | d <br> # ~~~\n", n),
}


def _question(text: str, *, choose: int = 1) -> Question:
    """A ten-option question with *text* everywhere a renderer reads Markdown."""
    letters = "ABCDEFGHIJ"
    return Question(
        key="linear/Q-1",
        id="Q-1",
        collection="linear",
        path="linear/Q-1.md",
        line=1,
        stem=text,
        options={x: text if x in "AB" else f"option {x}" for x in letters},
        answer=tuple(letters[:choose]),
        topics=("Linear",),
        traps=("Trap",),
        sections=(
            Section("concepts", "Concepts", "", text),
            Section("wrong_options", "Wrong options", "", text),
        ),
        rationales={"A": text, "B": text, "C": text},
    )


def _select_labels(text: str) -> None:
    answer_view(_question(text, choose=3), 1, locale=EN)


ENTRY_POINTS: dict[str, Callable[[str], object]] = {
    "to_discord": to_discord,
    "paginate 4096": paginate,
    "paginate 64": lambda s: paginate(s, 64),
    "preview": lambda s: preview(s, 4096),
    "cut": lambda s: cut(s, 100),
    "fit": lambda s: fit(s, 1024),
    "display_width": display_width,
    "question_embed": lambda s: question_embed(_question(s), locale=EN, kind="daily", answered=3),
    "feedback_payload": lambda s: feedback_payload(
        _question(s, choose=2), Feedback("CD", False, 0, 5, 0, 2, "daily"), locale=EN
    ),
    "explain pages": lambda s: explain_embed(_question(s), 1, 0, locale=ZH),
    "explain overview": lambda s: explain_embed(_question(s), OVERVIEW, 0, locale=EN),
    "explain menu": lambda s: build_menu(_question(s)),
    "option_embed": lambda s: option_embed(_question(s, choose=2), "C", locale=EN),
    "select labels": _select_labels,
    "chart label": lambda s: accuracy_chart([Bar(s, 1, 2), Bar("CLI", 2, 3)]),
}


@pytest.fixture(autouse=True)
def _empty_caches() -> Iterator[None]:
    yield
    clear_all()


def _cpu(func: Callable[[str], object], text: str, calls: int) -> float:
    """CPU seconds per call of `calls` calls, the collector off."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.process_time()
        for _ in range(calls):
            func(text)
        return (time.process_time() - start) / calls
    finally:
        if enabled:
            gc.enable()


def growth(func: Callable[[str], object], small: str, big: str) -> float:
    """How much more CPU `func` takes on `big` than on `small`: the best of up to ROUNDS rounds of
    both (a round slowed down by other work on this shared machine does not count)."""
    once = _cpu(func, small, 1)  # also warms up the code and the Unicode tables
    calls = max(1, min(200, math.ceil(0.005 / max(once, 1e-6))))  # ≥ 5 ms a measurement
    small_time = once if calls == 1 else math.inf
    big_time = math.inf
    for _ in range(ROUNDS):
        small_time = min(small_time, _cpu(func, small, calls))
        big_time = min(big_time, _cpu(func, big, calls))
        if big_time <= GROWTH_LIMIT * small_time or big_time > 3 * GROWTH_LIMIT * small_time:
            break  # linear, or plainly not: another round would not change the verdict
    return big_time / small_time


@pytest.mark.parametrize("kind", list(ADVERSARIAL))
def test_every_entry_point_is_linear(kind: str) -> None:
    small, big = ADVERSARIAL[kind](SMALL), ADVERSARIAL[kind](BIG)
    assert len(small) == SMALL and len(big) == BIG
    slow = {}
    for name, func in ENTRY_POINTS.items():
        ratio = growth(func, small, big)
        if ratio > GROWTH_LIMIT:
            slow[name] = round(ratio, 1)
    assert slow == {}, f"{kind}: 10× the input took this many times the work"


@pytest.mark.parametrize("kind", list(ADVERSARIAL))
def test_hostile_text_renders_within_discords_limits(kind: str) -> None:
    text = ADVERSARIAL[kind](SMALL)
    q = _question(text)
    for embed in (
        question_embed(q, locale=EN, kind="daily", answered=3),
        question_embed(q, locale=ZH, kind="daily", tally=Tally({"A": 1}, 1, 1)),
        discord.Embed.from_dict(feedback_payload(q, Feedback("B", False, 0, 5, 0, 2, "daily"), locale=EN)),
        explain_embed(q, OVERVIEW, 0, locale=ZH),
        explain_embed(q, 1, 0, locale=EN),
        option_embed(q, "B", locale=EN),
    ):
        assert embed_problems(embed) == [], kind
    for page in paginate(text, 1024):
        assert 0 < len(page.encode("utf-16-le")) // 2 <= 1024


def test_the_growth_measure_catches_quadratic_work() -> None:
    def quadratic(text: str) -> int:
        return sum(1 for i in range(0, len(text), 50) for _ in text[i : i + len(text) // 10 : 7])

    assert growth(quadratic, "x" * SMALL, "x" * BIG) > 2 * GROWTH_LIMIT
    assert growth(lambda s: sum(1 for c in s if c == "x"), "x" * SMALL, "x" * BIG) <= GROWTH_LIMIT
