"""QuizBot's answer buttons under 1,000 concurrent clicks, next to a do-nothing discord.py bot.

    .venv/bin/python bench/clicks.py              # 1,000 clicks, asyncio and uvloop (when installed)
    .venv/bin/python bench/clicks.py --quick      # 200 clicks
    .venv/bin/python bench/clicks.py --loop asyncio
    .venv/bin/python bench/clicks.py --backend postgresql --loop asyncio   # shards on PostgreSQL

Both bots run at the same time, each in its own process against its own loopback fake Discord
(tests/fakediscord, both fakes in this process):

  baseline  a plain discord.py bot whose one DynamicItem answers every click with an ephemeral
            "ok", clicked on the same question post QuizBot makes (same embed, same five
            buttons: discord.py parses the clicked message on every click, so the post's size
            is part of both bots' cost)
  quizbot   the real QuizBot: /quiz posts Q-104, then every click is recorded through the
            group-commit writer into SQLite (synchronous=FULL), scored, and answered with the
            full feedback embed (why the chosen option is wrong, points, streak, Explain button)

With `--pages-per-second N` QuizBot also serves its web dashboard (bot/web) while it is measured: a
fourth process asks it for N pages a second (overview, leaderboard, team weakness, a member's page,
in turn, with a signed link) from the first click to the end, and prints how those pages went.

A round: N members click one post at once (each a first answer: QuizBot gets a new post every
round, so every click is stored and scored). After 30 single clicks and one whole burst each, not
counted, the rounds alternate between the bots in ABBA order, so the two bursts of a pair run a
second apart: this machine's speed drifts by tens of percent from one second to the next, and
pairs taken minutes apart compare that drift more than the bots. Latency = the fake writing
INTERACTION_CREATE -> the fake receiving the callback, so it includes queueing behind the other
clicks of the burst. The fake's collector is held off during a burst (its heap of recorded calls
grows all run long, and it is not the bots' cost). Goal: QuizBot's throughput at least 0.8x the
baseline's (median of the pairs' ratios), and every click answered within Discord's 3 s.

`--backend postgresql [--url URL]` (default QUIZBOT_TEST_POSTGRES_URL, else
postgresql://postgres@127.0.0.1:5432/test) measures instead, in one run and ABBA order like above:

  sqlite-1p  the real QuizBot as above: one process on SQLite, N clicks on one post
  pg-2shard  QuizBot as shards 0 and 1 of 2 (`quizbot run --shards 0|1 --shard-count 2`: a
             ShardedQuizBot each), two processes sharing one fresh PostgreSQL schema (dropped
             after), one server owned by each shard on one fake; a burst is N clicks split over
             both servers' new posts at once, each server's interactions arriving on the gateway
             session of its shard, as on Discord

and reports for each: p50/p95/p99 over every click, clicks/s, clicks over 3 s (the goal: none),
the answers stored (counted in the database: every one once, no duplicate), the CPU per click of
each bot process, of the fake, and of PostgreSQL (the backends of the bots' connections, found by
their application_name, and every process named postgres: read from /proc, so only when the
server runs on this machine), the whole machine's busy share (/proc/stat: whatever else runs on it
counts too), and the resource that limited the bursts. The bots, PostgreSQL and the fake all share
this machine's cores; on Discord the fake's share would run elsewhere.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import discord  # noqa: E402
from clicks_baseline import cpu_seconds, run  # noqa: E402

from bot.core.shards import owner_shard  # noqa: E402
from tests.fakediscord import FakeDiscord, FakeGuild, FakeMember, InteractionHandle, StoredMessage  # noqa: E402
from tests.fakediscord.models import Snowflakes  # noqa: E402

WARMUP = 30
DEADLINE = 3.0
DASH_SECRET = "bench-dashboard-secret-of-32-chars!"


class OkAnswer(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"quiz:ans:(?P<post>[0-9]+):(?P<letter>[A-F])"
):
    """The do-nothing bot's button: matches QuizBot's answer buttons and answers "ok"."""

    def __init__(self, custom_id: str) -> None:
        super().__init__(discord.ui.Button(label="ok", custom_id=custom_id))

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Any, match: Any, /) -> OkAnswer:
        return cls(match.string)

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok", ephemeral=True)


def serve_baseline(api_base: str, gateway_url: str, token: str, loop_kind: str) -> None:
    """The subprocess side: a plain discord.py bot (guilds intent) with one DynamicItem."""
    from discord.ext import commands

    from bot.discord_internals import point_discord_at

    point_discord_at(api_base, gateway_url)

    class Baseline(commands.Bot):
        async def setup_hook(self) -> None:
            self.add_dynamic_items(OkAnswer)

    async def main() -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        async with Baseline(
            command_prefix=commands.when_mentioned, intents=intents, help_command=None
        ) as bot:
            bot._connection.guild_ready_timeout = 0.05  # noqa: SLF001 - as the test harness does
            runner = asyncio.create_task(bot.start(token))
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
            await bot.close()
            await runner

    if os.environ.get("BENCH_PROFILE_BASELINE"):  # write a cProfile of the baseline bot to this file
        import cProfile

        cProfile.runctx("run(main(), loop_kind)", globals(), locals(), os.environ["BENCH_PROFILE_BASELINE"])
    else:
        run(main(), loop_kind)


def quiz_post_payload() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The embeds and components of QuizBot's post of Q-104 (post id 1), rendered by the bot's code."""
    from bot.bank import load_bank
    from bot.render.question import answer_view, question_embed

    q = load_bank(ROOT / "questions").get("community/Q-104")
    assert q is not None
    embed = question_embed(q, locale="en", kind="practice")
    view = answer_view(q, 1, locale="en")
    return [embed.to_dict()], view.to_components()


