"""The dashboard's fixtures: a bank with a hostile question, a store holding weeks of answers
(tests.helpers.dashboard_world), the app behind aiohttp's test client, and for the browser tests
a live dashboard on a loopback port (its own thread and loop) and one Chromium per session."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.bank import Bank, load_bank
from bot.core.dashboard import RateLimit
from bot.storage import Store, open_store
from bot.web.app import make_app
from bot.web.auth import LINK_SECONDS, sign
from bot.web.pages import Dashboard
from bot.web.server import DashboardServer
from tests.helpers import (
    DASH_GUILD,
    DASH_KEY,
    DASH_NOW,
    dashboard_bank_files,
    dashboard_world,
    need_chromium,
)

BASE = "https://quiz.example.org"


def write_bank(root: Path) -> Bank:
    for rel, text in dashboard_bank_files().items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return load_bank(root)


def link(
    user_id: int, guild_id: int = DASH_GUILD, *, expires: int | None = None, key: bytes = DASH_KEY
) -> str:
    """The path of a signed link (as /dashboard gives it, without the base URL)."""
    exp = int(DASH_NOW.timestamp()) + LINK_SECONDS if expires is None else expires
    return f"/g/{guild_id}/t/{sign(key, guild_id, user_id, exp)}/"


@pytest.fixture(scope="session")
def dash_bank(tmp_path_factory: pytest.TempPathFactory) -> Bank:
    return write_bank(tmp_path_factory.mktemp("dash-bank"))


@pytest.fixture
async def world(dash_bank: Bank, tmp_path: Path) -> AsyncIterator[tuple[Store, dict[str, Any]]]:
    store = await open_store(tmp_path / "dash.sqlite3")
    await store.sync_question_tags(dash_bank.questions)
    facts = await dashboard_world(store, dash_bank)
    yield store, facts
    await store.close()


def dashboard(store: Store, bank: Bank, **changes: Any) -> Dashboard:
    d = Dashboard(
        store=store,
        bank=lambda: bank,
        key=DASH_KEY,
        base_url=BASE,
        guild_name=lambda gid: "Study <Group> & co" if gid == DASH_GUILD else None,
        now=lambda: DASH_NOW,
        limiter=RateLimit(rate=1000.0, burst=1000),
    )
    for name, value in changes.items():
        setattr(d, name, value)
    return d


@pytest.fixture
async def client(world: tuple[Store, dict[str, Any]], dash_bank: Bank) -> AsyncIterator[TestClient[Any, Any]]:
    store, _ = world
    async with TestClient(TestServer(make_app(dashboard(store, dash_bank)))) as c:
        yield c


# ------------------------------------------------------------------------------------------ the browser


class LiveDashboard:
    """The dashboard served on a loopback port from its own thread and event loop, over a store
    holding tests.helpers.dashboard_world; `url` is its base."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.url = ""
        self.facts: dict[str, Any] = {}
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="live-dashboard", daemon=True)

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(60):
            raise RuntimeError("the live dashboard did not start in 60 s")
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        asyncio.run(self._serve())

    async def _serve(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        try:
            bank = write_bank(self.folder / "bank")
            store = await open_store(self.folder / "live.sqlite3")
            await store.sync_question_tags(bank.questions)
            self.facts = await dashboard_world(store, bank)
            server = await DashboardServer.start(dashboard(store, bank, base_url=""), "127.0.0.1", 0)
        except BaseException as exc:
            self._error = exc
            self._ready.set()
            raise
        self.url = f"http://127.0.0.1:{server.port}"
        self._ready.set()
        await self._stop.wait()
        await server.close()
        await store.close()

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveDashboard]:
    server = LiveDashboard(tmp_path_factory.mktemp("live"))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Chromium (Debian's, driven by Playwright) for the browser tests, which are all
    in one module: Playwright's sync API keeps an event loop running in this thread while it is
    open, so it must be closed before the async tests of other modules run."""
    path = need_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=path, headless=True, args=["--no-sandbox"])
        yield b
        b.close()
