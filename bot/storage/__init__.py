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
    """Open the store at `target`: a file path (or `sqlite:///path`) is an SQLite database.

    A URL of another scheme names a backend this version does not have: ValueError.
    """
    text = os.fspath(target)
    match = _URL.match(text)
    if match is None:
        return await Storage.open(text)
    scheme = match.group(1).lower()
    if scheme == "sqlite":
        return await Storage.open(text[len("sqlite://") :])
    raise ValueError(f"no storage backend for {scheme}:// URLs (this version stores in SQLite files)")
