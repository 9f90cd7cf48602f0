"""Loading the base world from `data/base/<field>.json` (one file per `content.BaseWorld` field).

Start-up fails fast: an unreadable or invalid file raises `ContentError` naming the file, the field
path and the reason; then referential integrity is checked across files (exits point to rooms, spawns
to templates, quests to Questmakers, ...) and every problem is reported at once.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ouro_schemas import content as c
from ouro_schemas.errors import ContentError, validate_model

FILE_MODELS: dict[str, type[BaseModel]] = {
    "factions": c.Faction,
    "districts": c.District,
    "rooms": c.Room,
    "npcs": c.NpcArchetype,
    "items": c.ItemArchetype,
    "shops": c.Shop,
    "quests": c.QuestBlueprint,
    "questmakers": c.Questmaker,
    "npc_spawns": c.NpcSpawn,
    "item_spawns": c.ItemSpawn,
}
OPTIONAL_FILES = {"item_spawns"}


def _read_list(path: Path, model: type[BaseModel]) -> list[Any]:
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ContentError(str(path), [f"(root): cannot read: {exc}"]) from None
    except json.JSONDecodeError as exc:
        raise ContentError(str(path), [f"(root): invalid JSON at line {exc.lineno}: {exc.msg}"]) from None
    if not isinstance(raw, list):
        raise ContentError(str(path), ["(root): expected a JSON list"])
    out = []
    for i, item in enumerate(raw):
        try:
            out.append(validate_model(model, item, str(path)))
        except ContentError as exc:
            raise ContentError(str(path), [f"[{i}].{p}" for p in exc.problems]) from None
    return out


def _read_spawn_room(base_dir: Path) -> str:
    """`world.json` or `meta.json` ({"spawn_room_id": ...}), or `spawn_room_id.json` (a JSON string);
    default "spawn"."""
    for name in ("world.json", "meta.json", "spawn_room_id.json"):
        path = base_dir / name
        if not path.exists():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ContentError(str(path), [f"(root): {exc}"]) from None
        value = data.get("spawn_room_id") if isinstance(data, dict) else data
        if not c.is_safe_id(value):
            raise ContentError(str(path), [f"spawn_room_id: not a valid id: {value!r}"])
        return str(value)
    return "spawn"


def load_base(base_dir: Path) -> c.BaseWorld:
    """Read and validate every file; raises ContentError (file, field, reason) on the first bad file,
    then one ContentError listing every integrity problem."""
    fields: dict[str, Any] = {}
    for name, model in FILE_MODELS.items():
        path = base_dir / f"{name}.json"
        if not path.exists():
            if name in OPTIONAL_FILES:
                continue
            raise ContentError(str(path), ["(root): file missing"])
        fields[name] = _read_list(path, model)
    fields["spawn_room_id"] = _read_spawn_room(base_dir)
    world = c.BaseWorld.model_construct(**fields)
    if "item_spawns" not in fields:
        world.item_spawns = []
    problems = integrity_problems(world)
    if problems:
        raise ContentError(str(base_dir), problems)
    return world


def _need(problems: list[str], where: str, what: str, ref: str | None, known: set[str] | dict[str, Any]) -> None:
    if ref is not None and ref not in known:
        problems.append(f"{where}: unknown {what} {ref!r}")


def _rooms_problems(w: c.BaseWorld, rooms: set[str], districts: set[str]) -> list[str]:
    problems: list[str] = []
    seen: dict[tuple[int, int, int], str] = {}
    for room in w.rooms:
        where = f"rooms.json {room.id}"
        _need(problems, where, "district", room.district_id, districts)
        for ex in room.exits:
            _need(problems, f"{where} exit {ex.direction}", "room", ex.to, rooms)
        key = (room.x, room.y, room.z)
        if key in seen:
            problems.append(f"{where}: coordinates {key} already used by {seen[key]!r}")
        seen[key] = room.id
    if w.spawn_room_id not in rooms:
        problems.append(f"spawn_room_id: unknown room {w.spawn_room_id!r}")
    return problems


def _quest_problems(w: c.BaseWorld, ids: dict[str, set[str]]) -> list[str]:
    problems: list[str] = []
    node_refs = {"go_to": "rooms", "kill": "npcs", "talk": "npcs", "fetch": "items", "deliver": "items"}
    for q in w.quests:
        where = f"quests.json {q.id}"
        _need(problems, where, "giver npc", q.giver_npc_id, ids["npcs"])
        _need(problems, where, "questmaker", q.questmaker_id, ids["questmakers"])
        _need(problems, where, "district", q.district_id, ids["districts"])
        for node in q.nodes:
            kind = node_refs[node.kind]
            _need(problems, f"{where} node {node.id}", kind.rstrip("s"), node.target, ids[kind])
            _need(problems, f"{where} node {node.id} to", "npc", node.to, ids["npcs"])
        for item in [*q.rewards.item_ids, *q.critical_item_ids]:
            _need(problems, where, "item", item, ids["items"])
    return problems


def integrity_problems(w: c.BaseWorld) -> list[str]:
    ids = {
        "rooms": {r.id for r in w.rooms}, "npcs": {n.id for n in w.npcs}, "items": {i.id for i in w.items},
        "districts": {d.id for d in w.districts}, "factions": {f.id for f in w.factions},
        "questmakers": {q.id for q in w.questmakers}, "shops": {s.id for s in w.shops},
    }
    problems = _rooms_problems(w, ids["rooms"], ids["districts"])
    for d in w.districts:
        _need(problems, f"districts.json {d.id}", "faction", d.faction_id, ids["factions"])
    for n in w.npcs:
        _need(problems, f"npcs.json {n.id}", "faction", n.faction_id, ids["factions"])
        _need(problems, f"npcs.json {n.id}", "shop", n.shop_id, ids["shops"])
        for loot in n.loot:
            _need(problems, f"npcs.json {n.id} loot", "item", loot.item_id, ids["items"])
    for s in w.shops:
        _need(problems, f"shops.json {s.id}", "room", s.room_id, ids["rooms"])
        _need(problems, f"shops.json {s.id}", "keeper npc", s.keeper_npc_id, ids["npcs"])
        for item in s.stock:
            _need(problems, f"shops.json {s.id} stock", "item", item, ids["items"])
    for sp in w.npc_spawns:
        _need(problems, "npc_spawns.json", "npc", sp.npc_id, ids["npcs"])
        _need(problems, f"npc_spawns.json {sp.npc_id}", "room", sp.room_id, ids["rooms"])
    for isp in w.item_spawns:
        _need(problems, "item_spawns.json", "item", isp.item_id, ids["items"])
        _need(problems, f"item_spawns.json {isp.item_id}", "room", isp.room_id, ids["rooms"])
    return problems + _quest_problems(w, ids)
