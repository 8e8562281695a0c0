"""Every question of the bank renders into posts, feedback and /explain pages within Discord's limits."""

from __future__ import annotations

import asyncio
import re
import threading
from dataclasses import replace
from pathlib import Path

import discord
import pytest
from markdown_it import MarkdownIt

from bot.bank import load_bank
from bot.i18n import EN, ZH
from bot.render import ids
from bot.render.cache import RenderCache, cache_key
from bot.render.explain import (
    OVERVIEW,
    explain_embed,
    explain_message,
    explain_view,
    option_embed,
    option_embed_async,
    page_count,
)
from bot.render.limits import CUSTOM_ID, embed_problems, fit
from bot.render.question import (
    Feedback,
    Tally,
    answer_view,
    feedback_embed,
    feedback_payload,
    feedback_payload_async,
    feedback_view,
    question_embed,
    question_embed_async,
)
from bot.render.text import utf16_len
from tests.helpers import LETTERS, TEST_BANK, USERS_BANK, need_shared, ten_options

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module", params=["ours", "users-sample"])
def questions(request: pytest.FixtureRequest) -> list:  # type: ignore[type-arg]
    """The shipped bank with our test bank; then the users' bank sample (../shared), whose real
    explanations must fit as well (fails in CI when it is missing, skips elsewhere)."""
    if request.param == "ours":
        qs = [q for root in (ROOT / "questions", TEST_BANK) for q in load_bank(root).questions]
        assert len(qs) >= 40
    else:
        qs = load_bank(need_shared(USERS_BANK)).questions
        assert len(qs) >= 179
    return qs


def _custom_ids(view: discord.ui.View) -> list[str]:
    return [item.custom_id for item in view.children if getattr(item, "custom_id", None)]  # type: ignore[attr-defined]


def test_posts_and_feedback_within_limits(questions: list) -> None:  # type: ignore[type-arg]
    for q in questions:
        for loc in (EN, ZH):
            assert embed_problems(question_embed(q, locale=loc, kind="daily", answered=12)) == [], q.key
            tally = Tally(dict.fromkeys(q.options, 3), participants=3 * len(q.options), correct=3)
            assert embed_problems(question_embed(q, locale=loc, kind="practice", tally=tally)) == [], q.key
            for letter in q.options:
                fb = Feedback(letter, letter in q.answer, 10, 120, 3, 5, "daily")
                assert embed_problems(feedback_embed(q, fb, locale=loc)) == [], (q.key, letter)


def test_explain_pages_within_limits(questions: list) -> None:  # type: ignore[type-arg]
    for q in questions:
        for section in [OVERVIEW, *range(len(q.sections))]:
            for page in range(page_count(q, section)):
                assert embed_problems(explain_embed(q, section, page, locale=ZH)) == [], (
                    q.key,
                    section,
                    page,
                )
            view = explain_view(q, section, 0, owner=2**63, locale=ZH)
            assert all(len(c) <= CUSTOM_ID for c in _custom_ids(view))
            select = view.children[0]
            assert isinstance(select, discord.ui.Select) and len(select.options) <= 25
        for letter in q.options:
            assert embed_problems(option_embed(q, letter, locale=EN)) == [], (q.key, letter)


def test_custom_ids_never_reveal_the_answer(questions: list) -> None:  # type: ignore[type-arg]
    for q in questions:
        post_id = 123456789
        cids = _custom_ids(answer_view(q, post_id, locale=EN))
        if q.choose == 1:
            assert cids == [ids.answer(post_id, letter) for letter in q.options]
            # right and wrong buttons differ only by their own letter
            assert {re.sub(r":[A-J]$", "", c) for c in cids} == {f"quiz:ans:{post_id}"}
        else:
            assert cids == [ids.multi(post_id)]
        assert _custom_ids(feedback_view(post_id, locale=EN)) == [
            ids.explain_post(post_id),
            ids.report_post(post_id),
        ]
        # styles too: before the reveal every button looks the same
        buttons = [b for b in answer_view(q, post_id, locale=EN).children if isinstance(b, discord.ui.Button)]
        assert len({b.style for b in buttons}) <= 1


def test_fit_keeps_fences_balanced() -> None:
    text = "intro\n\n```python\n" + "\n".join(f"x = {i}" for i in range(400)) + "\n```\n\nafter"
    cut = fit(text, 1024)
    assert utf16_len(cut) <= 1024
    assert cut.count("```") % 2 == 0
    assert cut.endswith("…")


def test_prepared_feedback_payload_is_the_feedback_embed(questions: list) -> None:  # type: ignore[type-arg]
    from bot.render.question import PreparedEmbed, feedback_payload

    for q in questions[:40]:
        for letter in q.options:
            fb = Feedback(letter, letter in q.answer, 1, 7, 2, 4, "practice")
            payload = PreparedEmbed(feedback_payload(q, fb, locale=ZH)).to_dict()
            assert payload == feedback_embed(q, fb, locale=ZH).to_dict()
            assert embed_problems(discord.Embed.from_dict(payload)) == []


