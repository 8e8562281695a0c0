"""Fixtures for every test. Helpers (plain functions and constants) are in tests/helpers.py."""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from urllib.parse import quote

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
STORE_BACKENDS = ["sqlite", "postgresql"]

# The PostgreSQL server of the tests (.ci/run sets it; docs/testing.md). Each test gets schemas of
# its own in it (CREATE SCHEMA, dropped after), named in the URL's search_path.
POSTGRES_URL_VAR = "QUIZBOT_TEST_POSTGRES_URL"


def _postgres_url() -> str:
    """The test server's URL; skips outside CI when unset or unreachable, fails in CI."""
    url = os.environ.get(POSTGRES_URL_VAR, "")
    problem = f"{POSTGRES_URL_VAR} is not set"
    if url:
        import psycopg

        try:
            psycopg.connect(url, connect_timeout=5).close()
            return url
        except psycopg.Error as e:
            problem = f"the PostgreSQL server at {POSTGRES_URL_VAR} does not answer: {str(e).strip()}"
    if os.environ.get("CI"):
        pytest.fail(f"CI runs every test on PostgreSQL too, but {problem}")
    pytest.skip(f"PostgreSQL tests skipped: {problem}")


def _schema_url(url: str, schema: str) -> str:
    sep = "&" if "?" in url else "?"
    return f"{url}{sep}options={quote(f'-c search_path={schema}')}"


@pytest.fixture(params=STORE_BACKENDS)
def store_targets(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], str]]:
    """A factory of targets of new, empty stores of one backend: each call, another store."""
    backend: str = request.param
    numbers = itertools.count()
    if backend == "sqlite":
        yield lambda: str(tmp_path / f"store-{next(numbers)}.sqlite3")
        return
    if backend != "postgresql":
        raise AssertionError(f"no test target for the storage backend {backend!r}")
    import psycopg

    url = _postgres_url()
    schemas: list[str] = []

    def new_schema() -> str:
        name = f"test_{uuid.uuid4().hex[:16]}"
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f"CREATE SCHEMA {name}")
        schemas.append(name)
        return _schema_url(url, name)

    yield new_schema
    with psycopg.connect(url, autocommit=True) as conn:
        for name in schemas:
            conn.execute(f"DROP SCHEMA {name} CASCADE")


@pytest.fixture
async def store(store_targets: Callable[[], str]) -> AsyncIterator[Store]:
    """An open, empty store of each backend (closed after the test)."""
    s = await open_store(store_targets())
    yield s
    await s.close()
