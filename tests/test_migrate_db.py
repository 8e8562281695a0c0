"""`quizbot migrate-db`: an SQLite database with data of every kind, copied into the real
PostgreSQL server (QUIZBOT_TEST_POSTGRES_URL; a schema of its own per test), reads the same; a re-run
copies nothing twice; a target holding other data is refused unless --force. And `quizbot backup`
on a PostgreSQL DATABASE_URL points at pg_dump."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.core.exam import ExamItem, ExamResult, SectionScore
from bot.core.models import LEADERBOARD_METRICS
from bot.storage import Storage, Store, open_store

G1, G2 = 111_111_111_111_111_111, 222_222_222_222_222_222
CH = 333_333_333_333_333_333
T0 = datetime(2026, 10, 5, 8, 0, tzinfo=UTC)  # a Monday
END = T0 + timedelta(days=30)
USERS = range(1001, 1013)
ON_POSTGRES = pytest.mark.parametrize("store_targets", ["postgresql"], indirect=True)


@dataclass(frozen=True)
class Tagged:
    key: str
    topics: tuple[str, ...]
    traps: tuple[str, ...]


async def fill(s: Store) -> int:
    """Data of every kind; returns the id of a post deleted after others were made (its id must
    never be handed out again)."""
    await s.set_guild_settings(G1, timezone="Europe/Berlin", locale="zh-TW")
    await s.set_guild_extra(G1, "note", {"a": [1, 2]})
    await s.sync_question_tags(
        [Tagged(f"q/{i}", (f"topic{i % 3}",), ("trap",) if i % 4 == 0 else ()) for i in range(8)]
    )
    await s.set_meta("command_tree", "abc123")
    await s.set_daily_schedule(G1, channel_id=CH, time="09:00", timezone="Europe/Berlin", now=T0)
    candidates = {f"q/{i}": ("B", "ABCD") for i in range(8)}
    for day in range(6):
        at = T0 + timedelta(days=day, hours=1)
        claimed = await s.claim_daily(
            G1,
            date(2026, 10, 5) + timedelta(days=day),
            scheduled=True,
            due_at=at,
            now=at,
            channel_id=CH,
            role_id=None,
            candidates=candidates,
            closes_at=at + timedelta(days=1),
            rng=random.Random(day),
        )
        assert claimed is not None and claimed[1] is not None
        run, post = claimed
        await s.complete_daily_run(run.run_id, 900_000 + day, now=at)
        answers = [
            s.record_answer(
                G1,
                post.post_id,
                u,
                "B" if (u + day) % 3 else "C",
                display_name=f"m{u}",
                answered_at=at + timedelta(minutes=u % 50),
            )
            for u in USERS
        ]
        await asyncio.gather(*answers)
        await s.close_post(post.post_id, closed_at=at + timedelta(days=1))
    for i in range(10):
        at = T0 + timedelta(days=2 * i, hours=3)
        guild = G2 if i % 4 == 3 else G1
        post = await s.create_post(
            guild,
            CH,
            f"q/{i % 8}",
            "practice",
            "AD",
            option_letters="ABCDE",
            requested_by=1001,
            created_at=at,
            lifetime=timedelta(hours=1),
        )
        for u in USERS[: 4 + i % 6]:
            await s.record_answer(
                guild, post.post_id, u, "AD" if u % 2 else "A", answered_at=at + timedelta(minutes=1)
            )
    unsent = await s.create_post(G1, CH, "q/1", "practice", "A", option_letters="ABCD", created_at=END)
    await s.create_post(G1, CH, "q/2", "practice", "A", option_letters="ABCD", created_at=END)
    assert await s.delete_unsent_post(unsent.post_id + 1)
    await exams(s)
    await s.record_review(G1, 1001, "q/3", correct=True, reviewed_at=T0 + timedelta(days=8))
    await s.record_review(G1, 1002, "q/4", correct=False, reviewed_at=T0 + timedelta(days=9))
    await s.fold_reviews(limit=20)  # some pending answers left unfolded
    await s.set_review_reminder(G1, 1001, enabled=True, time="18:30", now=T0)
    first = await s.add_report(G1, "q/5", 1003, "explanation", "the explanation cites B", now=T0)
    await s.add_report(G1, "q/6", 1004, "unclear", "typo in C", display_name="m1004", now=T0)
    assert first.report is not None
    await s.resolve_reports(G1, "q/5", resolved_by=1001, reply="fixed, thanks", now=T0 + timedelta(days=1))
    await s.pause_question(G1, "q/7", paused_by=1001, now=T0)
    await s.flush()
    return unsent.post_id + 1


async def exams(s: Store) -> None:
    items = [ExamItem(i, f"q/{i}", "dev" if i % 2 else "ops", "A", "ABCD") for i in range(4)]
    exam = await s.start_exam(
        G1, 1005, "professional", items, started_at=T0, deadline=T0 + timedelta(hours=2), pass_mark=70.0
    )
    assert exam is not None
    for position, letters in enumerate(["A", "B", "A", ""]):
        if letters:
            await s.set_exam_answer(exam.exam_id, position, letters)
    result = ExamResult(
        correct=2,
        total=4,
        pass_mark=70.0,
        sections=(SectionScore("dev", 50.0, 1, 2), SectionScore("ops", 50.0, 1, 2)),
        weakest=("dev", "ops"),
        missed=(1, 3),
        time_used=timedelta(minutes=30),
    )
    assert await s.submit_exam(exam.exam_id, result, submitted_at=T0 + timedelta(minutes=30), auto=False)
    await s.start_exam(  # one still open
        G1, 1006, "associate", items[:2], started_at=END, deadline=END + timedelta(hours=1), pass_mark=70.0
    )


async def views(s: Store) -> dict[str, Any]:
    """What the members see, read at one instant."""
    out: dict[str, Any] = {}
    for guild in (G1, G2):
        out[f"{guild}/aggregates"] = await s.snapshot_aggregates(guild)
        for period in ("all", "week", "month"):
            for metric in LEADERBOARD_METRICS:
                out[f"{guild}/{period}/{metric}"] = await s.leaderboard(
                    guild, period, metric, page_size=50, user_id=1003, at=END
                )
        for u in USERS:
            out[f"{guild}/stats/{u}"] = await s.user_stats(guild, u, at=END)
    out["history"] = await s.exam_history(G1, 1005)
    out["cards"] = await s.member_cards(G1, 1002)
    out["reports"] = await s.open_reports(G1)
    out["runs"] = await s.daily_runs(G1)
    out["settings"] = await s.get_guild_settings(G1)
    out["meta"] = await s.get_meta("command_tree")
    return out


def table_counts(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        return {n: conn.execute(f"SELECT count(*) FROM {n}").fetchone()[0] for n in names}


def printed_counts(out: str) -> dict[str, tuple[int, int]]:
    rows = [line.split() for line in out.splitlines() if line.endswith("  ok")]
    return {r[0]: (int(r[1]), int(r[2])) for r in rows}


async def sqlite_with_everything(tmp_path: Path) -> tuple[Path, int, dict[str, Any]]:
    path = tmp_path / "group.sqlite3"
    async with await Storage.open(path) as s:
        deleted = await fill(s)
        seen = await views(s)
    return path, deleted, seen


@ON_POSTGRES
async def test_a_copy_reads_the_same_and_a_rerun_copies_nothing_twice(
    store_targets: Callable[[], str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, deleted, on_sqlite = await sqlite_with_everything(tmp_path)
    counts = table_counts(path)
    assert all(counts.values()), {t: n for t, n in counts.items() if not n}  # every kind of data
    url = store_targets()

    assert await asyncio.to_thread(main, ["migrate-db", "--to", url, "--from", str(path)]) == 0
    out = capsys.readouterr().out
    assert printed_counts(out) == {t: (n, n) for t, n in counts.items()}
    assert "every count verified" in out

    async with await open_store(url) as pg:
        assert await views(pg) == on_sqlite
        assert await pg.integrity_check() == []
        # the identity sequences are past the copied ids, and past the deleted post's
        post = await pg.create_post(G1, CH, "q/3", "practice", "A", option_letters="ABCD", created_at=END)
        assert post.post_id == deleted + 1
        await pg.delete_unsent_post(post.post_id)

    assert await asyncio.to_thread(main, ["migrate-db", "--to", url, "--from", str(path)]) == 0
    out = capsys.readouterr().out
    assert "nothing copied" in out
    assert printed_counts(out) == {t: (n, n) for t, n in counts.items()}
    async with await open_store(url) as pg:
        assert await views(pg) == on_sqlite


@ON_POSTGRES
async def test_a_target_with_other_data_is_refused_unless_forced(
    store_targets: Callable[[], str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, _, on_sqlite = await sqlite_with_everything(tmp_path)
    url = store_targets()
    async with await open_store(url) as pg:  # another group's data already there
        post = await pg.create_post(G2, CH, "other/Q-1", "practice", "A", created_at=T0)
        await pg.record_answer(G2, post.post_id, 77, "A", display_name="stranger", answered_at=T0)

    assert await asyncio.to_thread(main, ["migrate-db", "--to", url, "--from", str(path)]) == 2
    err = capsys.readouterr().err
    assert "not empty" in err and "--force" in err and len(err.strip().splitlines()) == 1
    async with await open_store(url) as pg:
        assert (await pg.get_answer(post.post_id, 77)) is not None  # untouched

    assert await asyncio.to_thread(main, ["migrate-db", "--to", url, "--from", str(path), "--force"]) == 0
    assert "emptied first" in capsys.readouterr().out
    async with await open_store(url) as pg:
        assert await views(pg) == on_sqlite
        assert (await pg.get_answer(post.post_id, 77)) is None  # the other data is gone


@ON_POSTGRES
async def test_an_older_sqlite_schema_is_migrated_in_a_copy_not_in_place(
    store_targets: Callable[[], str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.storage.migrate import load_migrations, migrate

    path = tmp_path / "old.sqlite3"
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, load_migrations()[:4])
    conn.execute("INSERT INTO guild_settings (guild_id, created_at, updated_at) VALUES (?, 1, 1)", (G1,))
    conn.close()
    url = store_targets()
    assert await asyncio.to_thread(main, ["migrate-db", "--to", url, "--from", str(path)]) == 0
    assert printed_counts(capsys.readouterr().out)["guild_settings"] == (1, 1)
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == 4


def test_wrong_arguments_get_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate-db", "--to", "mysql://x@y/z", "--from", str(tmp_path / "a.sqlite3")]) == 2
    assert "postgresql://" in capsys.readouterr().err
    url = "postgresql://nobody:secret@127.0.0.1:1/none"
    assert main(["migrate-db", "--to", url, "--from", str(tmp_path / "missing.sqlite3")]) == 2
    err = capsys.readouterr().err
    assert "no SQLite database" in err and len(err.strip().splitlines()) == 1 and "secret" not in err


def test_backup_of_a_postgresql_database_points_at_pg_dump(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot@db/quizbot")
    assert main(["backup", str(tmp_path / "b.sqlite3")]) == 2
    err = capsys.readouterr().err
    assert "pg_dump" in err and len(err.strip().splitlines()) == 1
    assert not (tmp_path / "b.sqlite3").exists()