# --- ten options (A–J) --------------------------------------------------------------------


def _button_rows(view: discord.ui.View) -> list[list[str]]:
    return [[c["custom_id"] for c in row["components"]] for row in view.to_components()]


@pytest.mark.parametrize("choose", [1, 3])
def test_ten_long_options_are_all_served_within_every_limit(choose: int) -> None:
    q = ten_options(choose=choose)
    for loc in (EN, ZH):
        post = question_embed(q, locale=loc, kind="daily", answered=1234)
        assert embed_problems(post) == []
        shown = (post.description or "") + "".join(f.name or "" for f in post.fields)
        assert all(f"{x}." in shown for x in LETTERS)  # none dropped, none glued to another
        assert [f.name for f in post.fields if f.name and f.name[0] in LETTERS] == [f"{x}." for x in LETTERS]
        tally = Tally(dict.fromkeys(LETTERS, 3) if choose == 1 else {"AB" + x: 3 for x in "CDEFGHIJ"}, 30, 3)
        reveal = question_embed(q, locale=loc, kind="daily", tally=tally)
        assert embed_problems(reveal) == []
        for letter in LETTERS:
            chosen = letter if choose == 1 else "".join(sorted({letter, "A", "B"}))[:3]
            fb = Feedback(chosen, chosen == "".join(q.answer), 10, 120, 3, 5, "daily")
            assert embed_problems(feedback_embed(q, fb, locale=loc)) == [], letter
            assert embed_problems(option_embed(q, letter, locale=loc)) == [], letter
        for section in (OVERVIEW, 0, 1):
            for page in range(page_count(q, section)):
                assert embed_problems(explain_embed(q, section, page, locale=loc)) == []
    view = answer_view(q, 987654321, locale=ZH)
    if choose == 1:
        rows = _button_rows(view)
        assert rows == [[ids.answer(987654321, x) for x in row] for row in ("ABCDE", "FGHIJ")]
        assert all(re.fullmatch(ids.ANSWER, c) for row in rows for c in row)
    else:
        (select,) = view.children
        assert isinstance(select, discord.ui.Select)
        assert [o.value for o in select.options] == list(LETTERS)
        assert select.min_values == select.max_values == 3
        assert all(len(o.label) <= 100 and len(o.description or "") <= 100 for o in select.options)


def test_ten_short_options_stay_in_the_description() -> None:
    q = replace(ten_options(), stem="Which one?", options={x: f"option {x}" for x in LETTERS})
    post = question_embed(q, locale=EN, kind="practice")
    assert all(f"**{x}.** option {x}" in (post.description or "") for x in LETTERS)
    assert [f.name for f in post.fields] == ["Topics"]


def test_the_answer_template_takes_a_to_j_and_nothing_else() -> None:
    assert all(re.fullmatch(ids.ANSWER, ids.answer(1, x)) for x in LETTERS)
    assert not any(re.fullmatch(ids.ANSWER, f"quiz:ans:1:{x}") for x in ("K", "a", "AB", ""))


# --- rendered once, off the loop -------------------------------------------------------------


