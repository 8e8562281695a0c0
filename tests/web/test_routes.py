"""The dashboard's routes through aiohttp's test client: who sees what (signed links, public
pages, 403s), what each page shows, escaping of hostile text, headers, the rate limit."""

from __future__ import annotations

import re
from typing import Any

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.bank import Bank
from bot.bank.bank import key_hash
from bot.core.dashboard import RateLimit
from bot.storage import Store
from bot.web.app import CSP, make_app
from bot.web.auth import sign
from tests.helpers import DASH_GUILD, DASH_NOW, DASH_OTHER_GUILD
from tests.web.conftest import dashboard, link

Client = TestClient[Any, Any]
ME = 1001


async def get(client: Client, path: str, status: int = 200, **kwargs: Any) -> str:
    r = await client.get(path, **kwargs)
    body = await r.text()
    assert r.status == status, body[:500]
    assert r.headers["Content-Security-Policy"] == CSP
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Referrer-Policy"] == "no-referrer"
    return body


def assert_no_markup_injected(body: str) -> None:
    """No script at all, and the hostile texts only escaped."""
    assert "<script" not in body.lower()
    assert "<img" not in body.lower()
    assert "<b>" not in body  # "Bob & <b>Co</b>" and the hostile options are escaped
    assert 'href="javascript' not in body.lower()


# ------------------------------------------------------------------------------------------ access


async def test_a_members_link_opens_every_page(client: Client) -> None:
    for page in ("", "overview", "leaderboard", "weakness", "me"):
        body = await get(client, link(ME) + page)
        assert "Study &lt;Group&gt; &amp; co" in body
        assert_no_markup_injected(body)


@pytest.mark.parametrize("page", ["", "overview", "leaderboard", "weakness", "me", "q/0123456789"])
async def test_refused_links_get_403(client: Client, page: str) -> None:
    expired = link(ME, expires=int(DASH_NOW.timestamp()) - 1)
    assert "has expired" in await get(client, expired + page, 403)
    # a link for another server, used on this one's address
    other = link(ME, DASH_OTHER_GUILD).replace(f"/g/{DASH_OTHER_GUILD}/", f"/g/{DASH_GUILD}/")
    assert "not valid" in await get(client, other + page, 403)
    # edited: another member, a later expiry, another signature, another key
    good = link(ME).split("/")[4]
    guild, user, exp, sig = good.split(".")
    for token in (
        f"{guild}.1002.{exp}.{sig}",
        f"{guild}.{user}.{int(exp) + 86_400}.{sig}",
        f"{guild}.{user}.{exp}.{sig[:-1]}{'A' if sig[-1] != 'A' else 'B'}",
        sign(b"another key of 32 bytes........", DASH_GUILD, ME, int(exp)),
        "garbage",
    ):
        assert "not valid" in await get(client, f"/g/{DASH_GUILD}/t/{token}/{page}", 403)


async def test_a_private_server_has_no_public_pages_and_a_public_one_has_two(
    client: Client, world: tuple[Store, dict[str, Any]]
) -> None:
    store, _ = world
    for path in (f"/g/{DASH_GUILD}/", f"/g/{DASH_GUILD}/leaderboard", "/g/999999999999999999/"):
        assert "not public" in await get(client, path, 403)
    await store.set_guild_extra(DASH_GUILD, "dashboard_public", True)
    overview = await get(client, f"/g/{DASH_GUILD}/")
    assert "Members active this week" in overview and "Public page" in overview
    board = await get(client, f"/g/{DASH_GUILD}/leaderboard")
    assert "Alice" in board and 'class="me"' not in board  # nobody to highlight
    assert "My page" not in board and "Team weakness" not in board  # only the public tabs
    # nothing else is public
    await get(client, f"/g/{DASH_GUILD}/weakness", 404)
    await get(client, f"/g/{DASH_GUILD}/me", 404)
    assert "not public" in await get(client, f"/g/{DASH_OTHER_GUILD}/", 403)
    await store.set_guild_extra(DASH_GUILD, "dashboard_public", None)
    await get(client, f"/g/{DASH_GUILD}/", 403)


async def test_unknown_addresses_are_404_pages(client: Client) -> None:
    for path in ("/nope", "/g/abc/", f"/g/{DASH_GUILD}/t/x/secret", "/static/other.css"):
        assert "no such page" in await get(client, path, 404)
    assert "quizbot" in await get(client, "/")