def serve_quizbot(
    api_base: str, gateway_url: str, token: str, workdir: str, guild_id: str, loop_kind: str
) -> None:
    """The subprocess side: the real QuizBot on SQLite until stdin closes."""
    from bot.settings import Settings

    port = int(os.environ.get("BENCH_DASHBOARD_PORT") or 0)
    settings = Settings(
        token=token,
        database_path=Path(workdir) / "bench.sqlite3",
        questions_dir=ROOT / "questions",
        dev_guild_id=int(guild_id),
        dashboard_bind=("127.0.0.1", port) if port else None,
        dashboard_url=f"http://127.0.0.1:{port}" if port else None,
        dashboard_secret=DASH_SECRET if port else None,
    )
    serve(settings, api_base, gateway_url, loop_kind, port)


def serve_shard(
    api_base: str, gateway_url: str, token: str, database_url: str, shard: str, count: str, loop_kind: str
) -> None:
    """The subprocess side: one shard process of QuizBot (`quizbot run --shards <shard>
    --shard-count <count>`, a `ShardedQuizBot`) on PostgreSQL, until stdin closes."""
    from bot.settings import Settings

    settings = Settings(
        token=token,
        database_url=database_url,
        questions_dir=ROOT / "questions",
        shard_ids=(int(shard),),
        shard_count=int(count),
    )
    serve(settings, api_base, gateway_url, loop_kind, 0)


def serve(settings: Any, api_base: str, gateway_url: str, loop_kind: str, port: int) -> None:
    """Run the bot of `settings` (bot.app.make_bot) against the fake until stdin closes."""
    from bot.app import make_bot
    from bot.discord_internals import point_discord_at

    point_discord_at(api_base, gateway_url)
    token = settings.token

    async def main() -> None:
        async with make_bot(settings) as bot:
            bot._connection.guild_ready_timeout = 0.05  # noqa: SLF001 - as the test harness does
            runner = asyncio.create_task(bot.start(token))
            if port:  # one address asks for every page: lift the per-IP limit
                from bot.core.dashboard import RateLimit

                while bot.dashboard is None and not runner.done():  # noqa: ASYNC110 - set by setup_hook, no event to wait on
                    await asyncio.sleep(0.05)
                if bot.dashboard is not None:
                    bot.dashboard.dashboard.limiter = RateLimit(rate=1e6, burst=10**6)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
            await bot.close()
            await runner

    if os.environ.get("BENCH_PROFILE"):  # write a cProfile of the bot process to this file
        import cProfile

        profile = os.environ["BENCH_PROFILE"]
        if settings.shard_ids is not None:  # one file per shard process
            profile = f"{profile}.shard{settings.shard_ids[0]}"
        cProfile.runctx("run(main(), loop_kind)", globals(), locals(), profile)
    else:
        run(main(), loop_kind)


def serve_pages(port: str, guild_id: str, rate: str) -> None:
    """The page loader: `rate` dashboard pages a second on a fixed schedule (not waiting for the
    previous one), until stdin closes; then one line of figures."""
    import aiohttp

    from bot.web.auth import sign

    async def main() -> None:
        gid = int(guild_id)
        base = f"http://127.0.0.1:{port}/g/{gid}/t/{sign(DASH_SECRET.encode(), gid, 1, int(time.time()) + 86_400)}/"
        paths = ["overview", "leaderboard?period=week&metric=points", "weakness", "me"]
        latencies: list[float] = []
        errors = 0
        stop = asyncio.ensure_future(asyncio.get_running_loop().run_in_executor(None, sys.stdin.read))

        async def one(session: aiohttp.ClientSession, path: str) -> None:
            nonlocal errors
            t0 = time.perf_counter()
            try:
                async with session.get(base + path) as r:
                    await r.read()
                    errors += r.status != 200
            except aiohttp.ClientError:
                errors += 1
            latencies.append(time.perf_counter() - t0)

        async with aiohttp.ClientSession() as session:
            tasks = set()
            start, i = time.perf_counter(), 0
            while not stop.done():
                task = asyncio.ensure_future(one(session, paths[i % len(paths)]))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                i += 1
                await asyncio.sleep(max(0.0, start + i / float(rate) - time.perf_counter()))
            await asyncio.gather(*tasks)
            took = time.perf_counter() - start
        ordered = sorted(latencies) or [0.0]
        print(
            f"  dashboard pages while clicking: {len(latencies)} in {took:.0f} s ({len(latencies) / took:.0f}/s), "
            f"{errors} not 200, p50 {1000 * ordered[len(ordered) // 2]:.1f} ms, "
            f"p99 {1000 * ordered[int(0.99 * (len(ordered) - 1))]:.1f} ms",
            flush=True,
        )

    asyncio.run(main())


