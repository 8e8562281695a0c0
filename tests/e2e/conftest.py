"""End-to-end tests: the real bot (discord.py) against the loopback fake Discord."""

import pytest

from tests.fakediscord.fixtures import *  # noqa: F403
from tests.helpers import Clock, utc


@pytest.fixture
def clock() -> Clock:
    """The daily scheduler's clock for `tests.helpers.clocked_bot`, at 2030-03-01 00:00 UTC (after
    the real "now", so the Quiz cog's close sweep, in real time, leaves the dailies alone)."""
    return Clock(utc(2030, 3, 1, 0, 0))
