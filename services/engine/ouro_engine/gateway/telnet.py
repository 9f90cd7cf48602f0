"""The telnet gateway (OURO_TELNET_PORT, 4000) for MUD clients such as Mudlet and TinTin++.

Hand-written on asyncio streams with `telnetproto.TelnetParser`, not telnetlib3's server: telnetlib3 5.x
negotiates a character-at-a-time session (WILL ECHO + WILL SGA from the start) and holds the shell until
its negotiation settles (`connect_maxwait`), while a MUD wants line mode with the client echoing, and
WILL ECHO only while a password is typed. What we speak:

1. on connect: IAC WILL GMCP, DO NAWS, DO TTYPE, WILL MSSP, WILL MCCP2 (setting `mccp2`); on WILL TTYPE
   the MTTS cycle (client name, terminal type, MTTS flags; `mtts.py`) sets the colour / charset / wrap
   defaults;
2. the login dialogue: name -> password (WILL ECHO ... WONT ECHO), or a new name -> password twice;
   `register <name> <password>` / `login <name> <password>` on one line work too;
3. then every line is a command for the hub, except `color on|off`, `client`, `quit`; CRLF line endings; NAWS
   width word-wraps output; ANSI colour on by default; GMCP Room.Info / Char.Vitals / Char.Status.
Limits: line length (`max_line`, the rest of an over-long line is dropped), commands per second (token
bucket), connections per IP per second, subnegotiation size, idle timeout (warned, then closed).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import zlib
from typing import Any

from ouro_engine import metrics
from ouro_engine.accounts import AccountError, check_name

from . import gmcp, mtts
from .frontdoor import FrontDoor
from .limits import PerIp, TokenBucket, clean_line
from .settings import GatewaySettings
from .style import colorize, strip_ansi, wrap
from .telnetproto import (
    DO,
    DONT,
    ECHO,
    GMCP,
    MCCP2,
    MSSP,
    NAWS,
    SB,
    SE,
    TTYPE,
    TTYPE_IS,
    TTYPE_SEND,
    WILL,
    WONT,
    Cmd,
    Data,
    Sub,
    TelnetParser,
    iac,
)

log = logging.getLogger(__name__)
BANNER = ("\x1b[1;36mOUROBOURO\x1b[0m - a living city.\n"
          "What name do you go by? (a new name creates a character)")
MAX_FAILS = 5


class TelnetSession:
    """A PlayerSession over one telnet connection."""

    def __init__(self, conn: TelnetConnection) -> None:
        self.conn = conn
        self.player_id: str | None = None

    def send_text(self, text: str) -> None:
        self.conn.send_text(text)

    def send_data(self, kind: str, data: dict[str, Any]) -> None:
        self.conn.send_data(kind, data)

    def close(self, reason: str) -> None:
        self.conn.close(reason)


class TelnetConnection:
    def __init__(self, gw: TelnetGateway, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.gw, self.reader, self.writer = gw, reader, writer
        self.settings = gw.settings
        self.session = TelnetSession(self)
        self.parser = TelnetParser()
        self.closed = False
        self.color = True
        self.color_chosen = False  # the player's `color` command beats the client's defaults
        self.utf8 = True
        self.wrap = True
        self.width = 0
        self.ttype = mtts.Ttype()
        self.gmcp = False
        self.echo_off = False  # we said WILL ECHO (a password is being typed)
        self.compressor: Any = None
        self.buf = bytearray()
        self.discarding = False
        self.bucket = TokenBucket(self.settings.commands_per_s, self.settings.commands_burst)
        self.state = "name"  # name -> password | new_password -> confirm -> playing
        self.name = ""
        self.new_password = ""
        self.fails = 0
        self.last_status: dict[str, Any] | None = None
        self.last_room: str | None = None
        self.refused: set[tuple[int, int]] = set()

    # --- output ---------------------------------------------------------------------------------------
    def write(self, data: bytes) -> None:
        if self.closed:
            return
        if self.compressor is not None:
            data = self.compressor.compress(data) + self.compressor.flush(zlib.Z_SYNC_FLUSH)
        self.writer.write(data)
        transport = self.writer.transport
        if transport.get_write_buffer_size() > self.settings.out_buffer:  # a client that does not read
            self.close("output buffer overflow")

    def send_text(self, text: str) -> None:
        if self.wrap:
            text = wrap(text, self.width)
        text = colorize(text) if self.color else strip_ansi(text)
        text = text.replace("\r", "").replace("\n", "\r\n")
        self.write(text.encode("utf-8" if self.utf8 else "ascii", "replace") + b"\r\n")

    def send_data(self, kind: str, data: dict[str, Any]) -> None:
        pid = self.session.player_id
        if not self.gmcp or pid is None:
            return
        if kind == "room":
            room = self.gw.door.room_info(pid, data)
            if room is not None:
                self.last_room = room["id"]
                self.write(gmcp.room_info(room))
        elif kind == "vitals":
            self.push_status(force_vitals=True)

    def push_status(self, force_vitals: bool = False) -> None:
        pid = self.session.player_id
        if not self.gmcp or pid is None:
            return
        if self.gw.door.room_id(pid) != self.last_room:  # moved without a room update (respawn, teleport)
            room = self.gw.door.room_info(pid)
            if room is not None:
                self.send_data("room", room)
        status = self.gw.door.status(pid)
        if status is None:
            return
        last = self.last_status
        if force_vitals or last is None or (last["hp"], last["max_hp"]) != (status["hp"], status["max_hp"]):
            self.write(gmcp.vitals(status))
        if last is None or last != status:
            self.write(gmcp.char_status(status))
        self.last_status = status

    def close(self, reason: str) -> None:
        if self.closed:
            return
        if reason == "taken over":
            self.send_text("Connection closed: someone logged in as you.")
        self.closed = True
        self.writer.close()

    # --- negotiation ------------------------------------------------------------------------------
    def start(self) -> None:
        offers = [iac(WILL, GMCP), iac(DO, NAWS), iac(DO, TTYPE), iac(WILL, MSSP)]
        if self.settings.mccp2:
            offers.append(iac(WILL, MCCP2))
        self.write(b"".join(offers))
        self.send_text(BANNER)

    def on_cmd(self, cmd: int, opt: int) -> None:
        if cmd == DO and opt == GMCP:
            self.gmcp = True
            self.push_status()  # sends Room.Info too (last_room is unset)
        elif cmd == DO and opt == MSSP:
            self.write(gmcp.mssp(len(self.gw.door.hub.sessions), gmcp.STARTED))
        elif cmd == DO and opt == MCCP2 and self.settings.mccp2 and self.compressor is None:
            self.write(bytes((255, SB, MCCP2, 255, SE)))
            self.compressor = zlib.compressobj(6, zlib.DEFLATED, 12, 5)
        elif cmd == WILL and opt == TTYPE and not self.ttype.requests:
            self.ask_ttype()
        elif cmd in (DO, DONT) and opt == ECHO:
            pass  # answers to our own WILL/WONT ECHO
        elif cmd == DONT and opt == GMCP:
            self.gmcp = False
        elif cmd in (WILL, DO) and opt not in (NAWS, GMCP, MSSP, MCCP2, TTYPE) and (cmd, opt) not in self.refused:
            self.refused.add((cmd, opt))  # refuse once (no negotiation loops)
            self.write(iac(DONT if cmd == WILL else WONT, opt))

    def on_sub(self, opt: int, payload: bytes) -> None:
        if opt == NAWS and len(payload) >= 4:
            self.width = int.from_bytes(payload[0:2], "big")
        elif opt == TTYPE and payload[:1] == bytes((TTYPE_IS,)) and self.ttype.waiting:
            more = self.ttype.feed(clean_line(payload[1:].decode("ascii", "replace"), mtts.MAX_REPLY))
            self.apply_client_defaults()
            if more:
                self.ask_ttype()
            else:
                self.ttype_settled()
        elif opt == GMCP:
            pass  # Core.Hello / Core.Supports.Set: we send our packages to every GMCP client

    def ask_ttype(self) -> None:
        if self.ttype.request():
            self.write(bytes((255, SB, TTYPE, TTYPE_SEND, 255, SE)))

    def apply_client_defaults(self) -> None:
        defaults = self.ttype.defaults()
        if not self.color_chosen:
            self.color = defaults.color
        self.utf8, self.wrap = defaults.utf8, defaults.wrap

    def ttype_settled(self) -> None:
        """The cycle is over: count the client and its MTTS flags on /metrics (once per connection)."""
        metrics.TELNET_CLIENTS.labels(mtts.client_label(self.ttype.client)).inc()
        for name in mtts.flag_names(self.ttype.mtts or 0):
            metrics.TELNET_MTTS_FLAGS.labels(name).inc()

    def client_report(self) -> str:
        t = self.ttype
        flags = t.mtts
        mtts_line = (f"MTTS {flags}: {', '.join(mtts.flag_names(flags)) or 'no flags'}" if flags is not None
                     else "MTTS: not sent")
        return "\n".join((
            f"Client: {t.client or 'unknown (no TTYPE)'}   Terminal: {t.terminal or 'unknown'}",
            mtts_line,
            f"Colour: {'on' if self.color else 'off'}{' (your choice)' if self.color_chosen else ''}   "
            f"Charset: {'UTF-8' if self.utf8 else 'ASCII'}   "
            f"Width: {self.width or 'unknown'}{'' if self.wrap else ' (no wrap)'}",
            f"GMCP: {'on' if self.gmcp else 'off'}   MCCP2: {'on' if self.compressor is not None else 'off'}"))

    def set_echo(self, hidden: bool) -> None:
        if hidden != self.echo_off:
            self.echo_off = hidden
            self.write(iac(WILL if hidden else WONT, ECHO))
            if not hidden:
                self.write(b"\r\n")

    # --- input ------------------------------------------------------------------------------------
    async def serve(self) -> None:
        self.start()
        idle = self.settings.idle_timeout_s
        warned = False
        last_input = time.monotonic()
        while not self.closed:
            timeout = (last_input + idle + (self.settings.idle_grace_s if warned else 0)) - time.monotonic()
            try:
                chunk = await asyncio.wait_for(self.reader.read(4096), timeout=max(0.0, timeout))
            except TimeoutError:
                if warned:
                    self.send_text("Idle too long; goodbye.")
                    await self.flush()
                    return
                warned = True
                self.send_text(f"You have been idle a while; you will be disconnected in "
                               f"{int(self.settings.idle_grace_s)} seconds unless you type something.")
                continue
            if not chunk:
                return
            last_input, warned = time.monotonic(), False
            for event in self.parser.feed(chunk):
                if isinstance(event, Data):
                    await self.on_data(event.data)
                elif isinstance(event, Cmd):
                    self.on_cmd(event.cmd, event.opt)
                elif isinstance(event, Sub):
                    self.on_sub(event.opt, event.payload)
                if self.closed:
                    return
            await self.flush()

    async def flush(self) -> None:
        if not self.closed:
            with contextlib.suppress(ConnectionError):
                await self.writer.drain()

    async def on_data(self, data: bytes) -> None:
        self.buf += data
        limit = self.settings.max_line
        while not self.closed:
            nl = self.buf.find(b"\n")
            if nl < 0:
                if len(self.buf) > limit:
                    if not self.discarding:
                        self.send_text(f"Line too long (max {limit} characters); ignored.")
                    self.discarding = True
                    self.buf.clear()
                return
            raw = bytes(self.buf[:nl])
            del self.buf[:nl + 1]
            if self.discarding or len(raw) > limit:
                if not self.discarding:
                    self.send_text(f"Line too long (max {limit} characters); ignored.")
                self.discarding = False
                continue
            await self.on_line(raw.replace(b"\r", b"").replace(b"\x00", b"").decode("utf-8", "replace"))

    async def on_line(self, raw: str) -> None:
        if self.state in ("password", "new_password", "confirm"):
            await self.on_password(raw.strip())
            return
        line = clean_line(raw, self.settings.max_line)
        if self.state == "name":
            await self.on_name(line)
            return
        if not self.bucket.take():
            self.send_text("Slow down: that command was dropped.")
            return
        await self.on_command(line)

    async def on_command(self, line: str) -> None:
        word = line.lower()
        if word in ("quit", "logout"):
            if self.session.player_id is not None:  # logging out: no web session may resume this character
                await self.gw.door.revoke_tokens(self.session.player_id)
            self.send_text("Goodbye.")
            await self.flush()
            self.close("quit")
            return
        if word.split(" ")[0] in ("color", "colour"):
            arg = word.partition(" ")[2]
            self.color = (not self.color) if arg not in ("on", "off") else arg == "on"
            self.color_chosen = True
            self.send_text(f"Colour is {'on' if self.color else 'off'}.")
            return
        if word == "client":
            self.send_text(self.client_report())
            return
        if self.session.player_id is None:  # taken over by another login
            self.state = "name"
            self.send_text(BANNER)
            return
        await self.gw.door.hub.receive(self.session, line)
        self.push_status()

    # --- the login dialogue ---------------------------------------------------------------------------
    async def on_name(self, line: str) -> None:
        verb, _, rest = line.partition(" ")
        if verb.lower() in ("register", "login") and rest:
            await self.one_line_auth(verb.lower(), *[*rest.split(" ", 1), ""][:2])
            return
        if line.lower() in ("quit", "logout"):
            await self.on_command("quit")
            return
        if not line:
            self.send_text("What name do you go by?")
            return
        door = self.gw.door
        self.name = line
        if await door.exists(line):
            self.state = "password"
            self.set_echo(True)
            self.write(b"Password: ")
            return
        try:
            self.name = check_name(line)
        except AccountError as exc:
            self.send_text(f"{exc} What name do you go by?")
            return
        self.state = "new_password"
        self.send_text(f"A new character, {self.name}.")
        self.set_echo(True)
        self.write(b"Choose a password (6-128 characters): ")

    async def on_password(self, password: str) -> None:
        self.set_echo(False)
        door = self.gw.door
        if self.state == "new_password":
            self.new_password, self.state = password, "confirm"
            self.set_echo(True)
            self.write(b"Repeat it: ")
            return
        try:
            if self.state == "confirm":
                if password != self.new_password:
                    raise AccountError("The passwords differ.")
                account = await door.register(self.name, password)
            else:
                account = await door.login(self.name, password)
        except AccountError as exc:
            await self.refused_login(str(exc))
            return
        finally:
            self.new_password = ""
        self.enter(account.player_id, account.name)

    async def one_line_auth(self, verb: str, name: str, password: str) -> None:
        door = self.gw.door
        try:
            account = await (door.register(name, password) if verb == "register" else door.login(name, password))
        except AccountError as exc:
            await self.refused_login(str(exc))
            return
        self.enter(account.player_id, account.name)

    async def refused_login(self, message: str) -> None:
        self.fails += 1
        self.state = "name"
        if self.fails >= MAX_FAILS:
            self.send_text(f"{message} Too many attempts; goodbye.")
            await self.flush()
            self.close("too many login failures")
            return
        self.send_text(f"{message}\nWhat name do you go by?")

    def enter(self, pid: str, name: str) -> None:
        self.state = "playing"
        self.last_status = None
        self.gw.door.attach(self.session, pid, name)
        self.push_status()


class TelnetGateway:
    def __init__(self, door: FrontDoor, settings: GatewaySettings) -> None:
        self.door = door
        self.settings = settings
        self.per_ip = PerIp(settings.conns_per_ip_per_s, settings.conns_per_ip_burst)
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = settings.telnet_port

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._client, self.settings.telnet_host, self.settings.telnet_port,
                                                  limit=65536)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = writer.get_extra_info("peername")
        ip = str(peer[0]) if peer else "?"
        if not self.per_ip.allow(ip):
            writer.write(b"Too many connections from your address; try again in a moment.\r\n")
            writer.close()
            return
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        conn = TelnetConnection(self, reader, writer)
        try:
            await conn.serve()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:  # server shutdown: end quietly (asyncio logs a cancelled callback task)
            pass
        except Exception:  # a bug in the gateway ends this connection only
            log.exception("telnet connection failed", extra={"ip": ip})
        finally:
            self.door.hub.detach(conn.session)
            conn.close("disconnected")
            with contextlib.suppress(Exception):
                await writer.wait_closed()
            if task is not None:
                self._tasks.discard(task)