def world(fake: FakeDiscord, n: int) -> tuple[FakeGuild, Any, list[FakeMember]]:
    guild = fake.create_guild("Bench", channels=("quiz",))
    channel = next(iter(guild.channels.values()))
    members = [fake.create_member(guild, f"user{i}") for i in range(n + WARMUP)]
    return guild, channel, members


Click = tuple[StoredMessage, str, FakeMember]  # (post, button's custom_id, who clicks)


async def burst(
    fake: FakeDiscord, clicks: list[Click], pids: list[int], probe: Resources | None = None
) -> dict[str, Any]:
    """The clicks at once; the latencies, the throughput and the CPU of the bot processes (`pids`)
    and of the fake (with `probe`: also of PostgreSQL and of the whole machine, see Resources)."""
    # The fake keeps every call, frame and message it handled: its heap grows all run long, and
    # its garbage collector's passes over it (a third of its CPU) fell on whichever bot's burst
    # was running. The fake stands in for Discord, which does not run on these cores: its
    # collector waits until the burst is over.
    gc.collect()
    gc.disable()
    n = len(clicks)
    try:
        before = probe.snapshot() if probe is not None else None
        cpu0 = [cpu_seconds(pid) for pid in pids]
        fake0 = time.process_time()
        handles: list[InteractionHandle] = [
            await fake.click(message, custom_id, member, wait=False) for message, custom_id, member in clicks
        ]
        await asyncio.gather(*(h.wait_response(timeout=120) for h in handles))
        fake1 = time.process_time()
        cpu1 = [cpu_seconds(pid) for pid in pids]
        after = probe.snapshot() if probe is not None else None
    finally:
        gc.enable()
    for h in handles:
        assert h.callback.ephemeral, h.content
    lat = sorted(h.latency or 0.0 for h in handles)
    first = min(h.record.dispatched_at or 0.0 for h in handles)
    last = max(h.record.responded_at or 0.0 for h in handles)
    q = statistics.quantiles(lat, n=100)
    spent = [b - a if a is not None and b is not None else None for a, b in zip(cpu0, cpu1, strict=True)]
    bot_cpus = [float("nan") if x is None else x * 1000 / n for x in spent]
    out: dict[str, Any] = {
        "p50": q[49] * 1000,
        "p95": q[94] * 1000,
        "p99": q[98] * 1000,
        "max": lat[-1] * 1000,
        "late": sum(1 for x in lat if x > DEADLINE),
        "throughput": n / (last - first),
        "bot_cpu": sum(bot_cpus),
        "bot_cpus": bot_cpus,
        "fake_cpu": (fake1 - fake0) * 1000 / n,
        "latencies": lat,
        "clicks": n,
    }
    if probe is not None and before is not None and after is not None:
        out["use"] = probe.use(before, after, [x or 0.0 for x in spent], fake1 - fake0)
    return out


def count_answers(conn: Any) -> tuple[int, int]:
    """(answers stored, distinct (post, member) pairs among them) through a DB-API connection
    (sqlite3 or psycopg): equal when every answer is stored once."""
    cur = conn.execute("SELECT COUNT(*) FROM answers")
    total = int(cur.fetchone()[0])
    cur = conn.execute("SELECT COUNT(*) FROM (SELECT DISTINCT post_id, user_id FROM answers) AS d")
    return total, int(cur.fetchone()[0])


def guild_of_shard(fake: FakeDiscord, shard: int, shard_count: int, name: str) -> FakeGuild:
    """A server (channel "quiz") that shard `shard` of `shard_count` owns, made before the bots
    connect. Its id carries the clock's millisecond, and so does its shard (bot.core.shards):
    servers of another shard are made without the bot in them (the bots never see them)."""
    for _ in range(100):
        while owner_shard(Snowflakes.next(), shard_count) != shard:
            pass  # until the next id falls in that shard's millisecond
        guild = fake.create_guild(name, channels=("quiz",), bot_joined=False)
        if owner_shard(guild.id, shard_count) == shard:
            guild.bot_joined = True
            return guild
    raise AssertionError(f"no server of shard {shard} of {shard_count} in 100 tries")


def postgres_pids() -> dict[int, float]:
    """CPU seconds of every process named `postgres` on this machine (the server, its background
    workers and every connection's backend, of whichever client), by pid; empty when the server
    runs elsewhere (or /proc can't be read)."""
    out: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() != "postgres":
                continue
        except OSError:
            continue  # gone meanwhile, or not ours to read
        cpu = cpu_seconds(int(entry.name))
        if cpu is not None:
            out[int(entry.name)] = cpu
    return out


def machine_jiffies() -> tuple[float, float, float] | None:
    """(busy, iowait, all) CPU seconds of the whole machine since boot, all cores (/proc/stat)."""
    try:
        first = Path("/proc/stat").read_text().splitlines()[0].split()
    except OSError:
        return None
    user, nice, system, idle, iowait, irq, softirq, steal = (int(x) for x in first[1:9])
    tick = os.sysconf("SC_CLK_TCK")
    busy = user + nice + system + irq + softirq + steal
    return busy / tick, iowait / tick, (busy + idle + iowait) / tick


