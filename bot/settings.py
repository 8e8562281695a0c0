"""Settings from the environment or a `.env` file.

The environment wins over `.env`. Every problem is reported as one
`SettingsError` line naming the variable, never with the token's value.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from dotenv import dotenv_values

from bot.core.shards import ShardFilter, owns, parse_shard_count, parse_shard_ids, shard_filter

# A bot token is three url-safe base64 parts joined by dots (user id, timestamp, HMAC).
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{17,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

DEFAULT_DATABASE_PATH = "data/quizbot.sqlite3"
DEFAULT_QUESTIONS_DIR = "questions"


class SettingsError(ValueError):
    """A setting is missing or malformed; the message is one line for the user."""


@dataclass(frozen=True)
class Settings:
    token: str | None = None
    database_path: Path = Path(DEFAULT_DATABASE_PATH)
    # DATABASE_URL=postgresql://...: the shared PostgreSQL store instead of the SQLite file.
    database_url: str | None = None
    questions_dir: Path = Path(DEFAULT_QUESTIONS_DIR)
    questions_git: str | None = None
    dev_guild_id: int | None = None
    owner_ids: frozenset[int] = field(default_factory=frozenset)
    log_level: str = "INFO"
    # Test settings: point discord.py at another (loopback) Discord.
    api_base: str | None = None
    gateway_url: str | None = None
    # The web dashboard (docs/dashboard.md): off unless DASHBOARD_BIND is set.
    dashboard_bind: tuple[str, int] | None = None  # (host, port) to listen on
    dashboard_url: str | None = None  # public base URL of links, without a trailing slash
    dashboard_secret: str | None = None  # the link-signing key; None: generated once and stored
    # Shards (docs/deploy.md, "Shards"): None: one unsharded connection. shard_ids None with a
    # count: this process holds every shard.
    shard_ids: tuple[int, ...] | None = None
    shard_count: int | None = None

    @property
    def sharded_across_processes(self) -> bool:
        """Other processes hold some of the shards (so they share the database with this one)."""
        return (
            self.shard_ids is not None
            and self.shard_count is not None
            and (len(self.shard_ids) < self.shard_count)
        )

    def owns(self, guild_id: int) -> bool:
        """Whether this process owns the server (bot.core.shards.owns)."""
        return owns(guild_id, self.shard_ids, self.shard_count)

    @property
    def shard_filter(self) -> ShardFilter | None:
        """The servers this process owns, for the storage queries of due work (posts to close,
        exams to submit); None when it owns every server."""
        return shard_filter(self.shard_ids, self.shard_count)

    @property
    def database_target(self) -> str | Path:
        """What `bot.storage.open_store` opens: DATABASE_URL when set, else the SQLite file."""
        return self.database_url or self.database_path

    def __repr__(self) -> str:  # never print the token (nor the URL: it may hold a password)
        token = "set" if self.token else "unset"
        return (
            f"Settings(token={token}, database_path={str(self.database_path)!r}, "
            f"database_url={'set' if self.database_url else 'unset'}, "
            f"questions_dir={str(self.questions_dir)!r}, questions_git={self.questions_git!r}, "
            f"dev_guild_id={self.dev_guild_id}, owner_ids={sorted(self.owner_ids)}, "
            f"log_level={self.log_level!r}, api_base={self.api_base!r}, gateway_url={self.gateway_url!r}, "
            f"dashboard_bind={self.dashboard_bind!r}, dashboard_url={self.dashboard_url!r}, "
            f"dashboard_secret={'set' if self.dashboard_secret else 'unset'}, "
            f"shard_ids={self.shard_ids!r}, shard_count={self.shard_count!r})"
        )

    def require_token(self) -> str:
        """Return the token, or raise a one-line `SettingsError` if it is missing or malformed."""
        if not self.token:
            raise SettingsError(
                "DISCORD_TOKEN is not set: put your bot token in the environment or in .env "
                "(copy .env.example); see docs/deploy.md for where to find it."
            )
        if not _TOKEN_RE.match(self.token):
            raise SettingsError(
                "DISCORD_TOKEN does not look like a bot token (three dot-separated parts); "
                "copy it again from the Bot page of the Discord developer portal."
            )
        return self.token


def _snowflake(name: str, value: str) -> int:
    value = value.strip()
    if not value.isdigit() or not (15 <= len(value) <= 21):
        raise SettingsError(f"{name} must be a Discord id (a number of 15-21 digits), got {value!r}.")
    return int(value)


_HOST_RE = re.compile(r"^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)$")
_URL_RE = re.compile(r"^https?://[^/?#\s]+(/[^?#\s]*)?$")
MIN_SECRET = 32  # characters of DASHBOARD_SECRET


def parse_bind(value: str) -> tuple[str, int]:
    """`host:port` (an IPv6 host in brackets: `[::1]:8080`) as (host, port); one-line SettingsError."""
    host, sep, port = value.rpartition(":")
    if not sep or not _HOST_RE.match(host) or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise SettingsError(
            f"DASHBOARD_BIND must be host:port, e.g. 127.0.0.1:8080 or [::1]:8080, got {value!r}."
        )
    return host.strip("[]"), int(port)


def _dashboard(get: Callable[[str], str | None]) -> tuple[tuple[str, int] | None, str | None, str | None]:
    bind_raw, url, secret = get("DASHBOARD_BIND"), get("DASHBOARD_URL"), get("DASHBOARD_SECRET")
    bind = parse_bind(bind_raw) if bind_raw else None
    if url is not None:
        if not _URL_RE.match(url):
            raise SettingsError(
                "DASHBOARD_URL must be the dashboard's public base URL, http(s)://host[/path] without "
                f"a query, e.g. https://quiz.example.org, got {url!r}."
            )
        url = url.rstrip("/")
    if bind is not None and url is None:
        raise SettingsError(
            "DASHBOARD_URL must be set with DASHBOARD_BIND: the public address of the dashboard "
            "(behind your reverse proxy), used in the links /dashboard gives."
        )
    if bind is None and url is not None:
        raise SettingsError("DASHBOARD_URL is set but DASHBOARD_BIND is not: set both, or neither.")
    if secret is not None and len(secret) < MIN_SECRET:
        raise SettingsError(
            f"DASHBOARD_SECRET must be at least {MIN_SECRET} characters (e.g. `openssl rand -hex 32`), "
            "or unset to let quizbot generate and keep one."
        )
    return bind, url, secret


def load_settings(
    environ: Mapping[str, str] | None = None, dotenv_path: str | os.PathLike[str] | None = ".env"
) -> Settings:
    """Read settings from `environ` (default: os.environ) over the values in `dotenv_path`."""
    values: dict[str, str] = {}
    if dotenv_path is not None and Path(dotenv_path).is_file():
        values.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    values.update(os.environ if environ is None else environ)

    def get(name: str) -> str | None:
        raw = values.get(name)
        if raw is None:
            return None
        raw = raw.strip()
        return raw or None

    dev_guild = get("DEV_GUILD_ID")
    owners_raw = get("OWNER_IDS")
    owners = frozenset(
        _snowflake("OWNER_IDS", part) for part in re.split(r"[,\s]+", owners_raw or "") if part
    )
    level = (get("LOG_LEVEL") or "INFO").upper()
    if level not in LOG_LEVELS:
        raise SettingsError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, got {level!r}.")
    for name in ("DISCORD_API_BASE", "DISCORD_GATEWAY_URL"):
        url = get(name)
        if url and not re.match(r"^(https?|wss?)://", url):
            raise SettingsError(f"{name} must be an http(s):// or ws(s):// URL, got {url!r}.")
    bind, url, secret = _dashboard(get)
    settings = Settings(
        token=get("DISCORD_TOKEN"),
        database_path=Path(get("DATABASE_PATH") or DEFAULT_DATABASE_PATH),
        database_url=_database_url(get("DATABASE_URL")),
        questions_dir=Path(get("QUESTIONS_DIR") or DEFAULT_QUESTIONS_DIR),
        questions_git=get("QUESTIONS_GIT"),
        dev_guild_id=_snowflake("DEV_GUILD_ID", dev_guild) if dev_guild else None,
        owner_ids=owners,
        log_level=level,
        api_base=(get("DISCORD_API_BASE") or "").rstrip("/") or None,
        gateway_url=get("DISCORD_GATEWAY_URL"),
        dashboard_bind=bind,
        dashboard_url=url,
        dashboard_secret=secret,
    )
    return with_shards(settings, get("SHARD_IDS"), get("SHARD_COUNT"))


def with_shards(settings: Settings, ids: str | None, count: str | None, *, source: str = "env") -> Settings:
    """`settings` with the shards of SHARD_IDS / SHARD_COUNT (or `quizbot run --shards
    --shard-count`: `source` "cli"); a one-line SettingsError for a bad value, or for shards split
    over processes on SQLite (one file cannot be shared by several bot processes)."""
    ids_name, count_name = ("--shards", "--shard-count") if source == "cli" else ("SHARD_IDS", "SHARD_COUNT")
    if ids is None and count is None:
        return settings
    if count is None:
        raise SettingsError(f"{ids_name} needs {count_name}: the number of shards over all processes.")
    try:
        shard_count = parse_shard_count(count)
        shard_ids = parse_shard_ids(ids, shard_count) if ids is not None else None
    except ValueError as exc:
        raise SettingsError(f"{ids_name if ids is not None else count_name}: {exc}.") from None
    sharded = replace(settings, shard_ids=shard_ids, shard_count=shard_count)
    if sharded.sharded_across_processes and sharded.database_url is None:
        raise SettingsError(
            f"{ids_name} {ids} holds only some of the {shard_count} shards: the other processes need "
            "the same database, so set DATABASE_URL to a PostgreSQL server (SQLite is one process's)."
        )
    return sharded


def _database_url(url: str | None) -> str | None:
    """DATABASE_URL: a postgresql:// (or postgres://) URL, or unset (SQLite at DATABASE_PATH)."""
    if url is None:
        return None
    if not url.lower().startswith(("postgresql://", "postgres://")):
        raise SettingsError(
            "DATABASE_URL must be a PostgreSQL URL, postgresql://user@host/database "
            "(leave it unset to keep SQLite at DATABASE_PATH)."
        )
    return url
