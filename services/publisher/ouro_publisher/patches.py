"""The patch of a passed proposal and its inverse (pure), and the content-library files it commits.

Entity ids are derived from the proposal id (`<proposal id>:<n>`), so a re-applied patch cannot spawn
twice. The inverse undoes exactly this proposal, in reverse order: despawn what it spawned, remove
the exits it added to existing rooms, remove its rooms, remove its templates, restore what it changed.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ouro_publisher.inventory import Inventory
from ouro_publisher.types import WorldView
from ouro_schemas.messages import (
    AddExit,
    AddRooms,
    AddTemplate,
    Despawn,
    EndEvent,
    PatchOp,
    QmAction,
    RemoveExit,
    RemoveRooms,
    RemoveTemplate,
    Spawn,
    StartEvent,
)
from ouro_schemas.payloads import BlockPayload, EventPayload, QmActionPayload, WorldExpansionPayload
from ouro_schemas.proposal import Proposal, ProposalType

# (folder under data/generated, template id, JSON body)
FileSpec = tuple[str, str, dict[str, Any]]


def build_patch(proposal: Proposal, model: BaseModel, inv: Inventory | None, world: WorldView,
                payload: dict[str, Any] | None = None) -> tuple[list[PatchOp], list[PatchOp]]:
    """(ops, inverse) for a proposal that passed the gate. `payload` is the model's JSON
    (`model_dump(mode="json")`) when the caller has it: templates and rooms are then taken from it
    (found by their inventory path) instead of being dumped once more. Nothing here changes them."""
    if isinstance(model, QmActionPayload):
        return _qm(proposal, model)
    assert inv is not None
    ops: list[PatchOp] = []
    inverse: list[PatchOp] = []
    for ttype, tid, tmodel, path in inv.templates:
        if ttype == "event":
            continue
        ops.append(AddTemplate(template_type=ttype, template_id=tid, template=_json_of(tmodel, path, payload)))
        inverse.insert(0, RemoveTemplate(template_id=tid))
    if inv.shop_stock is not None:
        shop_id, item_id = inv.shop_stock
        old = world.template(shop_id) or {}
        new = {**old, "stock": [*old.get("stock", []), item_id]}
        ops.append(AddTemplate(template_type="shop", template_id=shop_id, template=new))
        inverse.insert(0, AddTemplate(template_type="shop", template_id=shop_id, template=old))
    if inv.rooms:
        rooms = [_json_of(room, path, payload) for room, path in inv.rooms]
        ops.append(AddRooms(rooms=rooms))
        inverse.insert(0, RemoveRooms(room_ids=[r["id"] for r in rooms]))
    own = {(room.id, ex.direction) for room, _ in inv.rooms for ex in room.exits}
    for rid, direction, to, _ in inv.exits:
        if (rid, direction) in own:
            continue
        ops.append(AddExit(room_id=rid, direction=direction, to_room_id=to))
        if rid not in inv.new_room_ids:
            inverse.insert(0, RemoveExit(room_id=rid, direction=direction))
    n = 0
    for tid, room, qty, _ in inv.spawns:
        ids = [f"{proposal.id}:{n + i}" for i in range(qty)]
        n += qty
        ops.append(Spawn(template_id=tid, room_id=room, entity_ids=ids))
        inverse.insert(0, Despawn(entity_ids=ids))
    if isinstance(model, EventPayload):
        ev = model.event
        ops.append(StartEvent(event_id=ev.id, event_type=ev.event_type, district_id=ev.district_id,
                              duration_s=ev.duration_s, effects=dict(ev.effects), text=ev.text))
        inverse.insert(0, EndEvent(event_id=ev.id))
    return ops, inverse


def _json_of(model: BaseModel, path: str, payload: dict[str, Any] | None) -> dict[str, Any]:
    """`model`'s JSON: the part of `payload` at `path` ("payload.block.rooms[1]"), else dumped."""
    node: Any = payload
    if node is not None:
        try:
            for part in path.split(".")[1:]:
                name, _, index = part.partition("[")
                node = node[name]
                if index:
                    node = node[int(index[:-1])]
        except (KeyError, IndexError, TypeError, ValueError):
            node = None
    if isinstance(node, dict) and node.get("id") == getattr(model, "id", None):
        return node
    return model.model_dump(mode="json")


def _qm(proposal: Proposal, model: QmActionPayload) -> tuple[list[PatchOp], list[PatchOp]]:
    params = dict(model.params)
    inverse: list[PatchOp] = []
    if model.tool == "spawn_entity":
        qty = int(params.get("quantity", 1))
        ids = [f"{proposal.id}:{i}" for i in range(qty)]
        params["entity_ids"] = ids
        inverse.append(Despawn(entity_ids=ids))
    op = QmAction(questmaker_id=model.questmaker_id, tool=model.tool, params=params, cost=model.cost,
                  reason=model.reason)
    return [op], inverse


def files(proposal: Proposal, model: BaseModel, payload: dict[str, Any]) -> list[FileSpec]:
    """The content-library files of a passed proposal: one per template it defines, by its id."""
    def envelope(body: dict[str, Any], ptype: ProposalType) -> dict[str, Any]:
        return {"proposal_id": proposal.id, "type": str(ptype), "payload": body, "flavor": proposal.flavor,
                "generator": {"name": proposal.generator.name, "version": proposal.generator.version},
                "seed": proposal.seed, "hash": proposal.hash}

    if isinstance(model, QmActionPayload):
        return []
    if isinstance(model, WorldExpansionPayload):
        return [("block", blk.id, envelope({"block": blk.model_dump(mode="json"), "buildings": []},
                                           ProposalType.BLOCK)) for blk in model.blocks]
    folder = str(proposal.type).lower()
    tid = _template_id(model, payload)
    return [(folder, tid, envelope(payload, proposal.type))]


def _template_id(model: BaseModel, payload: dict[str, Any]) -> str:
    if isinstance(model, BlockPayload):
        return model.block.id
    if isinstance(model, EventPayload):
        return model.event.id
    for key in ("archetype", "quest", "building"):
        if isinstance(payload.get(key), dict):
            return str(payload[key]["id"])
    raise ValueError(f"no template id in {type(model).__name__}")