class Resources:
    """Where a burst's CPU went, read from /proc at its start and end: the bot processes, the
    fake (this process), PostgreSQL (the backends of the bots' own connections, found in
    pg_stat_activity by their application_name, and every `postgres` process of the server:
    this works because the server runs on this machine), and the whole machine (/proc/stat:
    other helpers' work on this shared machine included)."""

    def __init__(self, pg_url: str | None = None, application_name: str | None = None) -> None:
        self.pg_url, self.application_name = pg_url, application_name
        self.backends: list[int] = []

    def refresh(self) -> None:
        """Find the bots' backends (before a burst: a backend lives as long as its connection)."""
        if self.pg_url is None:
            return
        import psycopg

        with psycopg.connect(self.pg_url, autocommit=True) as conn:
            rows = conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s", (self.application_name,)
            ).fetchall()
        self.backends = [int(r[0]) for r in rows]

    def snapshot(self) -> dict[str, Any]:
        ours = {pid: cpu_seconds(pid) for pid in self.backends}
        return {
            "at": time.perf_counter(),
            "ours": {pid: cpu for pid, cpu in ours.items() if cpu is not None},
            "all": postgres_pids(),
            "machine": machine_jiffies(),
        }

    def use(self, a: dict[str, Any], b: dict[str, Any], bots: list[float], fake: float) -> dict[str, Any]:
        """CPU seconds spent between snapshots a and b (None where it could not be read)."""
        ours = (
            sum(cpu - a["ours"][pid] for pid, cpu in b["ours"].items() if pid in a["ours"])
            if self.backends and b["ours"]
            else None
        )
        # every postgres process: its CPU since `a` (a backend that started meanwhile, all of it)
        pg_all = sum(cpu - a["all"].get(pid, 0.0) for pid, cpu in b["all"].items()) if b["all"] else None
        machine = busy = iowait = None
        if a["machine"] is not None and b["machine"] is not None:
            busy = b["machine"][0] - a["machine"][0]
            iowait = b["machine"][1] - a["machine"][1]
            machine = b["machine"][2] - a["machine"][2]
        return {
            "window": b["at"] - a["at"],
            "bots": bots,
            "fake": fake,
            "pg_ours": ours,
            "pg_all": pg_all,
            "busy": busy,
            "iowait": iowait,
            "machine": machine,
        }


def add_use(total: dict[str, Any] | None, use: dict[str, Any]) -> dict[str, Any]:
    """Two bursts' `Resources.use` added up (None stays None: not readable)."""
    if total is None:
        return dict(use, bots=list(use["bots"]))
    out: dict[str, Any] = {}
    for key, value in use.items():
        if key == "bots":
            out[key] = [x + y for x, y in zip(total[key], value, strict=True)]
        elif value is None or total[key] is None:
            out[key] = None
        else:
            out[key] = total[key] + value
    return out


def shares(use: dict[str, Any], cores: int) -> dict[str, float | None]:
    """Each part's CPU as % of one core over the bursts' time (the machine's 100% per core)."""
    w = use["window"]

    def pct(x: float | None) -> float | None:
        return None if x is None else 100 * x / w

    # /proc/stat counts every core: its share of all the machine's time, times the cores
    machine = (
        100 * cores * use["busy"] / use["machine"] if use["busy"] is not None and use["machine"] else None
    )
    iowait = (
        100 * cores * use["iowait"] / use["machine"] if use["iowait"] is not None and use["machine"] else None
    )
    out: dict[str, float | None] = {
        "bots": pct(sum(use["bots"])),
        "fake": pct(use["fake"]),
        "pg_ours": pct(use["pg_ours"]),
        "pg_all": pct(use["pg_all"]),
        "machine": machine,
        "iowait": iowait,
    }
    for i, cpu in enumerate(use["bots"]):
        out[f"bot{i}"] = pct(cpu)
    known = sum(x for x in (out["bots"], out["fake"], out["pg_all"]) if x is not None)
    out["others"] = max(0.0, machine - known) if machine is not None else None
    return out


BUSY_CORES = 80  # % of every core busy over the bursts: the cores are the limit
BUSY_PROCESS = 75  # % of one core used by one bot process: its event loop (one thread) is


def limiting(share: dict[str, float | None], cores: int) -> str:
    """Name the resource that bounded the bursts, from `shares`: the cores when the machine was
    busy nearly all the time (and who used them), else one bot process's core when one used most
    of a core (a bot's event loop is one thread), else the disk when iowait is high, else waiting
    (commits, round trips); with every part's CPU either way ("others": whatever else ran on the
    machine meanwhile, other users' work included)."""

    def f(x: float | None) -> str:
        return "n/a" if x is None else f"{x:.0f}%"

    bots = [k for k in share if k.startswith("bot") and k[3:].isdigit()]
    pg = (
        f"postgres {f(share['pg_all'])} (the bots' backends {f(share['pg_ours'])})"
        if share["pg_ours"] is not None
        else f"postgres (not used by these bots) {f(share['pg_all'])}"
    )
    parts = (
        f"bot process{'es' if len(bots) > 1 else ''} {' + '.join(f(share[k]) for k in bots)}, {pg}, "
        f"fake {f(share['fake'])}, others {f(share['others'])}; iowait {f(share['iowait'])}"
    )
    machine = share["machine"]
    top = max((share[k] or 0.0 for k in bots), default=0.0)
    if machine is not None and machine >= BUSY_CORES * cores:
        return f"CPU: the {cores} cores {f(machine)} busy (of {100 * cores}%): {parts}"
    if top >= BUSY_PROCESS:
        return f"one bot process's core (a process at {top:.0f}% of a core; its event loop is one thread): {parts}"
    if share["iowait"] is not None and share["iowait"] >= 30:
        return f"the disk (iowait {f(share['iowait'])}): {parts}"
    return (
        f"neither the cores nor one process: waiting (commits, round trips); cores {f(machine)} busy: {parts}"
    )


