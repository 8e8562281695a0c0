"""Persistence behind one protocol, `Store` (interface.py); SQLite is its implementation
(`Storage`, bot/storage/sqlite/). No Discord imports here. See docs/storage.md.

    store = await open_store(settings.database_path)   # creates and migrates the database
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

    A URL (`scheme://…`) names another backend; this version has none: ValueError.
    """
    text = os.fspath(target)
    match = _URL.match(text)
    if match is None:
        return await Storage.open(text)
    raise ValueError(
        f"no storage backend for {match.group(1).lower()}:// URLs (this version stores in an SQLite file)"
    )