# ------------------------------------------------------------------------------------------ pages


async def test_overview_shows_the_week_and_the_open_daily_without_its_answer(
    client: Client, world: tuple[Store, dict[str, Any]]
) -> None:
    _, facts = world
    body = await get(client, link(ME) + "overview")
    # this week (from Monday 11-30): the world's answers of 12-01 (11 questions x 6 members) and
    # the daily's two
    assert re.search(r'id="active">6<', body)
    assert re.search(r'id="answers">68<', body)
    assert "<svg" in body and "Answers and accuracy per week" in body
    daily = facts["daily"]
    assert daily.id in body and "2 answered so far" in body
    letters = "".join(daily.answer)
    assert f"Answer: {letters}" not in body and daily.options[letters] not in body


async def test_leaderboard_tabs_paging_and_the_viewer_highlighted(client: Client) -> None:
    body = await get(client, link(ME) + "leaderboard")
    rows = re.findall(r"<tr( class=\"me\"[^>]*)?><td>(\d+)</td><td>([^<]*)", body)
    assert rows[0][2] == "Alice "  # 1001 is right most often: first
    assert rows[0][0]  # and highlighted
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;" in body  # the hostile name, escaped
    assert "Bob &amp; &lt;b&gt;Co&lt;/b&gt;" in body
    for period in ("week", "month", "all"):
        for metric in ("points", "accuracy", "streak"):
            page = await get(client, link(ME) + f"leaderboard?period={period}&metric={metric}")
            assert 'aria-current="true"' in page
    streak = await get(client, link(ME) + "leaderboard?metric=streak")
    assert "whatever the period" in streak
    odd = await get(client, link(ME) + "leaderboard?period=<x>&metric=9&page=-3")
    assert "Page 1 of 1" in odd


async def test_leaderboard_pages_and_the_viewer_off_the_page(
    client: Client, world: tuple[Store, dict[str, Any]]
) -> None:
    store, _ = world
    from datetime import timedelta

    post = await store.create_post(
        DASH_GUILD,
        1,
        "x/none",
        "practice",
        "A",
        option_letters="AB",
        created_at=DASH_NOW - timedelta(hours=1),
        lifetime=timedelta(hours=2),
    )
    for uid in range(5000, 5040):  # 40 more members with one right answer each
        await store.record_answer(
            DASH_GUILD,
            post.post_id,
            uid,
            "A",
            display_name=f"m{uid}",
            answered_at=DASH_NOW - timedelta(minutes=30),
        )
    body = await get(client, link(1006) + "leaderboard?page=2")
    assert "Page 2 of 3" in body and 'rel="prev"' in body and 'rel="next"' in body
    last = await get(client, link(1006) + "leaderboard?page=3")
    assert "Eve" in last and "Your rank:" in last


async def test_weakness_shows_sections_tags_and_the_most_missed_but_never_the_open_daily(
    client: Client, world: tuple[Store, dict[str, Any]]
) -> None:
    _, facts = world
    body = await get(client, link(ME) + "weakness")
    assert "Accuracy per exam section" in body and "70%" in body and "Databricks does not publish" in body
    assert "Topics, weakest first" in body and "Traps, weakest first" in body
    missed = re.findall(r'<article class="missed">\s*<h3>([^<]+)</h3>', body)
    assert missed[0] == "H-666"  # everyone missed it: 24 of 24
    assert facts["daily"].id not in missed  # missed 20 times, but the open daily: left out
    assert "left out until they close" in body
    hostile = facts["hostile"]
    assert f"q/{key_hash(hostile.key)}" in body
    assert "24 of 24 answers missed" in body and "12 picked B" in body and "12 picked C" in body
    assert_no_markup_injected(body)
    other = await get(client, link(ME) + "weakness?bp=associate")
    assert "Associate" in other


async def test_the_member_page_is_the_link_holders_own(client: Client) -> None:
    mine = await get(client, link(ME) + "me")
    assert "Alice" in mine and "Readiness" in mine and "Only your own link" in mine
    theirs = await get(client, link(1002) + "me")
    assert "&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;" in theirs and "Alice" not in theirs
    nobody = await get(client, link(4242) + "me")
    assert "no answers here yet" in nobody


async def test_the_member_page_counts_the_reviews_due_today(
    client: Client, world: tuple[Store, dict[str, Any]]
) -> None:
    store, _ = world
    due = (await store.review_stats(DASH_GUILD, ME, now=DASH_NOW)).due_today
    assert due > 0  # Alice missed questions in the last weeks: their cards are due
    assert f"Reviews due: {due}" in await get(client, link(ME) + "me")


