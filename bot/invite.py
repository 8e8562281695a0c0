"""`quizbot invite`: the OAuth2 URL that adds the bot to a server, with only what it needs.

Scopes: `bot` (the bot user joins the server) and `applications.commands` (its slash commands).

Permissions are computed from `PERMISSIONS`, each with the reason it is needed. What is left out,
and why, is in `NOT_NEEDED`; both are printed by `quizbot invite --explain` and in docs/deploy.md.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

import discord

SCOPES: tuple[str, ...] = ("bot", "applications.commands")


@dataclass(frozen=True, slots=True)
class Needed:
    flag: str  # a discord.Permissions attribute
    label: str  # as the developer portal and the server settings name it
    why: str


PERMISSIONS: tuple[Needed, ...] = (
    Needed(
        "view_channel",
        "View Channel",
        "see the channel it posts the daily question in (and the channels where /quiz is used)",
    ),
    Needed(
        "send_messages",
        "Send Messages",
        "post the daily question on its own schedule (no interaction to answer there)",
    ),
    Needed(
        "embed_links",
        "Embed Links",
        "questions, feedback, reveals and explanations are embeds; without it Discord drops them",
    ),
    Needed(
        "attach_files",
        "Attach Files",
        "the stats chart image and score exports (CSV/JSON files)",
    ),
    Needed(
        "read_message_history",
        "Read Message History",
        "after a crash or restart, look in the daily channel for a daily question that already went "
        "out, instead of posting it twice (editing its own posts needs no history)",
    ),
)

NOT_NEEDED: tuple[tuple[str, str], ...] = (
    (
        "Mention Everyone",
        "a daily ping of a role works without it when the role is set to 'Allow anyone to @mention "
        "this role': the bot posts the mention with allowed_mentions limited to that role. Mention "
        "Everyone would also allow @everyone/@here; make the role mentionable instead",
    ),
    (
        "Manage Messages, Add Reactions, threads, roles",
        "answers are buttons (interactions), not reactions or messages to clean up",
    ),
    (
        "Privileged intents (Server Members, Presence, Message Content)",
        "interactions carry the member, their name and locale; the bot reads no member's messages",
    ),
)


def permissions() -> discord.Permissions:
    """The permissions the bot asks for when invited."""
    return discord.Permissions(**{p.flag: True for p in PERMISSIONS})


def permissions_value() -> int:
    return permissions().value


class InviteError(ValueError):
    """No usable application id; the message is one line for the user."""


def client_id_from_token(token: str) -> int:
    """The bot user id encoded in the token's first part (base64 of the decimal id).

    For every application created since bot users exist, the bot user id is the application
    (client) id. Never echoes the token.
    """
    head = token.strip().split(".", 1)[0]
    try:
        raw = base64.b64decode(head + "=" * (-len(head) % 4), altchars=b"-_", validate=True).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    if not raw.isdigit() or not (15 <= len(raw) <= 21):
        raise InviteError(
            "cannot read the application id from DISCORD_TOKEN; pass --client-id "
            "(the Application ID on the General Information page of the developer portal)"
        )
    return int(raw)


def invite_url(client_id: int, *, guild_id: int | None = None) -> str:
    """`https://discord.com/oauth2/authorize?client_id=…&scope=bot+applications.commands&permissions=…`"""
    guild = discord.Object(guild_id) if guild_id is not None else discord.utils.MISSING
    return discord.utils.oauth_url(client_id, permissions=permissions(), scopes=SCOPES, guild=guild)


def explain() -> str:
    """What the invite asks for and why, one line per permission."""
    lines = [f"Scopes: {', '.join(SCOPES)}", f"Permissions ({permissions_value()}):"]
    lines += [f"  + {p.label}: {p.why}" for p in PERMISSIONS]
    lines.append("Not requested:")
    lines += [f"  - {name}: {why}" for name, why in NOT_NEEDED]
    return "\n".join(lines)
