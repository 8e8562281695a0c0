"""Interactions the fake sent to the bot, and the handles tests get back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tests.fakediscord.messages import EPHEMERAL, StoredMessage
from tests.fakediscord.models import JSON
from tests.fakediscord.recorder import Call, UploadedFile

if TYPE_CHECKING:
    from tests.fakediscord.server import FakeDiscord


class InteractionType:
    PING = 1
    APPLICATION_COMMAND = 2
    MESSAGE_COMPONENT = 3
    AUTOCOMPLETE = 4
    MODAL_SUBMIT = 5


class Callback:
    """Interaction callback (response) types."""

    PONG = 1
    CHANNEL_MESSAGE = 4
    DEFERRED_CHANNEL_MESSAGE = 5
    DEFERRED_UPDATE_MESSAGE = 6
    UPDATE_MESSAGE = 7
    AUTOCOMPLETE_RESULT = 8
    MODAL = 9
    LAUNCH_ACTIVITY = 12


@dataclass
class CallbackRecord:
    """What the bot answered to POST /interactions/{id}/{token}/callback."""

    type: int
    data: JSON
    files: list[UploadedFile]
    call: Call

    @property
    def content(self) -> str:
        return str(self.data.get("content") or "")

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.data.get("flags") or 0) & EPHEMERAL)


@dataclass(eq=False)
class InteractionRecord:
    id: int
    token: str
    type: int
    payload: JSON
    guild_id: int | None
    channel_id: int
    user_id: int
    #: The message a component / modal-from-component interaction came from.
    source_message_id: int | None = None
    callback: CallbackRecord | None = None
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    followup_replaced_loading: bool = False
    #: perf_counter when the fake wrote the INTERACTION_CREATE frame / got the callback.
    dispatched_at: float | None = None
    responded_at: float | None = None
    created_at: float = field(default_factory=time.perf_counter)
    callback_future: asyncio.Future[CallbackRecord] = field(
        default_factory=lambda: asyncio.get_running_loop().create_future()
    )

    @property
    def acknowledged(self) -> bool:
        return self.callback is not None


class InteractionHandle:
    """What `fake.invoke / autocomplete / click / select / submit_modal` return.

    After `await fake.invoke(...)` (default `wait=True`) the bot has answered:
    `handle.callback` is set. Everything the bot later does with this
    interaction's token (edits, follow-ups) is reachable from here.
    """

    def __init__(self, fake: FakeDiscord, record: InteractionRecord) -> None:
        self.fake = fake
        self.record = record

    def __repr__(self) -> str:
        cb = self.record.callback
        answered = f" answered={cb.type}" if cb else ""
        return f"<InteractionHandle id={self.id} type={self.record.type}{answered}>"

    @property
    def id(self) -> int:
        return self.record.id

    @property
    def token(self) -> str:
        return self.record.token

    @property
    def payload(self) -> JSON:
        """The INTERACTION_CREATE `d` the bot received."""
        return self.record.payload

    async def wait_response(self, timeout: float = 5.0) -> CallbackRecord:  # noqa: ASYNC109
        try:
            return await asyncio.wait_for(asyncio.shield(self.record.callback_future), timeout)
        except TimeoutError:
            calls = self.fake.calls.items[-6:]
            raise TimeoutError(
                f"the bot did not answer interaction {self.id} within {timeout}s; last calls: {calls}; "
                f"{self.fake.diagnose()}"
            ) from None

    @property
    def callback(self) -> CallbackRecord:
        if self.record.callback is None:
            raise AssertionError(f"interaction {self.id} has not been answered (yet)")
        return self.record.callback

    @property
    def answered(self) -> bool:
        return self.record.callback is not None

    @property
    def response_type(self) -> int:
        return self.callback.type

    @property
    def data(self) -> JSON:
        return self.callback.data

    @property
    def content(self) -> str:
        """The callback's content (for type 4/7), else the original message's current content."""
        if self.callback.data.get("content") is not None:
            return self.callback.content
        msg = self.message
        return msg.content if msg else ""

    @property
    def ephemeral(self) -> bool:
        msg = self.message
        return msg.ephemeral if msg is not None else self.callback.ephemeral

    @property
    def embeds(self) -> list[JSON]:
        msg = self.message
        return msg.embeds if msg else list(self.callback.data.get("embeds") or [])

    @property
    def components(self) -> list[JSON]:
        msg = self.message
        return msg.components if msg else list(self.callback.data.get("components") or [])

    @property
    def choices(self) -> list[JSON]:
        """Autocomplete result choices (callback type 8)."""
        if self.callback.type != Callback.AUTOCOMPLETE_RESULT:
            raise AssertionError(f"callback type is {self.callback.type}, not an autocomplete result")
        return list(self.callback.data.get("choices") or [])

    @property
    def modal(self) -> JSON:
        """The modal the bot opened (callback type 9)."""
        if self.callback.type != Callback.MODAL:
            raise AssertionError(f"callback type is {self.callback.type}, not a modal")
        return self.callback.data

    @property
    def latency(self) -> float | None:
        """Seconds from the INTERACTION_CREATE frame leaving the fake to the callback arriving."""
        r = self.record
        if r.dispatched_at is None or r.responded_at is None:
            return None
        return r.responded_at - r.dispatched_at

    # --- messages made with this interaction ---

    @property
    def message(self) -> StoredMessage | None:
        """The 'original' message: the response message (4/5), or the clicked one (6/7)."""
        mid = self.record.original_message_id
        return self.fake.messages.get(mid) if mid is not None else None

    @property
    def followups(self) -> list[StoredMessage]:
        return [self.fake.messages[m] for m in self.record.followup_ids if m in self.fake.messages]

    @property
    def calls(self) -> list[Call]:
        """Every HTTP call made with this interaction's id or token."""
        return self.fake.calls.filter(self._mine)

    def _mine(self, call: Call) -> bool:
        p = call.params
        return p.get("interaction_token") == self.token or p.get("webhook_token") == self.token

    async def wait_followup(self, index: int = 0, timeout: float = 5.0) -> StoredMessage:  # noqa: ASYNC109
        """The `index`-th follow-up message (0 = first)."""

        def ready(_: Any = None) -> bool:
            return len(self.record.followup_ids) > index

        if not ready():
            await self.fake.message_events.wait_for(lambda e: ready(), timeout)
        return self.fake.messages[self.record.followup_ids[index]]

    async def wait_original(
        self,
        predicate: Callable[[StoredMessage], bool] = lambda m: not m.loading,
        timeout: float = 5.0,  # noqa: ASYNC109
    ) -> StoredMessage:
        """The original message once `predicate` holds (default: no longer 'thinking')."""

        def current() -> StoredMessage | None:
            msg = self.message
            return msg if msg is not None and predicate(msg) else None

        found = current()
        if found is None:
            await self.fake.message_events.wait_for(lambda e: current() is not None, timeout)
            found = current()
        assert found is not None
        return found

    async def wait_call(self, predicate: Callable[[Call], bool], timeout: float = 5.0) -> Call:  # noqa: ASYNC109
        """A call made with this interaction's token that matches `predicate`."""
        return await self.fake.calls.wait_for(lambda c: self._mine(c) and predicate(c), timeout)
