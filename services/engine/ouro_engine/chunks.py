"""Chunks in and out of memory, so the engine's memory stays bounded while the world grows (issue 10).

The world is cut into 20×20 chunks (`ouro_schemas.chunks`); every chunk lives in Redis (its rooms'
JSON, `ouro:world:chunk:<ck>`, the entities anchored there, its growth points, its figures in
`ouro:world:chunks`). In memory are only:
1. the base city, chunk (0, 0), always (spawn, quests and Questmakers live there);
2. the 3×3 chunks around every online player (`chunk_radius`), and where a fight is going on;
3. chunks a patch touched (and their neighbours), for `chunk_idle_s` after they were last wanted;
4. players and what they carry, wherever they are (few, and the world refers to them by id).

An entity's *anchor* is the chunk of its room (a dead NPC: of its home room; an item: of its holder);
players and their things have none (global). Loading is asynchronous and ahead of need (the shell's
`maintain` pass and the patch prefetch); a room the game needs right now that is not in memory (a
login in a far chunk, a move faster than the prefetch) is a *miss*, read synchronously — one
pipelined round trip, counted in `misses`. Unloading forgets rooms and entities that are not dirty:
nothing is written, Redis already holds them.

Without an `io` (a Core built in-process from base content, the benchmark's baseline) nothing is ever
unloaded: everything stays in memory, as before chunks existed.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, Literal

import msgspec
import redis as sync_redis
from redis.asyncio import Redis

from ouro_engine import components as k
from ouro_engine.rooms import RoomState, room_from_stored
from ouro_schemas import names
from ouro_schemas.chunks import BASE_CHUNK, Chunk, GrowthPointRecord, chunk_key, chunk_of, neighbourhood

if TYPE_CHECKING:
    from ouro_engine.game import Game

log = logging.getLogger(__name__)
KEEP: Final = "keep"  # anchor_of: unknown (its room is not in memory): keep what the index says
_json = msgspec.json.Decoder()
_gp = msgspec.json.Decoder(GrowthPointRecord)


@dataclass(slots=True)
class ChunkData:
    """One chunk as read from Redis."""

    chunk: Chunk
    rooms: list[dict[str, Any]] = field(default_factory=list)
    entities: list[dict[str, Any]] = field(default_factory=list)
    growth: list[GrowthPointRecord] = field(default_factory=list)


def _s(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _loads(raws: Iterable[Any]) -> list[dict[str, Any]]:
    out = []
    for raw in raws:
        if raw:
            value = _json.decode(raw)
            if isinstance(value, dict):
                out.append(value)
    return out


def sync_twin(client: Redis, timeout_s: float = 2.0) -> sync_redis.Redis:
    """A blocking client to the same server as `client` (for misses: the game loop cannot await)."""
    kw = client.connection_pool.connection_kwargs
    if kw.get("path"):
        return sync_redis.Redis(unix_socket_path=kw["path"], db=kw.get("db", 0), password=kw.get("password"),
                                username=kw.get("username"), socket_timeout=timeout_s)
    return sync_redis.Redis(host=kw.get("host", "localhost"), port=kw.get("port", 6379), db=kw.get("db", 0),
                            password=kw.get("password"), username=kw.get("username"), socket_timeout=timeout_s,
                            socket_connect_timeout=timeout_s)


class ChunkIO:
    """Reading chunks from Redis: two pipelined round trips for any number of chunks."""

    def __init__(self, redis: Redis, blocking: sync_redis.Redis | None = None) -> None:
        self.redis = redis
        self.blocking = blocking

    @staticmethod
    def _first(pipe: Any, chunks: list[Chunk]) -> None:
        for chunk in chunks:
            ck = chunk_key(chunk)
            pipe.hkeys(names.WORLD_CHUNK + ck)
            pipe.smembers(names.WORLD_CHUNK_ENTITIES + ck)
            pipe.hvals(names.WORLD_GROWTH + ck)

    @staticmethod
    def _second(pipe: Any, first: list[Any]) -> list[tuple[list[str], list[str]]]:
        ids = []
        for i in range(0, len(first), 3):
            rooms = sorted(_s(r) for r in first[i])
            ents = sorted(_s(e) for e in first[i + 1])
            ids.append((rooms, ents))
            pipe.mget([names.WORLD_ROOM + r for r in rooms] or [names.WORLD_ROOM])
            pipe.mget([names.WORLD_ENTITY + e for e in ents] or [names.WORLD_ENTITY])
        return ids

    @staticmethod
    def _build(chunks: list[Chunk], first: list[Any], ids: list[tuple[list[str], list[str]]],
               second: list[Any]) -> list[ChunkData]:
        out = []
        for n, chunk in enumerate(chunks):
            rooms, ents = ids[n]
            data = ChunkData(chunk)
            data.rooms = _loads(second[2 * n]) if rooms else []
            data.entities = _loads(second[2 * n + 1]) if ents else []
            data.growth = [_gp.decode(raw) for raw in first[3 * n + 2]]
            out.append(data)
        return out

    async def read(self, chunks: list[Chunk]) -> list[ChunkData]:
        if not chunks:
            return []
        pipe = self.redis.pipeline(transaction=False)
        self._first(pipe, chunks)
        first = await pipe.execute()
        pipe = self.redis.pipeline(transaction=False)
        ids = self._second(pipe, first)
        second = await pipe.execute()
        return self._build(chunks, first, ids, second)

    def read_blocking(self, chunks: list[Chunk]) -> list[ChunkData]:
        if not chunks or self.blocking is None:
            return []
        pipe = self.blocking.pipeline(transaction=False)
        self._first(pipe, chunks)
        first = pipe.execute()
        pipe = self.blocking.pipeline(transaction=False)
        ids = self._second(pipe, first)
        second = pipe.execute()
        return self._build(chunks, first, ids, second)

    def room_chunk_blocking(self, room_id: str) -> Chunk | None:
        if self.blocking is None:
            return None
        raw = self.blocking.get(names.WORLD_ROOM + room_id)
        room = _json.decode(raw) if raw else None
        if not isinstance(room, dict):
            return None
        return chunk_of(int(room.get("x", 0)), int(room.get("y", 0)))

    async def locate(self, room_ids: list[str], entity_ids: list[str]) -> set[Chunk]:
        """The chunks these rooms and entities are in (by their stored JSON; unknown ids are skipped)."""
        out: set[Chunk] = set()
        if not room_ids and not entity_ids:
            return out
        pipe = self.redis.pipeline(transaction=False)
        pipe.mget([names.WORLD_ROOM + r for r in room_ids] or [names.WORLD_ROOM])
        pipe.mget([names.WORLD_ENTITY + e for e in entity_ids] or [names.WORLD_ENTITY])
        rooms, ents = await pipe.execute()
        for room in _loads(rooms if room_ids else []):
            out.add(chunk_of(int(room.get("x", 0)), int(room.get("y", 0))))
        for ent in _loads(ents if entity_ids else []):
            ck = ent.get("chunk")
            if isinstance(ck, str) and "," in ck:
                a, b = ck.split(",", 1)
                out.add((int(a), int(b)))
        return out


class ChunkStore:
    """What is in memory, what should be, and where each entity in memory is anchored."""

    def __init__(self, game: Game, io: ChunkIO | None = None) -> None:
        self.game = game
        self.io = io
        self.pinned: set[Chunk] = {BASE_CHUNK}
        self.wanted_at: dict[Chunk, float] = {}
        # Entities in memory -> the anchor the Redis index has for them (None: the global set).
        self.anchor: dict[str, Chunk | None] = {}
        self.members: dict[Chunk, set[str]] = {}
        self.loads = 0
        self.unloads = 0
        self.misses = 0

    @property
    def radius(self) -> int:
        return self.game.settings.chunk_radius

    # --- anchors ------------------------------------------------------------------------------------
    def anchor_of(self, eid: str, depth: int = 0) -> Chunk | Literal['keep'] | None:
        """The chunk an entity belongs to; None for players and what they carry; KEEP when unknown."""
        world = self.game.world
        if world.has(eid, k.Player):
            return None
        held = world.get(eid, k.Held)
        if held is not None:
            return self.anchor_of(held.holder_id, depth + 1) if depth < 4 else KEEP
        pos = world.get(eid, k.Position)
        ai = world.get(eid, k.AI)
        rid = pos.room_id if pos is not None else (ai.home_room_id if ai is not None else None)
        if rid is None:
            return None
        room = self.game.map.get(rid)
        if room is None:
            return KEEP
        return chunk_of(room.coords[0], room.coords[1])

    def set_anchor(self, eid: str, chunk: Chunk | None) -> None:
        old = self.anchor.get(eid)
        if old is not None:
            self.members.get(old, set()).discard(eid)
        self.anchor[eid] = chunk
        if chunk is not None:
            self.members.setdefault(chunk, set()).add(eid)

    def drop_anchor(self, eid: str) -> None:
        old = self.anchor.pop(eid, None)
        if old is not None:
            self.members.get(old, set()).discard(eid)

    # --- loading ------------------------------------------------------------------------------------
    def insert(self, data: ChunkData, now: float) -> None:
        """A chunk read from Redis goes into memory (no dirty marks: it is what Redis holds)."""
        game = self.game
        if data.chunk in game.map.loaded:
            return
        rooms: list[RoomState] = [room_from_stored(r) for r in data.rooms]
        growth: dict[str, dict[str, GrowthPointRecord]] = {}
        for gp in data.growth:
            growth.setdefault(gp.room_id, {})[gp.direction] = gp
        game.map.insert_loaded(data.chunk, rooms, growth)
        from ouro_engine.persistence import entity_components

        for row in data.entities:
            eid = str(row["id"])
            if game.world.insert(eid, *entity_components(row)):
                self.set_anchor(eid, data.chunk)
        self.wanted_at[data.chunk] = now
        self.loads += 1

    def missing(self, chunks: Iterable[Chunk]) -> list[Chunk]:
        return sorted(ch for ch in set(chunks) if not self.game.map.is_loaded(ch))

    async def load(self, chunks: Iterable[Chunk], now: float) -> int:
        """Read and insert the chunks not in memory yet; returns how many were loaded."""
        todo = self.missing(chunks)
        if not todo or self.io is None:
            return 0
        for data in await self.io.read(todo):
            self.insert(data, now)
        return len(todo)

    async def load_for_player(self, pid: str) -> None:
        """The chunk where a player stands (a reload with sessions attached)."""
        pos = self.game.world.get(pid, k.Position)
        if pos is None or pos.room_id in self.game.map.rooms or self.io is None:
            return
        await self.load(await self.io.locate([pos.room_id], []), self.game.now)

    def ensure_blocking(self, chunks: Iterable[Chunk]) -> bool:
        """A miss: the chunks now, blocking (one pipelined read). False if they could not be read."""
        todo = self.missing(chunks)
        if not todo:
            return True
        if self.io is None:
            return False
        try:
            rows = self.io.read_blocking(todo)
        except sync_redis.RedisError as exc:
            log.warning("chunk miss could not be read", extra={"chunks": todo, "error": str(exc)})
            return False
        self.misses += len(todo)
        for data in rows:
            self.insert(data, self.game.now)
        return not self.missing(todo)

    def ensure_cell(self, cell: tuple[int, int, int]) -> bool:
        return self.ensure_blocking([chunk_of(cell[0], cell[1])])

    def ensure_room(self, room_id: str) -> bool:
        """The room in memory (a login where the player left off); False when no such room exists."""
        if room_id in self.game.map.rooms:
            return True
        if self.io is None:
            return False
        try:
            chunk = self.io.room_chunk_blocking(room_id)
        except sync_redis.RedisError:
            return False
        return chunk is not None and self.ensure_blocking([chunk]) and room_id in self.game.map.rooms

    # --- what should be in memory -------------------------------------------------------------------
    def wanted(self) -> set[Chunk]:
        """The base city, the chunks around every online player, and where fights are going on."""
        game = self.game
        out = set(self.pinned)
        around: set[Chunk] = set()
        for _eid, (_on, pos) in game.world.query(k.Online, k.Position):
            room = game.map.get(pos.room_id)
            if room is not None:
                around.add(chunk_of(room.coords[0], room.coords[1]))
        for _eid, (_f, pos) in game.world.query(k.Fighting, k.Position):
            room = game.map.get(pos.room_id)
            if room is not None:
                out.add(chunk_of(room.coords[0], room.coords[1]))
        for chunk in around:
            out.update(neighbourhood(chunk, self.radius))
        return out

    def touch(self, chunks: Iterable[Chunk], now: float) -> None:
        """Wanted now (chunks with rooms only: open land needs no bookkeeping)."""
        for chunk in chunks:
            if chunk in self.game.map.meta or chunk in self.game.map.stale:
                self.wanted_at[chunk] = now

    # --- unloading ----------------------------------------------------------------------------------
    def _busy_chunks(self) -> set[Chunk]:
        """Chunks with something not yet written: they stay until it is."""
        game = self.game
        busy = set(game.map.stale)
        for rid in game.dirty.rooms:
            room = game.map.get(rid)
            if room is not None:
                busy.add(chunk_of(room.coords[0], room.coords[1]))
        for eid in game.world.dirty | game.world.removed:
            anchor = self.anchor_of(eid) if game.world.exists(eid) else None
            for chunk in (anchor, self.anchor.get(eid)):
                if isinstance(chunk, tuple):
                    busy.add(chunk)
        return busy

    def unload_idle(self, now: float, idle_s: float, wanted: set[Chunk] | None = None) -> list[Chunk]:
        """Forget chunks nobody wanted for `idle_s` (and entities anchored in chunks not in memory).
        `wanted`: what `wanted()` returns now, when the caller has just computed it."""
        game = self.game
        wanted = self.wanted() if wanted is None else wanted
        self.touch(wanted, now)
        busy = self._busy_chunks()
        gone = [ch for ch in sorted(game.map.loaded) if ch not in wanted and ch not in busy
                and ch in game.map.meta and now - self.wanted_at.get(ch, 0.0) >= idle_s]
        for chunk in gone:
            meta = game.map.meta.get(chunk)
            if meta is not None:
                meta.npcs = self._npc_counts(chunk)
                game.dirty.chunk_meta.add(chunk)
            game.map.evict(chunk)
            self.wanted_at.pop(chunk, None)
            self.unloads += 1
        for chunk in [ch for ch in self.members if not game.map.is_loaded(ch) or ch in gone]:
            if chunk in busy:
                continue
            for eid in sorted(self.members.pop(chunk, set())):
                self.anchor.pop(eid, None)
                game.world.evict(eid)
        return gone

    def _npc_counts(self, chunk: Chunk) -> dict[str, int]:
        counts: dict[str, int] = {}
        world = self.game.world
        for eid in self.members.get(chunk, ()):
            ai = world.get(eid, k.AI)
            if ai is not None and not world.has(eid, k.Dead) and ai.district_id:
                counts[ai.district_id] = counts.get(ai.district_id, 0) + 1
        return dict(sorted(counts.items()))

    def stats(self) -> dict[str, int]:
        game = self.game
        return {"chunks": len(game.map.meta), "chunks_loaded": len(game.map.loaded & set(game.map.meta)),
                "rooms_loaded": len(game.map.rooms), "rooms": game.map.room_count(), "loads": self.loads,
                "unloads": self.unloads, "misses": self.misses}
