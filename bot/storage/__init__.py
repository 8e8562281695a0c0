"""Persistence behind one protocol, `Store` (interface.py): SQLite (`Storage`, bot/storage/sqlite/),
the embedded default, and PostgreSQL (`PostgresStore`, bot/storage/postgres/). No Discord imports
here. See docs/storage.md.

    store = await open_store(settings.database_path)   # creates and migrates the database
    store = await open_store("postgresql://bot@db/quizbot")
"""

from __future__ import annotations

import os
import re

from bot.storage.interface import Store, TaggedQuestion
from bot.storage.sqlite import Storage

__all__ = ["Storage", "Store", "TaggedQuestion", "open_store"]

_URL = re.compile(r"^([a-z][a-z0-9+.-]*)://", re.IGNORECASE)


async def open_store(target: str | os.PathLike[str]) -> Store:
    """Open the store at `target`. A file path is an SQLite database (created and migrated).

    A `postgresql://` (or `postgres://`) URL is a PostgreSQL database (migrated); another URL
    scheme: ValueError.
    """
    text = os.fspath(target)
    match = _URL.match(text)
    if match is None:
        return await Storage.open(text)
    if match.group(1).lower() in ("postgresql", "postgres"):
        from bot.storage.postgres import PostgresStore  # psycopg is imported only when used

        return await PostgresStore.open(text)
    raise ValueError(
        f"no storage backend for {match.group(1).lower()}:// URLs (an SQLite file path or a postgresql:// URL)"
    )
