"""The fake Discord's world: users, guilds, roles, channels, members, messages.

Everything here renders itself as the JSON payload Discord would send
(`payload()`), so the real discord.py client parses it like the real thing.
No discord.py imports: permissions are plain ints (a `discord.Permissions`
is accepted anywhere a permission value is, through its `.value`).
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

JSON = dict[str, Any]

DISCORD_EPOCH_MS = 1420070400000


class _HasValue(Protocol):
    @property
    def value(self) -> int: ...


PermissionsLike = int | _HasValue


def perm_value(p: PermissionsLike | None) -> int:
    if p is None:
        return 0
    return p if isinstance(p, int) else int(p.value)


class P:
    """Permission bits used by the fake (Discord's values)."""

    CREATE_INSTANT_INVITE = 1 << 0
    KICK_MEMBERS = 1 << 1
    BAN_MEMBERS = 1 << 2
    ADMINISTRATOR = 1 << 3
    MANAGE_CHANNELS = 1 << 4
    MANAGE_GUILD = 1 << 5
    ADD_REACTIONS = 1 << 6
    VIEW_CHANNEL = 1 << 10
    SEND_MESSAGES = 1 << 11
    MANAGE_MESSAGES = 1 << 13
    EMBED_LINKS = 1 << 14
    ATTACH_FILES = 1 << 15
    READ_MESSAGE_HISTORY = 1 << 16
    MENTION_EVERYONE = 1 << 17
    USE_EXTERNAL_EMOJIS = 1 << 18
    MANAGE_ROLES = 1 << 28
    USE_APPLICATION_COMMANDS = 1 << 31
    CREATE_PUBLIC_THREADS = 1 << 35
    SEND_MESSAGES_IN_THREADS = 1 << 38
    ALL = (1 << 53) - 1

    #: What @everyone gets in a new server (close to Discord's default).
    EVERYONE_DEFAULT = (
        CREATE_INSTANT_INVITE
        | ADD_REACTIONS
        | VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | MENTION_EVERYONE
        | USE_EXTERNAL_EMOJIS
        | USE_APPLICATION_COMMANDS
        | CREATE_PUBLIC_THREADS
        | SEND_MESSAGES_IN_THREADS
    )
    #: What the bot's own role gets unless told otherwise.
    BOT_DEFAULT = (
        VIEW_CHANNEL
        | SEND_MESSAGES
        | EMBED_LINKS
        | ATTACH_FILES
        | READ_MESSAGE_HISTORY
        | ADD_REACTIONS
        | USE_EXTERNAL_EMOJIS
        | SEND_MESSAGES_IN_THREADS
        | CREATE_PUBLIC_THREADS
    )


class Snowflakes:
    """Time-based snowflakes (so `created_at` is now), unique in the process."""

    _lock = threading.Lock()
    _counter = itertools.count()

    @classmethod
    def next(cls) -> int:
        with cls._lock:
            n = next(cls._counter)
        ms = int(time.time() * 1000) - DISCORD_EPOCH_MS
        return (ms << 22) | (1 << 17) | (n & 0x1FFFF)


def iso_now() -> str:
    return datetime.now(UTC).isoformat()


@dataclass
class FakeUser:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False
    locale: str = "en-US"
    #: False makes DMs to this user fail with 50007 (Cannot send messages to this user).
    dms_open: bool = True

    def payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "username": self.username,
            "global_name": self.global_name,
            "discriminator": "0",
            "avatar": None,
            "public_flags": 0,
            "flags": 0,
            "banner": None,
            "accent_color": None,
            "avatar_decoration_data": None,
            "primary_guild": None,
            "collectibles": None,
        }
        if self.bot:
            data["bot"] = True
        return data


