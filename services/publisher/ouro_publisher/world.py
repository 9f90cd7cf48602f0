"""The world as the gate sees it: the engine's Redis keys (read-only) over the content library.

`candidates(proposal)` names every id and coordinate a proposal could refer to (pure: every safe-id
string and every x/y/z triple in its payload); `WorldReader.view(...)` fetches exactly those in one
pipelined round trip. The content library (data/base/ and data/generated/) fills in what the engine
has not loaded (yet): a template or room counts as existing if either knows it.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec
from redis.asyncio import Redis

from ouro_publisher.inventory import inventory
from ouro_publisher.types import WorldView
from ouro_schemas import names
from ouro_schemas.content import is_safe_id
from ouro_schemas.errors import ContentError, validate_model
from ouro_schemas.messages import AddRooms, AddTemplate
from ouro_schemas.payloads import PAYLOAD_MODELS
from ouro_schemas.proposal import Proposal, ProposalType

log = logging.getLogger(__name__)
MAX_CANDIDATES = 2_000
# Payload keys whose string values are vocabulary or prose: not fetched as world ids (fewer reads).
NOT_REFERENCES = frozenset({"kind", "slot", "rarity", "role", "behavior", "direction", "entrance_direction",
                            "name", "description", "text", "storefront", "behavior_type", "reward_type",
                            "tool", "color", "theme", "reason", "message", "memory_string", "details",
                            "prompt_context", "lock_exit", "unlock_exit", "origin"})
BASE_TEMPLATE_FILES = {"npcs": "npc", "items": "item", "quests": "quest", "questmakers": "questmaker",
                       "shops": "shop"}


# Payload mappings keyed by world ids (placements: template id -> room): their keys are candidates too. The keys
# of every other mapping are field names, which would only make the world read longer.
ID_KEYED = frozenset({"placements"})


_safe_ids: dict[str, bool] = {}


def _safe_id(value: str) -> bool:
    """`is_safe_id`, remembered: the same ids and words recur in every proposal of a kind."""
    hit = _safe_ids.get(value)
    if hit is None:
        if len(_safe_ids) > 50_000:
            _safe_ids.clear()
        hit = _safe_ids[value] = is_safe_id(value)
    return hit


def _walk(value: Any, ids: set[str], coords: set[str], depth: int = 0, keys_are_ids: bool = False) -> None:
    # Exact type checks: the payload is decoded JSON (plain dict/list/str/int), and `type(x) is int`
    # also leaves out bools, as the x/y rule wants.
    if len(ids) > MAX_CANDIDATES or depth > 12:
        return
    kind = type(value)
    if kind is dict:
        x, y = value.get("x"), value.get("y")
        if type(x) is int and type(y) is int:
            z = value.get("z", 0)
            coords.add(f"{x},{y},{z if isinstance(z, int) else 0}")
        for k, v in value.items():
            if keys_are_ids and type(k) is str and _safe_id(k):
                ids.add(k)
            vkind = type(v)
            if vkind is str:
                if k not in NOT_REFERENCES and _safe_id(v):  # else vocabulary (kind, slot…) or prose
                    ids.add(v)
            elif vkind is dict or vkind is list:
                _walk(v, ids, coords, depth + 1, k in ID_KEYED)
    elif kind is list:
        for v in value:
            _walk(v, ids, coords, depth + 1)
    elif kind is str and _safe_id(value):
        ids.add(value)


def candidates(proposal: Proposal) -> tuple[list[str], list[str]]:
    """(ids, "x,y,z" coordinates) a proposal may refer to, each fetched once."""
    ids: set[str] = set()
    coords: set[str] = set()
    _walk(proposal.payload, ids, coords)
    return sorted(ids), sorted(coords)


class Library:
    """The content library in memory: template id -> {"type", "template"}, room id -> room, districts."""

    def __init__(self) -> None:
        self.templates: dict[str, dict[str, Any]] = {}
        self.rooms: dict[str, dict[str, Any]] = {}
        self.districts: dict[str, dict[str, Any]] = {}
        self.coords: dict[str, str] = {}  # "x,y,z" -> room id
        self.by_proposal: dict[str, tuple[list[str], list[str]]] = {}  # proposal -> (templates, rooms)
        self.replaced: dict[str, list[tuple[str, dict[str, Any]]]] = {}  # proposal -> templates it changed

    def load(self, base: Path, generated: Path) -> int:
        """Read data/base/*.json and data/generated/*/*.json; bad files are logged and skipped."""
        n = 0
        for name, ttype in BASE_TEMPLATE_FILES.items():
            for entry in _read_list(base / f"{name}.json"):
                if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                    self.templates[entry["id"]] = {"type": ttype, "template": entry}
                    n += 1
        for entry in _read_list(base / "rooms.json"):
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                self._room(entry)
                n += 1
        for entry in _read_list(base / "districts.json"):
            if isinstance(entry, dict) and isinstance(entry.get("id"), str):
                self.districts[entry["id"]] = entry
        if generated.is_dir():
            for path in sorted(generated.glob("*/*.json")):
                n += self._load_generated(path)
        return n

    def _load_generated(self, path: Path) -> int:
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
            ptype = ProposalType(doc["type"])
            model = validate_model(PAYLOAD_MODELS[ptype], doc["payload"], str(path))
        except (OSError, ValueError, KeyError, TypeError, ContentError) as exc:
            log.warning("content file skipped", extra={"path": str(path), "error": str(exc)[:300]})
            return 0
        self.add(str(doc.get("proposal_id", "")), ptype, model)
        return 1

    def add(self, proposal_id: str, ptype: ProposalType, model: Any) -> None:
        """Remember what a committed proposal defined."""
        if ptype == ProposalType.QM_ACTION:
            return
        inv = inventory(ptype, model)
        tids, rids = [], []
        for ttype, tid, tmodel, _ in inv.templates:
            self.templates[tid] = {"type": ttype, "template": tmodel.model_dump(mode="json"),
                                   "proposal_id": proposal_id}
            tids.append(tid)
        for room, _ in inv.rooms:
            self._room(room.model_dump(mode="json"))
            rids.append(room.id)
        self.by_proposal[proposal_id] = (tids, rids)

    def add_ops(self, proposal_id: str, ops: list[Any]) -> None:
        """Remember what a committed patch adds (its AddTemplate and AddRooms ops)."""
        tids, rids = [], []
        for op in ops:
            if isinstance(op, AddTemplate):
                old = self.templates.get(op.template_id)
                if old is not None:  # a changed template (a shop's stock): put back on undo
                    self.replaced.setdefault(proposal_id, []).append((op.template_id, old))
                else:
                    tids.append(op.template_id)
                self.templates[op.template_id] = {"type": op.template_type, "template": op.template,
                                                  "proposal_id": proposal_id}
            elif isinstance(op, AddRooms):
                for room in op.rooms:
                    self._room(room)
                    rids.append(room["id"])
        self.by_proposal[proposal_id] = (tids, rids)

    def remove(self, proposal_id: str) -> None:
        tids, rids = self.by_proposal.pop(proposal_id, ([], []))
        for tid, old in self.replaced.pop(proposal_id, []):
            self.templates[tid] = old
        for tid in tids:
            self.templates.pop(tid, None)
        for rid in rids:
            room = self.rooms.pop(rid, None)
            if room is not None:
                self.coords.pop(_coord(room), None)

    def _room(self, room: dict[str, Any]) -> None:
        self.rooms[room["id"]] = room
        self.coords[_coord(room)] = room["id"]


def _coord(room: dict[str, Any]) -> str:
    return f"{room.get('x')},{room.get('y')},{room.get('z', 0)}"


def _read_list(path: Path) -> list[Any]:
    if not path.is_file():
        return []
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("content file unreadable", extra={"path": str(path), "error": str(exc)[:300]})
        return []
    return data if isinstance(data, list) else []


_decode = msgspec.json.Decoder()


def _json(raw: Any) -> dict[str, Any] | None:
    if raw is None:
        return None
    try:
        value = _decode.decode(raw)
    except (msgspec.DecodeError, TypeError):
        return None
    return value if isinstance(value, dict) else None


def _parsed(ids: list[str], column: list[Any]) -> dict[str, dict[str, Any]]:
    """id -> parsed JSON object, for the ids whose key holds a non-empty object."""
    out = {}
    for key, raw in zip(ids, column, strict=True):
        if raw is not None:
            value = _json(raw)
            if value:
                out[key] = value
    return out


@dataclass
class Snapshot:
    """World keys fetched for a batch of proposals (one round trip), each parsed once for the whole
    batch — only the ids that exist — plus the `extra` keys' raw values."""

    rooms: dict[str, dict[str, Any]] = field(default_factory=dict)
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)
    entities: dict[str, dict[str, Any]] = field(default_factory=dict)
    questmakers: dict[str, dict[str, Any]] = field(default_factory=dict)
    districts: dict[str, dict[str, Any]] = field(default_factory=dict)
    online: set[str] = field(default_factory=set)
    coords: dict[str, str] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


