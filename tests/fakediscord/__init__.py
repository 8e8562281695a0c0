"""A loopback fake Discord (REST + gateway) for end-to-end tests of the real discord.py bot.

See docs/testing.md.
"""

from tests.fakediscord.faults import Fault, FaultResponse
from tests.fakediscord.gateway import Gateway, Intent
from tests.fakediscord.harness import BotHarness, World, build_world
from tests.fakediscord.interactions import Callback, CallbackRecord, InteractionHandle, InteractionType
from tests.fakediscord.messages import StoredMessage
from tests.fakediscord.models import (
    ChannelType,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    Overwrite,
    P,
)
from tests.fakediscord.recorder import Call, Frame
from tests.fakediscord.server import DriverError, FakeDiscord, token_for

__all__ = [
    "BotHarness",
    "Call",
    "Callback",
    "CallbackRecord",
    "ChannelType",
    "DriverError",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeMember",
    "FakeRole",
    "FakeUser",
    "Fault",
    "FaultResponse",
    "Frame",
    "Gateway",
    "Intent",
    "InteractionHandle",
    "InteractionType",
    "Overwrite",
    "P",
    "StoredMessage",
    "World",
    "build_world",
    "token_for",
]
