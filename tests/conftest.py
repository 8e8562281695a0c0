"""Fixtures for every test. Helpers (plain functions and constants) are in tests/helpers.py."""

from __future__ import annotations

import itertools
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest
from hypothesis import settings

from bot.storage import Store, open_store
from tests.helpers import SEED, USERS_BANK, need_shared

# In CI the property tests draw the same examples every run: a red CI then means a change broke
# something, not that hypothesis met a new example by chance (locally they keep exploring).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(scope="session")
def users_bank() -> Path:
    """The users' bank sample (../shared/bank-sample/question-bank), for tests about their bank:
    fails in CI when it is missing, skips elsewhere (tests.helpers.need_shared)."""
    return need_shared(USERS_BANK)


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """Q-104 as it reached us, double-encoded (../shared/seed), read in place."""
    return need_shared(SEED)


# ------------------------------------------------------------------------------ storage backends
# The `Store` contract (tests/test_storage.py, test_storage_model.py, test_storage_crash.py) runs
# against every implementation through `store_targets` (and `store`, built on it). A new backend
# adds its name here and a branch in `_new_store_target` that makes an empty store for
# `bot.storage.open_store` (and removes it after the test, with a yield in `store_targets`).
STORE_BACKENDS = ["sqlite"]


def _new_store_target(backend: str, folder: Path, n: int) -> str:
    if backend == "sqlite":
        return str(folder / f"store-{n}.sqlite3")
    raise AssertionError(f"no test target for the storage backend {backend!r}")


@pytest.fixture(params=STORE_BACKENDS)
def store_targets(request: pytest.FixtureRequest, tmp_path: Path) -> Callable[[], str]:
    """A factory of targets of new, empty stores of one backend: each call, another store."""
    backend: str = request.param
    numbers = itertools.count()
    return lambda: _new_store_target(backend, tmp_path, next(numbers))


@pytest.fixture
async def store(store_targets: Callable[[], str]) -> AsyncIterator[Store]:
    """An open, empty store of each backend (closed after the test)."""
    s = await open_store(store_targets())
    yield s
    await s.close()
