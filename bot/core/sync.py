"""When to sync the slash-command tree with Discord.

Syncing (a bulk overwrite, `PUT /applications/{id}/commands`) is rate-limited, and new command
creations count against a daily quota; syncing on every start of an unchanged bot burns both.
So the bot keeps a hash of the payload it last synced, per application and scope, in the
database (`meta` table), and syncs only when the hash changed, or when forced (`quizbot sync`).

Pure functions, no Discord imports: the payload is the list of command dicts discord.py would
send (`[c.to_dict(tree) for c in tree.get_commands()]`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

#: Bump to force one re-sync everywhere (e.g. if the way the payload is built changes).
HASH_VERSION = 1


def _command_sort_key(command: Mapping[str, Any]) -> tuple[int, str]:
    # Slash commands are type 1 (the default), user context menus 2, message context menus 3;
    # names are unique per type.
    return (int(command.get("type", 1) or 1), str(command.get("name", "")))


def tree_hash(payload: Sequence[Mapping[str, Any]]) -> str:
    """A stable hash of a command tree payload: the order of the commands and of keys in the
    dicts does not matter; anything Discord would see (names, descriptions, options and their
    order, localizations, permissions, contexts) does."""
    commands = sorted(payload, key=_command_sort_key)
    text = json.dumps(
        {"v": HASH_VERSION, "commands": commands},
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
        default=str,
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def should_sync(stored_hash: str | None, current_hash: str, forced: bool) -> bool:
    """Sync when forced, when nothing was ever synced (no stored hash), or when the tree changed."""
    return forced or stored_hash is None or stored_hash != current_hash


def sync_key(application_id: int | None, guild_id: int | None) -> str:
    """The `meta` key holding the last synced hash for an application and scope (a guild, or global).

    The application is part of the key: the same database used with another bot token must not
    believe that bot's commands are already synced.
    """
    scope = f"guild:{guild_id}" if guild_id is not None else "global"
    return f"commands_hash:{application_id or 0}:{scope}"
