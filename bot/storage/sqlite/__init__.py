"""The SQLite backend of `bot.storage.Store`: `Storage` (store.py) runs the statement modules
(answers, posts, boards, daily, admin) on aiosqlite's worker thread (connection.py). The schema
and its migrations are `bot/storage/migrations` (`bot/storage/migrate.py`)."""

from bot.storage.sqlite.store import Storage

__all__ = ["Storage"]
