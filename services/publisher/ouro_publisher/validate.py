"""Gate step 1 — validate: schema, integrity and compatibility (pure).

1. ids: the proposal id must be file- and key-safe (entity ids and file names derive from it);
2. schema: `payloads.PAYLOAD_MODELS[type]`, every problem as "path: reason";
3. integrity: every new room has an exit; new ids are new; every referenced template (of the right
   type), room, district exists in the world view or in the proposal itself; new rooms are reachable
   from the existing room they hang from; their exits are paired and one grid step long
   (`ouro_schemas.integrity.exits_paired`, the base world's rule);
4. compatibility: no exit of an existing room is re-pointed (only free directions get new exits), no
   coordinate collides with an existing room or another new room.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Container
from operator import attrgetter
from typing import Any

from pydantic import BaseModel, ValidationError

from ouro_publisher.inventory import Inventory
from ouro_publisher.types import WorldView, fail, ok
from ouro_schemas.content import OFFSET, Exit, Room, is_safe_id
from ouro_schemas.errors import describe_error
from ouro_schemas.guardrails import Verdict
from ouro_schemas.integrity import Geo, GeoExit, exits_paired, geo
from ouro_schemas.payloads import PAYLOAD_MODELS
from ouro_schemas.proposal import Proposal

_is_ok = attrgetter("ok")
_NONE: frozenset[str] = frozenset()
_ROOM_FIELDS = Room.model_fields  # a property that builds its answer (~0.5 µs)
_validate_room = Room.__pydantic_validator__.validate_python

MAX_FLAVOR_KEYS = 64
MAX_FLAVOR_TEXT = 4000


def check_schema(proposal: Proposal) -> tuple[BaseModel | None, list[Verdict]]:
    """The validated payload model (None if invalid) and the schema verdicts."""
    out: list[Verdict] = []
    if not is_safe_id(proposal.id) or len(proposal.id) > 80:
        out.append(fail("schema.proposal_id", "proposal id is not a safe id", proposal.id[:120],
                        "^[a-z0-9][a-z0-9_.:-]{0,79}$ without '..'", "id"))
    if proposal.flavor or type(proposal.flavor) is not dict:  # nothing to check in an empty one
        out.extend(_check_flavor(proposal.flavor))
    model_kind = PAYLOAD_MODELS.get(proposal.type)
    if model_kind is None:
        out.append(fail("schema.type", "no payload schema for this type", str(proposal.type), path="type"))
        return None, out
    try:
        # errors.validate_model without its wrappers (~0.6 µs): model_validate is this call, and the
        # problems are the ones its ContentError would carry.
        model = model_kind.__pydantic_validator__.validate_python(proposal.payload)
    except ValidationError as exc:
        for problem in describe_error(exc):
            where, _, why = problem.partition(": ")
            out.append(fail("schema.payload", why or problem, path=f"payload.{where}"))
        return None, out
    if not out:
        out.append(ok("schema.payload", model_kind.__name__))
    return (model if all(map(_is_ok, out)) else None), out


def _check_flavor(flavor: dict[str, Any]) -> list[Verdict]:
    out: list[Verdict] = []
    if len(flavor) > MAX_FLAVOR_KEYS:
        out.append(fail("schema.flavor", "too many flavour fields", len(flavor), MAX_FLAVOR_KEYS, "flavor"))
    for key, value in flavor.items():
        texts = value if isinstance(value, list) else [value]
        total = sum(len(t) for t in texts if isinstance(t, str))
        if any(not isinstance(t, str) for t in texts):
            out.append(fail("schema.flavor", "flavour values are strings or lists of strings", path=f"flavor.{key}"))
        elif total > MAX_FLAVOR_TEXT:
            out.append(fail("schema.flavor", "flavour text too long", total, MAX_FLAVOR_TEXT, f"flavor.{key}"))
    return out


def check_integrity(inv: Inventory, world: WorldView) -> list[Verdict]:
    out = _new_ids(inv, world)
    out.extend(_references(inv, world))
    if inv.rooms:  # reachability and pairing are about new rooms
        out.extend(_reachable(inv, world))
        out.extend(_paired(inv, world))
    if all(map(_is_ok, out)):
        out.append(ok("integrity", len(inv.templates) + len(inv.rooms)))
    return out


def _new_ids(inv: Inventory, world: WorldView) -> list[Verdict]:
    """New templates and rooms: safe ids, not defined twice, not already in the world; rooms have exits."""
    out: list[Verdict] = []
    seen: set[str] = set()
    # Template and room ids here passed the schema's Id pattern (is_safe_id's own pattern), so of
    # is_safe_id only the ".." test can fail (tests/publisher/test_gate_fast_paths.py).
    for ttype, tid, _, path in inv.templates:
        if ".." in tid:
            out.append(fail("integrity.unsafe_id", "ids name files: no '..'", tid, path=f"{path}.id"))
        if tid in seen:
            out.append(fail("integrity.duplicate_id", f"{ttype} id defined twice", tid, path=path))
        seen.add(tid)
        if tid in world.templates and world.templates[tid].get("proposal_id") != inv.proposal_id:
            out.append(fail("integrity.id_exists", f"template {tid!r} already exists "
                            f"({world.template_type(tid)})", tid, path=f"{path}.id"))
    exits_from = {r for r, _, _, _ in inv.exits} if inv.rooms else set()
    for room, path in inv.rooms:
        if ".." in room.id:
            out.append(fail("integrity.unsafe_id", "ids name keys: no '..'", room.id, path=f"{path}.id"))
        if room.id in world.rooms and world.rooms[room.id].get("origin") != inv.proposal_id:
            out.append(fail("integrity.id_exists", f"room {room.id!r} already exists", room.id, path=f"{path}.id"))
        if room.id not in exits_from:
            out.append(fail("integrity.room_exit", "a room needs at least one exit", 0, 1, f"{path}.exits"))
    return out


def _references(inv: Inventory, world: WorldView) -> list[Verdict]:
    """Every referenced template (of the right type), room and district exists."""
    out: list[Verdict] = []
    new_templates = {tid: ttype for ttype, tid, _, _ in inv.templates}
    new_rooms = inv.new_room_ids if inv.rooms else _NONE
    for tid, kinds, path in inv.ref_templates:
        kind = new_templates.get(tid) or world.template_type(tid)
        if kind is None:
            out.append(fail("integrity.template", f"unknown template {tid!r}", tid, path=path))
        elif kind not in kinds:
            out.append(fail("integrity.template", f"{tid!r} is a {kind}, expected {'/'.join(sorted(kinds))}",
                            tid, path=path))
    for rid, path in inv.ref_rooms:
        if rid not in world.rooms and rid not in new_rooms:
            out.append(fail("integrity.room", f"unknown room {rid!r}", rid, path=path))
    for rid, _, to, path in inv.exits:
        for end in (rid, to):
            if end not in world.rooms and end not in new_rooms:
                out.append(fail("integrity.room", f"exit refers to unknown room {end!r}", end, path=path))
    for did, path in inv.ref_districts:
        if did not in world.districts and did not in inv.new_districts:
            out.append(fail("integrity.district", f"unknown district {did!r}", did, path=path))
    return out


def _paired(inv: Inventory, world: WorldView) -> list[Verdict]:
    """`integrity.check_exits_paired` on the new rooms (with the exits the patch adds): every exit one
    grid step away and with a way back. The rooms as plain tuples (no copies of the models, no Exit
    models for the added exits), checked and said by `integrity.exits_paired`, as for the base world."""
    if not inv.rooms:
        return []
    rooms: dict[str, Geo] = {}
    for room, _ in inv.rooms:
        rooms[room.id] = geo(room)
    for rid in {to for _, _, to, _ in inv.exits} | {r for r, _, _, _ in inv.exits}:
        raw = world.rooms.get(rid)
        if rid not in rooms and raw is not None:
            try:  # Room.model_validate, without its wrapper
                rooms[rid] = geo(_validate_room({k: v for k, v in raw.items() if k in _ROOM_FIELDS}))
            except ValueError:
                continue
    for rid, direction, to, _ in inv.exits:
        known = rooms.get(rid)
        if known is not None and all(ex[0] != direction for ex in known[4]):
            known[4].append(_added_exit(direction, to))
    return [fail("integrity.exits_paired", problem, rid)
            for rid, problem in paired_problems(list(rooms.values()), inv.new_room_ids)]


def _added_exit(direction: str, to: str) -> GeoExit:
    """The exit `Exit.model_validate({"direction": direction, "to": to})` makes; the model itself (and
    its error) only when the values are not plainly valid (they come from a validated payload)."""
    if direction in OFFSET and is_safe_id(to):
        return direction, to, False, None
    ex = Exit.model_validate({"direction": direction, "to": to})
    return ex.direction, ex.to, ex.locked, ex.key_item_id


def paired_problems(rooms: list[Geo], new: Container[str]) -> list[tuple[str, str]]:
    """`integrity.exits_paired` for the rooms whose id, cut at an ".exits" in it, is in `new` — the room
    the gate names, as it first read it back out of a problem's text: (that id, the problem)."""
    return [(_owner(rid), problem) for rid, problem in exits_paired(rooms, lambda rid: _owner(rid) in new)]


