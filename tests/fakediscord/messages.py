"""Messages the bot posted (channel messages, interaction responses, follow-ups)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from tests.fakediscord.models import JSON

EPHEMERAL = 1 << 6
LOADING = 1 << 7
IS_COMPONENTS_V2 = 1 << 15

# Component types
ACTION_ROW = 1
BUTTON = 2
STRING_SELECT = 3
TEXT_INPUT = 4
USER_SELECT = 5
ROLE_SELECT = 6
MENTIONABLE_SELECT = 7
CHANNEL_SELECT = 8
SECTION = 9
CONTAINER = 17
LABEL = 18
SELECT_TYPES = (STRING_SELECT, USER_SELECT, ROLE_SELECT, MENTIONABLE_SELECT, CHANNEL_SELECT)


def walk_components(components: list[JSON]) -> Iterator[JSON]:
    """Every component, depth first (rows, containers, sections, labels and their children)."""
    for comp in components:
        yield comp
        for key in ("components",):
            children = comp.get(key)
            if isinstance(children, list):
                yield from walk_components(children)
        for key in ("accessory", "component"):
            child = comp.get(key)
            if isinstance(child, dict):
                yield from walk_components([child])


def number_components(components: list[JSON], start: int = 1) -> int:
    """Give every component without one an `id`, as Discord does; return the next free id."""
    used = {c["id"] for c in walk_components(components) if isinstance(c.get("id"), int)}
    n = start
    for comp in walk_components(components):
        if not isinstance(comp.get("id"), int):
            while n in used:
                n += 1
            comp["id"] = n
            used.add(n)
    return n


@dataclass
class StoredMessage:
    """A message as the fake keeps it: the current payload plus every earlier version."""

    id: int
    channel_id: int
    guild_id: int | None
    payload: JSON
    #: The interaction whose response or follow-up created it, if any.
    interaction_id: int | None = None
    deleted: bool = False
    versions: list[JSON] = field(default_factory=list)
    #: Reactions the bot added: emoji -> set of user ids.
    reactions: dict[str, set[int]] = field(default_factory=dict)

    # --- convenient accessors ---

    @property
    def content(self) -> str:
        return str(self.payload.get("content") or "")

    @property
    def embeds(self) -> list[JSON]:
        return list(self.payload.get("embeds") or [])

    @property
    def components(self) -> list[JSON]:
        return list(self.payload.get("components") or [])

    @property
    def attachments(self) -> list[JSON]:
        return list(self.payload.get("attachments") or [])

    @property
    def flags(self) -> int:
        return int(self.payload.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def loading(self) -> bool:
        return bool(self.flags & LOADING)

    @property
    def edited(self) -> bool:
        return bool(self.versions)

    def text(self) -> str:
        """Content, embed titles/descriptions/fields and V2 text displays, for loose assertions."""
        parts = [self.content]
        for e in self.embeds:
            parts += [e.get("title") or "", e.get("description") or ""]
            for f in e.get("fields") or []:
                parts += [f.get("name") or "", f.get("value") or ""]
            parts.append((e.get("footer") or {}).get("text") or "")
        for c in walk_components(self.components):
            if c.get("type") == 10:
                parts.append(c.get("content") or "")
        return "\n".join(p for p in parts if p)

    def all_components(self) -> list[JSON]:
        return list(walk_components(self.components))

    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for c in walk_components(self.components) if "custom_id" in c]

    def component(self, custom_id: str | None = None, *, label: str | None = None) -> JSON:
        """The component with this custom_id (or the first whose label is `label`)."""
        for c in walk_components(self.components):
            if custom_id is not None and c.get("custom_id") == custom_id:
                return c
            if label is not None and c.get("label") == label:
                return c
        wanted = custom_id if custom_id is not None else f"label={label!r}"
        raise LookupError(f"message {self.id} has no component {wanted}; it has {self.custom_ids()}")

    def buttons(self) -> list[JSON]:
        return [c for c in walk_components(self.components) if c.get("type") == BUTTON]

    def __repr__(self) -> str:
        flags = " ephemeral" if self.ephemeral else ""
        return f"<StoredMessage id={self.id} channel={self.channel_id}{flags} content={self.content[:60]!r}>"


@dataclass
class MessageEvent:
    """A change to the fake's message store: "create", "edit", "delete" or "react"."""

    kind: str
    message: StoredMessage

    def __repr__(self) -> str:
        return f"<MessageEvent {self.kind} {self.message!r}>"
