"""The spoiler rule (bot/core/spoiler.py) on plain data, its facts from a real SQLite file
(bot/storage), `pick` excluding keys, and the bounded caches (bot/core/bounded.py)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.bank.model import Question
from bot.bank.select import Filter, pick
from bot.core.bounded import BoundedMap
from bot.core.spoiler import (
    OpenDaily,
    hidden_keys,
    is_open_daily,
    public_hidden_keys,
    revealed_keys,
    undecided_guilds,
)
from bot.storage import Storage

A, B, C = 1, 2, 3
T0 = datetime(2030, 3, 1, 1, 0, tzinfo=UTC)

# ------------------------------------------------------------------------------ the rule


def test_an_open_daily_of_a_members_server_is_hidden_until_answered() -> None:
    dailies = [OpenDaily(A, "q1", 10), OpenDaily(B, "q2", 20)]
    assert hidden_keys(dailies, {A}, set()) == {"q1"}  # B's daily is not theirs
    assert hidden_keys(dailies, {A, B}, set()) == {"q1", "q2"}
    assert hidden_keys(dailies, {A, B}, {10}) == {"q2"}  # answered q1 in A
    assert hidden_keys(dailies, None, set()) == {"q1", "q2"}  # every server (the terminal)
    assert hidden_keys([], {A}, set()) == frozenset()  # closed: nothing hidden


def test_answering_it_in_any_server_where_it_is_open_is_enough() -> None:
    dailies = [OpenDaily(A, "q1", 10), OpenDaily(B, "q1", 20)]
    assert hidden_keys(dailies, {A, B}, set()) == {"q1"}
    assert hidden_keys(dailies, {A, B}, {20}) == frozenset()  # answered in B: no secret in A either
    assert revealed_keys(dailies, {20}) == {"q1"}


def test_a_public_post_never_asks_this_servers_open_daily() -> None:
    dailies = [OpenDaily(A, "q1", 10), OpenDaily(B, "q2", 20), OpenDaily(C, "q3", 30)]
    # the asker answered A's daily, but the rest of A's channel has not
    assert public_hidden_keys(dailies, A, {A, B}, {10}) == {"q1", "q2"}
    assert public_hidden_keys(dailies, B, {B}, set()) == {"q2"}


def test_open_daily_anywhere_and_the_servers_that_decide() -> None:
    dailies = [OpenDaily(A, "q1", 10), OpenDaily(B, "q1", 20), OpenDaily(C, "q2", 30)]
    assert is_open_daily(dailies, "q1") and not is_open_daily(dailies, "q9")
    assert undecided_guilds(dailies, "q1", {A}, set()) == {B}
    assert undecided_guilds(dailies, "q1", set(), {10}) == frozenset()  # answered: nobody matters
    assert undecided_guilds(dailies, "q9", set(), set()) == frozenset()


daily_lists = st.lists(
    st.builds(OpenDaily, st.integers(1, 5), st.sampled_from(["q1", "q2", "q3", "q4"]), st.integers(1, 30)),
    max_size=12,
    unique_by=lambda d: d.post_id,
)
guild_sets = st.frozensets(st.integers(1, 5))
post_sets = st.frozensets(st.integers(1, 30))


@settings(max_examples=300, deadline=None)
@given(daily_lists, guild_sets, post_sets, st.integers(1, 5))
def test_the_rule_as_a_property(
    dailies: list[OpenDaily], guilds: frozenset[int], answered: frozenset[int], here: int
) -> None:
    hidden = hidden_keys(dailies, guilds, answered)
    revealed = revealed_keys(dailies, answered)
    mine = {d.question_key for d in dailies if d.guild_id in guilds}
    # exactly the open dailies of the member's servers, minus what they answered somewhere
    assert hidden == mine - revealed
    # more servers never hide less; "every server" hides the most
    assert hidden <= hidden_keys(dailies, guilds | {here}, answered) <= hidden_keys(dailies, None, answered)
    # one more answer never hides more
    for d in dailies:
        assert hidden_keys(dailies, guilds, answered | {d.post_id}) <= hidden
    # a public post hides what the member may not see, and all of this server's open dailies
    public = public_hidden_keys(dailies, here, guilds, answered)
    assert hidden <= public
    assert {d.question_key for d in dailies if d.guild_id == here} <= public
    # deciding the undecided servers of a key is all it takes to know whether it is hidden
    for key in {d.question_key for d in dailies}:
        undecided = undecided_guilds(dailies, key, guilds, answered)
        assert not undecided & guilds
        as_members = hidden_keys(dailies, guilds | undecided, answered)
        assert (key in as_members) == (key in hidden or bool(undecided))


# ------------------------------------------------------------------------------ pick


def question(key: str) -> Question:
    cid, _, qid = key.partition("/")
    return Question(
        key=key,
        id=qid,
        collection=cid,
        path=f"{key}.md",
        line=1,
        format="yaml",
        stem=f"Stem of {key}",
        options={"A": "one", "B": "two"},
        answer=("A",),
    )


def test_pick_never_returns_an_excluded_key() -> None:
    pool = [question(f"c/Q-{n}") for n in range(5)]
    rng = random.Random(7)
    picked = {pick(pool, Filter(), exclude={"c/Q-0", "c/Q-3"}, rng=rng).key for _ in range(200)}  # type: ignore[union-attr]
    assert picked == {"c/Q-1", "c/Q-2", "c/Q-4"}
    assert pick(pool, Filter(), exclude={q.key for q in pool}, rng=rng) is None


# ------------------------------------------------------------------------------ the facts, from SQLite


@pytest.fixture
async def storage(tmp_path: Path) -> AsyncIterator[Storage]:
    s = await Storage.open(tmp_path / "quiz.sqlite3")
    yield s
    await s.close()


async def test_spoiler_facts_from_storage(storage: Storage) -> None:
    s = storage
    da = await s.create_post(
        A, 1, "q1", "daily", "A", option_letters="AB", created_at=T0, closes_at=T0 + timedelta(days=1)
    )
    db = await s.create_post(
        B, 2, "q2", "daily", "B", option_letters="AB", created_at=T0, closes_at=T0 + timedelta(days=1)
    )
    await s.create_post(
        C, 3, "q3", "practice", "A", option_letters="AB", created_at=T0, lifetime=timedelta(days=1)
    )
    old = await s.create_post(
        C, 3, "q4", "daily", "A", option_letters="AB", created_at=T0, closes_at=T0 + timedelta(days=1)
    )
    await s.close_post(old.post_id, closed_at=T0 + timedelta(hours=1))
    await s.record_answer(A, da.post_id, 77, "B", answered_at=T0 + timedelta(minutes=1))

    facts = await s.spoiler_facts(77)
    assert facts.open_dailies == (OpenDaily(A, "q1", da.post_id), OpenDaily(B, "q2", db.post_id))
    assert facts.answered_posts == {da.post_id} and facts.known_guilds == {A}
    assert hidden_keys(facts.open_dailies, facts.known_guilds, facts.answered_posts) == frozenset()
    stranger = await s.spoiler_facts(88)
    assert stranger.answered_posts == frozenset() and stranger.known_guilds == frozenset()
    only = await s.spoiler_facts(77, ["q2", "q3", "q4"])  # practice and closed posts are not dailies
    assert only.open_dailies == (OpenDaily(B, "q2", db.post_id),)
    assert await s.spoiler_facts(77, []) == (await s.spoiler_facts(77, ["nothing"]))
    assert await s.open_daily_keys(["q1", "q3", "q4"]) == {"q1"}


async def test_private_posts_are_counted_and_kept_out_of_the_cooldown(storage: Storage) -> None:
    s = storage
    public = await s.create_post(
        A, 1, "q1", "practice", "A", option_letters="AB", requested_by=77, created_at=T0
    )
    mine = [
        await s.create_post(
            A,
            1,
            f"q{n}",
            "practice",
            "A",
            option_letters="AB",
            requested_by=77,
            private=True,
            created_at=T0 + timedelta(minutes=n),
        )
        for n in range(1, 4)
    ]
    assert [p.private for p in mine] == [True, True, True] and not public.private
    assert (await s.last_practice_post(A, 77)) == public  # the cooldown counts public posts only
    assert [p.post_id for p in await s.open_private_posts(A, 77)] == [p.post_id for p in mine]
    assert await s.open_private_posts(B, 77) == [] and await s.open_private_posts(A, 88) == []
    await s.close_post(mine[0].post_id)
    assert len(await s.open_private_posts(A, 77)) == 2
    with pytest.raises(ValueError, match="private"):
        await s.create_post(A, 1, "q1", "daily", "A", private=True, requested_by=77)


async def test_postponing_a_post_never_moves_it_earlier(storage: Storage) -> None:
    s = storage
    post = await s.create_post(A, 1, "q1", "practice", "A", created_at=T0, lifetime=timedelta(hours=1))
    later = await s.postpone_post(post.post_id, T0 + timedelta(hours=5))
    assert later is not None and later.closes_at == T0 + timedelta(hours=5)
    again = await s.postpone_post(post.post_id, T0 + timedelta(hours=2))
    assert again is not None and again.closes_at == T0 + timedelta(hours=5)


# ------------------------------------------------------------------------------ BoundedMap


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_bounded_map_keeps_its_size_bound_and_drops_the_oldest() -> None:
    m: BoundedMap[int, str] = BoundedMap(3)
    for n in range(10):
        m[n] = str(n)
    assert len(m) == 3 and list(m) == [7, 8, 9] and m.get(6) is None and m[9] == "9"
    m[7] = "seven"  # a write makes it the newest
    m[10] = "10"
    assert list(m) == [9, 7, 10]
    assert m.pop(7) == "seven" and m.pop(7) is None and 7 not in m
    assert m.setdefault(11, "x") == "x" and m.setdefault(11, "y") == "x"
    with pytest.raises(KeyError):
        m[123]
    m.clear()
    assert len(m) == 0
    with pytest.raises(ValueError):
        BoundedMap(0)


def test_bounded_map_forgets_entries_older_than_its_ttl() -> None:
    clock = Clock()
    m: BoundedMap[str, int] = BoundedMap(100, ttl=10.0, clock=clock)
    m["a"] = 1
    clock.now = 5.0
    m["b"] = 2
    assert m.get("a") == 1 and "b" in m
    clock.now = 10.0
    assert m.get("a") is None and m.get("b") == 2  # "a" is 10 s old: gone
    clock.now = 14.0
    m["c"] = 3  # writing drops what expired on the old end
    clock.now = 15.5
    m["d"] = 4
    assert list(m) == ["c", "d"]
    for n in range(1000):
        clock.now += 1
        m[f"k{n}"] = n
    assert len(m) <= 10  # never more than ttl worth of writes at one per second


async def test_a_question_that_is_no_open_daily_costs_no_query(storage: Storage) -> None:
    s = storage
    s.cache_open_dailies = True  # as the bot does (the process that writes the dailies)
    statements: list[str] = []
    await s.run_sync(lambda conn: conn.set_trace_callback(statements.append))
    assert await s.spoiler_facts(77, ["q1"]) == (await s.spoiler_facts(77)) == (await s.spoiler_facts(77, []))
    statements.clear()
    for _ in range(10):  # nothing open: no query at all
        assert await s.spoiler_facts(77, ["q1"]) == await s.spoiler_facts(77)
    assert statements == []
    daily = await s.create_post(A, 1, "q1", "daily", "A", created_at=T0, closes_at=T0 + timedelta(days=1))
    assert await s.open_daily_key_set() == {"q1"}  # a daily posted through storage is seen at once
    statements.clear()
    for _ in range(10):  # a click on a question that is no open daily: still no query
        assert (await s.spoiler_facts(77, ["q2"])).open_dailies == ()
    assert statements == []
    assert (await s.spoiler_facts(77, ["q1"])).open_dailies == (OpenDaily(A, "q1", daily.post_id),)
    assert statements  # the question asked about is open: asked
    await s.close_post(daily.post_id)
    assert await s.open_daily_key_set() == frozenset()
    await s.run_sync(  # whatever run_sync does is looked at again
        lambda conn: conn.execute(
            "INSERT INTO posts (guild_id, channel_id, question_key, kind, correct_letters, created_at, closes_at) "
            "VALUES (?, 1, 'q3', 'daily', 'A', 0, 1)",
            (A,),
        )
    )
    assert await s.open_daily_key_set() == {"q3"}
    await s.run_sync(lambda conn: conn.set_trace_callback(None))


async def test_another_process_sees_the_dailies_the_bot_opens(tmp_path: Path) -> None:
    """`quizbot practice` shares the database: its Storage does not cache the open dailies."""
    async with (
        await Storage.open(tmp_path / "q.sqlite3") as bot,
        await Storage.open(tmp_path / "q.sqlite3") as cli,
    ):
        bot.cache_open_dailies = True
        assert await cli.open_daily_key_set() == await bot.open_daily_key_set() == frozenset()
        daily = await bot.create_post(
            A, 1, "q1", "daily", "A", created_at=T0, closes_at=T0 + timedelta(days=1)
        )
        assert await cli.open_daily_key_set() == {"q1"}
        assert (await cli.spoiler_facts(5, ["q1"])).open_dailies == (OpenDaily(A, "q1", daily.post_id),)
        await bot.close_post(daily.post_id)
        assert await cli.open_daily_key_set() == frozenset()
