"""What both transports share: accounts (register / login / resume tokens), attaching a session to
the hub, and the structured views a client gets (room info, status) read from the engine's world.
Every register / login / resume is counted in the engine's `ouro_engine_logins_total{outcome}`
(register, login, resume, refused), as the hub's own line dialogue counts its logins.

Only the `SessionHub` seam (`attach`, `detach`, `receive`) and `Accounts` are used to act; the world
is only read (`hub.core.game`), to build Room.Info / Char.Status the same way for telnet and WebSocket.
"""

from __future__ import annotations

import json
import secrets
import time
import zlib
from typing import Any

from ouro_engine import components as k
from ouro_engine import metrics
from ouro_engine.accounts import Account, AccountError, Accounts, check_name
from ouro_engine.sessions import PlayerSession, SessionHub
from ouro_schemas import names
from ouro_schemas.protocol import RESUME_KEY, RESUME_OF_KEY

from .settings import GatewaySettings


class LoggedOut(AccountError):
    """A resume token that was revoked when its character logged out (`quit`)."""


class FrontDoor:
    def __init__(self, hub: SessionHub, settings: GatewaySettings) -> None:
        self.hub = hub
        self.settings = settings

    @property
    def accounts(self) -> Accounts:
        if self.hub.accounts is None:
            raise AccountError("Accounts are unavailable.")
        return self.hub.accounts

    # --- accounts -----------------------------------------------------------------------------------
    async def exists(self, name: str) -> bool:
        try:
            check_name(name)
        except AccountError:
            return False
        return bool(await self.accounts.redis.exists(names.ACCOUNT + name.lower()))

    async def register(self, name: str, password: str) -> Account:
        """Raises AccountError (invalid name, taken, bad password length)."""
        try:
            account = await self.accounts.register(name, password)
        except AccountError:
            metrics.LOGINS.labels("refused").inc()
            raise
        metrics.LOGINS.labels("register").inc()
        return account

    async def login(self, name: str, password: str) -> Account:
        """Raises AccountError (unknown name or wrong password, one message for both)."""
        try:
            account = await self.accounts.login(name, password)
        except AccountError:
            metrics.LOGINS.labels("refused").inc()
            raise
        metrics.LOGINS.labels("login").inc()
        return account

    async def new_token(self, pid: str, name: str) -> str:
        """A resume token for the character, indexed under its player id so logout can revoke it."""
        token = secrets.token_urlsafe(24)
        ttl = self.settings.resume_ttl_s
        async with self.accounts.redis.pipeline(transaction=True) as pipe:
            pipe.set(RESUME_KEY + token, json.dumps({"pid": pid, "name": name}), ex=ttl)
            pipe.sadd(RESUME_OF_KEY + pid, token)
            pipe.expire(RESUME_OF_KEY + pid, ttl)
            await pipe.execute()
        return token

    async def resume(self, token: str) -> tuple[str, str]:
        """(player id, name) of a live resume token (its TTL is renewed). Raises LoggedOut for a token
        revoked at logout, AccountError for an unknown or expired one."""
        redis = self.accounts.redis
        raw = await redis.get(RESUME_KEY + token) if token.isascii() else None
        if raw is None:
            metrics.LOGINS.labels("refused").inc()
            raise AccountError("That session has expired; please log in.")
        doc = json.loads(raw)
        if "pid" not in doc:
            metrics.LOGINS.labels("refused").inc()
            raise LoggedOut("That session ended when you logged out; please log in again.")
        ttl = self.settings.resume_ttl_s
        async with redis.pipeline(transaction=False) as pipe:
            pipe.expire(RESUME_KEY + token, ttl)
            pipe.expire(RESUME_OF_KEY + str(doc["pid"]), ttl)
            await pipe.execute()
        metrics.LOGINS.labels("resume").inc()
        return str(doc["pid"]), str(doc["name"])

    async def revoke_tokens(self, pid: str) -> int:
        """Logout: every resume token of the character stops working. Each is overwritten with a
        tombstone for the rest of its life (`SET XX KEEPTTL`: an expired one stays gone), so a resume
        with it is told why (`LoggedOut`), not just "expired". Returns how many were live."""
        redis = self.accounts.redis
        tokens = await redis.smembers(RESUME_OF_KEY + pid)
        tombstone = json.dumps({"revoked": time.time()})
        async with redis.pipeline(transaction=True) as pipe:
            for token in tokens:
                key = token.decode() if isinstance(token, bytes) else token  # (a client with decode_responses)
                pipe.set(RESUME_KEY + key, tombstone, xx=True, keepttl=True)
            pipe.delete(RESUME_OF_KEY + pid)
            done = await pipe.execute()
        return sum(1 for ok in done[:-1] if ok)

    def attach(self, session: PlayerSession, pid: str, name: str) -> None:
        """Bind to the character (the hub takes over an older session), then the first room/status."""
        self.hub.attach(session, pid, name)
        room = self.room_info(pid)
        if room is not None:
            session.send_data("room", room)

    # --- views of the world -------------------------------------------------------------------------
    def room_info(self, pid: str, base: dict[str, Any] | None = None) -> dict[str, Any] | None:
        """Room.Info for mappers: id, num, name, area, district_id, x, y, z, exits {dir: room id}."""
        game = self.hub.core.game
        if base is None:
            room = game.room_of(pid)
            if room is None:
                return None
            x, y, z = room.coords
            base = {"id": room.id, "name": room.name, "district_id": room.district_id, "x": x, "y": y, "z": z,
                    "exits": dict(room.exits)}
        district = game.templates.district(str(base.get("district_id", "")))
        return {"id": base["id"], "num": room_num(str(base["id"])), "name": base.get("name", ""),
                "area": district.name if district else str(base.get("district_id", "")),
                "district_id": str(base.get("district_id", "")), "x": int(base.get("x", 0)),
                "y": int(base.get("y", 0)), "z": int(base.get("z", 0)),
                "exits": {str(d): str(r) for d, r in dict(base.get("exits", {})).items()}}

    def room_id(self, pid: str) -> str | None:
        room = self.hub.core.game.room_of(pid)
        return room.id if room is not None else None

    def status(self, pid: str) -> dict[str, Any] | None:
        """Char.Status / the status bar: name, hp, max_hp, credits, level, xp, quest (name or None)."""
        game = self.hub.core.game
        world = game.world
        if not world.exists(pid):
            return None
        hp = world.get(pid, k.Health)
        wallet = world.get(pid, k.Wallet)
        player = world.get(pid, k.Player)
        quest = None
        if player is not None and player.quests:
            qid = next(iter(player.quests))
            tpl = game.templates.quest(qid)
            quest = tpl.name if tpl is not None else qid
        return {"name": game.name_of(pid), "hp": hp.current if hp else 0, "max_hp": hp.maximum if hp else 0,
                "credits": wallet.credits if wallet else 0, "level": player.level if player else 1,
                "xp": player.xp if player else 0, "quest": quest}


def room_num(room_id: str) -> int:
    """A stable positive integer per room id (Mudlet's mapper wants numbers)."""
    return zlib.crc32(room_id.encode()) & 0x7FFFFFFF
