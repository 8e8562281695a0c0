"""QuizBot's answer buttons under 1,000 concurrent clicks, next to a do-nothing discord.py bot.

    .venv/bin/python bench/clicks.py              # 1,000 clicks, asyncio and uvloop (when installed)
    .venv/bin/python bench/clicks.py --quick      # 200 clicks
    .venv/bin/python bench/clicks.py --loop asyncio

Both bots run in their own process against the same loopback fake Discord (tests/fakediscord),
one after the other in the same run:

  baseline  a plain discord.py bot whose one DynamicItem answers every click with an ephemeral
            "ok", clicked on the same question post QuizBot makes (same embed, same five
            buttons: discord.py parses the clicked message on every click, so the post's size
            is part of both bots' cost)
  quizbot   the real QuizBot: /quiz posts Q-104, then every click is recorded through the
            group-commit writer into SQLite (synchronous=FULL), scored, and answered with the
            full feedback embed (why the chosen option is wrong, points, streak, Explain button)

N members click one post at once (each answer is a different member, so every click is stored).
Latency = the fake writing INTERACTION_CREATE -> the fake receiving the callback. Goal: quizbot's
throughput at least 0.8x the baseline's, and every click answered within Discord's 3 s.
"""

from __future__ import annotations

import argparse
import asyncio
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

    from bot.app import point_discord_at

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
    from bot.app import QuizBot, point_discord_at
    from bot.settings import Settings

    point_discord_at(api_base, gateway_url)
    settings = Settings(
        token=token,
        database_path=Path(workdir) / "bench.sqlite3",
        questions_dir=ROOT / "questions",
        dev_guild_id=int(guild_id),
    )

    async def main() -> None:
        async with QuizBot(settings) as bot:
            bot._connection.guild_ready_timeout = 0.05  # noqa: SLF001 - as the test harness does
            runner = asyncio.create_task(bot.start(token))
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
            await bot.close()
            await runner

    if os.environ.get("BENCH_PROFILE"):  # write a cProfile of the bot process to this file
        import cProfile

        cProfile.runctx("run(main(), loop_kind)", globals(), locals(), os.environ["BENCH_PROFILE"])
    else:
        run(main(), loop_kind)


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
    for i in range(WARMUP):  # warm-up clicks, one by one, from members who then sit out
        await fake.click(message, custom_ids[i % len(custom_ids)], members[n + i], timeout=30)
    cpu0 = cpu_seconds(pid)
    handles: list[InteractionHandle] = [
        await fake.click(message, custom_ids[i % len(custom_ids)], members[i], wait=False) for i in range(n)
    ]
    await asyncio.gather(*(h.wait_response(timeout=120) for h in handles))
    cpu1 = cpu_seconds(pid)
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
    }


async def scenario(kind: str, n: int, loop_kind: str) -> dict[str, float]:
    async with FakeDiscord() as fake:
        guild, channel, members = world(fake, n)
        with tempfile.TemporaryDirectory() as tmp:
            if kind == "baseline":
                embeds, components = quiz_post_payload()
                message = fake.add_bot_message(channel, "", embeds=embeds, components=components)
                cmd = [
                    sys.executable,
                    __file__,
                    "--serve-baseline",
                    fake.api_base,
                    fake.gateway_url,
                    fake.token,
                    "--loop",
                    loop_kind,
                ]
            else:
                cmd = [
                    sys.executable,
                    __file__,
                    "--serve-quizbot",
                    fake.api_base,
                    fake.gateway_url,
                    fake.token,
                    tmp,
                    str(guild.id),
                    "--loop",
                    loop_kind,
                ]
            proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, cwd=ROOT)  # noqa: ASYNC220 - once, before measuring
            try:
                await fake.gateway.wait_frame(
                    lambda f: f.direction == "send" and f.t == "GUILD_CREATE", timeout=60
                )
                await fake.gateway.sync(timeout=30)
                if kind == "baseline":
                    ids = message.custom_ids()
                else:
                    await fake.wait_call(
                        "PUT",
                        "/applications/{application_id}/guilds/{guild_id}/commands",
                        guild_id=guild.id,
                        timeout=60,
                    )
                    h = await fake.invoke(guild, channel, members[0], "quiz", {"topic": "CLI"}, timeout=30)
                    message = h.message
                    assert message is not None, h.content
                    ids = message.custom_ids()
                result = await burst(fake, message, ids, members, n, proc.pid)
                if kind == "quizbot":
                    db = sqlite3.connect(Path(tmp) / "bench.sqlite3")
                    stored = db.execute("SELECT COUNT(*) FROM answers").fetchone()[0]
                    db.close()
                    result["stored"] = stored
                return result
            finally:
                assert proc.stdin is not None
                proc.stdin.close()
                await asyncio.get_running_loop().run_in_executor(None, proc.wait)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clicks", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="200 clicks")
    parser.add_argument("--loop", choices=["asyncio", "uvloop", "both"], default="both")
    parser.add_argument(
        "--repeat", type=int, default=3, help="baseline/quizbot pairs per loop (median ratio)"
    )
    parser.add_argument("--serve-quizbot", nargs=5, help=argparse.SUPPRESS)
    parser.add_argument("--serve-baseline", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    loop_arg = args.loop if args.loop != "both" else "asyncio"
    if args.serve_quizbot:
        serve_quizbot(*args.serve_quizbot, loop_kind=loop_arg)
        return 0
    if args.serve_baseline:
        serve_baseline(*args.serve_baseline, loop_kind=loop_arg)
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
        f"{'clicks/s':>9} {'bot CPU ms/click':>17} {'rows':>6}"
    )
    for loop_kind in loops:
        ratios = []
        late = 0
        for _ in range(args.repeat):  # pairs, back to back: the machine's noise hits both alike
            results = {}
            for kind in ("baseline", "quizbot"):
                t0 = time.perf_counter()
                r = run(scenario(kind, n, loop_kind), loop_kind)
                results[kind] = r
                rows = f"{int(r['stored']):>6}" if "stored" in r else f"{'-':>6}"
                print(
                    f"{kind:<9} {loop_kind:<8} {r['p50']:8.1f} {r['p95']:8.1f} {r['p99']:8.1f} {r['max']:8.1f} "
                    f"{int(r['late']):>6} {r['throughput']:9.0f} {r['bot_cpu']:17.3f} {rows}  "
                    f"({time.perf_counter() - t0:.1f} s)",
                    flush=True,
                )
            ratios.append(results["quizbot"]["throughput"] / results["baseline"]["throughput"])
            late += int(results["quizbot"]["late"])
        print(
            f"  quizbot/baseline throughput ({loop_kind}): median {statistics.median(ratios):.2f}x of "
            f"{', '.join(f'{x:.2f}' for x in ratios)} (goal >= 0.8x); quizbot clicks later than 3 s: {late}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
