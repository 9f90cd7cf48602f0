"""A minimal plain-TCP line server (OURO_TELNET_PORT): one line in = one command, text out.

No telnet negotiation, GMCP or WebSocket yet (issue 4 replaces this transport); it exists so real
clients and tests can drive the engine process. Lines longer than `max_line` are refused; input is
decoded as UTF-8 with replacement, and the command layer strips control characters. Each connection
has a token-bucket rate limit (`OURO_LINES_PER_S`, `OURO_LINES_BURST`): lines beyond it are dropped
with a notice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from typing import Any

from ouro_engine.sessions import SessionHub

log = logging.getLogger(__name__)


class TokenBucket:
    """`rate` lines per second with a `burst`; `take` says whether one more line may run now."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, float(burst)
        self.tokens = float(burst)
        self.at = time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1.0:
            return False
        self.tokens -= 1.0
        return True


class LineSession:
    def __init__(self, writer: asyncio.StreamWriter) -> None:
        self.writer = writer
        self.player_id: str | None = None
        self.closed = False

    def send_text(self, text: str) -> None:
        if not self.closed:
            self.writer.write(text.replace("\n", "\r\n").encode("utf-8", "replace") + b"\r\n")

    def send_data(self, kind: str, data: dict[str, Any]) -> None:
        """Structured updates (room info, vitals) have no place on a plain line stream."""

    def close(self, reason: str) -> None:
        if not self.closed:
            self.closed = True
            self.writer.close()


class LineServer:
    def __init__(self, hub: SessionHub, host: str, port: int, max_line: int, lines_per_s: float = 10.0,
                 lines_burst: int = 30) -> None:
        self.hub = hub
        self.lines_per_s, self.lines_burst = lines_per_s, lines_burst
        self.host = host
        self.port = port
        self.max_line = max_line
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._client, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        session = LineSession(writer)
        self.hub.greet(session)
        try:
            await self._serve(reader, writer, session)
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            self.hub.detach(session)
            session.close("disconnected")
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            if task is not None:
                self._tasks.discard(task)

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, session: LineSession) -> None:
        buf = b""
        discarding = False  # inside an over-long line: drop bytes until its newline
        bucket = TokenBucket(self.lines_per_s, self.lines_burst)
        while not session.closed:
            chunk = await reader.read(4096)
            if not chunk:
                return
            buf += chunk
            while not session.closed:
                nl = buf.find(b"\n")
                if nl < 0:
                    if len(buf) > self.max_line:
                        if not discarding:
                            session.send_text(f"Line too long (max {self.max_line} characters).")
                        discarding, buf = True, b""
                    break
                raw, buf = buf[:nl], buf[nl + 1:]
                if discarding or len(raw) > self.max_line:
                    if not discarding:
                        session.send_text(f"Line too long (max {self.max_line} characters).")
                    discarding = False
                    continue
                if not bucket.take():
                    session.send_text("Slow down: that line was dropped.")
                    continue
                if not await self._line(session, raw.decode("utf-8", "replace").rstrip("\r")):
                    return
            await writer.drain()

    async def _line(self, session: LineSession, line: str) -> bool:
        """Handle one line; False when the client asked to leave."""
        if line.strip().lower() in ("quit", "logout"):
            session.send_text("Goodbye.")
            return False
        await self.hub.receive(session, line)
        return True