class ParseCounter:
    """Counts Markdown parses (every conversion and every pagination parses once)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        original = MarkdownIt.parse

        def parse(md: MarkdownIt, src: str, env: object = None) -> object:
            self.calls += 1
            return original(md, src, env)

        monkeypatch.setattr(MarkdownIt, "parse", parse)


def test_a_post_is_rendered_once_per_question_object_and_language(monkeypatch: pytest.MonkeyPatch) -> None:
    parses = ParseCounter(monkeypatch)
    q = ten_options()
    first = question_embed(q, locale=EN, kind="daily", answered=1)
    assert parses.calls > 0  # the counter sees the renderer
    done = parses.calls
    later = question_embed(q, locale=EN, kind="daily", answered=2)  # a live-count edit
    closed = question_embed(q, locale=EN, kind="daily", tally=Tally({"J": 2}, 2, 2))  # the reveal
    assert parses.calls == done
    assert later.description == first.description and later.footer.text != first.footer.text
    assert "2 answered" in (closed.footer.text or "")
    question_embed(q, locale=ZH, kind="daily")  # another language: rendered for it
    assert parses.calls > done
    done = parses.calls
    reloaded = replace(q)  # what a bank reload makes: an equal question, a new object
    question_embed(reloaded, locale=EN, kind="daily")
    assert parses.calls > done


def test_feedback_and_explain_pages_are_rendered_once(monkeypatch: pytest.MonkeyPatch) -> None:
    parses = ParseCounter(monkeypatch)
    q = ten_options()
    fb = Feedback("C", False, 0, 5, 0, 2, "daily")
    feedback_payload(q, fb, locale=EN)
    explain_embed(q, OVERVIEW, 0, locale=EN)
    explain_embed(q, 1, 0, locale=EN)
    explain_view(q, 1, 0, 42, locale=EN)
    option_embed(q, "C", locale=EN)
    done = parses.calls
    assert done > 0
    other = Feedback("C", False, 0, 99, 0, 7, "daily")  # another member, the same option
    assert (
        feedback_payload(q, other, locale=EN)["footer"]["text"]
        != feedback_payload(q, fb, locale=EN)["footer"]["text"]
    )
    for page in range(page_count(q, 1)):
        explain_embed(q, 1, page, locale=EN)
        explain_view(q, 1, page, 42, locale=EN)
    explain_embed(q, OVERVIEW, 0, locale=EN)
    option_embed(q, "C", locale=EN)
    assert parses.calls == done


def test_a_cached_embed_is_not_shared_with_its_callers() -> None:
    q = ten_options()
    a = option_embed(q, "C", locale=EN)
    a.add_field(name="added", value="by a caller")
    b = option_embed(q, "C", locale=EN)
    assert "added" not in [f.name for f in b.fields]


def test_render_caches_are_bounded() -> None:
    cache: RenderCache[int] = RenderCache("test", 3)
    qs = [replace(ten_options(size=10), key=f"ten/Q-{i}") for i in range(5)]
    for i, q in enumerate(qs):
        cache.put(q, cache_key(q, "x"), i)
    assert len(cache) == 3
    assert cache.get(qs[0], cache_key(qs[0], "x")) is None
    assert cache.get(qs[4], cache_key(qs[4], "x")) == 4
    # an entry answers only for its own Question object
    assert cache.get(qs[3], cache_key(qs[4], "x")) is None


async def test_a_miss_is_built_once_in_a_worker_thread_for_every_waiter() -> None:
    cache: RenderCache[str] = RenderCache("test", 8)
    q = ten_options(size=10)
    threads: list[int] = []
    started = threading.Event()
    release = threading.Event()

    def build() -> str:
        threads.append(threading.get_ident())
        started.set()
        release.wait(5)
        return "rendered"

    waiters = [
        asyncio.ensure_future(cache.get_or_build_off_loop(q, cache_key(q, 1), build)) for _ in range(20)
    ]
    await asyncio.to_thread(started.wait, 5)
    waiters[0].cancel()  # one caller gives up: the others still get the build
    release.set()
    results = await asyncio.gather(*waiters[1:])
    assert results == ["rendered"] * 19
    assert len(threads) == 1 and threads[0] != threading.get_ident()  # once, off the loop
    assert cache.get(q, cache_key(q, 1)) == "rendered"

    def broken() -> str:
        raise ValueError("bad markdown")

    for _ in range(2):  # a failed build is not cached: the next caller tries again
        with pytest.raises(ValueError, match="bad markdown"):
            await cache.get_or_build_off_loop(q, cache_key(q, 2), broken)
    assert cache.get(q, cache_key(q, 2)) is None


async def test_the_async_renderers_answer_as_the_synchronous_ones() -> None:
    q = ten_options(choose=3)
    fb = Feedback("ABC", False, 0, 5, 0, 2, "daily")
    post = await question_embed_async(q, locale=ZH, kind="daily", answered=3)
    assert post.to_dict() == question_embed(q, locale=ZH, kind="daily", answered=3).to_dict()
    assert await feedback_payload_async(q, fb, locale=EN) == feedback_payload(q, fb, locale=EN)
    embed, view = await explain_message(q, 1, 99, 42, locale=EN)  # page clamped to the last
    last = page_count(q, 1) - 1
    assert embed.to_dict() == explain_embed(q, 1, last, locale=EN).to_dict()
    assert view.to_components() == explain_view(q, 1, last, 42, locale=EN).to_components()
    assert (await option_embed_async(q, "D", locale=ZH)).to_dict() == option_embed(
        q, "D", locale=ZH
    ).to_dict()


def test_file_names_and_problems_from_the_bank_are_shown_safely() -> None:
    """A file name with ESC, a line break or a backtick cannot forge lines or leave its code span."""
    from bot.render.text import in_code_span, one_line

    name = "e\x1b[2J`**x**`\nb/Q-1.md:3: forged"
    shown = in_code_span(name)
    assert "\x1b" not in shown and "\n" not in shown and "`" not in shown
    assert shown == "e\\x1b[2Jˋ**x**ˋ\\x0ab/Q-1.md:3: forged"
    assert one_line("keys `a` and `A`\n- ❌ forged\u202e") == "keys `a` and `A`\\x0a- ❌ forged\\u202e"
