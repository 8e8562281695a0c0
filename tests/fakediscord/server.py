"""FakeDiscord: a loopback Discord (REST + gateway) for the real discord.py client.

    async with FakeDiscord() as fake:
        guild = fake.create_guild("Study group")
        ...  # start the bot with api_base=fake.api_base, gateway_url=fake.gateway_url
        h = await fake.invoke(guild, guild_channel, member, "quiz", {"topic": "spark"})
        assert h.callback.type == 4

See docs/testing.md for the whole driver API.
"""

from __future__ import annotations

import base64
import binascii
import logging
import mimetypes
import re
import secrets
import socket
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from aiohttp import BodyPartReader, web

from tests.fakediscord import jsonfast, validate
from tests.fakediscord.faults import Fault, FaultResponse, FaultSet, error_body, rate_limited
from tests.fakediscord.gateway import Gateway, Intent
from tests.fakediscord.interactions import (
    Callback,
    CallbackRecord,
    InteractionHandle,
    InteractionRecord,
    InteractionType,
)
from tests.fakediscord.messages import (
    EPHEMERAL,
    IS_COMPONENTS_V2,
    LABEL,
    LOADING,
    SELECT_TYPES,
    STRING_SELECT,
    TEXT_INPUT,
    MessageEvent,
    StoredMessage,
    number_components,
    walk_components,
)
from tests.fakediscord.models import (
    JSON,
    ChannelType,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    Overwrite,
    P,
    PermissionsLike,
    Snowflakes,
    iso_now,
    perm_value,
)
from tests.fakediscord.recorder import Call, Log, UploadedFile

log = logging.getLogger("fakediscord")

API_PREFIX = "/api/v10"
DEFAULT_TOKEN_TAIL = "GaBcDe.abcdefghijklmnopqrstuvwxyz0123456789AB"
MENTION_RE = re.compile(r"<@!?(\d+)>")


class DriverError(AssertionError):
    """The test asked the fake for something a real Discord client could not do."""


@dataclass
class Reply:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


def error(status: int, code: int, message: str | None = None, errors: JSON | None = None) -> Reply:
    return Reply(status, error_body(code, message, errors))


Handler = Callable[[Call], Awaitable[Reply]]


@dataclass
class _Route:
    method: str
    template: str
    regex: re.Pattern[str]
    handler: Handler
    auth: bool


def token_for(user_id: int) -> str:
    """A well-formed bot token whose first part encodes `user_id` (like Discord's)."""
    head = base64.b64encode(str(user_id).encode()).decode().rstrip("=")
    return f"{head}.{DEFAULT_TOKEN_TAIL}"


def user_id_from_token(token: str) -> int | None:
    head = token.split(".", 1)[0]
    try:
        raw = base64.b64decode(head + "=" * (-len(head) % 4), validate=False).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None
    return int(raw) if raw.isdigit() else None


