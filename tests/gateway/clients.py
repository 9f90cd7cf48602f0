"""Real clients for the gateway tests: a raw telnet socket that negotiates options itself and parses
IAC sequences (independent of the server's parser), and a WebSocket client on `websockets`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
import zlib
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

IAC, DONT, DO, WONT, WILL, SB, SE = 255, 254, 253, 252, 251, 250, 240
ECHO, TTYPE, NAWS, MSSP, MCCP2, GMCP = 1, 24, 31, 70, 86, 201


class TelnetClient:
    """Negotiates like a MUD client: DO GMCP, WILL NAWS (width), WILL TTYPE. TTYPE SEND is answered from
    `ttypes` in order (default one entry, "MUDLET"); past the end the last entry is repeated (MTTS), or
    with `cycle` the list starts over (RFC 1091)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, width: int, mccp: bool,
                 ttypes: list[str] | None = None, cycle: bool = False) -> None:
        self.reader, self.writer = reader, writer
        self.width, self.mccp = width, mccp
        self.ttypes, self.cycle = ttypes or ["MUDLET"], cycle
        self.ttype_sends = 0  # TTYPE SEND requests received
        self.raw = bytearray()  # everything received (decompressed), for byte-level checks
        self.text = ""
        self.mark = 0
        self.gmcp: list[tuple[str, Any]] = []
        self.cmds: list[tuple[int, int]] = []
        self.subs: list[tuple[int, bytes]] = []
        self.decomp: Any = None
        self.pending = b""
        self.closed = False
        self.task = asyncio.create_task(self._read())

    @classmethod
    async def connect(cls, port: int, width: int = 100, mccp: bool = False, ttypes: list[str] | None = None,
                      cycle: bool = False) -> TelnetClient:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        return cls(reader, writer, width, mccp, ttypes, cycle)

    async def _read(self) -> None:
        while True:
            chunk = await self.reader.read(65536)
            if not chunk:
                self.closed = True
                return
            if self.decomp is not None:
                chunk = self.decomp.decompress(chunk)
            self._parse(self.pending + chunk)

    def _parse(self, data: bytes) -> None:
        self.pending = b""
        i, out = 0, bytearray()
        while i < len(data):
            b = data[i]
            if b != IAC:
                out.append(b)
                i += 1
                continue
            if i + 1 >= len(data):
                self.pending = data[i:]
                break
            cmd = data[i + 1]
            if cmd == IAC:
                out.append(IAC)
                i += 2
            elif cmd in (WILL, WONT, DO, DONT):
                if i + 2 >= len(data):
                    self.pending = data[i:]
                    break
                self._negotiate(cmd, data[i + 2])
                i += 3
            elif cmd == SB:
                end = data.find(bytes((IAC, SE)), i)
                if end < 0:
                    self.pending = data[i:]
                    break
                opt, payload = data[i + 2], data[i + 3:end].replace(b"\xff\xff", b"\xff")
                i = end + 2
                self._sub(opt, payload)
                if opt == MCCP2:  # everything after IAC SE is compressed
                    self.decomp = zlib.decompressobj()
                    rest = self.decomp.decompress(data[i:])
                    self._add_text(out)
                    self._parse(rest)
                    return
            else:
                i += 2
        self._add_text(out)

    def _add_text(self, out: bytearray) -> None:
        self.raw += out
        self.text += out.decode("utf-8", "replace")
        out.clear()

    def _negotiate(self, cmd: int, opt: int) -> None:
        self.cmds.append((cmd, opt))
        if cmd == WILL and opt == GMCP:
            self._send(bytes((IAC, DO, GMCP)))
        elif cmd == DO and opt == NAWS:
            self._send(bytes((IAC, WILL, NAWS, IAC, SB, NAWS, 0, self.width, 0, 40, IAC, SE)))
        elif cmd == DO and opt == TTYPE:
            self._send(bytes((IAC, WILL, TTYPE)))
        elif cmd == WILL and opt == MCCP2 and self.mccp:
            self._send(bytes((IAC, DO, MCCP2)))

    def _sub(self, opt: int, payload: bytes) -> None:
        self.subs.append((opt, payload))
        if opt == GMCP:
            pkg, _, body = payload.decode().partition(" ")
            self.gmcp.append((pkg, json.loads(body) if body else None))
        elif opt == TTYPE and payload[:1] == b"\x01":
            n = len(self.ttypes)
            reply = self.ttypes[self.ttype_sends % n if self.cycle else min(self.ttype_sends, n - 1)]
            self.ttype_sends += 1
            self._send(bytes((IAC, SB, TTYPE, 0)) + reply.encode() + bytes((IAC, SE)))

    def _send(self, data: bytes) -> None:
        self.writer.write(data)

    def send(self, line: str) -> None:
        self.writer.write(line.encode() + b"\r\n")

    async def expect(self, needle: str, timeout: float = 10.0) -> str:
        """Wait until `needle` appears after the last match; returns the text up to and including it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            at = self.text.find(needle, self.mark)
            if at >= 0:
                seen = self.text[self.mark:at + len(needle)]
                self.mark = at + len(needle)
                return seen
            if self.closed:
                break
            await asyncio.sleep(0.01)
        raise AssertionError(f"{needle!r} not seen; got {self.text[self.mark:][-600:]!r}")

    async def say(self, line: str, needle: str, timeout: float = 10.0) -> str:
        self.send(line)
        return await self.expect(needle, timeout)

    async def expect_gmcp(self, pkg: str, pred: Any = None, timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for i, (name, data) in enumerate(self.gmcp):
                if name == pkg and (pred is None or pred(data)):
                    del self.gmcp[:i + 1]
                    return data
            await asyncio.sleep(0.01)
        raise AssertionError(f"GMCP {pkg} not seen; got {[n for n, _ in self.gmcp]}")

    async def wait_closed(self, timeout: float = 10.0) -> None:
        await asyncio.wait_for(asyncio.shield(self.task), timeout)
        await self.close()

    async def close(self) -> None:
        self.writer.close()
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        with contextlib.suppress(Exception):
            await self.writer.wait_closed()


class WsClient:
    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws
        self.seen: list[dict[str, Any]] = []
        self.next_id = 1

    @classmethod
    async def connect(cls, port: int) -> WsClient:
        ws = await connect(f"ws://127.0.0.1:{port}/ws", max_size=None)
        client = cls(ws)
        await client.expect("hello")
        return client

    async def send(self, msg: dict[str, Any] | str | bytes) -> None:
        await self.ws.send(msg if isinstance(msg, (str, bytes)) else json.dumps(msg))

    async def expect(self, mtype: str, pred: Any = None, timeout: float = 10.0) -> dict[str, Any]:
        """The next message of `mtype` (matching `pred`), skipping others (kept in `seen`)."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no {mtype} message; saw {self.seen[-8:]}")
            msg = json.loads(await asyncio.wait_for(self.ws.recv(), left))
            self.seen.append(msg)
            if msg["type"] == mtype and (pred is None or pred(msg)):
                return msg

    async def auth(self, action: str, name: str, password: str) -> dict[str, Any]:
        await self.send({"type": "auth", "action": action, "name": name, "password": password})
        return await self.expect_any(("auth_ok", "error"))

    async def expect_any(self, types: tuple[str, ...], timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            msg = json.loads(await asyncio.wait_for(self.ws.recv(), max(0.01, deadline - time.monotonic())))
            self.seen.append(msg)
            if msg["type"] in types:
                return msg

    async def command(self, line: str, needle: str = "", timeout: float = 10.0) -> str:
        """Send a command; return the text of the replies carrying its id, up to one containing `needle`."""
        cid = self.next_id
        self.next_id += 1
        await self.send({"type": "command", "line": line, "id": cid})
        got = ""
        while True:
            msg = await self.expect_any(("text", "error"), timeout)
            if msg["type"] == "error" and msg.get("id") == cid:
                return "ERROR:" + msg["code"] + ":" + msg["message"]
            if msg["type"] == "text":
                got += "".join(s["text"] for s in msg["spans"]) + "\n"
                if msg.get("id") == cid and needle in got:
                    return got

    async def text_until(self, needle: str, timeout: float = 10.0) -> str:
        got = ""
        while needle not in got:
            msg = await self.expect("text", timeout=timeout)
            got += "".join(s["text"] for s in msg["spans"]) + "\n"
        return got

    async def close(self) -> None:
        await self.ws.close()