class ShardBench:
    """QuizBot as shards 0 and 1 of 2, two processes sharing one fresh PostgreSQL schema (dropped
    after), on one fake Discord with one server per shard: the fake sends each server's
    interactions to the gateway session of the shard that owns it, as Discord does. A burst is
    n clicks split over both servers' new posts, fired at once."""

    kind = "pg-shards"

    def __init__(self, fake: FakeDiscord, n: int, rounds: int, url: str, shard_count: int = 2) -> None:
        self.fake, self.n, self.url, self.shard_count = fake, n, url, shard_count
        self.guilds = [guild_of_shard(fake, s, shard_count, f"Bench shard {s}") for s in range(shard_count)]
        self.channels = [next(iter(g.channels.values())) for g in self.guilds]
        per = -(-n // shard_count)  # each server's share of a burst, rounded up
        self.members = [
            [fake.create_member(g, f"user{s}.{i}") for i in range(per + WARMUP)]
            for s, g in enumerate(self.guilds)
        ]
        self.posters = [
            [fake.create_member(g, f"poster{s}.{i}") for i in range(rounds + 1)]
            for s, g in enumerate(self.guilds)
        ]
        self.messages: list[StoredMessage] = []
        self.procs: list[subprocess.Popen[bytes]] = []
        self.round = 0
        self.application_name = f"quizbot-bench-{os.getpid()}"
        self.schemas: Any = None
        self.db_url = ""
        self.probe: Resources | None = None

    async def start(self, loop_kind: str) -> None:
        from storage_pg import Schema, schema_url

        fake = self.fake
        self.schemas = Schema(self.url)
        store, _ = await self.schemas.store()  # a fresh schema, migrated
        await store.close()
        self.db_url = (
            f"{schema_url(self.url, self.schemas.made[-1])}&application_name={self.application_name}"
        )
        for shard in range(self.shard_count):
            args = ["--serve-shard", fake.api_base, fake.gateway_url, fake.token, self.db_url, str(shard)]
            cmd = [sys.executable, __file__, *args, str(self.shard_count), "--loop", loop_kind]
            self.procs.append(subprocess.Popen(cmd, stdin=subprocess.PIPE, cwd=ROOT))  # noqa: ASYNC220 - once, before measuring
        for g in self.guilds:
            await fake.gateway.wait_frame(
                lambda f, g=g: f.direction == "send" and f.t == "GUILD_CREATE" and f.d["id"] == str(g.id),
                timeout=60,
            )
        await fake.gateway.sync(timeout=30)
        # shard 0's process syncs the commands (globally: no dev server), once for both
        await fake.wait_call("PUT", "/applications/{application_id}/commands", timeout=60)
        await self.new_posts()
        self.probe = Resources(self.url, self.application_name)
        for i in range(WARMUP):  # warm-up clicks, one by one, from members who then sit out
            s = i % self.shard_count
            ids = self.messages[s].custom_ids()
            await fake.click(
                self.messages[s], ids[i % len(ids)], self.members[s][-1 - i // self.shard_count], timeout=30
            )
        await self.measure()  # and a whole burst, not counted

    async def new_posts(self) -> None:
        self.messages = []
        for s, g in enumerate(self.guilds):
            h = await self.fake.invoke(
                g, self.channels[s], self.posters[s][self.round], "quiz", {"topic": "CLI"}, timeout=30
            )
            assert h.message is not None, h.content
            self.messages.append(h.message)

    def clicks(self) -> list[Click]:
        """The burst's n clicks, taking turns between the servers (each member once)."""
        out: list[Click] = []
        for i in range(self.n):
            s, k = i % self.shard_count, i // self.shard_count
            ids = self.messages[s].custom_ids()
            out.append((self.messages[s], ids[k % len(ids)], self.members[s][k]))
        return out

    async def measure(self) -> dict[str, Any]:
        if self.round > 0:
            await self.new_posts()
        self.round += 1
        assert self.probe is not None
        self.probe.refresh()
        return await burst(self.fake, self.clicks(), self.pids, self.probe)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.procs]

    def answers(self) -> tuple[int, int]:
        """(answers stored, distinct (post, member) among them) in the shared schema."""
        import psycopg

        with psycopg.connect(self.db_url, autocommit=True) as conn:
            return count_answers(conn)

    async def stop(self) -> None:
        for proc in self.procs:
            assert proc.stdin is not None
            proc.stdin.close()
        for proc in self.procs:
            await asyncio.get_running_loop().run_in_executor(None, proc.wait)
        if self.schemas is not None:
            self.schemas.drop()


class Bench:
    """One bot process on its own fake Discord, kept up for every round of the run."""

    def __init__(self, kind: str, fake: FakeDiscord, n: int, rounds: int, pages: int = 0) -> None:
        self.kind, self.fake, self.n = kind, fake, n
        self.pages = pages if kind == "quizbot" else 0  # dashboard pages a second while measured
        self.loader: subprocess.Popen[bytes] | None = None
        self.guild, self.channel, self.members = world(fake, n)
        # who runs /quiz before each of QuizBot's rounds (the per-member cooldown applies)
        self.posters = [fake.create_member(self.guild, f"poster{i}") for i in range(rounds + 1)]
        self.tmp = tempfile.TemporaryDirectory()
        self.proc: subprocess.Popen[bytes] | None = None
        self.message: StoredMessage | None = None
        self.round = 0
        #: With a Resources probe (the --backend postgresql run), each burst also reads the CPU
        #: of PostgreSQL and of the whole machine.
        self.probe: Resources | None = None

    async def start(self, loop_kind: str) -> None:
        fake = self.fake
        if self.kind == "baseline":
            embeds, components = quiz_post_payload()
            self.message = fake.add_bot_message(self.channel, "", embeds=embeds, components=components)
            args = ["--serve-baseline", fake.api_base, fake.gateway_url, fake.token]
        else:
            args = ["--serve-quizbot", fake.api_base, fake.gateway_url, fake.token, self.tmp.name]
            args.append(str(self.guild.id))
        cmd = [sys.executable, __file__, *args, "--loop", loop_kind]
        env = dict(os.environ)
        port = 0
        if self.pages:
            import socket

            with socket.socket() as probe:
                probe.bind(("127.0.0.1", 0))
                port = probe.getsockname()[1]
            env["BENCH_DASHBOARD_PORT"] = str(port)
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, cwd=ROOT, env=env)  # noqa: ASYNC220 - once, before measuring
        await fake.gateway.wait_frame(lambda f: f.direction == "send" and f.t == "GUILD_CREATE", timeout=60)
        await fake.gateway.sync(timeout=30)
        if self.kind == "quizbot":
            await fake.wait_call(
                "PUT",
                "/applications/{application_id}/guilds/{guild_id}/commands",
                guild_id=self.guild.id,
                timeout=60,
            )
            await self.new_post()
        if self.pages:
            load = [sys.executable, __file__, "--serve-pages", str(port), str(self.guild.id), str(self.pages)]
            self.loader = subprocess.Popen(load, stdin=subprocess.PIPE, cwd=ROOT)  # noqa: ASYNC220 - once, before measuring
        assert self.message is not None
        ids = self.message.custom_ids()
        for i in range(WARMUP):  # warm-up clicks, one by one, from members who then sit out
            await fake.click(self.message, ids[i % len(ids)], self.members[self.n + i], timeout=30)
        await self.measure()  # and a whole burst, not counted: both bots are measured warm

    async def new_post(self) -> None:
        h = await self.fake.invoke(
            self.guild, self.channel, self.posters[self.round], "quiz", {"topic": "CLI"}, timeout=30
        )
        assert h.message is not None, h.content
        self.message = h.message

    async def measure(self) -> dict[str, float]:
        """A round: n members click one post at once. QuizBot gets a new post each round, so every
        click is a first answer, stored and scored."""
        if self.kind == "quizbot" and self.round > 0:
            await self.new_post()
        self.round += 1
        assert self.message is not None and self.proc is not None
        ids = self.message.custom_ids()
        clicks = [(self.message, ids[i % len(ids)], self.members[i]) for i in range(self.n)]
        return await burst(self.fake, clicks, [self.proc.pid], self.probe)

    @property
    def pids(self) -> list[int]:
        return [self.proc.pid] if self.proc is not None else []

    def stored(self) -> int:
        return self.answers()[0]

    def answers(self) -> tuple[int, int]:
        """(answers stored, distinct (post, member) among them) in the SQLite file."""
        db = sqlite3.connect(Path(self.tmp.name) / "bench.sqlite3")
        try:
            return count_answers(db)
        finally:
            db.close()

    async def stop(self) -> None:
        if self.loader is not None:
            assert self.loader.stdin is not None
            self.loader.stdin.close()
            await asyncio.get_running_loop().run_in_executor(None, self.loader.wait)
        if self.proc is not None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            await asyncio.get_running_loop().run_in_executor(None, self.proc.wait)
        self.tmp.cleanup()


