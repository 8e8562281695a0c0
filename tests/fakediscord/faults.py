"""Fault injection for the fake's REST routes.

A fault matches a request by method and path pattern and answers in the
route's place (an error status, a 429, or a hang until released), a bounded
number of times (`times=N`) or until cleared (`times=None`).

Patterns:
  * a route template with `{placeholders}`, compared to the matched route
    ("/channels/{channel_id}/messages"), optionally narrowed by `params`
    (`channel_id=123`);
  * otherwise a glob on the concrete path without `/api/v10`
    ("/channels/123/messages", "/interactions/*/callback", "*").
"""

from __future__ import annotations

import asyncio
import fnmatch
import math
import time
from dataclasses import dataclass, field
from typing import Any

from tests.fakediscord.models import JSON

ERRORS: dict[int, str] = {
    10003: "Unknown Channel",
    10008: "Unknown Message",
    10015: "Unknown Webhook",
    10062: "Unknown interaction",
    40005: "Request entity too large",
    40060: "Interaction has already been acknowledged.",
    50001: "Missing Access",
    50006: "Cannot send an empty message",
    50007: "Cannot send messages to this user",
    50013: "Missing Permissions",
    50035: "Invalid Form Body",
}


def error_body(code: int, message: str | None = None, errors: JSON | None = None) -> JSON:
    body: JSON = {"message": message or ERRORS.get(code, "Error"), "code": code}
    if errors:
        body["errors"] = errors
    return body


@dataclass
class FaultResponse:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(eq=False)
class Fault:
    name: str
    method: str
    pattern: str
    params: dict[str, str]
    response: FaultResponse | None
    #: Remaining uses; None = until cleared.
    times: int | None = 1
    #: For hangs: the request waits for this, then gets `response` (or the normal handler).
    gate: asyncio.Event | None = None
    hits: int = 0
    active: bool = True
    _hit_event: asyncio.Event = field(default_factory=asyncio.Event)
    _owner: FaultSet | None = None

    def matches(self, method: str, route: str, path: str, params: dict[str, str]) -> bool:
        if not self.active:
            return False
        if self.method != "*" and self.method != method:
            return False
        if "{" in self.pattern:
            if self.pattern != route:
                return False
        elif not fnmatch.fnmatchcase(path, self.pattern):
            return False
        return all(params.get(k) == v for k, v in self.params.items())

    def take(self) -> None:
        self.hits += 1
        self._hit_event.set()
        if self.times is not None:
            self.times -= 1
            if self.times <= 0:
                self.active = False

    def clear(self) -> None:
        """Stop matching; a hang lets its waiting requests through."""
        self.active = False
        self.release()

    def release(self) -> None:
        """Let hung requests go on (to `response`, or to the route's normal answer)."""
        if self.gate is not None:
            self.gate.set()

    async def wait_hit(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109
        """Wait until the fault has answered (or, for a hang, caught) at least one request."""
        await asyncio.wait_for(self._hit_event.wait(), timeout)

    def __repr__(self) -> str:
        return f"<Fault {self.name} {self.method} {self.pattern} hits={self.hits} active={self.active}>"


class FaultSet:
    def __init__(self) -> None:
        self.faults: list[Fault] = []

    def add(
        self,
        name: str,
        method: str,
        pattern: str,
        response: FaultResponse | None,
        *,
        times: int | None,
        hang: bool = False,
        params: dict[str, Any] | None = None,
    ) -> Fault:
        fault = Fault(
            name=name,
            method=method.upper(),
            pattern=pattern.removeprefix("/api/v10"),
            params={k: str(v) for k, v in (params or {}).items()},
            response=response,
            times=times,
            gate=asyncio.Event() if hang else None,
        )
        fault._owner = self
        self.faults.append(fault)
        return fault

    def match(self, method: str, route: str, path: str, params: dict[str, str]) -> Fault | None:
        for fault in self.faults:
            if fault.matches(method, route, path, params):
                fault.take()
                return fault
        return None

    def clear(self) -> None:
        for f in self.faults:
            f.clear()
        self.faults.clear()


def rate_limited(retry_after: float, *, is_global: bool, scope: str, bucket: str) -> FaultResponse:
    body = {"message": "You are being rate limited.", "retry_after": retry_after, "global": is_global}
    if is_global:
        body["code"] = 0
    headers = {
        "Retry-After": str(max(1, math.ceil(retry_after))),
        "X-RateLimit-Limit": "5",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": f"{time.time() + retry_after:.3f}",
        "X-RateLimit-Reset-After": f"{retry_after:.3f}",
        "X-RateLimit-Bucket": bucket,
        "X-RateLimit-Scope": scope,
        # discord.py treats a 429 without Via as a Cloudflare ban.
        "Via": "1.1 google",
    }
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    return FaultResponse(429, body, headers)
