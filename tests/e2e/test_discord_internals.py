"""What bot/discord_internals.py relies on in discord.py beyond its public API, pinned: a discord.py
upgrade that changes any of it fails here, not in production.

- `point_discord_at`: REST URLs are built from `Route.BASE`; a non-sharded client connects to
  `DiscordWebSocket.DEFAULT_GATEWAY` (both class attributes, read when used);
- `replace_interaction_parser`: the gateway calls the client's `ConnectionState.parsers` entry for
  every INTERACTION_CREATE, and the handler tasks start during that call (QuizBot refuses new
  interactions while closing and waits for those in flight);
- `send_prepared`: the webhook adapter (`async_context`) takes a route, the session, the proxy and
  a payload; `Interaction._session` and `InteractionResponse._response_type` exist, and the
  latter is what `is_done()` and `type` read (the e2e tests in test_quiz.py and test_harness.py
  run the callback itself through the fake).
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from typing import Any

import discord
import pytest
import yarl

from bot import discord_internals
from bot.discord_internals import discord_endpoints, point_discord_at, replace_interaction_parser
from tests.fakediscord import BotHarness, FakeDiscord, World

QUESTION = """id: Q-001
difficulty: L1-Basic
topics: [Spark]
stem: |
  Which option is the right one?
options:
  A: The first option
  B: The second option
  C: The third option
  D: The fourth option
answer: B
explanation:
  - heading: ✅ 正解說明
    body: |
      B is right.
"""


@pytest.fixture
def bot_questions() -> dict[str, str]:
    return {"pins/Q-001.yaml": QUESTION}


# ------------------------------------------------------------------------------ endpoints


def test_point_discord_at_moves_rest_and_gateway_and_restores() -> None:
    saved = discord_endpoints()
    try:
        point_discord_at("http://127.0.0.1:9/api/v10/", "ws://127.0.0.1:9/gateway/")
        assert discord.http.Route("GET", "/users/@me").url == "http://127.0.0.1:9/api/v10/users/@me"
        gateway = discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
        assert gateway == yarl.URL("ws://127.0.0.1:9/gateway/")
        # a client connects there when it is given no gateway (it never asks /gateway/bot)
        from_client = inspect.signature(discord.gateway.DiscordWebSocket.from_client)
        assert from_client.parameters["gateway"].default is None
    finally:
        point_discord_at(*saved)
    assert discord_endpoints() == saved
    assert discord.http.Route("GET", "/users/@me").url == saved[0] + "/users/@me"


async def test_a_bot_pointed_at_the_fake_talks_only_to_it(
    quizbot: BotHarness[Any], fake_discord: FakeDiscord
) -> None:
    assert quizbot.running.is_ready()
    assert any(call.route == "/oauth2/applications/@me" for call in fake_discord.calls)  # REST
    assert len(fake_discord.gateway.connections) == 1  # the gateway


# ------------------------------------------------------------------------------ INTERACTION_CREATE


def test_replace_interaction_parser_swaps_the_connection_states_parser() -> None:
    client = discord.Client(intents=discord.Intents.none())
    state = client._connection  # noqa: SLF001 - what the adapter relies on
    seen: list[Any] = []
    original = replace_interaction_parser(client, seen.append)
    assert original == state.parse_interaction_create
    state.parsers["INTERACTION_CREATE"]({"id": "1"})
    assert seen == [{"id": "1"}]


class _Logged(logging.Handler):
    """Sets `event` when a record containing `text` is logged."""

    def __init__(self, text: str) -> None:
        super().__init__(logging.INFO)
        self.text = text
        self.event = asyncio.Event()

    def emit(self, record: logging.LogRecord) -> None:
        if self.text in record.getMessage():
            self.event.set()


async def test_the_bot_sees_every_interaction_first_and_knows_its_handlers(
    quizbot: BotHarness[Any],
    fake_discord: FakeDiscord,
    discord_world: World,
    caplog: pytest.LogCaptureFixture,
) -> None:
    w, fake, bot = discord_world, fake_discord, quizbot.running
    caplog.set_level(logging.INFO, logger="bot.app")
    post = (await fake.invoke(w.guild, w.quiz, w.member, "quiz", {})).message
    assert post is not None
    held = fake.hang("POST", "/interactions/*/callback")
    click = await fake.click(post, post.custom_ids()[1], w.member, wait=False)
    await fake.gateway.sync()  # the bot has read the click: its handler waits for the callback
    waiting, ignored = _Logged("closing: waiting for"), _Logged("ignored: shutting down")
    log = logging.getLogger("bot.app")
    log.addHandler(waiting)
    log.addHandler(ignored)
    try:
        drain = asyncio.create_task(bot.drain())
        await asyncio.wait_for(waiting.event.wait(), 5)  # the click's handler task was tracked
        late = await fake.click(post, post.custom_ids()[2], w.member_zh, wait=False)
        await fake.gateway.sync()
        await asyncio.wait_for(ignored.event.wait(), 5)  # seen before any handler ran
        assert not drain.done()  # still waiting for the held click
        held.release()
        await asyncio.wait_for(drain, 10)
    finally:
        log.removeHandler(waiting)
        log.removeHandler(ignored)
    assert click.answered
    assert not late.answered
    assert await bot.storage.get_answer(int(post.custom_ids()[1].split(":")[2]), w.member.id) is not None


# ------------------------------------------------------------------------------ send_prepared


def test_send_prepared_finds_what_it_uses() -> None:
    assert discord_internals.PREPARED_PATH  # else every answer goes the slow way (send_message)
    request = inspect.signature(type(discord.webhook.async_.async_context.get()).request)
    assert {"route", "session", "payload", "proxy", "proxy_auth"} <= set(request.parameters)


def test_the_response_type_is_what_marks_an_interaction_answered() -> None:
    response = object.__new__(discord.InteractionResponse)
    response._response_type = None  # what send_prepared sets
    assert not response.is_done()
    assert response.type is None
    response._response_type = discord.InteractionResponseType.channel_message
    assert response.is_done()
    assert response.type is discord.InteractionResponseType.channel_message
