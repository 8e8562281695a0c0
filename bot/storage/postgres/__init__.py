"""The PostgreSQL backend of `bot.storage.Store`: `PostgresStore` (store.py), selected by a
`postgresql://` URL in `bot.storage.open_store` (DATABASE_URL). See docs/storage.md."""

from bot.storage.postgres.store import PostgresStore

__all__ = ["PostgresStore"]