def row(kind: str, loop_kind: str, r: dict[str, float]) -> str:
    return (
        f"{kind:<9} {loop_kind:<8} {r['p50']:8.1f} {r['p95']:8.1f} {r['p99']:8.1f} {r['max']:8.1f} "
        f"{int(r['late']):>6} {r['throughput']:9.0f} {r['bot_cpu']:17.3f} {r['fake_cpu']:18.3f}"
    )


async def session(n: int, rounds: int, loop_kind: str, pages: int = 0) -> tuple[list[float], int]:
    """Both bots up at once, each on its own fake; bursts alternate between them (ABBA order),
    so the two bursts of a pair run a second apart on the same machine state."""
    async with FakeDiscord() as fake_b, FakeDiscord() as fake_q:
        benches = {
            "baseline": Bench("baseline", fake_b, n, rounds),
            "quizbot": Bench("quizbot", fake_q, n, rounds, pages),
        }
        try:
            for b in benches.values():
                await b.start(loop_kind)
            ratios: list[float] = []
            late = 0
            for i in range(rounds):
                order = ("baseline", "quizbot") if i % 2 == 0 else ("quizbot", "baseline")
                results = {}
                for kind in order:
                    r = results[kind] = await benches[kind].measure()
                    print(row(kind, loop_kind, r), flush=True)
                ratios.append(results["quizbot"]["throughput"] / results["baseline"]["throughput"])
                late += int(results["quizbot"]["late"])
            stored = benches["quizbot"].stored()
            expected = WARMUP + (rounds + 1) * n
            print(f"  answers stored by QuizBot: {stored} of {expected}")
            assert stored == expected, (stored, expected)
            return ratios, late
        finally:
            for b in benches.values():
                await b.stop()


