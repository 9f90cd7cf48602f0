"""The live feed: the log streams as Server-Sent Events, resumable.

Each event's `id` is the whole cursor — every followed stream's last delivered entry id, as
`log.director=1700000000000-0,log.proposals=…` — so a client that reconnects with `Last-Event-ID`
(or `?last_id=`) gets exactly what it missed, from every stream, and nothing twice.
Without a cursor the feed starts with the newest `backlog` entries of each stream.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from ouro_runtime.bus import REDIS_ERRORS
from ouro_schemas import names

_ID = re.compile(r"^[0-9]{1,20}-[0-9]{1,20}$")
Cursor = dict[str, str]


class BadCursor(ValueError):
    """A Last-Event-ID that is not `stream=id,…` over known log streams."""


def parse_cursor(text: str, streams: tuple[str, ...]) -> Cursor:
    """Raises BadCursor. Streams the cursor does not mention start from their newest entry."""
    cursor: Cursor = {}
    for part in filter(None, text.split(",")):
        stream, _, eid = part.partition("=")
        if stream not in names.LOG_STREAMS or not _ID.fullmatch(eid):
            raise BadCursor(f"bad cursor part {part[:80]!r}")
        if stream in streams:
            cursor[stream] = eid
    return cursor


def format_cursor(cursor: Cursor) -> str:
    return ",".join(f"{s}={i}" for s, i in sorted(cursor.items()))


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _entry(stream: str, eid: str, fields: dict[bytes, bytes]) -> dict[str, Any]:
    try:
        data = json.loads(fields.get(b"d", b"{}"))
    except ValueError:
        data = {"message": "(unreadable log entry)"}
    if not isinstance(data, dict):
        data = {"message": str(data)}
    return {"stream": stream, "entry_id": eid, **data}


@dataclass(frozen=True)
class FeedFilter:
    kind: str | None = None
    service: str | None = None
    proposal_id: str | None = None

    def matches(self, entry: dict[str, Any]) -> bool:
        return all(want is None or entry.get(key) == want for key, want in
                   (("kind", self.kind), ("service", self.service), ("proposal_id", self.proposal_id)))


def sse(event: str, data: Any, event_id: str | None = None) -> bytes:
    lines = [f"event: {event}"]
    if event_id is not None:
        lines.append(f"id: {event_id}")
    lines.append("data: " + json.dumps(data, separators=(",", ":"), default=str))
    return ("\n".join(lines) + "\n\n").encode()


async def _start(redis: Redis, streams: tuple[str, ...], cursor: Cursor,
                 backlog: int) -> tuple[Cursor, list[dict[str, Any]]]:
    """Where each stream starts, and the backlog to send first (oldest first)."""
    start = dict(cursor)
    first: list[dict[str, Any]] = []
    for stream in streams:
        if stream in start:
            continue
        rows: Any = await redis.xrevrange(stream, count=max(backlog, 1))
        start[stream] = _s(rows[0][0]) if rows else "0-0"
        if backlog:
            first.extend(_entry(stream, _s(eid), fields) for eid, fields in reversed(rows))
    first.sort(key=lambda e: tuple(int(p) for p in e["entry_id"].split("-")))
    return start, first


async def events(redis: Redis, streams: tuple[str, ...], cursor: Cursor, flt: FeedFilter, *, backlog: int,
                 follow: bool, block_ms: int, disconnected: Callable[[], Awaitable[bool]]) -> AsyncIterator[bytes]:
    """The SSE byte stream. Ends when the client goes away (or after the catch-up if not following)."""
    pos, first = await _start(redis, streams, cursor, backlog)
    yield b"retry: 2000\n\n"
    for entry in first:
        if flt.matches(entry):
            yield sse("log", entry)
    yield sse("ready", {"cursor": format_cursor(pos)}, format_cursor(pos))
    while True:
        try:
            positions: Any = dict(pos)
            reply: Any = await redis.xread(positions, count=200, block=block_ms if follow else None)
        except REDIS_ERRORS:
            yield b": redis unavailable\n\n"
            await asyncio.sleep(1)
            continue
        batch = sorted((_entry(_s(stream), _s(eid), fields) for stream, rows in reply or [] for eid, fields in rows),
                       key=lambda e: tuple(int(p) for p in e["entry_id"].split("-")))
        for entry in batch:
            # Each event carries the full cursor after it, so resuming from it is exact.
            pos[entry["stream"]] = entry["entry_id"]
            if flt.matches(entry):
                yield sse("log", entry, format_cursor(pos))
        if not batch:
            if not follow:
                return
            yield b": ping\n\n"
        if await disconnected():
            return

