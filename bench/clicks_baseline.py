"""Click baseline: N concurrent clicks on one message's button, answered with an ephemeral "ok".

    .venv/bin/python bench/clicks_baseline.py               # 1,000 clicks, every scenario, asyncio and uvloop
    .venv/bin/python bench/clicks_baseline.py --quick       # 200 clicks
    .venv/bin/python bench/clicks_baseline.py --scenario inproc --loop asyncio

The bot is the do-nothing baseline: a plain discord.py `commands.Bot` (guilds intent only)
with one `DynamicItem` that answers every click with an ephemeral "ok". QuizBot's answer
buttons will be measured against these figures later.

Scenarios (each: 50 warm-up clicks one by one, then N clicks fired at once, each from a
different member):
  raw      the fake + a minimal hand-written gateway/REST client (aiohttp, no discord.py):
           what the harness itself costs per click (fake + driver + a client doing nothing)
  inproc   the fake + the discord.py bot in the same process and event loop (how e2e tests run)
  subproc  the fake here, the discord.py bot in its own process (its own event loop and core)

Latency of a click = from the fake writing the INTERACTION_CREATE frame to the fake receiving
the interaction callback (POST /interactions/{id}/{token}/callback). Throughput = clicks /
(last callback - first frame written). "driver" = time the test side needs to build and
queue the N interactions.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Awaitable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import discord  # noqa: E402
from discord.ext import commands  # noqa: E402

from bot.discord_internals import point_discord_at  # noqa: E402
from bot.settings import Settings  # noqa: E402
from tests.fakediscord import BotHarness, FakeDiscord, FakeGuild, FakeMember, InteractionHandle, StoredMessage  # noqa: E402

CUSTOM_ID = "bench:ok:1"
WARMUP = 50


# ----------------------------------------------------------------------------- the baseline bot


class OkButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"bench:ok:(?P<n>\d+)"):
    def __init__(self, n: int) -> None:
        super().__init__(discord.ui.Button(label="ok", custom_id=f"bench:ok:{n}"))

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str]
    ) -> OkButton:
        return cls(int(match["n"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("ok", ephemeral=True)


class BaselineBot(commands.Bot):
    def __init__(self, settings: Settings | None = None) -> None:
        intents = discord.Intents.none()
        intents.guilds = True
        super().__init__(command_prefix=commands.when_mentioned, intents=intents, help_command=None)

    async def setup_hook(self) -> None:
        self.add_dynamic_items(OkButton)


def serve_bot(api_base: str, gateway_url: str, token: str, loop_kind: str) -> None:
    """The subprocess side: run BaselineBot until stdin closes."""
    point_discord_at(api_base, gateway_url)

    async def main() -> None:
        async with BaselineBot() as bot:
            bot._connection.guild_ready_timeout = 0.05  # noqa: SLF001
            runner = asyncio.create_task(bot.start(token))
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
            await bot.close()
            await runner

    run(main(), loop_kind)


# ----------------------------------------------------------------------------- a raw client (no discord.py)


async def raw_client(fake: FakeDiscord, ready: asyncio.Event, stop: asyncio.Event) -> None:
    """The least a bot can do: IDENTIFY, then answer every INTERACTION_CREATE at once."""
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        url = fake.gateway_url + "?v=10&encoding=json&compress=zlib-stream"
        async with http.ws_connect(url, max_msg_size=0) as ws:
            inflate = zlib.decompressobj()
            buf = bytearray()
            tasks: set[asyncio.Task[None]] = set()

            async def answer(d: dict[str, Any]) -> None:
                body = {"type": 4, "data": {"content": "ok", "flags": 64}}
                async with http.post(
                    f"{fake.api_base}/interactions/{d['id']}/{d['token']}/callback?with_response=1", json=body
                ) as resp:
                    await resp.read()

            stopper = asyncio.create_task(stop.wait())
            while not stop.is_set():
                recv = asyncio.create_task(ws.receive())
                done, _ = await asyncio.wait({recv, stopper}, return_when=asyncio.FIRST_COMPLETED)
                if recv not in done:
                    recv.cancel()
                    break
                msg = recv.result()
                if msg.type is aiohttp.WSMsgType.BINARY:
                    buf.extend(msg.data)
                    if bytes(buf[-4:]) != b"\x00\x00\xff\xff":
                        continue
                    payload = json.loads(inflate.decompress(bytes(buf)))
                    buf.clear()
                elif msg.type is aiohttp.WSMsgType.TEXT:
                    payload = json.loads(msg.data)
                else:
                    break
                op, t = payload.get("op"), payload.get("t")
                if op == 10:
                    await ws.send_str(
                        json.dumps({"op": 2, "d": {"token": fake.token, "intents": 1, "properties": {}}})
                    )
                elif t == "GUILD_CREATE":
                    ready.set()
                elif t == "INTERACTION_CREATE":
                    task = asyncio.create_task(answer(payload["d"]))
                    tasks.add(task)
                    task.add_done_callback(tasks.discard)
            if tasks:
                await asyncio.gather(*tasks)


# ----------------------------------------------------------------------------- measuring


def world(fake: FakeDiscord, n_members: int) -> tuple[FakeGuild, StoredMessage, list[FakeMember]]:
    guild = fake.create_guild("Bench", channels=("quiz",))
    channel = next(iter(guild.channels.values()))
    members = [fake.create_member(guild, f"user{i}") for i in range(n_members)]
    button = {"type": 2, "style": 1, "label": "ok", "custom_id": CUSTOM_ID}
    message = fake.add_bot_message(channel, "Question", components=[{"type": 1, "components": [button]}])
    return guild, message, members


def cpu_seconds(pid: int) -> float | None:
    """User+system CPU time of another process (Linux /proc), or None."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def clicks(
    fake: FakeDiscord, message: StoredMessage, members: list[FakeMember], n: int, bot_pid: int | None = None
) -> dict[str, float]:
    for i in range(WARMUP):
        await fake.click(message, CUSTOM_ID, members[i % len(members)], timeout=30)
    bot_cpu0 = cpu_seconds(bot_pid) if bot_pid else None
    cpu0 = time.process_time()
    t0 = time.perf_counter()
    handles: list[InteractionHandle] = [
        await fake.click(message, CUSTOM_ID, members[i % len(members)], wait=False) for i in range(n)
    ]
    driver = time.perf_counter() - t0
    await asyncio.gather(*(h.wait_response(timeout=120) for h in handles))
    cpu = time.process_time() - cpu0
    bot_cpu1 = cpu_seconds(bot_pid) if bot_pid else None
    for h in handles:
        assert h.callback.type == 4 and h.callback.ephemeral and h.content == "ok"
    lat = sorted(h.latency or 0.0 for h in handles)
    first = min(h.record.dispatched_at or 0.0 for h in handles)
    last = max(h.record.responded_at or 0.0 for h in handles)
    q = statistics.quantiles(lat, n=100)
    return {
        "p50": q[49] * 1000,
        "p95": q[94] * 1000,
        "p99": q[98] * 1000,
        "max": lat[-1] * 1000,
        "throughput": n / (last - first),
        "driver": driver * 1000,
        "cpu": cpu * 1000 / n,
        "bot_cpu": (bot_cpu1 - bot_cpu0) * 1000 / n
        if bot_cpu0 is not None and bot_cpu1 is not None
        else float("nan"),
    }


