"""Crash test: every acknowledged answer survives a SIGKILL of the writing process, once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from bot.storage import open_store

WRITER = Path(__file__).resolve().parent / "crash_writer.py"
GUILD = 424_242_424_242_424_242
Acked = list[tuple[int, int, int, str]]


def test_acknowledged_answers_survive_sigkill(store_targets: Callable[[], str]) -> None:
    db = store_targets()
    proc = subprocess.Popen(
        [sys.executable, str(WRITER), db, str(GUILD), "400", "60"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    acked: Acked = []  # (answer_id, post_id, user_id, letters)
    dups: Acked = []
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready", proc.stderr.read() if proc.stderr else ""
        # Wait on the pipe (no sleeping) until enough answers were acknowledged, then kill.
        while len(acked) < 1500:
            line = proc.stdout.readline()
            assert line, f"the writer stopped early: {proc.stderr.read() if proc.stderr else ''}"
            status, aid, pid, uid, letters = line.split()
            assert status in ("stored", "duplicate"), line
            (acked if status == "stored" else dups).append((int(aid), int(pid), int(uid), letters))
        os.kill(proc.pid, signal.SIGKILL)
        # Lines already in the pipe were printed after their await returned: acknowledged too.
        rest, _ = proc.communicate()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL, "the writer finished before the kill: make the burst longer"
    for line in rest.splitlines():
        parts = line.split()
        if len(parts) == 5:  # a line cut by the kill is not complete, hence not counted
            status, aid, pid, uid, letters = parts
            (acked if status == "stored" else dups).append((int(aid), int(pid), int(uid), letters))
    assert len(acked) >= 1500
    asyncio.run(_check_after_crash(db, acked, dups))


async def _check_after_crash(db: str, acked: Acked, dups: Acked) -> None:
    s = await open_store(db)  # recovers (SQLite: replays the WAL)
    try:
        assert await s.integrity_check() == []
        rows = [
            (a.answer_id, a.post_id, a.user_id, a.letters)
            for post in await s.open_posts(GUILD)  # every post of the burst (they close in a day)
            for a in await s.answers_for_post(post.post_id)
        ]
        stored = {r[0]: tuple(r) for r in rows}
        # Every acknowledged answer is there, exactly as acknowledged ...
        missing = [a for a in acked if stored.get(a[0]) != a]
        assert not missing, f"{len(missing)} acknowledged answers lost, e.g. {missing[:3]}"
        # ... acknowledged once, and stored once per member and post.
        assert len({a[0] for a in acked}) == len(acked)
        assert len({(r[1], r[2]) for r in rows}) == len(rows)
        for aid, pid, uid, letters in dups:
            assert stored.get(aid) == (aid, pid, uid, letters)
        # The batch's totals were committed with its answers (same transactions).
        before = await s.snapshot_aggregates(GUILD)
        await s.rebuild_aggregates(GUILD)
        assert await s.snapshot_aggregates(GUILD) == before
        assert len(rows) >= len(acked)
    finally:
        await s.close()
