"""Player I/O behind a small interface, so telnet, WebSocket or an in-process client all look alike.

A `PlayerSession` can be sent text and structured updates and can be closed; the transport feeds
the lines it reads to `SessionHub.receive`. The hub handles the login dialogue (register/login),
one session per character (a new login takes over and tells the old session), and routes game
output to the right session.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Protocol

from ouro_engine import metrics
from ouro_engine.accounts import AccountError, Accounts
from ouro_engine.core import Core

log = logging.getLogger(__name__)
GREETING = ("Welcome to Ourobouro.\n"
            "Type 'register <name> <password>' for a new character, or 'login <name> <password>'.")


class PlayerSession(Protocol):
    player_id: str | None

    def send_text(self, text: str) -> None: ...

    def send_data(self, kind: str, data: dict[str, Any]) -> None: ...

    def close(self, reason: str) -> None: ...


class MemorySession:
    """An in-process session (tests, the benchmark): output is collected in a list."""

    def __init__(self) -> None:
        self.player_id: str | None = None
        self.lines: list[str] = []
        self.data: list[tuple[str, dict[str, Any]]] = []
        self.closed: str | None = None

    def send_text(self, text: str) -> None:
        self.lines.append(text)

    def send_data(self, kind: str, data: dict[str, Any]) -> None:
        self.data.append((kind, data))

    def close(self, reason: str) -> None:
        self.closed = reason

    def text(self) -> str:
        return "\n".join(self.lines)


class SessionHub:
    def __init__(self, core: Core, accounts: Accounts | None) -> None:
        self.core = core
        self.accounts = accounts
        self.sessions: dict[str, PlayerSession] = {}
        self.paused = False
        core.game.send = self.deliver
        core.game.send_data = self.deliver_data

    def deliver(self, pid: str, text: str) -> None:
        session = self.sessions.get(pid)
        if session is not None:
            session.send_text(text)

    def deliver_data(self, pid: str, kind: str, data: dict[str, Any]) -> None:
        session = self.sessions.get(pid)
        if session is not None:
            session.send_data(kind, data)

    def greet(self, session: PlayerSession) -> None:
        session.send_text(GREETING)

    async def receive(self, session: PlayerSession, line: str) -> None:
        """One line from a transport: the login dialogue first, then game commands."""
        if session.player_id is None:
            await self._authenticate(session, line)
            return
        if self.paused:
            session.send_text("The world holds its breath (paused by an admin). Try again in a moment.")
            return
        started = time.perf_counter()
        for text in self.core.execute(session.player_id, line):
            session.send_text(text)
        metrics.COMMANDS.inc()
        metrics.COMMAND_SECONDS.observe(time.perf_counter() - started)

    async def _authenticate(self, session: PlayerSession, line: str) -> None:
        verb, name, password = ([*line.strip().split(maxsplit=2), "", "", ""])[:3]
        verb = verb.lower()
        if verb not in ("register", "login") or not name or not password:
            session.send_text("Type 'register <name> <password>' or 'login <name> <password>'.")
            return
        if self.accounts is None:
            session.send_text("Accounts are unavailable.")
            return
        try:
            account = await (self.accounts.register(name, password) if verb == "register"
                             else self.accounts.login(name, password))
        except AccountError as exc:
            metrics.LOGINS.labels("refused").inc()
            session.send_text(str(exc))
            return
        metrics.LOGINS.labels(verb).inc()
        self.attach(session, account.player_id, account.name)

    def attach(self, session: PlayerSession, pid: str, name: str) -> None:
        """Bind a session to a character; an older session of the same character is taken over."""
        old = self.sessions.get(pid)
        session.player_id = pid
        self.sessions[pid] = session
        self.core.ensure_player(pid, name)
        if old is not None and old is not session:
            old.send_text("Someone else logged in as you; this connection is closed.")
            old.player_id = None
            old.close("taken over")
            session.send_text(f"Welcome back, {name}. (Your other connection was closed.)")
        else:
            session.send_text(f"Welcome, {name}.")
            self.core.connect(pid)
        for text in self.core.execute(pid, "look"):
            session.send_text(text)
        metrics.PLAYERS_ONLINE.set(len(self.sessions))

    def detach(self, session: PlayerSession) -> None:
        pid = session.player_id
        if pid is None or self.sessions.get(pid) is not session:
            return
        del self.sessions[pid]
        self.core.disconnect(pid)
        metrics.PLAYERS_ONLINE.set(len(self.sessions))

    def rebind(self) -> None:
        """After a reload: every attached player is online again in the rebuilt world."""
        for pid, session in list(self.sessions.items()):
            if not self.core.game.world.exists(pid):
                session.send_text("Your character is gone after a rollback; please log in again.")
                session.player_id = None
                del self.sessions[pid]
                continue
            self.core.connect(pid)
