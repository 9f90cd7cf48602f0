"""What a validated payload defines and what it refers to (pure): the input of integrity checks,
of the world-view fetch, of balance scoring and of the patch builder.

Every reference carries the path it came from, so a verdict can say where the problem is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from ouro_schemas.content import OPPOSITE, Block, Building, ItemArchetype, NpcArchetype, QuestBlueprint, Room
from ouro_schemas.payloads import (
    BlockPayload,
    BuildingPayload,
    EventPayload,
    ItemPayload,
    NpcPayload,
    QuestPayload,
    WorldExpansionPayload,
)
from ouro_schemas.proposal import ProposalType


@dataclass
class Inventory:
    # Templates this proposal adds: (template type, id, model, path). Ids must be new.
    templates: list[tuple[str, str, BaseModel, str]] = field(default_factory=list)
    rooms: list[tuple[Room, str]] = field(default_factory=list)  # new rooms
    # Exits the proposal adds to rooms: (room id, direction, to room id, path, anchor). `anchor` is the
    # existing room a new area hangs from (growth point / street room), for reachability.
    exits: list[tuple[str, str, str, str]] = field(default_factory=list)
    anchors: list[tuple[str, str, str]] = field(default_factory=list)  # (existing room, new room, path)
    spawns: list[tuple[str, str, int, str]] = field(default_factory=list)  # (template, room, qty, path)
    # References that must already exist (or be defined by this proposal): (id, kind(s), path).
    ref_templates: list[tuple[str, frozenset[str], str]] = field(default_factory=list)
    ref_rooms: list[tuple[str, str]] = field(default_factory=list)
    ref_districts: list[tuple[str, str]] = field(default_factory=list)
    new_districts: list[str] = field(default_factory=list)
    district_levels: dict[str, int] = field(default_factory=dict)  # threat level of districts it founds
    items: list[tuple[ItemArchetype, str]] = field(default_factory=list)
    npcs: list[tuple[NpcArchetype, str, str | None]] = field(default_factory=list)  # (npc, path, room)
    quests: list[tuple[QuestBlueprint, str]] = field(default_factory=list)
    shop_stock: tuple[str, str] | None = None  # (shop id, item id)
    district_hint: str | None = None  # where a template-only NPC/item belongs (tags.district)
    proposal_id: str = ""  # its own earlier, uncommitted files do not clash with it

    @property
    def new_template_ids(self) -> set[str]:
        return {tid for _, tid, _, _ in self.templates}

    @property
    def new_room_ids(self) -> set[str]:
        return {room.id for room, _ in self.rooms}


NPC = frozenset({"npc"})
ITEM = frozenset({"item"})
NPC_OR_ITEM = NPC | ITEM


def _npc(inv: Inventory, npc: NpcArchetype, path: str, room: str | None = None) -> None:
    inv.templates.append(("npc", npc.id, npc, path))
    inv.npcs.append((npc, path, room))
    for i, loot in enumerate(npc.loot):
        inv.ref_templates.append((loot.item_id, ITEM, f"{path}.loot[{i}].item_id"))


def _item(inv: Inventory, item: ItemArchetype, path: str) -> None:
    inv.templates.append(("item", item.id, item, path))
    inv.items.append((item, path))


def _rooms(inv: Inventory, rooms: list[Room], path: str) -> None:
    for i, room in enumerate(rooms):
        inv.rooms.append((room, f"{path}[{i}]"))
        for j, ex in enumerate(room.exits):
            inv.exits.append((room.id, ex.direction, ex.to, f"{path}[{i}].exits[{j}]"))
        inv.ref_districts.append((room.district_id, f"{path}[{i}].district_id"))


def _placements(inv: Inventory, placements: dict[str, str], path: str) -> None:
    for tid, room in placements.items():
        inv.ref_templates.append((tid, NPC_OR_ITEM, f"{path}.{tid}"))
        inv.spawns.append((tid, room, 1, f"{path}.{tid}"))


def _building(inv: Inventory, b: Building, path: str) -> None:
    inv.templates.append(("building", b.id, b, path))
    _rooms(inv, b.rooms, f"{path}.rooms")
    inv.ref_districts.append((b.district_id, f"{path}.district_id"))
    inv.exits.append((b.street_room_id, b.entrance_direction, b.entrance_room_id, f"{path}.entrance_direction"))
    inv.anchors.append((b.street_room_id, b.entrance_room_id, f"{path}.street_room_id"))
    # The way back out, unless the entrance room already has it.
    back = OPPOSITE[b.entrance_direction]
    entrance = next((r for r in b.rooms if r.id == b.entrance_room_id), None)
    if entrance is not None and all(ex.direction != back for ex in entrance.exits):
        inv.exits.append((b.entrance_room_id, back, b.street_room_id, f"{path}.entrance_room_id"))


def _block(inv: Inventory, blk: Block, buildings: list[Building], path: str) -> None:
    inv.templates.append(("block", blk.id, blk, path))
    if blk.new_district is not None:
        inv.new_districts.append(blk.new_district.id)
        inv.district_levels[blk.new_district.id] = blk.new_district.threat_level
    inv.ref_districts.append((blk.district_id, f"{path}.district_id"))
    _rooms(inv, blk.rooms, f"{path}.rooms")
    gp = blk.growth_point
    target = next((r.id for r in blk.rooms if (r.x, r.y, r.z) == (gp.x, gp.y, gp.z)), None)
    inv.anchors.append((gp.room_id, target or "", f"{path}.growth_point"))
    if target is not None:
        inv.exits.append((gp.room_id, gp.direction, target, f"{path}.growth_point"))
    for i, b in enumerate(buildings):
        _building(inv, b, f"payload.buildings[{i}]")


def inventory(ptype: ProposalType, model: BaseModel, tags: dict[str, Any] | None = None) -> Inventory:
    """What `model` (a validated payload of type `ptype`) adds and needs. QM actions: see qm.py."""
    inv = Inventory()
    hint = (tags or {}).get("district")
    inv.district_hint = hint if isinstance(hint, str) else None
    # The benchmark's types by identity first: isinstance against a pydantic model class that does not
    # match goes through the metaclass (~200 ns). No payload class derives from another, so the branch
    # taken is the one the isinstance chain takes.
    kind = type(model)
    if kind is NpcPayload or kind is ItemPayload:
        _single(inv, model)  # type: ignore[arg-type]
    elif kind is BlockPayload:
        _block(inv, model.block, model.buildings, "payload.block")  # type: ignore[attr-defined]
    elif isinstance(model, NpcPayload | ItemPayload):
        _single(inv, model)
    elif isinstance(model, QuestPayload):
        _quest(inv, model)
    elif isinstance(model, BuildingPayload):
        _building(inv, model.building, "payload.building")
        for i, npc in enumerate(model.npcs):
            _npc(inv, npc, f"payload.npcs[{i}]", model.placements.get(npc.id))
        _placements(inv, model.placements, "payload.placements")
    elif isinstance(model, BlockPayload):
        _block(inv, model.block, model.buildings, "payload.block")
    elif isinstance(model, WorldExpansionPayload):
        for i, blk in enumerate(model.blocks):
            _block(inv, blk, [], f"payload.blocks[{i}]")
    elif isinstance(model, EventPayload):
        inv.templates.append(("event", model.event.id, model.event, "payload.event"))
        if model.event.district_id:
            inv.ref_districts.append((model.event.district_id, "payload.event.district_id"))
    for tid, room, _, path in inv.spawns:
        inv.ref_rooms.append((room, path))
        inv.ref_templates.append((tid, NPC_OR_ITEM, path))
    return inv


def _single(inv: Inventory, model: NpcPayload | ItemPayload) -> None:
    if type(model) is NpcPayload or (type(model) is not ItemPayload and isinstance(model, NpcPayload)):
        _npc(inv, model.archetype, "payload.archetype", model.spawn_room_id)
    else:
        _item(inv, model.archetype, "payload.archetype")
        if model.shop_id:
            inv.ref_templates.append((model.shop_id, frozenset({"shop"}), "payload.shop_id"))
            inv.shop_stock = (model.shop_id, model.archetype.id)
    if model.spawn_room_id and model.quantity > 0:
        inv.spawns.append((model.archetype.id, model.spawn_room_id, model.quantity, "payload.spawn_room_id"))


def _quest(inv: Inventory, model: QuestPayload) -> None:
    q = model.quest
    inv.templates.append(("quest", q.id, q, "payload.quest"))
    inv.quests.append((q, "payload.quest"))
    inv.templates.append(("questmaker", model.questmaker.id, model.questmaker, "payload.questmaker"))
    inv.ref_templates.append((q.questmaker_id, frozenset({"questmaker"}), "payload.quest.questmaker_id"))
    inv.ref_districts.append((q.district_id, "payload.quest.district_id"))
    if model.giver is not None:
        _npc(inv, model.giver, "payload.giver", model.giver_room_id)
        if model.giver_room_id:
            inv.spawns.append((model.giver.id, model.giver_room_id, 1, "payload.giver_room_id"))
    inv.ref_templates.append((q.giver_npc_id, NPC, "payload.quest.giver_npc_id"))
    for i, npc in enumerate(model.extra_npcs):
        _npc(inv, npc, f"payload.extra_npcs[{i}]", model.placements.get(npc.id))
    for i, item in enumerate(model.extra_items):
        _item(inv, item, f"payload.extra_items[{i}]")
    for i, node in enumerate(q.nodes):
        path = f"payload.quest.nodes[{i}]"
        if node.kind == "go_to":
            inv.ref_rooms.append((node.target, f"{path}.target"))
        elif node.kind in ("kill", "talk"):
            inv.ref_templates.append((node.target, NPC, f"{path}.target"))
        else:
            inv.ref_templates.append((node.target, ITEM, f"{path}.target"))
        if node.to:
            inv.ref_templates.append((node.to, NPC, f"{path}.to"))
    for i, item_id in enumerate(q.rewards.item_ids):
        inv.ref_templates.append((item_id, ITEM, f"payload.quest.rewards.item_ids[{i}]"))
    for i, item_id in enumerate(q.critical_item_ids):
        inv.ref_templates.append((item_id, ITEM, f"payload.quest.critical_item_ids[{i}]"))
    _placements(inv, model.placements, "payload.placements")
