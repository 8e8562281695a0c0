-- 0003: the bot's own bookkeeping as key/value pairs, e.g. the hash of the last command tree (PostgreSQL's dialect of bot/storage/migrations/0003_meta.sql)
-- synced with Discord per application and scope (bot/core/sync.py). Not for guild data.
CREATE TABLE meta (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_at BIGINT  NOT NULL  -- ms since the Unix epoch (UTC)
);
