"""End-to-end tests: the real bot (discord.py) against the loopback fake Discord."""

from tests.fakediscord.fixtures import *  # noqa: F401,F403