async def scenario(kind: str, n: int, loop_kind: str) -> dict[str, float]:
    async with FakeDiscord() as fake:
        _, message, members = world(fake, n)
        if kind == "raw":
            ready, stop = asyncio.Event(), asyncio.Event()
            client = asyncio.create_task(raw_client(fake, ready, stop))
            await asyncio.wait_for(ready.wait(), 30)
            try:
                return await clicks(fake, message, members, n)
            finally:
                stop.set()
                await client
        if kind == "inproc":
            with tempfile.TemporaryDirectory() as tmp:
                async with BotHarness(fake, Path(tmp), factory=BaselineBot):
                    return await clicks(fake, message, members, n)
        # subproc
        proc = subprocess.Popen(  # noqa: ASYNC220 (started once, before measuring)
            [
                sys.executable,
                __file__,
                "--serve-bot",
                fake.api_base,
                fake.gateway_url,
                fake.token,
                "--loop",
                loop_kind,
            ],
            stdin=subprocess.PIPE,
        )
        try:
            await fake.gateway.wait_frame(
                lambda f: f.direction == "send" and f.t == "GUILD_CREATE", timeout=60
            )
            await fake.gateway.sync(timeout=30)
            return await clicks(fake, message, members, n, bot_pid=proc.pid)
        finally:
            assert proc.stdin is not None
            proc.stdin.close()
            await asyncio.get_running_loop().run_in_executor(None, proc.wait)


def run(coro: Awaitable[Any], loop_kind: str) -> Any:
    if loop_kind == "uvloop":
        import uvloop

        return uvloop.run(coro)  # type: ignore[arg-type]
    return asyncio.run(coro)  # type: ignore[arg-type]


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clicks", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="200 clicks")
    parser.add_argument("--scenario", choices=["raw", "inproc", "subproc", "all"], default="all")
    parser.add_argument("--loop", choices=["asyncio", "uvloop", "both"], default="both")
    parser.add_argument(
        "--serve-bot", nargs=3, metavar=("API_BASE", "GATEWAY_URL", "TOKEN"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.serve_bot:
        api_base, gateway_url, token = args.serve_bot
        serve_bot(api_base, gateway_url, token, args.loop if args.loop != "both" else "asyncio")
        return 0
    n = 200 if args.quick else args.clicks
    loops = ["asyncio", "uvloop"] if args.loop == "both" else [args.loop]
    if "uvloop" in loops:
        try:
            import uvloop  # noqa: F401
        except ImportError:
            print("uvloop is not installed: asyncio only (pip install uvloop to compare)")
            loops = [x for x in loops if x != "uvloop"]
    kinds = ["raw", "inproc", "subproc"] if args.scenario == "all" else [args.scenario]
    print(
        f"{n} concurrent clicks on one message; discord.py {discord.__version__}, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} CPUs"
    )
    print(
        f"{'scenario':<9} {'loop':<8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8} {'clicks/s':>9} {'driver ms':>10}"
    )
    results: dict[tuple[str, str], dict[str, float]] = {}
    for loop_kind in loops:
        for kind in kinds:
            r: dict[str, float] = run(scenario(kind, n, loop_kind), loop_kind)
            results[(kind, loop_kind)] = r
            print(
                f"{kind:<9} {loop_kind:<8} {r['p50']:8.1f} {r['p95']:8.1f} {r['p99']:8.1f} {r['max']:8.1f} "
                f"{r['throughput']:9.0f} {r['driver']:10.1f} {r['cpu']:18.3f} {r['bot_cpu']:22.3f}",
                flush=True,
            )
    print(
        "CPU ms/click here = CPU of this process per click during the burst: the fake + driver (+ the raw\n"
        "client, or + the in-process bot). In 'subproc' it is the harness's own cost alone, and 'bot proc'\n"
        "is the discord.py bot's cost alone."
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
