"""QuizBot's answer buttons under 1,000 concurrent clicks, next to a do-nothing discord.py bot.

    .venv/bin/python bench/clicks.py              # 1,000 clicks, asyncio and uvloop (when installed)
    .venv/bin/python bench/clicks.py --quick      # 200 clicks
    .venv/bin/python bench/clicks.py --loop asyncio

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

from tests.fakediscord import FakeDiscord, FakeGuild, FakeMember, InteractionHandle, StoredMessage  # noqa: E402

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
    """The subprocess side: the real QuizBot until stdin closes."""
    from bot.app import QuizBot
    from bot.discord_internals import point_discord_at
    from bot.settings import Settings

    point_discord_at(api_base, gateway_url)
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

    async def main() -> None:
        async with QuizBot(settings) as bot:
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

        cProfile.runctx("run(main(), loop_kind)", globals(), locals(), os.environ["BENCH_PROFILE"])
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


async def burst(
    fake: FakeDiscord,
    message: StoredMessage,
    custom_ids: list[str],
    members: list[FakeMember],
    n: int,
    pid: int,
) -> dict[str, float]:
    """n members click `message` at once; the latencies, the throughput and the bot's CPU."""
    # The fake keeps every call, frame and message it handled: its heap grows all run long, and
    # its garbage collector's passes over it (a third of its CPU) fell on whichever bot's burst
    # was running. The fake stands in for Discord, which does not run on these cores: its
    # collector waits until the burst is over.
    gc.collect()
    gc.disable()
    try:
        cpu0 = cpu_seconds(pid)
        fake0 = time.process_time()
        handles: list[InteractionHandle] = [
            await fake.click(message, custom_ids[i % len(custom_ids)], members[i], wait=False)
            for i in range(n)
        ]
        await asyncio.gather(*(h.wait_response(timeout=120) for h in handles))
        cpu1 = cpu_seconds(pid)
        fake1 = time.process_time()
    finally:
        gc.enable()
    for h in handles:
        assert h.callback.ephemeral, h.content
    lat = sorted(h.latency or 0.0 for h in handles)
    first = min(h.record.dispatched_at or 0.0 for h in handles)
    last = max(h.record.responded_at or 0.0 for h in handles)
    q = statistics.quantiles(lat, n=100)
    return {
        "p50": q[49] * 1000,
        "p95": q[94] * 1000,
        "p99": q[98] * 1000,
        "max": lat[-1] * 1000,
        "late": sum(1 for x in lat if x > DEADLINE),
        "throughput": n / (last - first),
        "bot_cpu": (cpu1 - cpu0) * 1000 / n if cpu0 is not None and cpu1 is not None else float("nan"),
        "fake_cpu": (fake1 - fake0) * 1000 / n,
    }


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
        return await burst(
            self.fake, self.message, self.message.custom_ids(), self.members, self.n, self.proc.pid
        )

    def stored(self) -> int:
        db = sqlite3.connect(Path(self.tmp.name) / "bench.sqlite3")
        try:
            return int(db.execute("SELECT COUNT(*) FROM answers").fetchone()[0])
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
    parser.add_argument("--serve-quizbot", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--serve-pages", nargs=3, help=argparse.SUPPRESS)
    parser.add_argument("--serve-baseline", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    loop_arg = args.loop if args.loop != "both" else "asyncio"
    if args.serve_quizbot:
        serve_quizbot(*args.serve_quizbot, loop_kind=loop_arg)
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


if __name__ == "__main__":
    raise SystemExit(main())
