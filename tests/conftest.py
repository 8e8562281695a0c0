"""Fixtures for every test. Helpers (plain functions and constants) are in tests/helpers.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import SEED, USERS_BANK, need_shared


@pytest.fixture(scope="session")
def users_bank() -> Path:
    """The users' bank sample (../shared/bank-sample/question-bank), for tests about their bank:
    fails in CI when it is missing, skips elsewhere (tests.helpers.need_shared)."""
    return need_shared(USERS_BANK)


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """Q-104 as it reached us, double-encoded (../shared/seed), read in place."""
    return need_shared(SEED)