def pg_row(kind: str, r: dict[str, Any]) -> str:
    share = shares(r["use"], os.cpu_count() or 1)
    bots = "+".join(f"{x:.2f}" for x in r["bot_cpus"])
    pg = r["use"]["pg_all"]
    pg_ms = "n/a" if pg is None else f"{pg * 1000 / r['clicks']:.2f}"
    machine = "n/a" if share["machine"] is None else f"{share['machine']:.0f}%"
    return (
        f"{kind:<10} {r['p50']:8.1f} {r['p95']:8.1f} {r['p99']:8.1f} {r['max']:8.1f} {int(r['late']):>6} "
        f"{r['throughput']:9.0f} {bots:>15} {r['fake_cpu']:8.3f} {pg_ms:>8} {machine:>8}"
    )


def summary(kind: str, results: list[dict[str, Any]], stored: tuple[int, int], expected: int) -> list[str]:
    """A configuration's measured rounds in a few lines: every click's latency pooled, the median
    throughput, the CPU per click of each part, and what limited it."""
    lat = sorted(x for r in results for x in r["latencies"])
    q = statistics.quantiles(lat, n=100)
    clicks = sum(r["clicks"] for r in results)
    use: dict[str, Any] | None = None
    for r in results:
        use = add_use(use, r["use"])
    assert use is not None
    cores = os.cpu_count() or 1
    share = shares(use, cores)

    def per_click(x: float | None) -> str:
        return "n/a" if x is None else f"{1000 * x / clicks:.3f}"

    if use["pg_all"] is None:
        pg = "postgres n/a (no process named postgres on this machine: the server runs elsewhere)"
    elif use["pg_ours"] is None:  # the SQLite configuration: another client's work, if any
        pg = f"postgres (not used by this configuration) {per_click(use['pg_all'])}"
    else:
        pg = f"postgres {per_click(use['pg_all'])} (the bots' own backends {per_click(use['pg_ours'])})"

    late = sum(int(r["late"]) for r in results)
    return [
        f"{kind}: {clicks} clicks in {len(results)} bursts; p50 {1000 * q[49]:.1f} ms, p95 {1000 * q[94]:.1f} ms, "
        f"p99 {1000 * q[98]:.1f} ms, max {1000 * lat[-1]:.1f} ms; over 3 s: {late}; "
        f"clicks/s median {statistics.median(r['throughput'] for r in results):.0f} "
        f"(of {', '.join(format(r['throughput'], '.0f') for r in results)})",
        f"  answers stored: {stored[0]} of {expected}, {stored[0] - stored[1]} duplicates",
        f"  CPU ms/click: bot process{'es' if len(use['bots']) > 1 else ''} "
        f"{' + '.join(f'{1000 * x / clicks:.3f}' for x in use['bots'])}, fake {per_click(use['fake'])}, {pg}",
        f"  limited by: {limiting(share, cores)}",
    ]


