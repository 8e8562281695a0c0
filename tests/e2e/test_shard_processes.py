"""Two `quizbot run` processes, shards 0 and 1 of 2, against one loopback Discord and one
PostgreSQL schema: each server's daily posted once (also after a restart of a process), clicks on
posts of both shards stored once, and `/quizadmin reload` in one process reloading the other.

The child processes run on the wall clock: the dailies are scheduled (in the database, before
the processes start) for 10:00 in a time zone where it is about noon now, active since before
then, so each process posts its server's daily in its first scheduler pass. No sleeps: the test
waits on the fake's messages and on the processes' log lines, each with a timeout.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.core.shards import owner_shard
from bot.storage import open_store
from tests.fakediscord import FakeDiscord, World, build_world
from tests.fakediscord.models import Snowflakes
from tests.helpers import (
    DAILY_QUESTIONS,
    TOKEN,
    BotProcess,
    bot_env,
    dailies,
    is_daily,
    post_id_of,
    question_yaml,
)


def _world_of_shard(fake: FakeDiscord, shard: int) -> World:
    for n in range(20):
        while owner_shard(Snowflakes.next(), 2) != shard:
            pass  # ids carry the clock's millisecond (so does the shard): until one of that shard
        w = build_world(fake, name=f"Group {shard}.{n}")
        if owner_shard(w.guild.id, 2) == shard:
            return w
        fake.remove_bot(w.guild)
    raise AssertionError("no server of that shard in 20 tries")


def _zone_near_noon(now: datetime) -> str:
    """A fixed-offset zone where it is 12:xx at `now` (so 10:00 there was today, 2 h ago)."""
    offset = (12 - now.hour) % 24
    offset = offset - 24 if offset > 11 else offset  # -12 .. +11
    if offset == 0:
        return "Etc/UTC"
    return f"Etc/GMT{'-' if offset > 0 else '+'}{abs(offset)}"  # (POSIX: the sign is reversed)


@pytest.mark.parametrize("store_targets", ["postgresql"], indirect=True)
async def test_two_shard_processes_share_one_postgresql(
    store_targets: Callable[[], str], tmp_path: Path
) -> None:
    db_url = store_targets()
    questions = tmp_path / "questions"
    for name, text in DAILY_QUESTIONS.items():
        (questions / name).parent.mkdir(parents=True, exist_ok=True)
        (questions / name).write_text(text, encoding="utf-8")
    async with FakeDiscord(token=TOKEN) as fake:
        worlds = [_world_of_shard(fake, 0), _world_of_shard(fake, 1)]
        now = datetime.now(UTC)
        async with await open_store(db_url) as store:
            for w in worlds:
                await store.set_daily_schedule(
                    w.guild.id,
                    channel_id=w.quiz.id,
                    time="10:00",
                    timezone=_zone_near_noon(now),
                    now=now - timedelta(hours=3),
                )
        owners = ",".join(str(w.admin.id) for w in worlds)
        envs = []
        for i in (0, 1):
            (tmp_path / f"p{i}").mkdir()
            envs.append(
                bot_env(
                    tmp_path / f"p{i}",
                    fake,
                    DATABASE_URL=db_url,
                    QUESTIONS_DIR=str(questions),
                    SHARD_IDS=str(i),
                    SHARD_COUNT="2",
                    OWNER_IDS=owners,
                )
            )
        procs = [await BotProcess.start(envs[i], tmp_path / f"p{i}", "run") for i in (0, 1)]
        try:
            # each process posts its own server's daily, exactly once
            for w in worlds:
                await fake.wait_message(lambda m, w=w: m.channel_id == w.quiz.id and is_daily(m), timeout=30)
            for p in procs:
                await p.wait_output("daily scheduler: first pass done", timeout=30)
            assert [len(dailies(fake, w)) for w in worlds] == [1, 1]

            # clicks on the posts of both shards, each stored once
            await fake.wait_call("PUT", "/applications/{application_id}/commands", timeout=30)
            async with await open_store(db_url) as store:
                for w in worlds:
                    message = dailies(fake, w)[0]
                    post = await store.get_post(post_id_of(message))
                    assert post is not None
                    wrong = next(x for x in "ABCD" if x not in post.correct_letters)
                    for letter in (post.correct_letters, wrong):  # the second click changes nothing
                        cid = next(c for c in message.custom_ids() if c.endswith(":" + letter))
                        click = await fake.click(message, cid, w.member)
                        assert click.ephemeral
                    answers = await store.answers_for_post(post.post_id)
                    assert [(a.user_id, a.correct) for a in answers] == [(w.member.id, True)]

            # /quizadmin reload in shard 0's process reloads shard 1's too
            (questions / "daily" / "Q-005.yaml").write_text(question_yaml(5, "A", "Spark"), encoding="utf-8")
            h = await fake.invoke(worlds[0].guild, worlds[0].general, worlds[0].admin, "quizadmin reload", {})
            reply = await h.wait_original(lambda m: not m.loading, timeout=20)
            assert "5" in str(reply.content), reply.content
            line = await procs[1].wait_output("question bank reloaded", timeout=20)
            assert "5 questions" in line, line
            assert "reloading, as another process reloaded" in procs[1].output
            assert "reloading, as" not in procs[0].output  # its own notice: ignored

            # a restart of shard 1's process posts nothing again
            procs[1].signal(signal.SIGTERM)
            assert await procs[1].wait_exit() == 0, procs[1].output
            await procs[1].__aexit__(None, None, None)
            procs[1] = await BotProcess.start(envs[1], tmp_path / "p1", "run")
            await procs[1].wait_output("daily scheduler: first pass done", timeout=30)
            assert [len(dailies(fake, w)) for w in worlds] == [1, 1]
            for p in procs:
                assert "Traceback" not in p.output, p.output
        finally:
            for p in procs:
                await p.__aexit__(None, None, None)
