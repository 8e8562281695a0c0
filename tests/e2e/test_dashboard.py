"""/dashboard and /quizadmin dashboard public through the fake Discord, with the bot serving the
web dashboard on a loopback port: the link a member gets opens their server's pages, an admin
publishes the overview and leaderboard (and only an admin may)."""

from __future__ import annotations

import re
from typing import Any

import aiohttp
import pytest

from tests.fakediscord import BotHarness, FakeDiscord, World

BASE = "https://quiz.example.org"


@pytest.fixture
def bot_settings() -> dict[str, Any]:
    return {"dashboard_bind": ("127.0.0.1", 0), "dashboard_url": BASE}


def local(quizbot: BotHarness[Any], url: str) -> str:
    """The link as the reverse proxy would pass it on: to the bot's own port."""
    assert url.startswith(BASE)
    return f"http://127.0.0.1:{quizbot.running.dashboard.port}{url[len(BASE) :]}"


async def fetch(url: str) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url) as r:
        return r.status, await r.text()


async def test_a_members_link_opens_their_servers_pages(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w = discord_world
    h = await fake_discord.invoke(w.guild, w.general, w.member, "dashboard")
    assert h.ephemeral and "don't share it" in h.content
    found = re.search(rf"{re.escape(BASE)}/g/{w.guild.id}/t/[^/\s]+/", h.content)
    assert found, h.content
    status, body = await fetch(local(quizbot, found[0]) + "me")
    assert status == 200 and "bob" in body  # /dashboard remembered the member's name
    status, body = await fetch(local(quizbot, found[0]) + "leaderboard")
    assert status == 200 and "Leaderboard" in body
    # the same link for another server's address: refused
    other = local(quizbot, found[0]).replace(f"/g/{w.guild.id}/", "/g/123456789012345678/")
    assert (await fetch(other))[0] == 403
    zh = await fake_discord.invoke(w.guild, w.general, w.member_zh, "dashboard")
    assert "請勿分享" in zh.content


async def test_an_admin_makes_the_overview_public_and_a_member_may_not(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    w = discord_world
    public = f"http://127.0.0.1:{quizbot.running.dashboard.port}/g/{w.guild.id}/"
    assert (await fetch(public))[0] == 403
    h = await fake_discord.invoke(
        w.guild, w.general, w.member, "quizadmin dashboard public", {"state": "on"}, check_permissions=False
    )
    assert "Manage Server" in h.content
    assert (await fetch(public))[0] == 403
    h = await fake_discord.invoke(w.guild, w.general, w.admin, "quizadmin dashboard public", {"state": "on"})
    assert h.ephemeral and f"{BASE}/g/{w.guild.id}/" in h.content
    status, body = await fetch(public)
    assert status == 200 and "Public page" in body
    link = await fake_discord.invoke(w.guild, w.general, w.member, "dashboard")
    assert f"Public page (no link needed): {BASE}/g/{w.guild.id}/" in link.content
    await fake_discord.invoke(w.guild, w.general, w.admin, "quizadmin dashboard public", {"state": "off"})
    assert (await fetch(public))[0] == 403


@pytest.mark.parametrize("bot_settings", [{}])
async def test_without_dashboard_bind_there_is_no_dashboard(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord, discord_world: World
) -> None:
    assert quizbot.running.dashboard is None
    h = await fake_discord.invoke(
        discord_world.guild, discord_world.general, discord_world.member, "dashboard"
    )
    assert "not turned on" in h.content
