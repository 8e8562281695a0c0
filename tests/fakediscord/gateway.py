"""The fake gateway: a websocket speaking Discord's gateway protocol (v10, JSON).

HELLO -> IDENTIFY -> READY (guilds unavailable) + one GUILD_CREATE per guild,
HEARTBEAT -> HEARTBEAT_ACK, RESUME -> replay of missed events + RESUMED, and
faults: drop the connection (clean close code or abrupt), op 7 RECONNECT,
op 9 INVALID_SESSION.

When the client asks for `compress=zlib-stream` (discord.py does when it has
no zstd), frames go out as one shared zlib stream, each flushed with
Z_SYNC_FLUSH, exactly like Discord; otherwise as plain text frames (which
discord.py also accepts).

Events are numbered per session and kept, so a RESUME gets exactly the events
it missed, including those dispatched while the bot was disconnected.

Shards: an IDENTIFY with `shard: [id, count]` (count > 1) opens a session of that shard beside
the others (a second IDENTIFY of the same shard takes it over); a server's events, its READY entry
and its GUILD_CREATE go only to the session of its shard, `(guild_id >> 22) % count`, and events
of no server (DMs) to shard 0, as Discord does.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
import zlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from tests.fakediscord import jsonfast
from tests.fakediscord.models import JSON, FakeGuild
from tests.fakediscord.recorder import Frame, Log

if TYPE_CHECKING:
    from tests.fakediscord.server import FakeDiscord

log = logging.getLogger("fakediscord.gateway")

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, VOICE_STATE = 0, 1, 2, 3, 4
RESUME, RECONNECT, REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 6, 7, 8, 9, 10, 11


class Intent:
    GUILDS = 1 << 0
    GUILD_MEMBERS = 1 << 1
    GUILD_MESSAGES = 1 << 9
    GUILD_MESSAGE_REACTIONS = 1 << 10
    DIRECT_MESSAGES = 1 << 12
    DIRECT_MESSAGE_REACTIONS = 1 << 13
    MESSAGE_CONTENT = 1 << 15


@dataclass(eq=False)
class Session:
    id: str
    token: str
    intents: int
    shard: tuple[int, int] | None
    seq: int = 0

    @property
    def shard_count(self) -> int:
        return self.shard[1] if self.shard is not None else 1

    #: Every event sent in this session: (seq, name, data), for RESUME.
    events: list[tuple[int, str, JSON]] = field(default_factory=list)
    conn: Connection | None = None
    large_threshold: int = 50
    #: False once closed with 1000/1001 or invalidated: it can't be resumed.
    resumable: bool = True

    def wants(self, intent: int | None) -> bool:
        return intent is None or bool(self.intents & intent)


@dataclass(eq=False)
class Connection:
    n: int
    ws: web.WebSocketResponse
    request: web.Request
    compress: bool
    path: str
    session: Session | None = None
    identified: bool = False
    queue: asyncio.Queue[JSON | None] = field(default_factory=asyncio.Queue)
    closed: asyncio.Event = field(default_factory=asyncio.Event)
    close_code: int | None = None
    closed_by_fake: bool = False
    _zlib: Any = None

    def encode(self, payload: JSON) -> str | bytes:
        text = jsonfast.dumps(payload)
        if not self.compress:
            return text
        if self._zlib is None:
            self._zlib = zlib.compressobj()
        frame: bytes = self._zlib.compress(text.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
        return frame


class Gateway:
    """The gateway side of the fake. Reach it as `fake.gateway`."""

    def __init__(self, fake: FakeDiscord, *, heartbeat_interval: int = 41250, compress: bool = True) -> None:
        self.fake = fake
        self.heartbeat_interval = heartbeat_interval
        #: Honour `compress=zlib-stream`; False sends text frames whatever the client asks.
        self.compress = compress
        #: False: heartbeats go unanswered (a zombie connection).
        self.ack_heartbeats = True
        #: True: every RESUME is answered with INVALID_SESSION(false).
        self.refuse_resume = False
        self.frames: Log[Frame] = Log("gateway frame")
        self.sessions: dict[str, Session] = {}
        self.connections: list[Connection] = []
        self.current: Session | None = None
        #: The sessions of a sharded bot, by shard id (IDENTIFY with a shard count above 1).
        self.shards: dict[int, Session] = {}
        self._frame_seq = 0
        self._writers: set[asyncio.Task[None]] = set()

    # --- introspection ---

    @property
    def connection(self) -> Connection | None:
        """The live connection of the current session, if any."""
        s = self.current
        return s.conn if s is not None else None

    def identifies(self) -> list[Frame]:
        return self.frames.filter(lambda f: f.direction == "recv" and f.op == IDENTIFY)

    async def wait_frame(self, predicate: Any, timeout: float = 5.0, *, since: int = 0) -> Frame:  # noqa: ASYNC109
        return await self.frames.wait_for(predicate, timeout, since=since)

    async def wait_identify(self, timeout: float = 5.0, *, since: int = 0) -> Frame:  # noqa: ASYNC109
        return await self.frames.wait_for(
            lambda f: f.direction == "recv" and f.op == IDENTIFY, timeout, since=since
        )

    async def wait_resumed(self, timeout: float = 5.0, *, since: int = 0) -> Frame:  # noqa: ASYNC109
        """The RESUMED the fake sent after a RESUME from the bot."""
        return await self.frames.wait_for(
            lambda f: f.direction == "send" and f.t == "RESUMED", timeout, since=since
        )

    async def wait_ready_sent(self, timeout: float = 5.0, *, since: int = 0) -> Frame:  # noqa: ASYNC109
        return await self.frames.wait_for(
            lambda f: f.direction == "send" and f.t == "READY", timeout, since=since
        )

    def mark(self) -> int:
        return len(self.frames)

    # --- sending ---

    def _record(self, direction: str, conn: Connection, payload: JSON) -> Frame:
        self._frame_seq += 1
        frame = Frame(
            seq=self._frame_seq,
            direction=direction,
            connection=conn.n,
            op=payload.get("op"),
            t=payload.get("t"),
            s=payload.get("s"),
            d=payload.get("d"),
        )
        self.frames.append(frame)
        return frame

    def _enqueue(self, conn: Connection, payload: JSON) -> None:
        if not conn.closed.is_set():
            conn.queue.put_nowait(payload)

    async def _writer(self, conn: Connection) -> None:
        try:
            while True:
                payload = await conn.queue.get()
                if payload is None or conn.ws.closed:
                    return
                data = conn.encode(payload)
                self._record("send", conn, payload)
                if isinstance(data, bytes):
                    await conn.ws.send_bytes(data)
                else:
                    await conn.ws.send_str(data)
                if payload.get("t") == "INTERACTION_CREATE":
                    self.fake._interaction_sent(payload["d"])
        except (ConnectionResetError, RuntimeError) as exc:  # the socket went away under us
            log.debug("gateway writer %s stopped: %s", conn.n, exc)

    def session_for(self, guild_id: int | None) -> Session | None:
        """The session that gets a server's events: its shard's when the bot is sharded (shard 0
        for events of no server), else the current one."""
        if not self.shards:
            return self.current
        count = next(iter(self.shards.values())).shard_count
        return self.shards.get(0 if guild_id is None else (guild_id >> 22) % count)

    def dispatch(
        self,
        event: str,
        data: JSON,
        *,
        intent: int | None = None,
        guild_id: int | None = None,
        session: Session | None = None,
    ) -> int | None:
        """Send a DISPATCH to `session`, or to the session of the event's server (`guild_id`, else
        `data["guild_id"]`; see `session_for`); kept for RESUME while it is disconnected.

        Returns the sequence number, or None when no session wants the event
        (no bot connected, or its intents exclude `intent`).
        """
        if session is None:
            if guild_id is None and isinstance(data, dict) and data.get("guild_id"):
                guild_id = int(data["guild_id"])
            session = self.session_for(guild_id)
        if session is None or not session.wants(intent):
            return None
        session.seq += 1
        session.events.append((session.seq, event, data))
        if session.conn is not None:
            self._enqueue(session.conn, {"op": DISPATCH, "t": event, "s": session.seq, "d": data})
        return session.seq

    def guild_create(self, guild: FakeGuild) -> int | None:
        """GUILD_CREATE for `guild` to its shard's session, with members as its intents allow."""
        session = self.session_for(guild.id)
        if session is None:
            return None
        payload = guild.create_payload(
            all_members=bool(session.intents & Intent.GUILD_MEMBERS),
            bot_id=self.fake.bot_user.id,
            large_threshold=session.large_threshold,
        )
        return self.dispatch("GUILD_CREATE", payload, intent=Intent.GUILDS, session=session)

    def send_op(self, op: int, d: Any = None) -> None:
        conn = self.connection
        if conn is None:
            raise RuntimeError("no gateway connection")
        self._enqueue(conn, {"op": op, "d": d, "s": None, "t": None})

    async def sync(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Return once the bot has processed every event sent so far.

        Sends op 1 HEARTBEAT (Discord may ask for one at any time); discord.py answers from
        its main receive loop with the last sequence number it handled, and handles frames
        in order, so the answer proves its cache has seen every earlier event.
        """
        sessions = list(self.shards.values()) if self.shards else [self.current]
        for session in sessions:
            if session is None or session.conn is None:
                raise RuntimeError("no connected bot session to sync with")
            conn, target = session.conn, session.seq
            mark = self.mark()
            self._enqueue(conn, {"op": HEARTBEAT, "d": None, "s": None, "t": None})
            await self.frames.wait_for(
                lambda f, c=conn, s=target: (
                    f.direction == "recv" and f.op == HEARTBEAT and f.connection == c.n and int(f.d or 0) >= s
                ),
                timeout,
                since=mark,
            )

    # --- faults ---

    async def drop(self, *, code: int = 4000, abrupt: bool = False, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Close the current connection (the session stays resumable).

        `code` 4000 (unknown error) makes discord.py RESUME; `abrupt=True` kills
        the TCP connection without a close frame.
        """
        conn = self.connection
        if conn is None:
            raise RuntimeError("no gateway connection to drop")
        await self._close(conn, code=code, abrupt=abrupt)
        await asyncio.wait_for(conn.closed.wait(), timeout)

    async def send_reconnect(self) -> None:
        """op 7 RECONNECT: the bot closes and RESUMEs."""
        self.send_op(RECONNECT)

    async def invalidate_session(self, *, resumable: bool = False) -> None:
        """op 9 INVALID_SESSION: with resumable=False the bot IDENTIFYs anew."""
        if self.current is not None and not resumable:
            self.current.resumable = False
        self.send_op(INVALID_SESSION, resumable)

    async def _close(self, conn: Connection, *, code: int, abrupt: bool = False) -> None:
        conn.closed_by_fake = True
        conn.queue.put_nowait(None)
        if abrupt:
            transport = conn.request.transport
            if transport is not None:
                transport.abort()
            conn.closed.set()
            return
        with contextlib.suppress(Exception):
            await conn.ws.close(code=code, message=b"fakediscord closed the connection")

    async def close_all(self) -> None:
        for conn in list(self.connections):
            if not conn.closed.is_set():
                await self._close(conn, code=1001)
        for task in list(self._writers):
            task.cancel()
        self.connections.clear()

    # --- the websocket ---

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse(max_msg_size=0, autoping=True)
        await ws.prepare(request)
        wants_zlib = request.query.get("compress") == "zlib-stream"
        conn = Connection(
            n=len(self.connections) + 1,
            ws=ws,
            request=request,
            compress=self.compress and wants_zlib,
            path=request.path,
        )
        self.connections.append(conn)
        writer = asyncio.create_task(self._writer(conn), name=f"fakediscord-gw-writer-{conn.n}")
        self._writers.add(writer)
        writer.add_done_callback(self._writers.discard)
        if request.query.get("encoding", "json") != "json":
            await ws.close(code=4002, message=b"only encoding=json is supported by the fake")
            return ws
        self._enqueue(
            conn, {"op": HELLO, "d": {"heartbeat_interval": self.heartbeat_interval}, "s": None, "t": None}
        )
        try:
            async for msg in ws:
                if msg.type is WSMsgType.TEXT:
                    await self._received(conn, jsonfast.loads(msg.data))
                elif msg.type is WSMsgType.BINARY:
                    await self._received(conn, jsonfast.loads(zlib.decompress(msg.data)))
                elif msg.type is WSMsgType.ERROR:
                    break
        finally:
            conn.close_code = ws.close_code
            conn.closed.set()
            conn.queue.put_nowait(None)
            session = conn.session
            if session is not None and session.conn is conn:
                session.conn = None
                # Discord ends a session closed by the client with 1000/1001.
                if ws.close_code in (1000, 1001) and not conn.closed_by_fake:
                    session.resumable = False
                    if self.current is session:
                        self.current = None
                    if session.shard is not None and self.shards.get(session.shard[0]) is session:
                        del self.shards[session.shard[0]]
        return ws

    async def _received(self, conn: Connection, payload: JSON) -> None:
        self._record("recv", conn, payload)
        op = payload.get("op")
        d = payload.get("d")
        if op == HEARTBEAT:
            if self.ack_heartbeats:
                self._enqueue(conn, {"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == IDENTIFY:
            await self._identify(conn, d or {})
        elif op == RESUME:
            await self._resume(conn, d or {})
        elif op == REQUEST_MEMBERS:
            self._request_members(conn, d or {})
        elif op in (PRESENCE, VOICE_STATE):
            pass
        else:
            log.warning("fake gateway: unknown op %s", op)

    async def _identify(self, conn: Connection, d: JSON) -> None:
        token = str(d.get("token") or "")
        if not self.fake.token_ok(token):
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        if conn.identified:
            await conn.ws.close(code=4005, message=b"Already authenticated.")
            return
        shard = d.get("shard")
        session = Session(
            id=secrets.token_hex(16),
            token=token,
            intents=int(d.get("intents") or 0),
            shard=(int(shard[0]), int(shard[1])) if shard else None,
        )
        sharded = session.shard is not None and session.shard_count > 1
        if sharded and any(s.shard_count != session.shard_count for s in self.shards.values()):
            await conn.ws.close(code=4011, message=b"Sharding required.")  # another shard count
            return
        previous = self.shards.get(session.shard[0]) if sharded and session.shard else self.current
        if previous is not None and previous.conn is not None and previous.conn is not conn:
            # A second bot took over: the old session's connection is closed like Discord would.
            old = previous.conn
            previous.resumable = False
            await self._close(old, code=4009)
        if sharded and session.shard is not None:
            self.shards[session.shard[0]] = session
        self.sessions[session.id] = session
        self.current = session
        session.conn = conn
        conn.session = session
        conn.identified = True
        guilds = [g for g in self.fake.bot_guilds() if self._in_shard(session, g.id)]
        ready: JSON = {
            "v": 10,
            "user": {**self.fake.bot_user.payload(), "verified": True, "mfa_enabled": False, "email": None},
            "guilds": [{"id": str(g.id), "unavailable": True} for g in guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": self.fake.resume_gateway_url,
            "application": {"id": str(self.fake.application_id), "flags": self.fake.application_flags},
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": [],
            "user_settings": {},
            "_trace": ['["fakediscord",{"micros":0}]'],
        }
        if session.shard is not None:
            ready["shard"] = list(session.shard)
        session.large_threshold = int(d.get("large_threshold") or 50)
        self.dispatch("READY", ready, session=session)
        for g in guilds:
            self.guild_create(g)

    @staticmethod
    def _in_shard(session: Session, guild_id: int) -> bool:
        if session.shard is None:
            return True
        shard_id, count = session.shard
        return (guild_id >> 22) % count == shard_id

    async def _resume(self, conn: Connection, d: JSON) -> None:
        session = self.sessions.get(str(d.get("session_id")))
        if (
            self.refuse_resume
            or session is None
            or not session.resumable
            or not self.fake.token_ok(str(d.get("token") or ""))
        ):
            self._enqueue(conn, {"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        if session.conn is not None and session.conn is not conn:
            await self._close(session.conn, code=4000)
        seq = int(d.get("seq") or 0)
        session.conn = conn
        conn.session = session
        conn.identified = True
        self.current = session
        if session.shard is not None and session.shard_count > 1:
            self.shards[session.shard[0]] = session
        for s, event, data in session.events:
            if s > seq:
                self._enqueue(conn, {"op": DISPATCH, "t": event, "s": s, "d": data})
        self.dispatch("RESUMED", {"_trace": ['["fakediscord",{"micros":0}]']}, session=session)

    def _request_members(self, conn: Connection, d: JSON) -> None:
        guild = self.fake.guilds.get(int(d.get("guild_id") or 0))
        if guild is None:
            return
        members = list(guild.members.values())
        if d.get("user_ids"):
            wanted = {int(u) for u in d["user_ids"]}
            members = [m for m in members if m.id in wanted]
        elif d.get("query"):
            q = str(d["query"]).lower()
            members = [m for m in members if m.user.username.lower().startswith(q)]
        limit = int(d.get("limit") or 0)
        if limit:
            members = members[:limit]
        chunk: JSON = {
            "guild_id": str(guild.id),
            "members": [m.payload() for m in members],
            "chunk_index": 0,
            "chunk_count": 1,
        }
        if d.get("nonce"):
            chunk["nonce"] = d["nonce"]
        self.dispatch("GUILD_MEMBERS_CHUNK", chunk)
