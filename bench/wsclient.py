"""The benchmarks' WebSocket client (bench_gateway, bench_go): a lean RFC 6455 client and a loop-lag meter.

The load clients share the machine's cores with the server, so their own cost shows in everyone's round
trip. The `websockets` client costs a coroutine, a future and a JSON decode per frame (several thousand
frames a second at 500 players) and took 21–45% of a core, its loop stalling 20–350 ms; this one parses
frames in `data_received` (no coroutine, future or queue per message) and took 13–20%. The measurement is
the same: real frames through the real server, timed at the client's socket.

`LoopLag` measures the client's own event-loop delay (a short sleep waking late), so a report can say how
much of a round trip's tail was the client's: a frame that arrives while the client's loop is busy is
time-stamped late by that much.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import os
import random
import time
from collections.abc import Callable

import msgspec

GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


class WsClientProtocol(asyncio.Protocol):
    """HTTP upgrade (Sec-WebSocket-Accept checked), masked text frames out, frames parsed in
    `data_received` and handed to `on_message` as bytes. Pings are answered; a close frame is echoed."""

    def __init__(self, on_message: Callable[[bytes], None], path: str = "/ws") -> None:
        self.on_message = on_message
        self.path = path.encode()
        self.transport: asyncio.Transport | None = None
        self.buf = bytearray()
        self.key = base64.b64encode(os.urandom(16))
        self.open: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.rng = random.Random()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(b"GET " + self.path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\n"
                        b"Connection: Upgrade\r\nSec-WebSocket-Key: " + self.key +
                        b"\r\nSec-WebSocket-Version: 13\r\n\r\n")

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.open.done():
            self.open.set_exception(ConnectionError("lost before the upgrade"))
        if not self.closed.done():
            self.closed.set_result(None)

    def data_received(self, data: bytes) -> None:
        self.buf += data
        if not self.open.done():
            end = self.buf.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self.buf = bytes(self.buf[:end]), self.buf[end + 4:]
            accept = base64.b64encode(hashlib.sha1(self.key + GUID).digest())
            if not head.startswith(b"HTTP/1.1 101") or b"Sec-WebSocket-Accept: " + accept not in head:
                self.open.set_exception(ConnectionError(head.decode(errors="replace")))
                return
            self.open.set_result(None)
        self.frames()

    def frames(self) -> None:
        buf = self.buf
        while len(buf) >= 2:
            b0, n, at = buf[0], buf[1], 2
            if n & 0x80:
                raise ConnectionError("a masked frame from the server")
            if n == 126:
                if len(buf) < 4:
                    return
                n, at = int.from_bytes(buf[2:4], "big"), 4
            elif n == 127:
                if len(buf) < 10:
                    return
                n, at = int.from_bytes(buf[2:10], "big"), 10
            if len(buf) < at + n:
                return
            payload = bytes(buf[at:at + n])
            del buf[:at + n]
            opcode = b0 & 0x0F
            if opcode == 0x1:
                if not b0 & 0x80:
                    raise ConnectionError("fragmented text: not sent by this server")
                self.on_message(payload)
            elif opcode == 0x9:
                self.send(payload, 0xA)
            elif opcode == 0x8:
                self.send(payload[:2], 0x8)
                assert self.transport is not None
                self.transport.close()

    def send(self, payload: bytes, opcode: int = 0x1) -> None:
        n = len(payload)
        mask = self.rng.randbytes(4)
        head = bytes((0x80 | opcode,)) + (bytes((0x80 | n,)) if n < 126 else b"\xfe" + n.to_bytes(2, "big"))
        keys = (mask * (n // 4 + 1))[:n]
        masked = (int.from_bytes(payload, "big") ^ int.from_bytes(keys, "big")).to_bytes(n, "big")
        assert self.transport is not None
        self.transport.write(head + mask + masked)

    async def close(self) -> None:
        if self.transport is not None and not self.transport.is_closing():
            self.send((1000).to_bytes(2, "big"), 0x8)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(asyncio.shield(self.closed), 5)
            self.transport.close()


async def open_ws(port: int, on_message: Callable[[bytes], None], host: str = "127.0.0.1",
                  path: str = "/ws") -> WsClientProtocol:
    """Connect and upgrade; raises ConnectionError when the server refuses the upgrade."""
    loop = asyncio.get_running_loop()
    _, ws = await loop.create_connection(lambda: WsClientProtocol(on_message, path), host, port)
    await ws.open
    return ws


class Player:
    """A load client's side of the play protocol (bench_gateway, go_load): its room's exits, the commands
    it sent and their round trips — command written -> first `text`/`error` frame with that id read —, and
    the answer to its login. A line told to everyone (`"id":null`) answers no command: skipped undecoded."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.exits: dict[str, str] = {}  # direction -> room id
        self.sent: dict[int, tuple[float, bool]] = {}  # command id -> (sent at, measured)
        self.rtts: list[float] = []
        self.at: list[float] = []  # when each measured, answered command was sent (time.monotonic)
        self.errors = 0
        self.next_id = 1
        self.authed: asyncio.Future[None] | None = None

    def on_message(self, raw: bytes) -> None:
        now = time.monotonic()
        if raw.endswith(b'"id":null}'):
            return
        msg = msgspec.json.decode(raw)
        kind = msg["type"]
        if kind == "room":
            self.exits = dict(msg["exits"])
        elif kind in ("text", "error") and msg.get("id") in self.sent:
            sent, measured = self.sent.pop(msg["id"])
            if measured:
                self.rtts.append(now - sent)
                self.at.append(sent)
                self.errors += kind == "error"
        elif self.authed is not None and not self.authed.done():
            if kind == "auth_ok":
                self.authed.set_result(None)
            elif kind in ("error", "bye"):
                self.authed.set_exception(RuntimeError(f"{self.name}: {msg}"))

    def command(self, line: str, measured: bool = True) -> bytes:
        """The frame of command `line`; its id is noted as sent now."""
        cid, self.next_id = self.next_id, self.next_id + 1
        self.sent[cid] = (time.monotonic(), measured)
        return b'{"type":"command","line":"%b","id":%d}' % (line.encode(), cid)

    def register(self) -> bytes:
        """The frame that registers this player (answered by `auth_ok`, awaited through `authed`)."""
        self.authed = asyncio.get_running_loop().create_future()
        return msgspec.json.encode({"type": "auth", "action": "register", "name": self.name,
                                    "password": "secret12"})


class LoopLag:
    """This process's event-loop delay: every `every` s a sleep is timed; how late it woke is the lag
    (what any callback due then, e.g. a frame's arrival, waited). Samples are kept with their time."""

    def __init__(self, every: float = 0.01) -> None:
        self.every = every
        self.samples: list[tuple[float, float]] = []  # (monotonic time of the wake-up, lag in s)
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        every, samples = self.every, self.samples
        while True:
            t = time.monotonic()
            await asyncio.sleep(every)
            now = time.monotonic()
            samples.append((now, max(0.0, now - t - every)))

    def lags(self, since: float = 0.0, until: float = float("inf")) -> list[float]:
        return [lag for at, lag in self.samples if since <= at <= until]
