"""Every use of discord.py beyond its public API, in one place.

Each private name used here is marked `# noqa: SLF001 - <reason>`, and each behaviour it relies
on is pinned by `tests/test_discord_internals.py`, so a discord.py upgrade that changes one fails
a test rather than production (pyproject.toml also keeps discord.py below 3).

- `point_discord_at`, `discord_endpoints`: the class-level REST base (`Route.BASE`) and gateway
  (`DiscordWebSocket.DEFAULT_GATEWAY`), for the test settings DISCORD_API_BASE /
  DISCORD_GATEWAY_URL (the loopback fake in tests/fakediscord).
- `replace_interaction_parser`: the client's INTERACTION_CREATE parser
  (`ConnectionState.parsers`), which QuizBot wraps to refuse new interactions while closing and to
  know which handler tasks are in flight.
- `send_prepared`: an interaction callback posted through discord.py's webhook adapter
  (`async_context`) with the interaction's own session (`Interaction._session`), marked answered
  as `send_message` marks it (`InteractionResponse._response_type`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import discord
import yarl

from bot.render.question import PreparedEmbed, PreparedView

#: A gateway event parser of discord.py's connection state: called with the event's `d`.
Parser = Callable[[Any], None]


# ------------------------------------------------------------------------------ endpoints


def point_discord_at(api_base: str | None, gateway_url: str | None) -> None:
    """Make discord.py talk to another Discord (the loopback fake in tests).

    Both are needed: REST goes through `Route.BASE`, and a non-sharded client never asks
    `/gateway/bot` but connects straight to `DEFAULT_GATEWAY`. Class-level: every client in the
    process follows (`discord_endpoints()` gives what to restore).
    """
    if api_base:
        discord.http.Route.BASE = api_base.rstrip("/")
    if gateway_url:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)


def discord_endpoints() -> tuple[str, str]:
    """(REST base, gateway URL) discord.py uses now: `point_discord_at(*saved)` restores them."""
    return discord.http.Route.BASE, str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)


# ------------------------------------------------------------------------------ INTERACTION_CREATE


def replace_interaction_parser(client: discord.Client, parser: Parser) -> Parser:
    """Install `parser` as the client's INTERACTION_CREATE parser and return discord.py's own.

    discord.py's gateway reads every event's parser from this dict (the websocket keeps a
    reference to it), and its INTERACTION_CREATE parser starts the handler tasks (command tree,
    views, dynamic items) synchronously: the replacement sees every interaction before anything
    runs, and the tasks its call to the original starts are the interaction's handlers.
    """
    parsers: dict[str, Parser] = client._connection.parsers  # noqa: SLF001 - no public hook sees an interaction before its handlers start
    original = parsers["INTERACTION_CREATE"]
    parsers["INTERACTION_CREATE"] = parser
    return original


# ------------------------------------------------------------------------------ send_prepared


def _prepared_path() -> bool:
    """Whether this discord.py has what `send_prepared` uses beyond its public API."""
    return (
        hasattr(discord.webhook.async_, "async_context")
        and hasattr(discord.http, "Route")
        and "_response_type" in getattr(discord.InteractionResponse, "__slots__", ())
        and "_session" in getattr(discord.Interaction, "__slots__", ())
    )


#: False (discord.py changed, or a test): send_prepared goes through send_message instead.
PREPARED_PATH = _prepared_path()


async def send_prepared(
    interaction: discord.Interaction,
    *,
    embeds: list[dict[str, Any]],
    components: list[dict[str, Any]],
    ephemeral: bool = True,
) -> None:
    """Answer an interaction with a message whose embeds and components are already Discord's
    JSON, mentions disabled (the answer feedback: a reply per click, built from cached parts).

    discord.py's `InteractionResponse.send_message` always asks Discord for the message it created
    (`with_response`) and parses it into a Message; on the answer path that parse and the
    payload's round trip through Embed and View objects were about a fifth of a click's CPU
    (bench/clicks.py). This posts the same callback without asking for the message back, through
    the same discord.py adapter (same retries and HTTPException errors), and marks the
    interaction answered as send_message does. Without the internals it needs (a later
    discord.py) it falls back to send_message with the same payload.
    """
    data: dict[str, Any] = {
        "embeds": embeds,
        "components": components,
        "allowed_mentions": {"parse": []},
    }
    if ephemeral:
        data["flags"] = discord.MessageFlags(ephemeral=True).value
    if not PREPARED_PATH:
        await interaction.response.send_message(
            embeds=[PreparedEmbed(e) for e in embeds],
            view=PreparedView(components),
            ephemeral=ephemeral,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        return
    response = interaction.response
    if response.is_done():
        raise discord.InteractionResponded(interaction)
    route = discord.http.Route(
        "POST",
        "/interactions/{webhook_id}/{webhook_token}/callback",
        webhook_id=interaction.id,
        webhook_token=interaction.token,
    )
    http = interaction.client.http
    await discord.webhook.async_.async_context.get().request(
        route,
        session=interaction._session,  # noqa: SLF001 - the session send_message uses
        proxy=http.proxy,
        proxy_auth=http.proxy_auth,
        payload={"type": discord.InteractionResponseType.channel_message.value, "data": data},
    )
    # as send_message does: is_done() is True, and follow-ups go to the webhook
    response._response_type = discord.InteractionResponseType.channel_message  # noqa: SLF001 - no public setter
