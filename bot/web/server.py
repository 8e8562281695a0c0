"""Serving the dashboard inside the bot process: one `aiohttp.web` site on the bot's event loop
(no second service), started by `QuizBot.setup_hook` when DASHBOARD_BIND is set, closed with it."""

from __future__ import annotations

import logging

from aiohttp import web

from bot.web.app import make_app
from bot.web.pages import Dashboard

log = logging.getLogger(__name__)


class DashboardServer:
    """The running dashboard: `await DashboardServer.start(d, host, port)`, then `await close()`."""

    def __init__(self, dashboard: Dashboard, runner: web.AppRunner, port: int) -> None:
        self.dashboard = dashboard
        self.port = port  # the port listened on (the one asked for, or the one given for 0)
        self._runner = runner

    @classmethod
    async def start(cls, dashboard: Dashboard, host: str, port: int) -> DashboardServer:
        # No access log: the paths hold members' signed links.
        runner = web.AppRunner(
            make_app(dashboard), access_log=None, handle_signals=False, shutdown_timeout=2.0
        )
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except OSError:
            await runner.cleanup()
            raise
        bound = port
        for address in runner.addresses:
            if isinstance(address, tuple) and len(address) >= 2:
                bound = int(address[1])
                break
        log.info("web dashboard on %s:%s, links at %s", host, bound, dashboard.base_url)
        return cls(dashboard, runner, bound)

    async def close(self) -> None:
        await self._runner.cleanup()
