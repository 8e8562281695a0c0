"""Settings from the environment or a `.env` file.

The environment wins over `.env`. Every problem is reported as one
`SettingsError` line naming the variable, never with the token's value.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from dotenv import dotenv_values

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
    questions_dir: Path = Path(DEFAULT_QUESTIONS_DIR)
    questions_git: str | None = None
    dev_guild_id: int | None = None
    owner_ids: frozenset[int] = field(default_factory=frozenset)
    log_level: str = "INFO"
    # Test settings: point discord.py at another (loopback) Discord.
    api_base: str | None = None
    gateway_url: str | None = None

    def __repr__(self) -> str:  # never print the token
        token = "set" if self.token else "unset"
        return (
            f"Settings(token={token}, database_path={str(self.database_path)!r}, "
            f"questions_dir={str(self.questions_dir)!r}, questions_git={self.questions_git!r}, "
            f"dev_guild_id={self.dev_guild_id}, owner_ids={sorted(self.owner_ids)}, "
            f"log_level={self.log_level!r}, api_base={self.api_base!r}, gateway_url={self.gateway_url!r})"
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
    return Settings(
        token=get("DISCORD_TOKEN"),
        database_path=Path(get("DATABASE_PATH") or DEFAULT_DATABASE_PATH),
        questions_dir=Path(get("QUESTIONS_DIR") or DEFAULT_QUESTIONS_DIR),
        questions_git=get("QUESTIONS_GIT"),
        dev_guild_id=_snowflake("DEV_GUILD_ID", dev_guild) if dev_guild else None,
        owner_ids=owners,
        log_level=level,
        api_base=(get("DISCORD_API_BASE") or "").rstrip("/") or None,
        gateway_url=get("DISCORD_GATEWAY_URL"),
    )