def _owner(rid: str) -> str:
    return rid.split(".exits", 1)[0]


def _reachable(inv: Inventory, world: WorldView) -> list[Verdict]:
    if not inv.rooms:
        return []
    out: list[Verdict] = []
    graph: dict[str, set[str]] = {}
    for rid, _, to, _ in inv.exits:
        graph.setdefault(rid, set()).add(to)
    new_rooms = inv.new_room_ids
    start = deque(new for anchor, new, _ in inv.anchors if new and anchor in world.rooms)
    for anchor, new, path in inv.anchors:
        if not new:
            out.append(fail("integrity.growth_point", "no new room at the growth point's coordinates",
                            anchor, path=path))
    reached = set(start)
    while start:
        here = start.popleft()
        for nxt in graph.get(here, ()):
            if nxt in new_rooms and nxt not in reached:
                reached.add(nxt)
                start.append(nxt)
    lost = sorted(new_rooms - reached)
    if lost:
        out.append(fail("integrity.reachable", "rooms not reachable from the existing world",
                        len(lost), 0, f"rooms {', '.join(lost[:5])}"))
    return out


def check_compatibility(inv: Inventory, world: WorldView) -> list[Verdict]:
    out: list[Verdict] = []
    coords: dict[str, str] = {}
    for room, path in inv.rooms:
        key = f"{room.x},{room.y},{room.z}"
        holder = world.coords.get(key) or coords.get(key)
        if holder is not None and holder != room.id:
            out.append(fail("compat.coordinates", f"coordinates {key} are taken by {holder!r}", key,
                            path=f"{path}.x"))
        coords[key] = room.id
    for rid, direction, to, path in inv.exits:
        existing = world.rooms.get(rid)
        if existing is None:
            continue  # a new room: its exits are its own
        for ex in existing.get("exits", []):
            if ex.get("direction") == direction:
                out.append(fail("compat.exit_repointed", f"room {rid!r} already has an exit {direction} "
                                f"to {ex.get('to')!r}", to, ex.get("to"), path))
        # Only adjacent growth: the exit's direction must match the coordinates.
        target = next((r for r, _ in inv.rooms if r.id == to), None)
        if target is not None and "x" in existing:
            dx, dy, dz = OFFSET[direction]
            want = (int(existing["x"]) + dx, int(existing["y"]) + dy, int(existing.get("z", 0)) + dz)
            if (target.x, target.y, target.z) != want:
                out.append(fail("compat.exit_geometry", f"exit {direction} from {rid!r} must lead to "
                                f"{want}", (target.x, target.y, target.z), want, path))
    if all(map(_is_ok, out)):
        out.append(ok("compat", len(inv.rooms)))
    return out