async def session_pg(n: int, rounds: int, loop_kind: str, url: str) -> tuple[list[float], int, bool]:
    """One QuizBot process on SQLite and two shard processes on one PostgreSQL schema, each on its
    own fake; bursts alternate between them (ABBA). (pg/sqlite throughput ratios, clicks over
    3 s, every answer stored once in both)."""
    async with FakeDiscord() as fake_s, FakeDiscord() as fake_p:
        sqlite_bench = Bench("quizbot", fake_s, n, rounds)
        sqlite_bench.probe = Resources()
        shard_bench = ShardBench(fake_p, n, rounds, url)
        benches: dict[str, Bench | ShardBench] = {"sqlite-1p": sqlite_bench, "pg-2shard": shard_bench}
        try:
            for b in benches.values():
                await b.start(loop_kind)
            results: dict[str, list[dict[str, Any]]] = {k: [] for k in benches}
            ratios: list[float] = []
            for i in range(rounds):
                order = ("sqlite-1p", "pg-2shard") if i % 2 == 0 else ("pg-2shard", "sqlite-1p")
                for kind in order:
                    r = await benches[kind].measure()
                    results[kind].append(r)
                    print(pg_row(kind, r), flush=True)
                ratios.append(results["pg-2shard"][-1]["throughput"] / results["sqlite-1p"][-1]["throughput"])
            expected = WARMUP + (rounds + 1) * n
            once = True
            late = 0
            for kind, b in benches.items():
                stored = b.answers()
                for line in summary(kind, results[kind], stored, expected):
                    print(line)
                once = once and stored == (expected, expected)
                late += sum(int(r["late"]) for r in results[kind])
            return ratios, late, once
        finally:
            for b in benches.values():
                await b.stop()


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clicks", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="200 clicks")
    parser.add_argument("--loop", choices=["asyncio", "uvloop", "both"], default="both")
    parser.add_argument(
        "--repeat",
        type=int,
        default=6,
        help="rounds (a burst to each bot) per loop; the median ratio is reported",
    )
    parser.add_argument(
        "--pages-per-second",
        type=int,
        default=0,
        help="QuizBot serves this many dashboard pages a second meanwhile",
    )
    parser.add_argument(
        "--backend",
        choices=["sqlite", "postgresql"],
        default="sqlite",
        help="sqlite: QuizBot beside the do-nothing bot (the default); postgresql: two shard "
        "processes on PostgreSQL beside one QuizBot process on SQLite",
    )
    parser.add_argument(
        "--url",
        default=os.environ.get("QUIZBOT_TEST_POSTGRES_URL") or "postgresql://postgres@127.0.0.1:5432/test",
        help="the PostgreSQL database of --backend postgresql (a schema of its own is made and "
        "dropped; default QUIZBOT_TEST_POSTGRES_URL, else postgresql://postgres@127.0.0.1:5432/test)",
    )
    parser.add_argument("--serve-quizbot", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--serve-shard", nargs=6, help=argparse.SUPPRESS)
    parser.add_argument("--serve-pages", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--serve-baseline", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    loop_arg = args.loop if args.loop != "both" else "asyncio"
    if args.serve_quizbot:
        serve_quizbot(*args.serve_quizbot, loop_kind=loop_arg)
        return 0
    if args.serve_shard:
        serve_shard(*args.serve_shard, loop_kind=loop_arg)
        return 0
    if args.serve_baseline:
        serve_baseline(*args.serve_baseline, loop_kind=loop_arg)
        return 0
    if args.serve_pages:
        serve_pages(*args.serve_pages)
        return 0
    n = 200 if args.quick else args.clicks
    loops = ["asyncio", "uvloop"] if args.loop == "both" else [args.loop]
    if "uvloop" in loops:
        try:
            import uvloop  # noqa: F401
        except ImportError:
            print("uvloop is not installed: asyncio only (pip install uvloop to compare)")
            loops = [x for x in loops if x != "uvloop"]
    if args.backend == "postgresql":
        return main_pg(n, args.repeat, loops, args.url)
    print(
        f"{n} members clicking one post at once; discord.py {discord.__version__}, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} CPUs; each bot in its own process"
    )
    print(
        f"{'bot':<9} {'loop':<8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'> 3 s':>6} "
        f"{'clicks/s':>9} {'bot CPU ms/click':>17} {'fake CPU ms/click':>18}"
    )
    for loop_kind in loops:
        ratios, late = run(session(n, args.repeat, loop_kind, args.pages_per_second), loop_kind)
        print(
            f"  quizbot/baseline throughput ({loop_kind}): median {statistics.median(ratios):.2f}x of "
            f"{', '.join(f'{x:.2f}' for x in ratios)} (goal >= 0.8x); quizbot clicks later than 3 s: {late}"
        )
    return 0


def main_pg(n: int, rounds: int, loops: list[str], url: str) -> int:
    """--backend postgresql: one QuizBot process on SQLite beside two shard processes on PostgreSQL."""
    import psycopg
    from storage_pg import server_line

    try:
        server = server_line(url)
    except psycopg.OperationalError as exc:
        print(
            f"no PostgreSQL at {url}: {str(exc).strip().splitlines()[0]} (--url, or QUIZBOT_TEST_POSTGRES_URL)"
        )
        return 2
    print(
        f"{n} clicks at once per burst: sqlite-1p = one QuizBot process on SQLite (one server, one post); "
        f"pg-2shard = QuizBot as shards 0 and 1 of 2, two processes on one PostgreSQL schema (a server "
        f"each, the clicks split over both servers' posts); discord.py {discord.__version__}"
    )
    print(server + (", on this machine" if postgres_pids() else ", not on this machine"))
    print(
        f"{'config':<10} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'> 3 s':>6} {'clicks/s':>9} "
        f"{'bot CPU ms/click':>15} {'fake':>8} {'postgres':>8} {'machine':>8}"
    )
    ok = True
    for loop_kind in loops:
        print(f"  event loop: {loop_kind}")
        ratios, late, once = run(session_pg(n, rounds, loop_kind, url), loop_kind)
        print(
            f"  pg-2shard/sqlite-1p throughput ({loop_kind}): median {statistics.median(ratios):.2f}x of "
            f"{', '.join(f'{x:.2f}' for x in ratios)}; clicks later than 3 s: {late}; "
            f"every answer stored once: {'yes' if once else 'NO'}"
        )
        ok = ok and once and late == 0
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
