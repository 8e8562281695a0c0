"""Persistence: one aiosqlite connection per process, migrations, the answer writer, queries.

No Discord imports here. See docs/storage.md.
"""

from bot.storage.storage import Storage, TaggedQuestion

__all__ = ["Storage", "TaggedQuestion"]
