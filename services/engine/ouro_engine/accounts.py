"""Player accounts: validated names, argon2id password hashes, stored at `ouro:account:<name>`.

Hashing runs in a worker thread (argon2 is deliberately slow) so the game loop never waits on it.
"""

from __future__ import annotations

import asyncio
import re
import time

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from redis.asyncio import Redis

from ouro_schemas import names

NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9]{2,15}$")
RESERVED = {"admin", "root", "system", "engine", "director", "publisher", "questmaker", "someone", "nobody"}
PASSWORD_MIN, PASSWORD_MAX = 6, 128


class AccountError(Exception):
    """Registration or login refused; the message is shown to the player."""


class Account(msgspec.Struct, kw_only=True):
    name: str
    player_id: str
    hash: str
    created_at: float


def player_id_for(name: str) -> str:
    return f"player:{name.lower()}"


def check_name(name: str) -> str:
    if not NAME_RE.fullmatch(name):
        raise AccountError("Names are 3-16 letters or digits, starting with a letter.")
    if name.lower() in RESERVED:
        raise AccountError("That name is reserved.")
    return name[0].upper() + name[1:]


class Accounts:
    def __init__(self, redis: Redis, time_cost: int = 2, memory_kib: int = 19_456) -> None:
        self.redis = redis
        self.hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)

    async def register(self, name: str, password: str) -> Account:
        name = check_name(name)
        if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
            raise AccountError(f"Passwords are {PASSWORD_MIN}-{PASSWORD_MAX} characters.")
        digest = await asyncio.to_thread(self.hasher.hash, password)
        account = Account(name=name, player_id=player_id_for(name), hash=digest, created_at=time.time())
        created = await self.redis.set(names.ACCOUNT + name.lower(), msgspec.json.encode(account), nx=True)
        if not created:
            raise AccountError("That name is taken.")
        return account

    async def login(self, name: str, password: str) -> Account:
        raw = await self.redis.get(names.ACCOUNT + name.lower()) if NAME_RE.fullmatch(name) else None
        if raw is None:
            raise AccountError("Wrong name or password.")
        account = msgspec.json.decode(raw, type=Account)
        try:
            await asyncio.to_thread(self.hasher.verify, account.hash, password[:PASSWORD_MAX])
        except (VerificationError, InvalidHashError):
            raise AccountError("Wrong name or password.") from None
        return account
