"""The web gateway (OURO_PLAY_PORT, 8080): the play page over HTTP and the player WebSocket at /ws.

Built on the `websockets` library alone: `process_request` answers the few plain HTTP routes (`/` ->
302 `/play`, `/play`, `/static/*`, `/healthz`) from files loaded at start, and lets `/ws` through to
the WebSocket handshake. One connection:
1. server `hello` (version, limits); 2. client `auth` (register / login / resume) -> `auth_ok` with a
resume token, then `room` and `status`; 3. client `command` -> `text` (spans, carrying the command id),
`room` on movement, `status` when it changed; 4. `quit` / `logout` revokes the character's resume tokens,
then `bye logged_out` and close 4003. Every frame is decoded by `ouro_schemas.protocol`; a bad one
gets an `error` (code + message); more than `errors_per_min` errors close with 1008 (policy violation).
Output is framed here (`frames.py`), queued per connection and written in one `transport.write` per
event-loop pass, so the game never awaits a client; a client whose socket buffer passes `out_buffer`
bytes is cut off (1008). Idle connections are found by one sweep over all of them (no timer per frame).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from pathlib import Path
from typing import Any

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.datastructures import Headers
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response
from websockets.protocol import State

from ouro_engine.accounts import AccountError
from ouro_schemas import protocol as p

from . import frames
from .frontdoor import FrontDoor, LoggedOut
from .limits import PerIp, TokenBucket, clean_line
from .settings import GatewaySettings

log = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"
TYPES = {".html": "text/html; charset=utf-8", ".js": "text/javascript; charset=utf-8",
         ".css": "text/css; charset=utf-8", ".png": "image/png", ".svg": "image/svg+xml"}
CLOSE_TAKEN_OVER, CLOSE_IDLE, CLOSE_LOGGED_OUT = 4001, 4002, 4003
CLIENT_REPORT = "Client: web (WebSocket, JSON protocol v{v})   Colour: styled spans   Wrap: by the browser"


class WsSession:
    """A PlayerSession over one WebSocket: messages are queued and flushed once per event-loop pass."""

    def __init__(self, conn: WsConnection) -> None:
        self.conn = conn
        self.player_id: str | None = None

    def send_text(self, text: str) -> None:
        cid = self.conn.current_id
        self.conn.put(frames.text(text) if cid is None else frames.reply(text, cid))

    def send_data(self, kind: str, data: dict[str, Any]) -> None:
        self.conn.send_data(kind, data)

    def close(self, reason: str) -> None:
        if reason == "taken over":
            self.conn.send(p.Bye(code=p.ErrorCode.TAKEN_OVER, message="Someone logged in as you."))
            self.conn.shutdown(CLOSE_TAKEN_OVER, "taken over")
        else:
            self.conn.shutdown(1000, reason[:100])


class WsConnection:
    def __init__(self, gw: WebGateway, ws: ServerConnection) -> None:
        self.gw, self.ws = gw, ws
        self.settings = gw.settings
        self.session = WsSession(self)
        self.pending: list[bytes] = []  # framed messages for the next flush
        self.scheduled = False
        self.close_task: asyncio.Task[None] | None = None
        self.current_id: int | None = None
        self.bucket = TokenBucket(self.settings.commands_per_s, self.settings.commands_burst)
        self.errors: deque[float] = deque()
        self.last_status: dict[str, Any] | None = None
        self.last_room: str | None = None
        self.closing = False
        self.last_input = time.monotonic()
        self.warned = False  # told about the idle timeout

    # --- output ---------------------------------------------------------------------------------------
    def put(self, data: bytes) -> None:
        """Queue a framed message; everything queued during one pass of the event loop (one command and
        all it causes) goes out in a single socket write at the start of the next (`flush`)."""
        if self.closing:
            return
        self.pending.append(data)
        if not self.scheduled:
            self.scheduled = True
            self.gw.schedule(self)

    def send(self, msg: p.ServerMessage) -> None:
        self.put(frames.message(msg))

    def flush(self) -> None:
        self.scheduled = False
        batch, self.pending = self.pending, []
        ws = self.ws
        if not batch or ws.protocol.state is not State.OPEN:
            return
        # The library writes its own frames (pong, close) to the transport at once, so ours keep their
        # order with them; one write per pass, not a `send()` coroutine and a syscall per frame.
        transport = ws.transport
        transport.write(batch[0] if len(batch) == 1 else b"".join(batch))
        if transport.get_write_buffer_size() > self.settings.out_buffer:  # the client does not read
            self.shutdown(1008, "output overflow")

    def shutdown(self, code: int, reason: str) -> None:
        """Close after what is already queued."""
        if self.close_task is None:
            self.closing = True
            if self.scheduled:
                self.flush()  # (the gateway's flush pass skips a connection with nothing pending)
            self.close_task = asyncio.get_running_loop().create_task(self.ws.close(code, reason))

    def send_data(self, kind: str, data: dict[str, Any]) -> None:
        pid = self.session.player_id
        if pid is None:
            return
        if kind == "room":
            room = self.gw.door.room_info(pid, data)
            if room is not None:
                self.last_room = room["id"]
                self.send(p.RoomInfo(**room))
        elif kind == "vitals":
            self.push_status()

    def push_status(self) -> None:
        pid = self.session.player_id
        if pid is not None and self.gw.door.room_id(pid) != self.last_room:  # moved without a room update
            room = self.gw.door.room_info(pid)
            if room is not None:
                self.send_data("room", room)
        status = self.gw.door.status(pid) if pid is not None else None
        if status is not None and status != self.last_status:
            self.last_status = status
            self.send(p.Status(**status))

    def error(self, code: p.ErrorCode, message: str, cmd_id: int | None = None) -> None:
        self.send(p.Error(code=code, message=message, id=cmd_id))
        now = time.monotonic()
        self.errors.append(now)
        while self.errors and self.errors[0] < now - 60.0:
            self.errors.popleft()
        if len(self.errors) > self.settings.errors_per_min:
            self.send(p.Bye(code=p.ErrorCode.ABUSE, message="Too many errors; closing."))
            self.shutdown(1008, "too many errors")

    # --- input ----------------------------------------------------------------------------------------
    async def serve(self) -> None:
        s = self.settings
        self.send(p.Hello(max_frame=s.max_frame, max_line=s.max_line, commands_per_s=s.commands_per_s,
                          text="Welcome to Ourobouro. Register or log in."))
        try:
            await self.read_loop()
        finally:
            # Keep reading (and discarding) while closing: a full incoming queue would stop the reads,
            # and with them the client's close frame, stalling the closing handshake.
            drain = asyncio.create_task(self.discard())
            self.shutdown(1000, "bye")
            if self.close_task is not None:
                with contextlib.suppress(asyncio.TimeoutError, ConnectionClosed):
                    await asyncio.wait_for(asyncio.shield(self.close_task), 5.0)
            drain.cancel()
            await asyncio.gather(drain, return_exceptions=True)

    async def discard(self) -> None:
        with contextlib.suppress(ConnectionClosed):
            while True:
                await self.ws.recv()

    async def read_loop(self) -> None:
        max_frame = self.settings.max_frame
        async for frame in self.ws:  # ends when the connection is closed
            if self.closing:
                return
            self.last_input, self.warned = time.monotonic(), False
            try:
                msg = p.decode_client(frame, max_frame)
            except p.ProtocolError as exc:
                self.error(exc.code, exc.message)
                continue
            await self.dispatch(msg)

    def check_idle(self, now: float) -> None:
        """No input for `idle_timeout_s`: a warning; `idle_grace_s` more: goodbye (close 4002)."""
        s = self.settings
        idle = now - self.last_input
        if self.closing or idle < s.idle_timeout_s:
            return
        if not self.warned:
            self.warned = True
            self.send(p.Error(code=p.ErrorCode.IDLE, message=f"You have been idle a while; you will be "
                              f"disconnected in {int(s.idle_grace_s)} seconds unless you act."))
        elif idle >= s.idle_timeout_s + s.idle_grace_s:
            self.send(p.Bye(code=p.ErrorCode.IDLE, message="Idle too long; goodbye."))
            self.shutdown(CLOSE_IDLE, "idle")

    async def dispatch(self, msg: p.ClientMessage) -> None:
        if isinstance(msg, p.Ping):
            self.send(p.Pong(id=msg.id))
        elif isinstance(msg, p.Auth):
            await self.auth(msg)
        else:
            await self.command(msg)

    async def auth(self, msg: p.Auth) -> None:
        if self.session.player_id is not None:
            self.error(p.ErrorCode.ALREADY_AUTHENTICATED, "You are already playing.")
            return
        door = self.gw.door
        try:
            if msg.action == "resume":
                pid, name = await door.resume(msg.token or "")
                resumed = True
            else:
                if not msg.name or not msg.password:
                    raise AccountError("A name and a password, please.")
                account = await (door.register(msg.name, msg.password) if msg.action == "register"
                                 else door.login(msg.name, msg.password))
                pid, name, resumed = account.player_id, account.name, False
            token = msg.token if resumed and msg.token else await door.new_token(pid, name)
        except LoggedOut as exc:
            self.error(p.ErrorCode.LOGGED_OUT, str(exc))
            return
        except AccountError as exc:
            self.error(p.ErrorCode.AUTH_FAILED, str(exc))
            return
        self.send(p.AuthOk(name=name, player_id=pid, token=token, resumed=resumed))
        self.last_status = None
        door.attach(self.session, pid, name)
        self.push_status()

    async def command(self, msg: p.Command) -> None:
        if self.session.player_id is None:
            self.error(p.ErrorCode.NOT_AUTHENTICATED, "Log in first.", msg.id)
            return
        if len(msg.line.encode()) > self.settings.max_line:
            self.error(p.ErrorCode.TOO_LARGE, f"Line too long (max {self.settings.max_line} bytes).", msg.id)
            return
        if not self.bucket.take():
            self.error(p.ErrorCode.RATE_LIMITED, "Slow down: that command was dropped.", msg.id)
            return
        word = msg.line.strip().lower()
        if word in ("quit", "logout"):
            await self.logout(msg.id)
            return
        if word == "client":
            report = CLIENT_REPORT.format(v=p.VERSION)
            self.put(frames.text(report) if msg.id is None else frames.reply(report, msg.id))
            return
        self.current_id = msg.id
        try:
            await self.gw.door.hub.receive(self.session, clean_line(msg.line, self.settings.max_line))
        finally:
            self.current_id = None
        self.push_status()


    async def logout(self, cmd_id: int | None) -> None:
        """`quit`: the character's resume tokens stop working (this one and any other), then goodbye."""
        pid = self.session.player_id
        if pid is not None:
            await self.gw.door.revoke_tokens(pid)
        self.send(p.Text(spans=[p.Span(text="Goodbye.")], id=cmd_id))
        self.send(p.Bye(code=p.ErrorCode.LOGGED_OUT, message="You logged out. Log in again to play."))
        self.shutdown(CLOSE_LOGGED_OUT, "logged out")