async def test_the_explanation_page_escapes_the_bank_and_hides_an_open_daily(
    client: Client, world: tuple[Store, dict[str, Any]]
) -> None:
    _, facts = world
    body = await get(client, link(ME) + f"q/{key_hash(facts['hostile'].key)}")
    assert "H-666" in body and "Answer: A" in body
    assert "&lt;img src=x onerror=alert(1)&gt;" in body
    assert "&lt;script&gt;alert('explanation')&lt;/script&gt; Because" in body
    assert "<strong>A</strong>" in body  # the explanation's Markdown is rendered
    assert_no_markup_injected(body)
    daily = await get(client, link(ME) + f"q/{key_hash(facts['daily'].key)}", 403)
    assert (
        "open daily question" in daily
        and "".join(facts["daily"].answer) not in re.sub(r"<[^>]+>", "", daily).split("Not available")[-1][:0]
    )
    assert "no such page" in await get(client, link(ME) + "q/0123456789", 404)


async def test_the_servers_language_is_used(client: Client, world: tuple[Store, dict[str, Any]]) -> None:
    store, _ = world
    await store.set_guild_extra(DASH_GUILD, "post_locale", "zh-TW")
    body = await get(client, link(ME) + "overview")
    assert "本週有作答的成員" in body and 'lang="zh-Hant-TW"' in body
    refused = await get(client, link(ME, expires=0) + "overview", 403)
    assert "這個連結已過期" in refused


async def test_the_discord_language_when_none_was_chosen(
    world: tuple[Store, dict[str, Any]], dash_bank: Bank
) -> None:
    store, _ = world
    d = dashboard(store, dash_bank, guild_locale=lambda gid: "zh-TW")
    async with TestClient(TestServer(make_app(d))) as c:
        assert "團隊儀表板" in await get(c, link(ME) + "overview")


async def test_pages_are_not_cached_and_the_stylesheet_is(client: Client) -> None:
    r = await client.get(link(ME) + "overview")
    assert r.headers["Cache-Control"] == "no-store"
    css = await client.get("/static/dash.css")
    assert css.status == 200 and css.headers["Cache-Control"] == "max-age=3600"
    assert css.headers["Content-Type"].startswith("text/css")
    assert css.headers["Content-Security-Policy"] == CSP


# ------------------------------------------------------------------------------------------ the rate limit


async def test_too_many_requests_from_one_address_get_429(
    world: tuple[Store, dict[str, Any]], dash_bank: Bank
) -> None:
    store, _ = world
    d = dashboard(store, dash_bank, limiter=RateLimit(rate=0.001, burst=3))
    async with TestClient(TestServer(make_app(d))) as c:
        for _ in range(3):
            await get(c, "/")
        r = await c.get(link(ME) + "overview")
        assert r.status == 429 and int(r.headers["Retry-After"]) >= 1
        assert r.headers["Content-Security-Policy"] == CSP
        # behind a reverse proxy on this machine, each client has its own bucket
        for _ in range(3):
            await get(c, "/", headers={"X-Forwarded-For": "203.0.113.7"})
        assert (await c.get("/", headers={"X-Forwarded-For": "203.0.113.7"})).status == 429
        assert (await c.get("/", headers={"X-Forwarded-For": "spoofed, 203.0.113.8"})).status == 200


def test_forwarded_for_is_trusted_only_from_this_machine() -> None:
    from aiohttp.test_utils import make_mocked_request

    from bot.web.app import client_ip

    class Peer:
        def __init__(self, host: str) -> None:
            self.host = host

        def get_extra_info(self, name: str, default: Any = None) -> Any:
            return (self.host, 5555) if name == "peername" else default

    def ip(peer: str, forwarded: str | None) -> str:
        headers = {"X-Forwarded-For": forwarded} if forwarded else {}
        return client_ip(make_mocked_request("GET", "/", headers=headers, transport=Peer(peer)))

    assert ip("127.0.0.1", "198.51.100.1, 203.0.113.9") == "203.0.113.9"
    assert ip("::1", "203.0.113.9") == "203.0.113.9"
    assert ip("198.51.100.20", "203.0.113.9") == "198.51.100.20"  # not our proxy: its word is not taken
    assert ip("198.51.100.20", None) == "198.51.100.20"