@dataclass
class FakeRole:
    id: int
    guild_id: int
    name: str
    permissions: int = 0
    position: int = 0
    color: int = 0
    hoist: bool = False
    managed: bool = False
    mentionable: bool = False
    bot_id: int | None = None

    def payload(self) -> JSON:
        data: JSON = {
            "id": str(self.id),
            "name": self.name,
            "permissions": str(self.permissions),
            "position": self.position,
            "color": self.color,
            "colors": {"primary_color": self.color, "secondary_color": None, "tertiary_color": None},
            "hoist": self.hoist,
            "managed": self.managed,
            "mentionable": self.mentionable,
            "icon": None,
            "unicode_emoji": None,
            "flags": 0,
        }
        if self.bot_id is not None:
            data["tags"] = {"bot_id": str(self.bot_id)}
        return data


@dataclass
class Overwrite:
    """A channel permission overwrite for a role (type 0) or a member (type 1)."""

    id: int
    type: int
    allow: int = 0
    deny: int = 0

    def payload(self) -> JSON:
        return {"id": str(self.id), "type": self.type, "allow": str(self.allow), "deny": str(self.deny)}


class ChannelType:
    TEXT = 0
    DM = 1
    VOICE = 2
    CATEGORY = 4
    NEWS = 5
    PUBLIC_THREAD = 11
    PRIVATE_THREAD = 12
    FORUM = 15


@dataclass
class FakeChannel:
    id: int
    guild_id: int | None
    name: str | None
    type: int = ChannelType.TEXT
    position: int = 0
    parent_id: int | None = None
    topic: str | None = None
    nsfw: bool = False
    overwrites: list[Overwrite] = field(default_factory=list)
    recipient: FakeUser | None = None  # DM channels
    owner_id: int | None = None  # threads
    last_message_id: int | None = None

    def payload(self) -> JSON:
        if self.type == ChannelType.DM:
            assert self.recipient is not None
            return {
                "id": str(self.id),
                "type": ChannelType.DM,
                "last_message_id": str(self.last_message_id) if self.last_message_id else None,
                "recipients": [self.recipient.payload()],
                "flags": 0,
            }
        data: JSON = {
            "id": str(self.id),
            "type": self.type,
            "guild_id": str(self.guild_id),
            "name": self.name,
            "position": self.position,
            "parent_id": str(self.parent_id) if self.parent_id else None,
            "permission_overwrites": [o.payload() for o in self.overwrites],
            "nsfw": self.nsfw,
            "flags": 0,
        }
        if self.type in (ChannelType.TEXT, ChannelType.NEWS, ChannelType.FORUM):
            data.update(
                topic=self.topic,
                rate_limit_per_user=0,
                last_message_id=str(self.last_message_id) if self.last_message_id else None,
                default_thread_rate_limit_per_user=0,
            )
        if self.type in (ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD):
            data.update(
                owner_id=str(self.owner_id or 0),
                message_count=0,
                member_count=0,
                rate_limit_per_user=0,
                thread_metadata={
                    "archived": False,
                    "auto_archive_duration": 1440,
                    "archive_timestamp": iso_now(),
                    "locked": False,
                },
            )
        return data

    @property
    def mention(self) -> str:
        return f"<#{self.id}>"


@dataclass
class FakeMember:
    user: FakeUser
    guild: FakeGuild
    roles: list[int] = field(default_factory=list)
    nick: str | None = None
    joined_at: str = field(default_factory=iso_now)

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def locale(self) -> str:
        return self.user.locale

    @property
    def mention(self) -> str:
        return f"<@{self.id}>"

    def payload(self, *, with_user: bool = True, permissions: int | None = None) -> JSON:
        data: JSON = {
            "roles": [str(r) for r in self.roles],
            "nick": self.nick,
            "avatar": None,
            "banner": None,
            "joined_at": self.joined_at,
            "premium_since": None,
            "deaf": False,
            "mute": False,
            "pending": False,
            "flags": 0,
            "communication_disabled_until": None,
            "avatar_decoration_data": None,
        }
        if with_user:
            data["user"] = self.user.payload()
        if permissions is not None:
            data["permissions"] = str(permissions)
        return data


