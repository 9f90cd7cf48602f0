"""Bots for the end-to-end tests: a WebSocket player that walks by room ids, and path finding over
the live map (the engine's world keys, read-only — what a mapper client would learn room by room)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import deque
from typing import Any

from redis.asyncio import Redis
from websockets.asyncio.client import ClientConnection, connect

from ouro_schemas import names


class WsBot:
    """A player over the WebSocket JSON protocol: commands carry ids, replies are matched by id."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.lines: list[str] = []  # every text the server sent, in order (replies and unsolicited)
        self.mark = 0
        self.replies: dict[int, str] = {}
        self.room: dict[str, Any] = {}
        self.status: dict[str, Any] = {}
        self.errors: list[dict[str, Any]] = []
        self.auth: dict[str, Any] = {}
        self.next_id = 1
        self.task = asyncio.create_task(self._read())

    @classmethod
    async def connect(cls, port: int) -> WsBot:
        return cls(await connect(f"ws://127.0.0.1:{port}/ws"))

    async def _read(self) -> None:
        with contextlib.suppress(Exception):
            async for raw in self.ws:
                msg = json.loads(raw)
                kind = msg.get("type")
                if kind == "text":
                    text = "".join(span["text"] for span in msg["spans"])
                    self.lines.append(text)
                    if msg.get("id") is not None:  # a reply may come in several frames
                        self.replies[msg["id"]] = self.replies.get(msg["id"], "") + text + "\n"
                elif kind == "room":
                    self.room = msg
                elif kind == "status":
                    self.status = msg
                elif kind == "error":
                    self.errors.append(msg)
                elif kind == "auth_ok":
                    self.auth = msg

    async def register(self, name: str, password: str) -> None:
        await self.ws.send(json.dumps({"type": "auth", "action": "register", "name": name, "password": password}))
        await self._until(lambda: bool(self.auth and self.room), 15, "auth_ok and the first room")

    async def do(self, line: str, timeout: float = 10.0) -> str:
        cid = self.next_id
        self.next_id += 1
        await self.ws.send(json.dumps({"type": "command", "line": line, "id": cid}))
        await self._until(lambda: cid in self.replies, timeout, f"the reply to {line!r}")
        await asyncio.sleep(0.05)  # the rest of a multi-frame reply
        return self.replies.pop(cid)

    async def expect(self, needle: str, timeout: float = 30.0) -> str:
        """Wait until a text (after the last match) contains `needle`; returns that text."""
        found: list[str] = []

        def seen() -> bool:
            for i in range(self.mark, len(self.lines)):
                if needle in self.lines[i]:
                    found.append(self.lines[i])
                    self.mark = i + 1
                    return True
            return False

        await self._until(seen, timeout, repr(needle))
        return found[0]

    async def walk(self, redis: Redis, target: str, timeout: float = 30.0) -> None:
        """Walk to room `target` along a shortest path over the live map, one step at a time."""
        path = await shortest_path(redis, self.room["id"], target)
        for direction in path:
            await self.do(direction, timeout)
        await self._until(lambda: self.room.get("id") == target, timeout, f"arriving in {target}")

    async def _until(self, cond: Any, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while not cond():
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; last texts: {self.lines[-6:]}; "
                                     f"errors: {self.errors[-3:]}")
            await asyncio.sleep(0.02)

    async def close(self) -> None:
        await self.ws.close()
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)


async def room(redis: Redis, room_id: str) -> dict[str, Any]:
    raw = await redis.get(f"{names.WORLD_ROOM}{room_id}")
    return json.loads(raw) if raw else {}


async def entity(redis: Redis, entity_id: str) -> dict[str, Any]:
    raw = await redis.get(f"{names.WORLD_ENTITY}{entity_id}")
    return json.loads(raw) if raw else {}


def _exits(rec: dict[str, Any]) -> dict[str, str]:
    exits = rec.get("exits", {})
    locked = set(rec.get("locked_exits", []))
    if isinstance(exits, list):  # content.Room form
        locked |= {e["direction"] for e in exits if e.get("locked")}
        exits = {e["direction"]: e["to"] for e in exits}
    return {d: to for d, to in exits.items() if d not in locked}


async def shortest_path(redis: Redis, start: str, target: str) -> list[str]:
    seen: dict[str, list[str]] = {start: []}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        if here == target:
            return seen[here]
        for direction, there in _exits(await room(redis, here)).items():
            if there not in seen:
                seen[there] = [*seen[here], direction]
                queue.append(there)
    raise AssertionError(f"no path from {start} to {target}")
