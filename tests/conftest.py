from __future__ import annotations

import itertools
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import pytest

from bot.storage import Store, open_store

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
BANK_SAMPLE = SHARED / "bank-sample"
SEED = SHARED / "seed" / "000_eddf2cd0f6cab2bb.txt"
FORMATS = SHARED / "formats"


@pytest.fixture
def bank_sample() -> Path:
    if not (BANK_SAMPLE / "question-bank").is_dir():
        pytest.skip(f"the users' bank sample is not at {BANK_SAMPLE}")
    return BANK_SAMPLE / "question-bank"


@pytest.fixture
def seed_path() -> Path:
    if not SEED.is_file():
        pytest.skip(f"the seed file is not at {SEED}")
    return SEED


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