class FakeDiscord:
    """The fake Discord: world state, REST routes, gateway, recording, faults and the test driver."""

    def __init__(
        self,
        *,
        token: str | None = None,
        bot_name: str = "QuizBot",
        heartbeat_interval: int = 41250,
        compress: bool = True,
        validate_payloads: bool = True,
        enforce_permissions: bool = True,
        host: str = "127.0.0.1",
    ) -> None:
        bot_id = (user_id_from_token(token) if token else None) or Snowflakes.next()
        #: Only this token is accepted when set; otherwise any well-formed token is.
        self.expected_token = token
        self.token = token or token_for(bot_id)
        self.bot_user = FakeUser(bot_id, bot_name, bot=True)
        self.application_id = bot_id
        self.application_flags = 1 << 23  # GATEWAY_MESSAGE_CONTENT_LIMITED, like a small bot
        self.application_owner = FakeUser(Snowflakes.next(), "owner")
        #: None: the application belongs to `application_owner`. A list of (user, role) pairs, role
        #: "admin" | "developer" | "read_only": it belongs to a team (GET /oauth2/applications/@me).
        self.application_team: list[tuple[FakeUser, str]] | None = None
        self.application_team_id = Snowflakes.next()
        self.validate_payloads = validate_payloads
        #: Seconds a bot has to answer an interaction (Discord: 3); None = no limit. Late
        #: callbacks get 404 {"code": 10062, "message": "Unknown interaction"} like on Discord.
        self.interaction_deadline: float | None = None
        #: The largest file a message may carry (bytes): sent in every interaction as
        #: `attachment_size_limit`; a bigger upload is refused with 413 / 40005, as on Discord.
        self.attachment_size_limit = 10 * 1024 * 1024
        self.enforce_permissions = enforce_permissions
        self.host = host
        self.port = 0

        # the application's owner is a Discord user too (a test may make them a member somewhere)
        self.users: dict[int, FakeUser] = {
            bot_id: self.bot_user,
            self.application_owner.id: self.application_owner,
        }
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.messages: dict[int, StoredMessage] = {}
        self.interactions: dict[int, InteractionRecord] = {}
        self._by_token: dict[str, InteractionRecord] = {}
        self.files: dict[int, tuple[str, str, bytes]] = {}
        #: Synced application commands: scope (guild id, or None for global) -> id -> command.
        self.commands: dict[int | None, dict[int, JSON]] = {}
        self._command_ids: dict[tuple[int | None, int, str], int] = {}

        self.calls: Log[Call] = Log("HTTP call")
        self.message_events: Log[MessageEvent] = Log("message change")
        #: Calls to routes the fake does not implement (answered 404).
        self.unhandled: list[Call] = []
        #: Callables adding context to timeout messages (the harness reports bot errors here).
        self.diagnostics: list[Callable[[], str]] = []
        self.faults = FaultSet()
        self.gateway = Gateway(self, heartbeat_interval=heartbeat_interval, compress=compress)

        self._routes: list[_Route] = []
        self._call_seq = 0
        self._runner: web.AppRunner | None = None
        self._register_routes()

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> FakeDiscord:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/gateway/", self.gateway.handle)
        app.router.add_get("/resume", self.gateway.handle)
        app.router.add_get("/resume/", self.gateway.handle)
        app.router.add_get("/attachments/{channel_id}/{attachment_id}/{filename}", self._serve_attachment)
        app.router.add_route("*", API_PREFIX + "/{tail:.*}", self._api)
        self._runner = web.AppRunner(app, access_log=None, handle_signals=False, shutdown_timeout=1.0)
        await self._runner.setup()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, 0))
        self.port = sock.getsockname()[1]
        # A deep accept backlog: a burst of concurrent requests must not overflow it (the
        # kernel would drop SYNs and the client retry after 1 s, a pure harness artefact).
        site = web.SockSite(self._runner, sock, backlog=4096)
        await site.start()
        return self

    async def close(self) -> None:
        for f in self.faults.faults:
            f.release()
        await self.gateway.close_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeDiscord:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base(self) -> str:
        """What to give DISCORD_API_BASE / Settings.api_base."""
        return self.url + API_PREFIX

    @property
    def gateway_url(self) -> str:
        """What to give DISCORD_GATEWAY_URL / Settings.gateway_url."""
        return f"ws://{self.host}:{self.port}/gateway/"

    @property
    def resume_gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/resume/"

    def token_ok(self, token: str) -> bool:
        if self.expected_token is not None:
            return token == self.expected_token
        return bool(re.match(r"^[A-Za-z0-9_-]{17,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}$", token))

    def diagnose(self) -> str:
        return " | ".join(text for text in (d() for d in self.diagnostics) if text)

    def mark(self) -> int:
        """Index into `calls` to pass as `since=` to waits: only later calls count."""
        return len(self.calls)

    # ------------------------------------------------------------------ world building

    def create_user(
        self, username: str, *, locale: str = "en-US", global_name: str | None = None, bot: bool = False
    ) -> FakeUser:
        user = FakeUser(Snowflakes.next(), username, global_name=global_name, bot=bot, locale=locale)
        self.users[user.id] = user
        return user

    def create_guild(
        self,
        name: str = "Test Server",
        *,
        locale: str = "en-US",
        owner: FakeUser | None = None,
        bot_permissions: PermissionsLike = P.BOT_DEFAULT,
        everyone_permissions: PermissionsLike = P.EVERYONE_DEFAULT,
        channels: Iterable[str] = ("general",),
        bot_joined: bool = True,
    ) -> FakeGuild:
        """A server with @everyone, the bot's managed role and member, its owner and text channels.

        Sends GUILD_CREATE when a bot is connected (the bot 'joins').
        """
        owner = owner or self.create_user(f"{name.lower().replace(' ', '-')}-owner")
        gid = Snowflakes.next()
        guild = FakeGuild(gid, name, owner.id, preferred_locale=locale, bot_joined=bot_joined)
        guild.roles[gid] = FakeRole(gid, gid, "@everyone", perm_value(everyone_permissions), position=0)
        bot_role = FakeRole(
            Snowflakes.next(),
            gid,
            self.bot_user.username,
            perm_value(bot_permissions),
            position=1,
            managed=True,
            bot_id=self.bot_user.id,
        )
        guild.roles[bot_role.id] = bot_role
        guild.members[owner.id] = FakeMember(owner, guild)
        guild.members[self.bot_user.id] = FakeMember(self.bot_user, guild, roles=[bot_role.id])
        self.guilds[gid] = guild
        for i, ch in enumerate(channels):
            self._add_channel(guild, FakeChannel(Snowflakes.next(), gid, ch, position=i))
        if bot_joined:
            self.gateway.guild_create(guild)
        return guild

    def _add_channel(self, guild: FakeGuild, channel: FakeChannel) -> FakeChannel:
        guild.channels[channel.id] = channel
        self.channels[channel.id] = channel
        return channel

    def create_channel(
        self,
        guild: FakeGuild,
        name: str,
        *,
        type: int = ChannelType.TEXT,
        parent: FakeChannel | None = None,
        topic: str | None = None,
        overwrites: Iterable[Overwrite] = (),
        id: int | None = None,
    ) -> FakeChannel:
        """A channel (or a thread, with type=ChannelType.PUBLIC_THREAD and parent=...)."""
        channel = FakeChannel(
            id or Snowflakes.next(),
            guild.id,
            name,
            type=type,
            position=len(guild.channels),
            parent_id=parent.id if parent else None,
            topic=topic,
            overwrites=list(overwrites),
        )
        if type in (ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD):
            channel.owner_id = self.bot_user.id
        self._add_channel(guild, channel)
        if guild.bot_joined:
            event = (
                "THREAD_CREATE"
                if type in (ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD)
                else "CHANNEL_CREATE"
            )
            self.gateway.dispatch(event, channel.payload(), intent=Intent.GUILDS)
        return channel

    def create_role(
        self, guild: FakeGuild, name: str, permissions: PermissionsLike = 0, *, position: int | None = None
    ) -> FakeRole:
        pos = position if position is not None else max(r.position for r in guild.roles.values()) + 1
        role = FakeRole(Snowflakes.next(), guild.id, name, perm_value(permissions), position=pos)
        guild.roles[role.id] = role
        if guild.bot_joined:
            self.gateway.dispatch(
                "GUILD_ROLE_CREATE", {"guild_id": str(guild.id), "role": role.payload()}, intent=Intent.GUILDS
            )
        return role

    def create_member(
        self,
        guild: FakeGuild,
        user: FakeUser | str,
        *,
        roles: Iterable[FakeRole] = (),
        permissions: PermissionsLike | None = None,
        locale: str | None = None,
        nick: str | None = None,
    ) -> FakeMember:
        """Add a member. `permissions` gives them a personal role with exactly those permissions."""
        if isinstance(user, str):
            user = self.create_user(user, locale=locale or "en-US")
        elif locale is not None:
            user.locale = locale
        role_ids = [r.id for r in roles]
        if permissions is not None:
            role_ids.append(self.create_role(guild, f"{user.username}-perms", permissions).id)
        member = FakeMember(user, guild, roles=role_ids, nick=nick)
        guild.members[user.id] = member
        if guild.bot_joined:
            self.gateway.dispatch(
                "GUILD_MEMBER_ADD",
                {**member.payload(), "guild_id": str(guild.id)},
                intent=Intent.GUILD_MEMBERS,
            )
        return member

    def set_overwrite(
        self,
        channel: FakeChannel,
        target: FakeRole | FakeMember,
        *,
        allow: PermissionsLike = 0,
        deny: PermissionsLike = 0,
    ) -> None:
        kind = 0 if isinstance(target, FakeRole) else 1
        channel.overwrites = [o for o in channel.overwrites if o.id != target.id]
        channel.overwrites.append(Overwrite(target.id, kind, perm_value(allow), perm_value(deny)))
        self._channel_updated(channel)

    def set_role_permissions(self, role: FakeRole, permissions: PermissionsLike) -> None:
        role.permissions = perm_value(permissions)
        guild = self.guilds[role.guild_id]
        if guild.bot_joined:
            self.gateway.dispatch(
                "GUILD_ROLE_UPDATE", {"guild_id": str(guild.id), "role": role.payload()}, intent=Intent.GUILDS
            )

    def set_bot_permissions(self, guild: FakeGuild, permissions: PermissionsLike) -> None:
        """Change the bot's managed role (what Server Settings > Roles would do)."""
        role = next(r for r in guild.roles.values() if r.bot_id == self.bot_user.id)
        self.set_role_permissions(role, permissions)

    def _channel_updated(self, channel: FakeChannel) -> None:
        guild = self.guilds.get(channel.guild_id or 0)
        if guild is not None and guild.bot_joined:
            self.gateway.dispatch("CHANNEL_UPDATE", channel.payload(), intent=Intent.GUILDS)

    def delete_channel(self, channel: FakeChannel) -> None:
        guild = self.guilds[channel.guild_id or 0]
        guild.channels.pop(channel.id, None)
        self.channels.pop(channel.id, None)
        if guild.bot_joined:
            self.gateway.dispatch("CHANNEL_DELETE", channel.payload(), intent=Intent.GUILDS)

    def remove_bot(self, guild: FakeGuild) -> None:
        """The bot is kicked: GUILD_DELETE without `unavailable`."""
        guild.bot_joined = False
        self.gateway.dispatch("GUILD_DELETE", {"id": str(guild.id)}, intent=Intent.GUILDS, guild_id=guild.id)

    def add_bot(self, guild: FakeGuild) -> None:
        guild.bot_joined = True
        self.gateway.guild_create(guild)

    def bot_guilds(self) -> list[FakeGuild]:
        return [g for g in self.guilds.values() if g.bot_joined]

    def bot_member(self, guild: FakeGuild) -> FakeMember:
        return guild.members[self.bot_user.id]

    def dm_channel(self, user: FakeUser) -> FakeChannel:
        for ch in self.channels.values():
            if ch.type == ChannelType.DM and ch.recipient is user:
                return ch
        ch = FakeChannel(Snowflakes.next(), None, None, type=ChannelType.DM, recipient=user)
        self.channels[ch.id] = ch
        return ch

    def upload(self, filename: str, data: bytes, content_type: str | None = None) -> JSON:
        """An attachment a user uploads (for attachment options); served by the fake."""
        att_id = Snowflakes.next()
        ctype = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
        self.files[att_id] = (filename, ctype, data)
        return self._attachment_payload(0, att_id, filename, ctype, len(data))

    def _attachment_payload(self, channel_id: int, att_id: int, filename: str, ctype: str, size: int) -> JSON:
        url = f"{self.url}/attachments/{channel_id}/{att_id}/{filename}"
        return {
            "id": str(att_id),
            "filename": filename,
            "size": size,
            "url": url,
            "proxy_url": url,
            "content_type": ctype,
        }

    def attachment_bytes(self, attachment: JSON) -> bytes:
        return self.files[int(attachment["id"])][2]

    async def _serve_attachment(self, request: web.Request) -> web.Response:
        entry = self.files.get(int(request.match_info["attachment_id"]))
        if entry is None:
            return web.Response(status=404)
        return web.Response(body=entry[2], headers={"Content-Type": entry[1]})

    # ------------------------------------------------------------------ messages (read side)

    def message(self, message_id: int) -> StoredMessage:
        return self.messages[message_id]

    def channel_messages(
        self, channel: FakeChannel | int, *, include_ephemeral: bool = True
    ) -> list[StoredMessage]:
        cid = channel if isinstance(channel, int) else channel.id
        return [
            m
            for m in self.messages.values()
            if m.channel_id == cid and not m.deleted and (include_ephemeral or not m.ephemeral)
        ]

    def last_message(self, channel: FakeChannel | int) -> StoredMessage:
        msgs = self.channel_messages(channel, include_ephemeral=False)
        if not msgs:
            raise LookupError("no message in that channel")
        return msgs[-1]

    async def wait_message(
        self,
        predicate: Callable[[StoredMessage], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        kinds: Iterable[str] = ("create", "edit"),
    ) -> StoredMessage:
        """A stored message (created or edited, now or later) that matches `predicate`."""
        wanted = set(kinds)
        ev = await self.message_events.wait_for(lambda e: e.kind in wanted and predicate(e.message), timeout)
        return ev.message

    async def wait_for(
        self,
        predicate: Callable[[Call], bool],
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        since: int = 0,
    ) -> Call:
        """The first recorded HTTP call (from index `since`) matching `predicate`, waiting if needed."""
        return await self.calls.wait_for(predicate, timeout, since=since)

    async def wait_call(
        self,
        method: str,
        route: str,
        timeout: float = 5.0,  # noqa: ASYNC109
        *,
        since: int = 0,
        **params: object,
    ) -> Call:
        """Shorthand: `await fake.wait_call("PUT", "/applications/{application_id}/guilds/{guild_id}/commands")`."""
        return await self.calls.wait_for(lambda c: c.matches(method, route, **params), timeout, since=since)

    def find_command(self, name: str, guild: FakeGuild | None = None, *, type: int = 1) -> JSON:
        """A synced command: the guild's own first, then the global one."""
        scopes: list[int | None] = ([guild.id] if guild else []) + [None]
        for scope in scopes:
            for cmd in self.commands.get(scope, {}).values():
                if cmd["name"] == name and int(cmd.get("type", 1)) == type:
                    return cmd
        have = {scope: sorted(c["name"] for c in cmds.values()) for scope, cmds in self.commands.items()}
        raise DriverError(f"command {name!r} (type {type}) is not synced; synced commands by scope: {have}")

    # ------------------------------------------------------------------ fault injection

    def fail(
        self,
        method: str,
        pattern: str,
        status: int = 500,
        *,
        code: int = 0,
        message: str | None = None,
        body: Any = None,
        times: int | None = 1,
        **params: object,
    ) -> Fault:
        """Answer matching requests with `status` and a Discord JSON error body."""
        payload = body if body is not None else error_body(code, message or f"{status}: fault injected")
        return self.faults.add(
            f"{status}", method, pattern, FaultResponse(status, payload), times=times, params=params
        )

    def forbid(
        self, method: str, pattern: str, *, code: int = 50013, times: int | None = 1, **params: object
    ) -> Fault:
        """403 with {"code": 50013, "message": "Missing Permissions"} (or 50001 Missing Access, 50007...)."""
        return self.faults.add(
            f"403/{code}", method, pattern, FaultResponse(403, error_body(code)), times=times, params=params
        )

    def rate_limit(
        self,
        method: str,
        pattern: str,
        *,
        retry_after: float = 0.05,
        is_global: bool = False,
        scope: str = "user",
        times: int | None = 1,
        **params: object,
    ) -> Fault:
        """429 with `retry_after`, the X-RateLimit-* headers, Retry-After, and `global` in the body."""
        resp = rate_limited(
            retry_after,
            is_global=is_global,
            scope="global" if is_global else scope,
            bucket=secrets.token_hex(16),
        )
        return self.faults.add("429", method, pattern, resp, times=times, params=params)

    def hang(
        self,
        method: str,
        pattern: str,
        *,
        then: FaultResponse | None = None,
        times: int | None = 1,
        **params: object,
    ) -> Fault:
        """Hold matching requests until `fault.release()` (or `clear()`); they then get `then` or the normal answer."""
        return self.faults.add("hang", method, pattern, then, times=times, hang=True, params=params)

    def clear_faults(self) -> None:
        self.faults.clear()

    # ------------------------------------------------------------------ HTTP plumbing

    def _route(self, method: str, template: str, handler: Handler, *, auth: bool = True) -> None:
        pattern = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(template))
        self._routes.append(_Route(method, template, re.compile(f"^{pattern}$"), handler, auth))

    async def _api(self, request: web.Request) -> web.StreamResponse:
        raw_path = request.rel_url.raw_path[len(API_PREFIX) :] or "/"
        path = "/".join(unquote(seg) for seg in raw_path.split("/"))
        method = request.method
        matched: _Route | None = None
        params: dict[str, str] = {}
        for r in self._routes:
            if r.method != method:
                continue
            m = r.regex.match(raw_path)
            if m:
                matched = r
                params = {k: unquote(v) for k, v in m.groupdict().items()}
                break
        body, files = await self._read_body(request)
        self._call_seq += 1
        call = Call(
            seq=self._call_seq,
            method=method,
            route=matched.template if matched else "?",
            path=path,
            params=params,
            query=dict(request.query),
            json=body,
            files=files,
            headers={
                k: v
                for k, v in request.headers.items()
                if k.lower() in ("authorization", "x-audit-log-reason", "user-agent", "content-type")
            },
        )
        reply = await self._answer(call, matched)
        call.status = reply.status
        call.response = reply.body
        call.finished = time.perf_counter()
        if matched is None:
            self.unhandled.append(call)
            log.warning("fakediscord: unhandled route %s %s", method, path)
        self.calls.append(call)
        return self._response(reply)

    async def _answer(self, call: Call, matched: _Route | None) -> Reply:
        fault = self.faults.match(call.method, call.route, call.path, call.params)
        if fault is not None:
            call.fault = fault.name
            if fault.gate is not None:
                await fault.gate.wait()
            if fault.response is not None:
                r = fault.response
                headers = dict(r.headers)
                if "X-RateLimit-Reset-After" in headers:  # Reset is an epoch time: as of now
                    headers["X-RateLimit-Reset"] = (
                        f"{time.time() + float(headers['X-RateLimit-Reset-After']):.3f}"
                    )
                return Reply(r.status, r.body, headers)
        if matched is None:
            return error(404, 0, "404: Not Found")
        if matched.auth and not (call.token and self.token_ok(call.token)):
            return error(401, 0, "401: Unauthorized")
        try:
            return await matched.handler(call)
        except DriverError as exc:
            return error(400, 50035, str(exc))

    async def _read_body(self, request: web.Request) -> tuple[Any, list[UploadedFile]]:
        if not request.can_read_body:
            return None, []
        ctype = request.content_type
        if ctype.startswith("multipart/"):
            body: Any = None
            files: list[UploadedFile] = []
            reader = await request.multipart()
            while True:
                part = await reader.next()
                if part is None:
                    break
                if not isinstance(part, BodyPartReader):
                    continue
                name = part.name or ""
                data = await part.read(decode=False)
                if name == "payload_json":
                    body = jsonfast.loads(bytes(data))
                else:
                    files.append(
                        UploadedFile(
                            field_name=name,
                            filename=part.filename or name,
                            content_type=part.headers.get("Content-Type", "application/octet-stream"),
                            data=bytes(data),
                        )
                    )
            return body, files
        raw = await request.read()
        if not raw:
            return None, []
        try:
            return jsonfast.loads(raw), []
        except ValueError:
            return raw.decode(errors="replace"), []

    @staticmethod
    def _response(reply: Reply) -> web.Response:
        headers = dict(reply.headers)
        if reply.body is None:
            return web.Response(status=reply.status, headers=headers)
        # Exactly "application/json": discord.py only parses JSON for that (no charset).
        headers["Content-Type"] = "application/json"
        return web.Response(status=reply.status, body=jsonfast.dumps_bytes(reply.body), headers=headers)

    def _register_routes(self) -> None:
        r = self._route
        r("GET", "/gateway", self._get_gateway, auth=False)
        r("GET", "/gateway/bot", self._get_gateway_bot)
        r("GET", "/users/@me", self._get_me)
        r("PATCH", "/users/@me", self._get_me)
        r("POST", "/users/@me/channels", self._create_dm)
        r("DELETE", "/users/@me/guilds/{guild_id}", self._leave_guild)
        r("GET", "/users/{user_id}", self._get_user)
        r("GET", "/oauth2/applications/@me", self._get_application)
        r("GET", "/applications/@me", self._get_application)
        for scope in ("", "/guilds/{guild_id}"):
            base = "/applications/{application_id}" + scope + "/commands"
            r("GET", base, self._get_commands)
            r("PUT", base, self._put_commands)
            r("POST", base, self._post_command)
            if scope:
                r("GET", base + "/permissions", self._get_command_permissions)
            r("GET", base + "/{command_id}", self._get_command)
            r("PATCH", base + "/{command_id}", self._patch_command)
            r("DELETE", base + "/{command_id}", self._delete_command)
        r(
            "POST",
            "/interactions/{interaction_id}/{interaction_token}/callback",
            self._interaction_callback,
            auth=False,
        )
        wh = "/webhooks/{webhook_id}/{webhook_token}"
        r("POST", wh, self._webhook_execute, auth=False)
        r("GET", wh + "/messages/{message_id}", self._webhook_get, auth=False)
        r("PATCH", wh + "/messages/{message_id}", self._webhook_edit, auth=False)
        r("DELETE", wh + "/messages/{message_id}", self._webhook_delete, auth=False)
        ch = "/channels/{channel_id}"
        r("GET", ch, self._get_channel)
        r("POST", ch + "/typing", self._no_content)
        r("GET", ch + "/messages", self._get_messages)
        r("POST", ch + "/messages", self._post_message)
        r("POST", ch + "/messages/bulk-delete", self._bulk_delete)
        r("PUT", ch + "/messages/pins/{message_id}", self._pin)
        r("DELETE", ch + "/messages/pins/{message_id}", self._pin)
        r("PUT", ch + "/pins/{message_id}", self._pin)
        r("DELETE", ch + "/pins/{message_id}", self._pin)
        r("GET", ch + "/messages/{message_id}", self._get_message)
        r("PATCH", ch + "/messages/{message_id}", self._edit_message)
        r("DELETE", ch + "/messages/{message_id}", self._delete_message)
        r("POST", ch + "/messages/{message_id}/threads", self._create_thread)
        r("POST", ch + "/threads", self._create_thread)
        react = ch + "/messages/{message_id}/reactions"
        r("PUT", react + "/{emoji}/@me", self._add_reaction)
        r("DELETE", react + "/{emoji}/@me", self._remove_reaction)
        r("DELETE", react + "/{emoji}/{user_id}", self._remove_reaction)
        r("GET", react + "/{emoji}", self._get_reactions)
        r("DELETE", react + "/{emoji}", self._clear_reactions)
        r("DELETE", react, self._clear_reactions)
        g = "/guilds/{guild_id}"
        r("GET", g, self._get_guild)
        r("GET", g + "/channels", self._get_guild_channels)
        r("GET", g + "/roles", self._get_guild_roles)
        r("GET", g + "/members", self._get_members)
        r("GET", g + "/members/{user_id}", self._get_member)
        r("PUT", g + "/members/{user_id}/roles/{role_id}", self._member_role)
        r("DELETE", g + "/members/{user_id}/roles/{role_id}", self._member_role)

    # ------------------------------------------------------------------ REST: identity

    async def _no_content(self, call: Call) -> Reply:
        return Reply(204)

    async def _get_gateway(self, call: Call) -> Reply:
        return Reply(200, {"url": self.gateway_url.rstrip("/")})

    async def _get_gateway_bot(self, call: Call) -> Reply:
        return Reply(
            200,
            {
                "url": self.gateway_url.rstrip("/"),
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 14400000,
                    "max_concurrency": 1,
                },
            },
        )

    async def _get_me(self, call: Call) -> Reply:
        return Reply(200, {**self.bot_user.payload(), "verified": True, "mfa_enabled": False, "email": None})

    async def _get_user(self, call: Call) -> Reply:
        user = self.users.get(int(call.params["user_id"]))
        return Reply(200, user.payload()) if user else error(404, 10013, "Unknown User")

    async def _get_application(self, call: Call) -> Reply:
        return Reply(
            200,
            {
                "id": str(self.application_id),
                "name": self.bot_user.username,
                "icon": None,
                "description": "",
                "summary": "",
                "type": None,
                "hook": True,
                "bot_public": False,
                "bot_require_code_grant": False,
                "verify_key": "0" * 64,
                "owner": self.application_owner.payload(),
                "team": self._team_payload(),
                "flags": self.application_flags,
                "bot": self.bot_user.payload(),
                "rpc_origins": [],
                "redirect_uris": [],
                "interactions_endpoint_url": None,
                "role_connections_verification_url": None,
                "tags": [],
                "install_params": None,
                "integration_types_config": {"0": {}},
                "approximate_guild_count": len(self.bot_guilds()),
            },
        )

    def _team_payload(self) -> JSON | None:
        if self.application_team is None:
            return None
        team_id = str(self.application_team_id)
        members = [
            {
                "membership_state": 2,
                "permissions": ["*"],
                "team_id": team_id,
                "user": user.payload(),
                "role": role,
            }
            for user, role in self.application_team
        ]
        owner = self.application_team[0][0].id if self.application_team else None
        return {
            "id": team_id,
            "name": "team",
            "icon": None,
            "owner_user_id": str(owner) if owner else None,
            "members": members,
        }

    async def _create_dm(self, call: Call) -> Reply:
        user = self.users.get(int((call.json or {}).get("recipient_id") or 0))
        if user is None:
            return error(400, 50035, "Invalid Form Body")
        return Reply(200, self.dm_channel(user).payload())

    async def _leave_guild(self, call: Call) -> Reply:
        guild = self.guilds.get(int(call.params["guild_id"]))
        if guild is None or not guild.bot_joined:
            return error(404, 10004, "Unknown Guild")
        self.remove_bot(guild)
        return Reply(204)

    # ------------------------------------------------------------------ REST: application commands

    def _scope(self, call: Call) -> int | Reply | None:
        if int(call.params["application_id"]) != self.application_id:
            return error(403, 50001)  # Missing Access: not your application
        gid = call.params.get("guild_id")
        if gid is None:
            return None
        guild = self.guilds.get(int(gid))
        if guild is None or not guild.bot_joined:
            return error(403, 50001)
        return guild.id

    def _store_command(self, scope: int | None, body: JSON) -> JSON:
        ctype = int(body.get("type") or 1)
        key = (scope, ctype, str(body.get("name")))
        cid = self._command_ids.setdefault(key, Snowflakes.next())
        cmd: JSON = {
            "type": ctype,
            "options": [],
            "default_member_permissions": None,
            "nsfw": False,
            "contexts": None,
            "integration_types": [0],
            "name_localizations": None,
            "description_localizations": None,
            **body,
            "id": str(cid),
            "application_id": str(self.application_id),
            "version": str(Snowflakes.next()),
        }
        if ctype != 1:
            cmd.setdefault("description", "")
        if scope is not None:
            cmd["guild_id"] = str(scope)
        self.commands.setdefault(scope, {})[cid] = cmd
        return cmd

    def _invalid(self, problems: validate.Problems) -> Reply:
        return error(400, 50035, "Invalid Form Body", problems.errors())

    async def _get_commands(self, call: Call) -> Reply:
        scope = self._scope(call)
        if isinstance(scope, Reply):
            return scope
        return Reply(200, list(self.commands.get(scope, {}).values()))

    async def _put_commands(self, call: Call) -> Reply:
        scope = self._scope(call)
        if isinstance(scope, Reply):
            return scope
        body = call.json if isinstance(call.json, list) else []
        if self.validate_payloads:
            problems = validate.check_commands(call.json)
            if problems:
                return self._invalid(problems)
        self.commands[scope] = {}
        return Reply(200, [self._store_command(scope, c) for c in body])

    async def _post_command(self, call: Call) -> Reply:
        scope = self._scope(call)
        if isinstance(scope, Reply):
            return scope
        if self.validate_payloads:
            problems = validate.Problems()
            validate.check_command(problems, "_", call.json or {})
            if problems:
                return self._invalid(problems)
        existed = any(
            c["name"] == (call.json or {}).get("name") for c in self.commands.get(scope, {}).values()
        )
        return Reply(200 if existed else 201, self._store_command(scope, call.json or {}))

    def _command_of(self, call: Call) -> tuple[int | None, JSON] | Reply:
        scope = self._scope(call)
        if isinstance(scope, Reply):
            return scope
        cmd = self.commands.get(scope, {}).get(int(call.params["command_id"]))
        if cmd is None:
            return error(404, 10063, "Unknown application command")
        return scope, cmd

    async def _get_command(self, call: Call) -> Reply:
        found = self._command_of(call)
        return found if isinstance(found, Reply) else Reply(200, found[1])

    async def _patch_command(self, call: Call) -> Reply:
        found = self._command_of(call)
        if isinstance(found, Reply):
            return found
        scope, cmd = found
        merged = {k: v for k, v in {**cmd, **(call.json or {})}.items() if k not in ("id", "version")}
        return Reply(200, self._store_command(scope, merged))

    async def _delete_command(self, call: Call) -> Reply:
        found = self._command_of(call)
        if isinstance(found, Reply):
            return found
        scope, cmd = found
        del self.commands[scope][int(cmd["id"])]
        return Reply(204)

    async def _get_command_permissions(self, call: Call) -> Reply:
        return Reply(200, [])

    # ------------------------------------------------------------------ REST: channels & messages

    def _channel(self, call: Call) -> FakeChannel | Reply:
        ch = self.channels.get(int(call.params["channel_id"]))
        if ch is None:
            return error(404, 10003)
        if ch.guild_id is not None:
            guild = self.guilds.get(ch.guild_id)
            if guild is None or not guild.bot_joined:
                return error(403, 50001)
        return ch

    def _bot_perms(self, channel: FakeChannel) -> int:
        if channel.guild_id is None:
            return P.ALL
        guild = self.guilds[channel.guild_id]
        return guild.channel_permissions(self.bot_member(guild), channel)

    def _require(self, channel: FakeChannel, needed: int) -> Reply | None:
        if not self.enforce_permissions:
            return None
        perms = self._bot_perms(channel)
        if not perms & P.VIEW_CHANNEL:
            return error(403, 50001)
        if perms & needed != needed:
            return error(403, 50013)
        return None

    async def _get_channel(self, call: Call) -> Reply:
        ch = self._channel(call)
        if isinstance(ch, Reply):
            return ch
        denied = self._require(ch, P.VIEW_CHANNEL)
        return denied or Reply(200, ch.payload())

    def _message_of(self, call: Call, channel: FakeChannel) -> StoredMessage | Reply:
        msg = self.messages.get(int(call.params["message_id"]))
        if msg is None or msg.deleted or msg.channel_id != channel.id or msg.ephemeral:
            return error(404, 10008)
        return msg

    async def _get_messages(self, call: Call) -> Reply:
        ch = self._channel(call)
        if isinstance(ch, Reply):
            return ch
        denied = self._require(ch, P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY)
        if denied:
            return denied
        q = call.query
        msgs = self.channel_messages(ch, include_ephemeral=False)
        if "before" in q:
            msgs = [m for m in msgs if m.id < int(q["before"])]
        if "after" in q:
            msgs = [m for m in msgs if m.id > int(q["after"])]
        limit = int(q.get("limit", 50))
        msgs = msgs[:limit] if "after" in q else msgs[-limit:]
        return Reply(200, [m.payload for m in reversed(msgs)])

    async def _get_message(self, call: Call) -> Reply:
        ch = self._channel(call)
        if isinstance(ch, Reply):
            return ch
        denied = self._require(ch, P.VIEW_CHANNEL | P.READ_MESSAGE_HISTORY)
        if denied:
            return denied
        msg = self._message_of(call, ch)
        return msg if isinstance(msg, Reply) else Reply(200, msg.payload)

    async def _post_message(self, call: Call) -> Reply:
        ch = self._channel(call)
        if isinstance(ch, Reply):
            return ch
        body = call.json if isinstance(call.json, dict) else {}
        if ch.type == ChannelType.DM:
            assert ch.recipient is not None
            if not ch.recipient.dms_open or ch.recipient.bot:
                return error(403, 50007)
        else:
            needed = (
                P.SEND_MESSAGES_IN_THREADS
                if ch.type in (ChannelType.PUBLIC_THREAD, ChannelType.PRIVATE_THREAD)
                else P.SEND_MESSAGES
            )
            if call.files:
                needed |= P.ATTACH_FILES
            denied = self._require(ch, needed)
            if denied:
                return denied
        bad = self._check_message(body, call.files, edit=False)
        if bad:
            return bad
        ref = body.get("message_reference") or {}
        msg = self._create_message(
            ch, body, call.files, author=self.bot_user, mtype=19 if ref.get("message_id") else 0
        )
        return Reply(200, msg.payload)

    async def _edit_message(self, call: Call) -> Reply:
        ch = self._channel(call)
        if isinstance(ch, Reply):
            return ch
        msg = self._message_of(call, ch)
        if isinstance(msg, Reply):
            return msg
        if int(msg.payload["author"]["id"]) != self.bot_user.id:
            return error(403, 50005, "Cannot edit a message authored by another user")
        body = call.json if isinstance(call.json, dict) else {}
        bad = self._check_message(body, call.files, edit=True)
        if bad:
            return bad
        self._apply_edit(msg, body, call.files)
        return Reply(200, msg.payload)

    async def _delete_message(self, call: Call) -> Reply:
        ch = self._channel(call)
        if isinstance(ch, Reply):
            return ch
        msg = self._message_of(call, ch)
        if isinstance(msg, Reply):
            return msg
        if int(msg.payload["author"]["id"]) != self.bot_user.id:
            denied = self._require(ch, P.MANAGE_MESSAGES)
            if denied:
                return denied
        self._delete(msg)
        return Reply(204)

    async def _bulk_delete(self, call: Call) -> Reply:
        ch = self._channel(call)
        if isinstance(ch, Reply):
            return ch
        denied = self._require(ch, P.MANAGE_MESSAGES)
        if denied:
            return denied
        for mid in (call.json or {}).get("messages", []):
            msg = self.messages.get(int(mid))
            if msg and msg.channel_id == ch.id:
                self._delete(msg)
        return Reply(204)

    async def _pin(self, call: Call) -> Reply:
        ch = self._channel(call)
        if isinstance(ch, Reply):
            return ch
        msg = self._message_of(call, ch)
        if isinstance(msg, Reply):
            return msg
        denied = self._require(ch, P.MANAGE_MESSAGES)
        if denied:
            return denied
        msg.payload["pinned"] = call.method == "PUT"
        return Reply(204)

    async def _create_thread(self, call: Call) -> Reply:
        ch = self._channel(call)
        if isinstance(ch, Reply):
            return ch
        denied = self._require(ch, P.CREATE_PUBLIC_THREADS)
        if denied:
            return denied
        body = call.json or {}
        guild = self.guilds[ch.guild_id or 0]
        from_message = call.params.get("message_id")
        thread = self.create_channel(
            guild,
            str(body.get("name") or "thread"),
            type=int(body.get("type") or ChannelType.PUBLIC_THREAD),
            parent=ch,
            id=int(from_message) if from_message else None,
        )
        return Reply(201, thread.payload())

    def _reaction_target(self, call: Call) -> tuple[FakeChannel, StoredMessage] | Reply:
        ch = self._channel(call)
        if isinstance(ch, Reply):
            return ch
        msg = self._message_of(call, ch)
        if isinstance(msg, Reply):
            return msg
        return ch, msg

    async def _add_reaction(self, call: Call) -> Reply:
        found = self._reaction_target(call)
        if isinstance(found, Reply):
            return found
        ch, msg = found
        emoji = call.params["emoji"]
        needed = P.READ_MESSAGE_HISTORY | (0 if msg.reactions.get(emoji) else P.ADD_REACTIONS)
        denied = self._require(ch, needed)
        if denied:
            return denied
        msg.reactions.setdefault(emoji, set()).add(self.bot_user.id)
        self.message_events.append(MessageEvent("react", msg))
        return Reply(204)

    async def _remove_reaction(self, call: Call) -> Reply:
        found = self._reaction_target(call)
        if isinstance(found, Reply):
            return found
        ch, msg = found
        uid = int(call.params.get("user_id") or self.bot_user.id)
        if uid != self.bot_user.id:
            denied = self._require(ch, P.MANAGE_MESSAGES)
            if denied:
                return denied
        msg.reactions.get(call.params["emoji"], set()).discard(uid)
        self.message_events.append(MessageEvent("react", msg))
        return Reply(204)

    async def _get_reactions(self, call: Call) -> Reply:
        found = self._reaction_target(call)
        if isinstance(found, Reply):
            return found
        _, msg = found
        ids = msg.reactions.get(call.params["emoji"], set())
        return Reply(200, [self.users[u].payload() for u in sorted(ids) if u in self.users])

    async def _clear_reactions(self, call: Call) -> Reply:
        found = self._reaction_target(call)
        if isinstance(found, Reply):
            return found
        ch, msg = found
        denied = self._require(ch, P.MANAGE_MESSAGES)
        if denied:
            return denied
        if "emoji" in call.params:
            msg.reactions.pop(call.params["emoji"], None)
        else:
            msg.reactions.clear()
        return Reply(204)

    # ------------------------------------------------------------------ REST: guilds

    def _guild(self, call: Call) -> FakeGuild | Reply:
        guild = self.guilds.get(int(call.params["guild_id"]))
        if guild is None or not guild.bot_joined:
            return error(404, 10004, "Unknown Guild")
        return guild

    async def _get_guild(self, call: Call) -> Reply:
        guild = self._guild(call)
        if isinstance(guild, Reply):
            return guild
        data = guild.payload()
        if call.query.get("with_counts") in ("true", "1"):
            data.update(approximate_member_count=len(guild.members), approximate_presence_count=0)
        return Reply(200, data)

    async def _get_guild_channels(self, call: Call) -> Reply:
        guild = self._guild(call)
        return (
            guild if isinstance(guild, Reply) else Reply(200, [c.payload() for c in guild.channels.values()])
        )

    async def _get_guild_roles(self, call: Call) -> Reply:
        guild = self._guild(call)
        return guild if isinstance(guild, Reply) else Reply(200, [r.payload() for r in guild.roles.values()])

    async def _get_members(self, call: Call) -> Reply:
        guild = self._guild(call)
        if isinstance(guild, Reply):
            return guild
        after = int(call.query.get("after", 0))
        limit = int(call.query.get("limit", 1))
        members = sorted((m for m in guild.members.values() if m.id > after), key=lambda m: m.id)[:limit]
        return Reply(200, [m.payload() for m in members])

    async def _get_member(self, call: Call) -> Reply:
        guild = self._guild(call)
        if isinstance(guild, Reply):
            return guild
        member = guild.members.get(int(call.params["user_id"]))
        return Reply(200, member.payload()) if member else error(404, 10007, "Unknown Member")

    async def _member_role(self, call: Call) -> Reply:
        guild = self._guild(call)
        if isinstance(guild, Reply):
            return guild
        member = guild.members.get(int(call.params["user_id"]))
        role = guild.roles.get(int(call.params["role_id"]))
        if member is None:
            return error(404, 10007, "Unknown Member")
        if role is None:
            return error(404, 10011, "Unknown Role")
        me = self.bot_member(guild)
        top = max((guild.roles[r].position for r in me.roles if r in guild.roles), default=0)
        if self.enforce_permissions and (
            not guild.base_permissions(me) & P.MANAGE_ROLES or role.position >= top
        ):
            return error(403, 50013)
        if call.method == "PUT" and role.id not in member.roles:
            member.roles.append(role.id)
        elif call.method == "DELETE" and role.id in member.roles:
            member.roles.remove(role.id)
        self.gateway.dispatch(
            "GUILD_MEMBER_UPDATE",
            {**member.payload(), "guild_id": str(guild.id)},
            intent=Intent.GUILD_MEMBERS,
        )
        return Reply(204)

    # ------------------------------------------------------------------ message store

    def _check_message(self, body: JSON, files: list[UploadedFile], *, edit: bool) -> Reply | None:
        if any(len(f.data) > self.attachment_size_limit for f in files):
            return error(413, 40005)
        if not self.validate_payloads:
            return None
        if not edit and validate.is_empty_message(body, len(files)):
            return error(400, 50006)
        problems = validate.check_message(body, n_files=len(files), edit=edit)
        return self._invalid(problems) if problems else None

    def _attachments(
        self, channel_id: int, body: JSON, files: list[UploadedFile], existing: list[JSON]
    ) -> list[JSON]:
        by_index: dict[int, UploadedFile] = {}
        for f in files:
            m = re.match(r"files\[(\d+)\]", f.field_name)
            if m:
                by_index[int(m.group(1))] = f
        if "attachments" not in body:
            out = list(existing)
            for _, f in sorted(by_index.items()):
                out.append(self._store_file(channel_id, f, {}))
            return out
        keep = {str(a["id"]): a for a in existing}
        out = []
        for spec in body.get("attachments") or []:
            sid = str(spec.get("id"))
            if sid in keep:
                out.append(keep[sid])
            elif sid.isdigit() and int(sid) in by_index:
                out.append(self._store_file(channel_id, by_index.pop(int(sid)), spec))
        for _, f in sorted(by_index.items()):
            out.append(self._store_file(channel_id, f, {}))
        return out

    def _store_file(self, channel_id: int, f: UploadedFile, spec: JSON) -> JSON:
        att_id = Snowflakes.next()
        filename = str(spec.get("filename") or f.filename)
        ctype = (
            f.content_type
            if f.content_type != "application/octet-stream"
            else (mimetypes.guess_type(filename)[0] or "application/octet-stream")
        )
        self.files[att_id] = (filename, ctype, f.data)
        data = self._attachment_payload(channel_id, att_id, filename, ctype, len(f.data))
        if spec.get("description"):
            data["description"] = spec["description"]
        return data

    def _mentions(self, body: JSON) -> list[JSON]:
        content = str(body.get("content") or "")
        allowed = body.get("allowed_mentions")
        ids = [int(i) for i in MENTION_RE.findall(content)]
        if isinstance(allowed, dict):
            parse = allowed.get("parse") or []
            explicit = {int(u) for u in allowed.get("users") or []}
            ids = [i for i in ids if "users" in parse or i in explicit]
        return [self.users[i].payload() for i in dict.fromkeys(ids) if i in self.users]

    def _create_message(
        self,
        channel: FakeChannel,
        body: JSON,
        files: list[UploadedFile],
        *,
        author: FakeUser,
        mtype: int = 0,
        extra_flags: int = 0,
        interaction: InteractionRecord | None = None,
        role: str | None = None,
        silent: bool = False,
    ) -> StoredMessage:
        """Store a new message; `role` ("original"/"followup") links it to `interaction` first."""
        mid = Snowflakes.next()
        components = jsonfast.copy(body.get("components") or [])
        number_components(components)
        flags = (
            int(body.get("flags") or 0) & (EPHEMERAL | IS_COMPONENTS_V2 | (1 << 2) | (1 << 12))
        ) | extra_flags
        if interaction is None:
            flags &= ~EPHEMERAL
        payload: JSON = {
            "id": str(mid),
            "channel_id": str(channel.id),
            "author": author.payload(),
            "content": str(body.get("content") or ""),
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": bool(body.get("tts")),
            "mention_everyone": False,
            "mentions": self._mentions(body),
            "mention_roles": [],
            "mention_channels": [],
            "attachments": self._attachments(channel.id, body, files, []),
            "embeds": [{"type": "rich", **e} for e in body.get("embeds") or []],
            "reactions": [],
            "pinned": False,
            "type": mtype,
            "flags": flags,
            "components": components,
            "sticker_items": [],
            "position": 0,
        }
        if channel.guild_id is not None:
            payload["guild_id"] = str(channel.guild_id)
        if body.get("nonce") is not None:
            payload["nonce"] = body["nonce"]
        if body.get("poll"):
            payload["poll"] = body["poll"]
        ref = body.get("message_reference")
        if isinstance(ref, dict) and ref.get("message_id"):
            payload["message_reference"] = {
                "type": 0,
                "message_id": str(ref["message_id"]),
                "channel_id": str(channel.id),
                **({"guild_id": str(channel.guild_id)} if channel.guild_id else {}),
            }
            target = self.messages.get(int(ref["message_id"]))
            payload["referenced_message"] = target.payload if target else None
        if interaction is not None:
            user = self.users[interaction.user_id]
            payload["webhook_id"] = str(self.application_id)
            payload["application_id"] = str(self.application_id)
            meta: JSON = {
                "id": str(interaction.id),
                "type": interaction.type,
                "user": user.payload(),
                "authorizing_integration_owners": interaction.payload.get(
                    "authorizing_integration_owners", {}
                ),
            }
            if interaction.type == InteractionType.APPLICATION_COMMAND:
                meta["name"] = interaction.payload["data"]["name"]
                meta["command_type"] = interaction.payload["data"].get("type", 1)
            if interaction.source_message_id is not None:
                meta["interacted_message_id"] = str(interaction.source_message_id)
            if role == "followup" and interaction.original_message_id is not None:
                meta["original_response_message_id"] = str(interaction.original_message_id)
            payload["interaction_metadata"] = meta
        msg = StoredMessage(
            id=mid,
            channel_id=channel.id,
            guild_id=channel.guild_id,
            payload=payload,
            interaction_id=interaction.id if interaction else None,
        )
        self.messages[mid] = msg
        channel.last_message_id = mid
        if interaction is not None and role == "original":
            interaction.original_message_id = mid
        elif interaction is not None and role == "followup":
            interaction.followup_ids.append(mid)
        self.message_events.append(MessageEvent("create", msg))
        if not msg.ephemeral and not silent:
            self._dispatch_message_event("MESSAGE_CREATE", channel, payload)
        return msg

    def _dispatch_message_event(self, event: str, channel: FakeChannel, payload: JSON) -> None:
        intent = Intent.DIRECT_MESSAGES if channel.guild_id is None else Intent.GUILD_MESSAGES
        data = dict(payload)
        if channel.guild_id is not None and int(payload.get("author", {}).get("id", 0)) in self.users:
            guild = self.guilds[channel.guild_id]
            member = guild.members.get(int(payload["author"]["id"]))
            if member is not None:
                data["member"] = member.payload(with_user=False)
        self.gateway.dispatch(event, data, intent=intent)

    def _apply_edit(
        self, msg: StoredMessage, body: JSON, files: list[UploadedFile], *, clear_loading: bool = True
    ) -> None:
        msg.versions.append(jsonfast.copy(msg.payload))
        p = msg.payload
        if "content" in body:
            p["content"] = str(body.get("content") or "")
            p["mentions"] = self._mentions(body)
        if "embeds" in body:
            p["embeds"] = [{"type": "rich", **e} for e in body.get("embeds") or []]
        if "components" in body:
            comps = jsonfast.copy(body.get("components") or [])
            number_components(comps)
            p["components"] = comps
        if "flags" in body and body["flags"] is not None:
            keep = p["flags"] & (EPHEMERAL | LOADING)
            p["flags"] = keep | (int(body["flags"]) & (IS_COMPONENTS_V2 | (1 << 2)))
        if "attachments" in body or files:
            p["attachments"] = self._attachments(msg.channel_id, body, files, p.get("attachments") or [])
        if clear_loading:
            p["flags"] &= ~LOADING
        p["edited_timestamp"] = iso_now()
        self.message_events.append(MessageEvent("edit", msg))
        if not msg.ephemeral:
            ch = self.channels.get(msg.channel_id)
            if ch is not None:
                self._dispatch_message_event("MESSAGE_UPDATE", ch, p)

    def _delete(self, msg: StoredMessage) -> None:
        msg.deleted = True
        self.message_events.append(MessageEvent("delete", msg))
        ch = self.channels.get(msg.channel_id)
        if ch is not None and not msg.ephemeral:
            data: JSON = {"id": str(msg.id), "channel_id": str(ch.id)}
            if ch.guild_id:
                data["guild_id"] = str(ch.guild_id)
            intent = Intent.DIRECT_MESSAGES if ch.guild_id is None else Intent.GUILD_MESSAGES
            self.gateway.dispatch("MESSAGE_DELETE", data, intent=intent)

    def add_bot_message(
        self,
        channel: FakeChannel,
        content: str = "",
        *,
        components: list[JSON] | None = None,
        embeds: list[JSON] | None = None,
        flags: int = 0,
    ) -> StoredMessage:
        """A message 'the bot posted earlier' (e.g. before the test started), ready to click on.

        No gateway event is sent; components get ids as Discord gives them.
        """
        body: JSON = {
            "content": content,
            "components": components or [],
            "embeds": embeds or [],
            "flags": flags,
        }
        return self._create_message(channel, body, [], author=self.bot_user, silent=True)

    def post_user_message(
        self, channel: FakeChannel, author: FakeMember | FakeUser, content: str
    ) -> StoredMessage:
        """A message from a user (MESSAGE_CREATE reaches the bot if its intents allow)."""
        user = author.user if isinstance(author, FakeMember) else author
        return self._create_message(channel, {"content": content}, [], author=user)

    # ------------------------------------------------------------------ REST: interaction responses

    def _interaction_sent(self, d: JSON) -> None:
        rec = self.interactions.get(int(d["id"]))
        if rec is not None and rec.dispatched_at is None:
            rec.dispatched_at = time.perf_counter()

    async def _interaction_callback(self, call: Call) -> Reply:
        rec = self.interactions.get(int(call.params["interaction_id"]))
        if rec is None or rec.token != call.params["interaction_token"]:
            return error(404, 10062)
        if rec.acknowledged:
            return error(400, 40060)
        if (
            self.interaction_deadline is not None
            and rec.dispatched_at is not None
            and time.perf_counter() - rec.dispatched_at > self.interaction_deadline
        ):
            return error(404, 10062)
        body = call.json if isinstance(call.json, dict) else {}
        ctype = int(body.get("type") or 0)
        data = body.get("data") if isinstance(body.get("data"), dict) else {}
        assert isinstance(data, dict)
        is_component = rec.source_message_id is not None
        allowed = {
            InteractionType.APPLICATION_COMMAND: {4, 5, 9, 12},
            InteractionType.MESSAGE_COMPONENT: {4, 5, 6, 7, 9, 12},
            InteractionType.AUTOCOMPLETE: {8},
            InteractionType.MODAL_SUBMIT: {4, 5, 6, 7} if is_component else {4, 5},
        }.get(rec.type, set())
        if ctype not in allowed:
            return error(
                400, 50035, f"Interaction callback type {ctype} is not valid for interaction type {rec.type}"
            )
        if self.validate_payloads:
            if ctype in (4, 7):
                bad = self._check_message(data, call.files, edit=ctype == 7)
                if bad:
                    return bad
            elif ctype == 8:
                problems = validate.check_choices(data.get("choices"))
                if problems:
                    return self._invalid(problems)
            elif ctype == 9:
                problems = validate.check_modal(data)
                if problems:
                    return self._invalid(problems)
        rec.responded_at = time.perf_counter()
        record = CallbackRecord(ctype, data, call.files, call)
        rec.callback = record
        channel = self.channels[rec.channel_id]
        msg: StoredMessage | None = None
        if ctype == Callback.CHANNEL_MESSAGE:
            mtype = 20 if rec.type == InteractionType.APPLICATION_COMMAND else 0
            msg = self._create_message(
                channel, data, call.files, author=self.bot_user, mtype=mtype, interaction=rec, role="original"
            )
        elif ctype == Callback.DEFERRED_CHANNEL_MESSAGE:
            mtype = 20 if rec.type == InteractionType.APPLICATION_COMMAND else 0
            placeholder = {"content": "", "flags": int(data.get("flags") or 0) & EPHEMERAL}
            msg = self._create_message(
                channel,
                placeholder,
                [],
                author=self.bot_user,
                mtype=mtype,
                extra_flags=LOADING,
                interaction=rec,
                role="original",
            )
        elif ctype == Callback.UPDATE_MESSAGE:
            msg = self.messages[rec.source_message_id or 0]
            self._apply_edit(msg, data, call.files)
        if not rec.callback_future.done():
            rec.callback_future.set_result(record)
        self.message_events.append(MessageEvent("callback", msg or _NO_MESSAGE))
        if "with_response" not in call.query:
            return Reply(204)
        inter: JSON = {"id": str(rec.id), "type": rec.type}
        resource: JSON = {"type": ctype}
        if msg is not None:
            inter["response_message_id"] = str(msg.id)
            inter["response_message_loading"] = msg.loading
            inter["response_message_ephemeral"] = msg.ephemeral
            resource["message"] = msg.payload
        return Reply(200, {"interaction": inter, "resource": resource})

    def _webhook_interaction(self, call: Call) -> InteractionRecord | Reply:
        rec = self._by_token.get(call.params["webhook_token"])
        if rec is None or int(call.params["webhook_id"]) != self.application_id:
            return error(404, 10015)
        return rec

    def _webhook_message(self, call: Call, rec: InteractionRecord) -> StoredMessage | Reply:
        raw = call.params["message_id"]
        mid = rec.original_message_id if raw == "@original" else int(raw)
        if mid is None or (mid != rec.original_message_id and mid not in rec.followup_ids):
            return error(404, 10008)
        msg = self.messages.get(mid)
        if msg is None or msg.deleted:
            return error(404, 10008)
        return msg

    async def _webhook_execute(self, call: Call) -> Reply:
        rec = self._webhook_interaction(call)
        if isinstance(rec, Reply):
            return rec
        if not rec.acknowledged:
            return error(404, 10015)
        body = call.json if isinstance(call.json, dict) else {}
        bad = self._check_message(body, call.files, edit=False)
        if bad:
            return bad
        original = self.messages.get(rec.original_message_id or 0)
        if (
            original is not None
            and original.loading
            and rec.callback is not None
            and rec.callback.type == Callback.DEFERRED_CHANNEL_MESSAGE
            and not rec.followup_replaced_loading
        ):
            # Discord: the first follow-up after a 'thinking' defer replaces the loading message.
            rec.followup_replaced_loading = True
            edit = {k: v for k, v in body.items() if k != "flags"}
            edit.setdefault("content", "")
            self._apply_edit(original, edit, call.files)
            msg = original
        else:
            msg = self._create_message(
                self.channels[rec.channel_id],
                body,
                call.files,
                author=self.bot_user,
                interaction=rec,
                role="followup",
            )
        if call.query.get("wait") not in ("true", "1", "True"):
            return Reply(204)
        return Reply(200, msg.payload)

    async def _webhook_get(self, call: Call) -> Reply:
        rec = self._webhook_interaction(call)
        if isinstance(rec, Reply):
            return rec
        msg = self._webhook_message(call, rec)
        return msg if isinstance(msg, Reply) else Reply(200, msg.payload)

    async def _webhook_edit(self, call: Call) -> Reply:
        rec = self._webhook_interaction(call)
        if isinstance(rec, Reply):
            return rec
        msg = self._webhook_message(call, rec)
        if isinstance(msg, Reply):
            return msg
        body = call.json if isinstance(call.json, dict) else {}
        bad = self._check_message(body, call.files, edit=True)
        if bad:
            return bad
        self._apply_edit(msg, body, call.files)
        return Reply(200, msg.payload)

    async def _webhook_delete(self, call: Call) -> Reply:
        rec = self._webhook_interaction(call)
        if isinstance(rec, Reply):
            return rec
        msg = self._webhook_message(call, rec)
        if isinstance(msg, Reply):
            return msg
        self._delete(msg)
        return Reply(204)

    # ------------------------------------------------------------------ driver: interactions

    def _as_member(self, guild: FakeGuild | None, who: FakeMember | FakeUser) -> FakeMember | FakeUser:
        if guild is None:
            return who.user if isinstance(who, FakeMember) else who
        if isinstance(who, FakeMember):
            return who
        member = guild.members.get(who.id)
        if member is None:
            raise DriverError(f"{who.username} is not a member of {guild.name}")
        return member

    def _base_payload(
        self,
        itype: int,
        data: JSON,
        guild: FakeGuild | None,
        channel: FakeChannel,
        who: FakeMember | FakeUser,
        locale: str | None,
        message: StoredMessage | None = None,
    ) -> InteractionRecord:
        who = self._as_member(guild, who)
        user = who.user if isinstance(who, FakeMember) else who
        iid = Snowflakes.next()
        token = "aW50ZXJhY3Rpb246" + secrets.token_urlsafe(48)
        bot_perms = self._bot_perms(channel)
        payload: JSON = {
            "id": str(iid),
            "application_id": str(self.application_id),
            "type": itype,
            "data": data,
            "token": token,
            "version": 1,
            "locale": locale or user.locale,
            "app_permissions": str(bot_perms),
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": self.attachment_size_limit,
            "channel_id": str(channel.id),
        }
        if guild is not None:
            assert isinstance(who, FakeMember)
            perms = guild.channel_permissions(who, channel)
            payload.update(
                guild_id=str(guild.id),
                guild_locale=guild.preferred_locale,
                guild={
                    "id": str(guild.id),
                    "locale": guild.preferred_locale,
                    "features": list(guild.features),
                },
                member=who.payload(permissions=perms),
                channel={**channel.payload(), "permissions": str(perms)},
                authorizing_integration_owners={"0": str(guild.id)},
                context=0,
            )
        else:
            payload.update(
                user=user.payload(),
                channel={**channel.payload(), "permissions": str(P.ALL)},
                authorizing_integration_owners={"1": str(user.id)},
                context=1,
            )
        if message is not None:
            payload["message"] = message.payload
        rec = InteractionRecord(
            id=iid,
            token=token,
            type=itype,
            payload=payload,
            guild_id=guild.id if guild else None,
            channel_id=channel.id,
            user_id=user.id,
            source_message_id=message.id if message else None,
        )
        if message is not None:
            rec.original_message_id = message.id
        return rec

    async def _send_interaction(
        self,
        rec: InteractionRecord,
        *,
        wait: bool,
        timeout: float,  # noqa: ASYNC109
    ) -> InteractionHandle:
        if self.gateway.current is None:
            raise DriverError("no bot session on the fake gateway (is the bot started and identified?)")
        self.interactions[rec.id] = rec
        self._by_token[rec.token] = rec
        self.gateway.dispatch("INTERACTION_CREATE", rec.payload)
        handle = InteractionHandle(self, rec)
        if wait:
            await handle.wait_response(timeout)
        return handle

    def _resolve_value(
        self, opt: JSON, value: Any, guild: FakeGuild | None, resolved: JSON, *, focused: bool = False
    ) -> Any:
        otype = int(opt["type"])
        name = opt["name"]
        if focused:
            return str(value)
        if otype == 3:
            if not isinstance(value, str):
                raise DriverError(f"option {name!r} is a string option, got {value!r}")
            lo, hi = opt.get("min_length"), opt.get("max_length")
            if (lo is not None and len(value) < lo) or (hi is not None and len(value) > hi):
                raise DriverError(f"option {name!r}: length must be within [{lo}, {hi}]")
        elif otype == 4:
            if not isinstance(value, int) or isinstance(value, bool):
                raise DriverError(f"option {name!r} is an integer option, got {value!r}")
        elif otype == 10:
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise DriverError(f"option {name!r} is a number option, got {value!r}")
        elif otype == 5 and not isinstance(value, bool):
            raise DriverError(f"option {name!r} is a boolean option, got {value!r}")
        if otype in (4, 10):
            lo, hi = opt.get("min_value"), opt.get("max_value")
            if (lo is not None and value < lo) or (hi is not None and value > hi):
                raise DriverError(f"option {name!r}: {value} is outside [{lo}, {hi}]")
        if otype in (3, 4, 10) and opt.get("choices"):
            values = [c["value"] for c in opt["choices"]]
            if value not in values:
                raise DriverError(f"option {name!r}: {value!r} is not one of the choices {values}")
        if otype in (6, 7, 8, 9):
            return str(self._resolve_entity(otype, name, value, guild, resolved, opt))
        if otype == 11:
            if not isinstance(value, dict):
                raise DriverError(f"option {name!r} takes fake.upload(...)'s result")
            resolved.setdefault("attachments", {})[str(value["id"])] = value
            return str(value["id"])
        return value

    def _resolve_entity(
        self,
        otype: int,
        name: str,
        value: Any,
        guild: FakeGuild | None,
        resolved: JSON,
        opt: JSON | None = None,
    ) -> int:
        if isinstance(value, FakeMember | FakeUser) and otype in (6, 9):
            user = value.user if isinstance(value, FakeMember) else value
            resolved.setdefault("users", {})[str(user.id)] = user.payload()
            member = guild.members.get(user.id) if guild else None
            if member is not None and guild is not None:
                perms = guild.base_permissions(member)
                resolved.setdefault("members", {})[str(user.id)] = member.payload(
                    with_user=False, permissions=perms
                )
            return user.id
        if isinstance(value, FakeRole) and otype in (8, 9):
            resolved.setdefault("roles", {})[str(value.id)] = value.payload()
            return value.id
        if isinstance(value, FakeChannel) and otype == 7:
            types = (opt or {}).get("channel_types")
            if types and value.type not in types:
                raise DriverError(f"option {name!r} accepts channel types {types}, not {value.type}")
            data = {**value.payload(), "permissions": str(P.ALL)}
            resolved.setdefault("channels", {})[str(value.id)] = data
            return value.id
        raise DriverError(f"option {name!r} (type {otype}) can't take {value!r}")

    def _command_data(
        self,
        guild: FakeGuild | None,
        member: FakeMember | FakeUser,
        command: str,
        options: dict[str, Any] | None,
        *,
        focused: str | None = None,
        check_permissions: bool = True,
    ) -> JSON:
        parts = command.split()
        cmd = self.find_command(parts[0], guild)
        if check_permissions:
            self._check_command_access(cmd, guild, member)
        data: JSON = {"id": cmd["id"], "name": cmd["name"], "type": 1}
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        resolved: JSON = {}
        schema: list[JSON] = list(cmd.get("options") or [])
        container: list[JSON] = []
        data["options"] = container
        for sub in parts[1:]:
            opt = next((o for o in schema if o["name"] == sub and o["type"] in (1, 2)), None)
            if opt is None:
                names = [o["name"] for o in schema if o["type"] in (1, 2)]
                raise DriverError(f"/{command}: no subcommand (group) {sub!r}; there are {names}")
            entry: JSON = {"type": opt["type"], "name": sub, "options": []}
            container.append(entry)
            container = entry["options"]
            schema = list(opt.get("options") or [])
        if any(o["type"] in (1, 2) for o in schema):
            names = [o["name"] for o in schema]
            raise DriverError(f"/{command} needs a subcommand: one of {names}")
        given = dict(options or {})
        for name, value in given.items():
            opt = next((o for o in schema if o["name"] == name), None)
            if opt is None:
                raise DriverError(f"/{command} has no option {name!r}; it has {[o['name'] for o in schema]}")
            is_focused = name == focused
            item: JSON = {
                "type": opt["type"],
                "name": name,
                "value": self._resolve_value(opt, value, guild, resolved, focused=is_focused),
            }
            if is_focused:
                item["focused"] = True
            container.append(item)
        if focused is None:
            missing = [o["name"] for o in schema if o.get("required") and o["name"] not in given]
            if missing:
                raise DriverError(f"/{command}: required options missing: {missing}")
        elif focused not in given:
            raise DriverError(f"autocomplete: focused option {focused!r} needs a value in options")
        else:
            opt = next(o for o in schema if o["name"] == focused)
            if not opt.get("autocomplete"):
                raise DriverError(f"/{command} option {focused!r} has no autocomplete")
        if resolved:
            data["resolved"] = resolved
        return data

    def _check_command_access(self, cmd: JSON, guild: FakeGuild | None, who: FakeMember | FakeUser) -> None:
        if guild is None:
            contexts = cmd.get("contexts")
            if (
                (contexts is not None and 1 not in contexts)
                or cmd.get("dm_permission") is False
                or cmd.get("guild_id")
            ):
                raise DriverError(f"/{cmd['name']} can't be used in DMs")
            return
        member = self._as_member(guild, who)
        assert isinstance(member, FakeMember)
        needed = cmd.get("default_member_permissions")
        if needed is not None:
            have = guild.base_permissions(member)
            need = int(needed)
            if need == 0 and not have & P.ADMINISTRATOR:
                raise DriverError(f"/{cmd['name']} is disabled for everyone but admins")
            if have & need != need:
                raise DriverError(
                    f"{member.user.username} can't see /{cmd['name']}: it needs permissions {need:#x}, they have {have:#x}"
                )

    async def invoke(
        self,
        guild: FakeGuild | None,
        channel: FakeChannel,
        member: FakeMember | FakeUser,
        command: str,
        options: dict[str, Any] | None = None,
        *,
        locale: str | None = None,
        wait: bool = True,
        timeout: float = 5.0,  # noqa: ASYNC109
        check_permissions: bool = True,
    ) -> InteractionHandle:
        """Run a slash command as `member` typed it: `"quiz"`, `"admin bank reload"` (groups/subcommands).

        `options` maps option names to Python values: str/int/float/bool, a FakeMember/FakeUser,
        FakeRole or FakeChannel (resolved data is filled in), or `fake.upload(...)` for attachments.
        """
        data = self._command_data(guild, member, command, options, check_permissions=check_permissions)
        rec = self._base_payload(InteractionType.APPLICATION_COMMAND, data, guild, channel, member, locale)
        return await self._send_interaction(rec, wait=wait, timeout=timeout)

    async def invoke_context_menu(
        self,
        guild: FakeGuild | None,
        channel: FakeChannel,
        member: FakeMember | FakeUser,
        name: str,
        target: FakeMember | FakeUser | StoredMessage,
        *,
        locale: str | None = None,
        wait: bool = True,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> InteractionHandle:
        """Run a user (right-click a member) or message context-menu command."""
        ctype = 3 if isinstance(target, StoredMessage) else 2
        cmd = self.find_command(name, guild, type=ctype)
        self._check_command_access(cmd, guild, member)
        resolved: JSON = {}
        if isinstance(target, StoredMessage):
            resolved["messages"] = {str(target.id): target.payload}
            target_id = target.id
        else:
            target_id = self._resolve_entity(6, name, target, guild, resolved)
        data: JSON = {
            "id": cmd["id"],
            "name": name,
            "type": ctype,
            "target_id": str(target_id),
            "resolved": resolved,
        }
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        rec = self._base_payload(InteractionType.APPLICATION_COMMAND, data, guild, channel, member, locale)
        return await self._send_interaction(rec, wait=wait, timeout=timeout)

    async def autocomplete(
        self,
        guild: FakeGuild | None,
        channel: FakeChannel,
        member: FakeMember | FakeUser,
        command: str,
        focused: str,
        value: str = "",
        options: dict[str, Any] | None = None,
        *,
        locale: str | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> InteractionHandle:
        """The user typed `value` into option `focused`; `handle.choices` holds the bot's answer."""
        opts = dict(options or {})
        opts[focused] = value
        data = self._command_data(guild, member, command, opts, focused=focused)
        rec = self._base_payload(InteractionType.AUTOCOMPLETE, data, guild, channel, member, locale)
        return await self._send_interaction(rec, wait=True, timeout=timeout)

    def _message_context(
        self, message: StoredMessage | int
    ) -> tuple[StoredMessage, FakeGuild | None, FakeChannel]:
        msg = message if isinstance(message, StoredMessage) else self.messages[message]
        msg = self.messages.get(msg.id, msg)
        if msg.deleted:
            raise DriverError(f"message {msg.id} was deleted")
        channel = self.channels[msg.channel_id]
        guild = self.guilds.get(msg.guild_id) if msg.guild_id else None
        return msg, guild, channel

    async def click(
        self,
        message: StoredMessage | int,
        custom_id: str,
        member: FakeMember | FakeUser,
        *,
        locale: str | None = None,
        wait: bool = True,
        timeout: float = 5.0,  # noqa: ASYNC109
        allow_disabled: bool = False,
    ) -> InteractionHandle:
        """Click the button `custom_id` on a message the bot posted (as it is now in the fake)."""
        msg, guild, channel = self._message_context(message)
        comp = msg.component(custom_id)
        if comp.get("type") != 2:
            raise DriverError(
                f"{custom_id!r} is a component of type {comp.get('type')}, not a button; use select()"
            )
        if comp.get("disabled") and not allow_disabled:
            raise DriverError(f"button {custom_id!r} is disabled")
        data: JSON = {"custom_id": custom_id, "component_type": 2}
        if isinstance(comp.get("id"), int):
            data["id"] = comp["id"]
        rec = self._base_payload(InteractionType.MESSAGE_COMPONENT, data, guild, channel, member, locale, msg)
        return await self._send_interaction(rec, wait=wait, timeout=timeout)

    async def select(
        self,
        message: StoredMessage | int,
        custom_id: str,
        values: list[Any],
        member: FakeMember | FakeUser,
        *,
        locale: str | None = None,
        wait: bool = True,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> InteractionHandle:
        """Pick `values` in a select menu (option values for string selects; fakes for the others)."""
        msg, guild, channel = self._message_context(message)
        comp = msg.component(custom_id)
        ctype = int(comp.get("type") or 0)
        if ctype not in SELECT_TYPES:
            raise DriverError(f"{custom_id!r} is not a select menu (type {ctype})")
        if comp.get("disabled"):
            raise DriverError(f"select {custom_id!r} is disabled")
        lo, hi = int(comp.get("min_values", 1)), int(comp.get("max_values", 1))
        if not lo <= len(values) <= hi:
            raise DriverError(f"select {custom_id!r} takes {lo}..{hi} values, got {len(values)}")
        data: JSON = {"custom_id": custom_id, "component_type": ctype}
        if isinstance(comp.get("id"), int):
            data["id"] = comp["id"]
        data["values"], resolved = self._select_values(comp, values, guild)
        if resolved:
            data["resolved"] = resolved
        rec = self._base_payload(InteractionType.MESSAGE_COMPONENT, data, guild, channel, member, locale, msg)
        return await self._send_interaction(rec, wait=wait, timeout=timeout)

    def _select_values(
        self, comp: JSON, values: list[Any], guild: FakeGuild | None
    ) -> tuple[list[str], JSON]:
        ctype = int(comp.get("type") or 0)
        resolved: JSON = {}
        if ctype == STRING_SELECT:
            allowed = [o["value"] for o in comp.get("options") or []]
            for v in values:
                if v not in allowed:
                    raise DriverError(
                        f"{v!r} is not an option of select {comp.get('custom_id')!r}: {allowed}"
                    )
            return [str(v) for v in values], resolved
        otype = {5: 6, 6: 8, 7: 9, 8: 7}[ctype]
        ids = [
            str(self._resolve_entity(otype, str(comp.get("custom_id")), v, guild, resolved)) for v in values
        ]
        return ids, resolved

    async def submit_modal(
        self,
        opened_by: InteractionHandle,
        values: dict[str, Any],
        member: FakeMember | FakeUser | None = None,
        *,
        locale: str | None = None,
        wait: bool = True,
        timeout: float = 5.0,  # noqa: ASYNC109
        client_checks: bool = True,
    ) -> InteractionHandle:
        """Fill in and submit the modal the bot opened in answer to `opened_by`.

        `values` maps each input's custom_id to its text (or a list of values for selects in labels).
        As a Discord client, the driver refuses a required input left empty, a text outside its
        lengths and a select outside its number of values; `client_checks=False` sends them anyway
        (a modified client: for the bot's own checks).
        """
        modal = opened_by.modal
        src = opened_by.record
        guild = self.guilds.get(src.guild_id) if src.guild_id else None
        channel = self.channels[src.channel_id]
        who: FakeMember | FakeUser = member or (
            guild.members[src.user_id] if guild else self.users[src.user_id]
        )
        resolved: JSON = {}
        used: set[str] = set()

        def submitted(comp: JSON) -> JSON:
            ctype = int(comp.get("type") or 0)
            cid = comp.get("custom_id")
            out: JSON = {"type": ctype, "id": comp.get("id")}
            if cid is not None:
                out["custom_id"] = cid
            if ctype == TEXT_INPUT:
                text = values.get(cid, comp.get("value") or "") if cid else ""
                if cid in values:
                    used.add(cid)
                if client_checks and comp.get("required", True) and not text:
                    raise DriverError(f"modal input {cid!r} is required")
                lo, hi = comp.get("min_length"), comp.get("max_length")
                too_short_or_long = (lo is not None and len(text) < lo) or (hi is not None and len(text) > hi)
                if client_checks and text and too_short_or_long:
                    raise DriverError(f"modal input {cid!r}: length must be within [{lo}, {hi}]")
                out["value"] = str(text)
            elif ctype in SELECT_TYPES:
                chosen = values.get(cid, []) if cid else []
                if cid in values:
                    used.add(cid)
                if client_checks and comp.get("required", True) and not chosen:
                    raise DriverError(f"modal select {cid!r} is required")
                lo, hi = int(comp.get("min_values", 1)), int(comp.get("max_values", 1))
                if client_checks and chosen and not lo <= len(chosen) <= hi:
                    raise DriverError(f"modal select {cid!r} takes {lo} to {hi} values, not {len(chosen)}")
                vals, res = self._select_values(comp, list(chosen), guild)
                for k, v in res.items():
                    resolved.setdefault(k, {}).update(v)
                out["values"] = vals
            elif ctype == 1:
                out["components"] = [submitted(c) for c in comp.get("components") or []]
            elif ctype == LABEL:
                out["component"] = submitted(comp["component"])
            return out

        comps = [submitted(c) for c in modal.get("components") or []]
        unknown = set(values) - used
        if unknown:
            have = [
                c.get("custom_id")
                for c in walk_components(modal.get("components") or [])
                if c.get("custom_id")
            ]
            raise DriverError(f"modal has no inputs {sorted(unknown)}; it has {have}")
        data: JSON = {"custom_id": modal["custom_id"], "components": comps}
        if resolved:
            data["resolved"] = resolved
        source = self.messages.get(src.source_message_id) if src.source_message_id else None
        rec = self._base_payload(InteractionType.MODAL_SUBMIT, data, guild, channel, who, locale, source)
        return await self._send_interaction(rec, wait=wait, timeout=timeout)


_NO_MESSAGE = StoredMessage(id=0, channel_id=0, guild_id=None, payload={})