@dataclass
class FakeGuild:
    id: int
    name: str
    owner_id: int
    preferred_locale: str = "en-US"
    roles: dict[int, FakeRole] = field(default_factory=dict)
    channels: dict[int, FakeChannel] = field(default_factory=dict)
    members: dict[int, FakeMember] = field(default_factory=dict)
    features: list[str] = field(default_factory=list)
    #: Whether the bot is in this guild (sent in READY / GUILD_CREATE).
    bot_joined: bool = True

    @property
    def everyone(self) -> FakeRole:
        return self.roles[self.id]

    def payload(self) -> JSON:
        return {
            "id": str(self.id),
            "name": self.name,
            "icon": None,
            "icon_hash": None,
            "splash": None,
            "discovery_splash": None,
            "banner": None,
            "description": None,
            "owner_id": str(self.owner_id),
            "region": None,
            "afk_channel_id": None,
            "afk_timeout": 300,
            "widget_enabled": False,
            "verification_level": 0,
            "default_message_notifications": 1,
            "explicit_content_filter": 0,
            "roles": [r.payload() for r in self.roles.values()],
            "emojis": [],
            "stickers": [],
            "features": list(self.features),
            "mfa_level": 0,
            "application_id": None,
            "system_channel_id": None,
            "system_channel_flags": 0,
            "rules_channel_id": None,
            "public_updates_channel_id": None,
            "safety_alerts_channel_id": None,
            "max_members": 500000,
            "vanity_url_code": None,
            "premium_tier": 0,
            "premium_subscription_count": 0,
            "preferred_locale": self.preferred_locale,
            "max_video_channel_users": 25,
            "max_stage_video_channel_users": 50,
            "nsfw_level": 0,
            "premium_progress_bar_enabled": False,
            "incidents_data": None,
        }

    def create_payload(
        self, *, all_members: bool = True, bot_id: int | None = None, large_threshold: int = 250
    ) -> JSON:
        """The GUILD_CREATE payload: the guild plus channels, threads and members.

        Like Discord, without the GUILD_MEMBERS intent (`all_members=False`) only the
        bot's own member is sent, while `member_count` stays the real count.
        """
        data = self.payload()
        members = [m for m in self.members.values() if all_members or m.id == bot_id]
        data.update(
            unavailable=False,
            joined_at=iso_now(),
            large=len(self.members) > large_threshold,
            member_count=len(self.members),
            members=[m.payload() for m in members],
            channels=[
                c.payload()
                for c in self.channels.values()
                if c.type not in (ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD)
            ],
            threads=[
                c.payload()
                for c in self.channels.values()
                if c.type in (ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD)
            ],
            voice_states=[],
            presences=[],
            stage_instances=[],
            guild_scheduled_events=[],
            soundboard_sounds=[],
        )
        return data

    # --- permissions, computed as Discord does ---

    def base_permissions(self, member: FakeMember) -> int:
        if member.id == self.owner_id:
            return P.ALL
        perms = self.everyone.permissions
        for rid in member.roles:
            role = self.roles.get(rid)
            if role is not None:
                perms |= role.permissions
        if perms & P.ADMINISTRATOR:
            return P.ALL
        return perms

    def channel_permissions(self, member: FakeMember, channel: FakeChannel | None) -> int:
        perms = self.base_permissions(member)
        if perms & P.ADMINISTRATOR or channel is None:
            return perms
        overwrites = channel.overwrites
        if channel.type in (ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD) and channel.parent_id:
            parent = self.channels.get(channel.parent_id)
            overwrites = parent.overwrites if parent else []
        by_id = {o.id: o for o in overwrites}
        everyone = by_id.get(self.id)
        if everyone:
            perms = (perms & ~everyone.deny) | everyone.allow
        allow = deny = 0
        for rid in member.roles:
            o = by_id.get(rid)
            if o and o.type == 0:
                allow |= o.allow
                deny |= o.deny
        perms = (perms & ~deny) | allow
        mine = by_id.get(member.id)
        if mine and mine.type == 1:
            perms = (perms & ~mine.deny) | mine.allow
        if not perms & P.VIEW_CHANNEL:
            return 0
        return perms