class WebGateway:
    def __init__(self, door: FrontDoor, settings: GatewaySettings) -> None:
        self.door = door
        self.settings = settings
        self.per_ip = PerIp(settings.conns_per_ip_per_s, settings.conns_per_ip_burst)
        self.files = {f"/static/{f.name}": (TYPES.get(f.suffix, "application/octet-stream"), f.read_bytes())
                      for f in STATIC.iterdir() if f.is_file()}
        self.files["/play"] = self.files["/static/play.html"]
        self._server: Server | None = None
        self._sweeper: asyncio.Task[None] | None = None
        self.conns: set[WsConnection] = set()
        self._dirty: list[WsConnection] = []  # connections with output queued in this pass
        self.port = settings.play_port

    async def start(self) -> int:
        self._server = await serve(self._handler, self.settings.play_host, self.settings.play_port,
                                   process_request=self._http, compression=None,
                                   max_size=self.settings.hard_max_frame, max_queue=16, ping_interval=30,
                                   ping_timeout=30, server_header="Ourobouro")
        self.port = next(iter(self._server.sockets)).getsockname()[1]
        self._sweeper = asyncio.create_task(self._sweep_idle())
        return self.port

    def schedule(self, conn: WsConnection) -> None:
        """Flush `conn` in the next pass: one loop callback for every connection with output, not one each
        (a move is told to everyone in two rooms: ~15 connections per command in the bench)."""
        if not self._dirty:
            asyncio.get_running_loop().call_soon(self._flush_all)
        self._dirty.append(conn)

    def _flush_all(self) -> None:
        dirty, self._dirty = self._dirty, []
        for conn in dirty:
            conn.flush()

    async def _sweep_idle(self) -> None:
        s = self.settings
        every = min(1.0, s.idle_timeout_s / 4, s.idle_grace_s / 4 if s.idle_grace_s > 0 else 1.0)
        while True:
            await asyncio.sleep(every)
            now = time.monotonic()
            for conn in list(self.conns):
                conn.check_idle(now)

    async def close(self) -> None:
        if self._sweeper is not None:
            self._sweeper.cancel()
            await asyncio.gather(self._sweeper, return_exceptions=True)
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._server.wait_closed(), 5.0)

    def _http(self, connection: ServerConnection, request: Request) -> Response | None:
        ip = str(connection.remote_address[0]) if connection.remote_address else "?"
        if not self.per_ip.allow(ip):
            return connection.respond(429, "Too many connections from your address.\n")
        path = request.path.split("?", 1)[0]
        if path == "/ws":
            return None
        if path == "/":
            return Response(302, "Found", Headers([("Location", "/play"), ("Content-Length", "0")]))
        if path == "/healthz":
            return connection.respond(200, "ok\n")
        found = self.files.get(path)
        if found is None:
            return connection.respond(404, "Not found.\n")
        ctype, body = found
        return Response(200, "OK", Headers([("Content-Type", ctype), ("Content-Length", str(len(body))),
                                            ("Cache-Control", "no-cache")]), body)

    async def _handler(self, ws: ServerConnection) -> None:
        conn = WsConnection(self, ws)
        self.conns.add(conn)
        try:
            await conn.serve()
        except ConnectionClosed:
            pass
        except Exception:  # a bug in the gateway ends this connection only
            log.exception("websocket connection failed")
        finally:
            self.conns.discard(conn)
            self.door.hub.detach(conn.session)