class WorldReader:
    """Builds WorldViews from Redis (read-only) and the library."""

    def __init__(self, redis: Redis, library: Library, summary_ttl_s: float = 1.0) -> None:
        self.redis = redis
        self.library = library
        self.summary_ttl_s = summary_ttl_s
        self._economy: dict[str, float] = {}
        self._economy_at = 0.0

    async def fetch(self, ids: list[str], coords: list[str], extra: list[str] | None = None) -> Snapshot:
        """One pipelined read of every world key `ids` and `coords` could name, and the `extra` keys."""
        pipe = self.redis.pipeline(transaction=False)
        if extra:
            pipe.mget(extra)
        refresh = time.monotonic() - self._economy_at > self.summary_ttl_s
        if ids:
            pipe.mget([names.WORLD_ROOM + i for i in ids])
            pipe.mget([names.WORLD_TEMPLATE + i for i in ids])
            pipe.mget([names.WORLD_ENTITY + i for i in ids])
            pipe.mget([names.WORLD_QUESTMAKER + i for i in ids])
            pipe.hmget(names.WORLD_DISTRICTS, ids)
            pipe.smismember(names.WORLD_PLAYERS_ONLINE, ids)
        if coords:
            pipe.hmget(names.WORLD_COORD, coords)
        if refresh:
            pipe.get(names.WORLD_SUMMARY)
        replies: list[Any] = await pipe.execute() if (ids or coords or refresh or extra) else []
        snap = Snapshot()
        if extra:
            snap.extra = dict(zip(extra, replies.pop(0), strict=True))
        k = 0
        if ids:
            rooms, templates, entities, qms, districts, online = replies[:6]
            k = 6
            snap.rooms = _parsed(ids, rooms)
            snap.templates = _parsed(ids, templates)
            snap.entities = _parsed(ids, entities)
            snap.questmakers = _parsed(ids, qms)
            snap.districts = _parsed(ids, districts)
            snap.online = {key for key, member in zip(ids, online, strict=True) if member}
        if coords:
            for c, rid in zip(coords, replies[k], strict=True):
                if rid is not None:
                    snap.coords[c] = rid.decode() if isinstance(rid, bytes) else str(rid)
            k += 1
        if refresh:
            summary = _json(replies[k]) or {}
            eco = summary.get("economy")
            self._economy = {key: float(v) for key, v in (eco or {}).items() if isinstance(v, int | float)}
            self._economy_at = time.monotonic()
        return snap

    def build(self, snap: Snapshot, ids: list[str], coords: list[str]) -> WorldView:
        """The view of `ids` and `coords` from a snapshot, with the library (incl. this batch's commits):
        a room, template or district counts as existing if either knows it."""
        view = WorldView(economy=dict(self._economy))
        lib = self.library
        for key in ids:
            r = snap.rooms.get(key) or lib.rooms.get(key)
            if r is not None:
                view.rooms[key] = r
            t = snap.templates.get(key) or lib.templates.get(key)
            if t is not None:
                view.templates[key] = t
            e = snap.entities.get(key)
            if e is not None:
                view.entities[key] = e
                if e.get("kind") == "player":
                    view.players.add(key)
            q = snap.questmakers.get(key)
            if q is not None:
                view.questmakers[key] = q
            d = snap.districts.get(key) or lib.districts.get(key)
            if d is not None:
                view.districts[key] = d
            if key in snap.online:
                view.players.add(key)
        for c in coords:
            rid = snap.coords.get(c) or lib.coords.get(c)
            if rid is not None:
                view.coords[c] = rid
        return view

    async def view(self, ids: list[str], coords: list[str],
                   extra: list[str] | None = None) -> tuple[WorldView, list[Any]]:
        """The view of `ids` and `coords`, plus the raw values of the `extra` keys (same round trip)."""
        snap = await self.fetch(ids, coords, extra)
        return self.build(snap, ids, coords), [snap.extra[k] for k in extra or []]
