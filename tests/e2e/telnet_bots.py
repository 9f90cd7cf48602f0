"""Telnet players for the end-to-end fault test, that keep playing through faults (bots.py has the
WebSocket player of test_go.py).

A `Bot` talks to the engine's telnet gateway like a MUD client: scripted steps wait for their answer
(`do`), roaming sends a walk at a steady pace and reads whatever comes back. When the engine goes away
(SIGKILL) the connection ends; the bot reconnects and logs in again as soon as the restarted engine
accepts, the way a player's client does, and counts it.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import deque
from pathlib import Path

from tests.engine.test_process import ANSI, strip_telnet

PASSWORD = "faults4ever"


class Gone(ConnectionError):
    """The engine closed the connection (or never answered)."""


class Bot:
    def __init__(self, port: int, name: str) -> None:
        self.port, self.name = port, name
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.text = ""
        self._pending = b""
        self.reconnects = 0
        self.sent = 0

    @property
    def player_id(self) -> str:
        return f"player:{self.name.lower()}"

    async def connect(self, *, register: bool) -> None:
        """Connect and register (or log in). Raises Gone (or OSError) if the engine does not take it."""
        await self.close()
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        self.text = ""
        await self.expect("What name do you go by?", 10)
        await self.do(f"{'register' if register else 'login'} {self.name} {PASSWORD}", f"Welcome, {self.name}")

    async def reconnect(self, deadline: float) -> None:
        """Log in again once the engine accepts, until `deadline` (monotonic)."""
        self.reconnects += 1
        while True:
            try:
                await self.connect(register=False)
                return
            except (OSError, Gone, TimeoutError):
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.2)

    async def _read(self, timeout: float) -> None:
        assert self.reader is not None
        try:
            chunk = await asyncio.wait_for(self.reader.read(65536), timeout)
        except TimeoutError:
            return
        except OSError as exc:
            raise Gone(str(exc)) from exc
        if not chunk:
            raise Gone("connection closed")
        plain, self._pending = strip_telnet(self._pending + chunk)
        self.text = (self.text + ANSI.sub("", plain.decode("utf-8", "replace")))[-100_000:]

    async def expect(self, wanted: str, timeout: float = 10.0) -> str:
        """Read until `wanted` shows; returns the text up to it. Raises Gone or TimeoutError."""
        deadline = time.monotonic() + timeout
        while wanted not in self.text:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name}: no {wanted!r} within {timeout}s; last: {self.text[-300:]!r}")
            await self._read(0.2)
        before, _, self.text = self.text.partition(wanted)
        return before + wanted

    async def send(self, line: str) -> None:
        if self.writer is None:
            raise Gone("not connected")
        try:
            self.writer.write(line.encode() + b"\r\n")
            await self.writer.drain()
        except OSError as exc:
            raise Gone(str(exc)) from exc
        self.sent += 1

    async def do(self, line: str, wanted: str, timeout: float = 10.0) -> str:
        self.text = ""
        await self.send(line)
        return await self.expect(wanted, timeout)

    async def roam(self, route: list[str], loop: list[str], stop: asyncio.Event, step_s: float = 0.25) -> None:
        """Walk `route` once, then `loop` over and over until `stop`; reconnect whenever the engine goes away.

        After a reconnect the player is where the engine last saved them, so the walk just goes on.
        """
        steps: deque[str] = deque(route)
        while not stop.is_set():
            if not steps:
                steps.extend(loop)
            try:
                await self.send(steps.popleft())
                await self._read(step_s)
            except Gone:
                await self.reconnect(time.monotonic() + 60)

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):
                await self.writer.wait_closed()
        self.reader = self.writer = None


def route(base: Path, start: str, goal_district: str) -> list[str]:
    """Directions from room `start` to the nearest room of `goal_district`, over data/base/rooms.json."""
    rooms = {r["id"]: r for r in json.loads((base / "rooms.json").read_text())}
    came: dict[str, tuple[str, str] | None] = {start: None}
    queue = deque([start])
    while queue:
        here = queue.popleft()
        if rooms[here]["district_id"] == goal_district:
            path: list[str] = []
            node = came[here]
            while node is not None:
                here, step = node
                path.append(step)
                node = came[here]
            return path[::-1]
        for ex in rooms[here]["exits"]:
            if ex["to"] in rooms and ex["to"] not in came and not ex.get("locked"):
                came[ex["to"]] = (here, ex["direction"])
                queue.append(ex["to"])
    raise AssertionError(f"no way from {start} to {goal_district}")
