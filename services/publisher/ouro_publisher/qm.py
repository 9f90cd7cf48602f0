"""Questmaker actions through the gate (DESIGN §7), pure.

A QM_ACTION proposal carries one tool call (`QmActionPayload`). Rejected with the reason when: the
tool is unknown, its parameters fail the tool's schema, the cost is outside the tool's range, an id
(Questmaker, quest, player, NPC, room, template, event type, district) does not exist, the cost is
above the Questmaker's current budget (a pre-check: the engine deducts authoritatively), a reward is
over the power or economy budget, or a stat change is over its limit. Texts go through the filter.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from ouro_publisher.types import WorldView, check, fail, ok
from ouro_schemas import budget
from ouro_schemas.content import EVENT_TYPES, RARITIES, ItemArchetype, NpcArchetype
from ouro_schemas.guardrails import Guardrails, Verdict
from ouro_schemas.payloads import QmActionPayload
from ouro_schemas.questmaker import TOOLS, ToolCall, check_tool_call

TEXT_PARAMS = ("message", "memory_string", "memory_entry", "details")


@dataclass
class QmRefs:
    players: set[str] = field(default_factory=set)
    npcs: set[str] = field(default_factory=set)  # entity or template ids
    rooms: set[str] = field(default_factory=set)
    templates: set[str] = field(default_factory=set)
    districts: set[str] = field(default_factory=set)
    questmakers: set[str] = field(default_factory=set)


def tool_params(payload: QmActionPayload) -> tuple[BaseModel | None, list[Verdict]]:
    """The tool's validated parameters (None if the tool is unknown or they are invalid) and verdicts."""
    problems = check_tool_call(ToolCall(tool_name=payload.tool, parameters=payload.params, cost=payload.cost))
    spec = TOOLS.get(payload.tool)
    if spec is None:
        return None, [fail("qm.tool", p, payload.tool, sorted(TOOLS), "payload.tool") for p in problems]
    out = [ok("qm.tool", payload.tool)]
    cost_range = [spec.cost_min, spec.cost_max]
    bad_params = False
    for p in problems:
        if p.startswith("cost "):
            out.append(fail("qm.cost_range", p, payload.cost, cost_range, "payload.cost"))
        else:
            bad_params = True
            out.append(fail("qm.params", p, path="payload.params"))
    if not any(p.startswith("cost ") for p in problems):
        out.append(ok("qm.cost_range", payload.cost, cost_range))
    return (None if bad_params else spec.params.model_validate(payload.params)), out


def qm_refs(payload: QmActionPayload, params: BaseModel | None) -> QmRefs:
    refs = QmRefs(players={payload.player_id}, questmakers={payload.questmaker_id},
                  templates={payload.quest_id})
    p: dict[str, Any] = params.model_dump() if params is not None else {}
    for key in ("target_player_id", "player_id"):
        if p.get(key):
            refs.players.add(p[key])
    for key in ("npc_id", "via_npc_id"):
        if p.get(key):
            refs.npcs.add(p[key])
    for key in ("room_id", "location"):
        if p.get(key):
            refs.rooms.add(p[key])
    if p.get("district_id"):
        refs.districts.add(p["district_id"])
    if p.get("entity_type"):
        refs.templates.add(p["entity_type"])
    if p.get("reward_id") and p.get("reward_type") == "item":
        refs.templates.add(p["reward_id"])
    refs.templates |= refs.npcs
    return refs


def texts(payload: QmActionPayload) -> list[tuple[str, str]]:
    """(path, text) of every string an LLM wrote in this action."""
    out = [("payload.reason", payload.reason)] if payload.reason else []
    for key in TEXT_PARAMS:
        value = payload.params.get(key)
        if isinstance(value, str):
            out.append((f"payload.params.{key}", value))
    changes = payload.params.get("property_changes")
    if isinstance(changes, dict) and isinstance(changes.get("description_add"), str):
        out.append(("payload.params.property_changes.description_add", changes["description_add"]))
    return out


def _exists(world: WorldView, refs: QmRefs, payload: QmActionPayload) -> list[Verdict]:
    out: list[Verdict] = []
    if payload.questmaker_id not in world.questmakers:
        out.append(fail("qm.unknown_id", f"unknown Questmaker {payload.questmaker_id!r}",
                        payload.questmaker_id, path="payload.questmaker_id"))
    if world.template_type(payload.quest_id) != "quest":
        out.append(fail("qm.unknown_id", f"unknown quest {payload.quest_id!r}", payload.quest_id,
                        path="payload.quest_id"))
    for pid in sorted(refs.players):
        if pid not in world.players:
            out.append(fail("qm.unknown_id", f"unknown player {pid!r}", pid, path="payload.params"))
    for nid in sorted(refs.npcs):
        ent = world.entities.get(nid)
        if not ((ent and ent.get("kind") == "npc") or world.template_type(nid) == "npc"):
            out.append(fail("qm.unknown_id", f"unknown NPC {nid!r}", nid, path="payload.params"))
    for rid in sorted(refs.rooms):
        if rid not in world.rooms:
            out.append(fail("qm.unknown_id", f"unknown room {rid!r}", rid, path="payload.params"))
    for did in sorted(refs.districts):
        if did not in world.districts:
            out.append(fail("qm.unknown_id", f"unknown district {did!r}", did, path="payload.params.district_id"))
    return out


def run_qm(payload: QmActionPayload, params: BaseModel, world: WorldView, g: Guardrails) -> list[Verdict]:
    """Integrity and balance verdicts of one (schema-valid) tool call."""
    refs = qm_refs(payload, params)
    out = _exists(world, refs, payload)
    qm = world.questmakers.get(payload.questmaker_id)
    if qm is not None:
        current = float(qm.get("budget_current", 0.0) or 0.0)
        out.append(check("qm.budget", payload.cost, current, "cost above the Questmaker's budget",
                         "payload.cost"))
    p = params.model_dump()
    tool = payload.tool
    if tool == "trigger_world_event" and p["event_type"] not in EVENT_TYPES:
        out.append(fail("qm.unknown_id", f"unknown event type {p['event_type']!r}", p["event_type"],
                        sorted(EVENT_TYPES), "payload.params.event_type"))
    elif tool == "spawn_entity":
        out.extend(_spawn(p, world, g))
    elif tool == "grant_player_reward":
        out.extend(_reward(p, world, g))
    elif tool == "change_npc_stats":
        c = p["stat_changes"]
        size = abs(c["max_health"]) + 10 * (abs(c["damage"]) + abs(c["armor"])) + 100 * abs(c["accuracy"])
        out.append(check("qm.stat_change", size, g.qm.max_stat_change_sum, "stat change too large",
                         "payload.params.stat_changes"))
    elif tool == "change_room_info":
        out.extend(_room_change(p, world))
    return out


def _spawn(p: dict[str, Any], world: WorldView, g: Guardrails) -> list[Verdict]:
    ttype, body = world.template_type(p["entity_type"]), world.template(p["entity_type"])
    if ttype not in ("npc", "item"):
        return [fail("qm.unknown_id", f"unknown NPC or item template {p['entity_type']!r}", p["entity_type"],
                     path="payload.params.entity_type")]
    room = world.rooms.get(p["location"]) or {}
    district = world.districts.get(str(room.get("district_id", "")))
    if ttype == "npc" and body is not None:
        npc = NpcArchetype.model_validate(body)
        level = int(district.get("threat_level", 10)) if district else 10
        cap = g.threat.max_points_by_level[max(1, min(10, level))]
        return [check("threat.npc_points", budget.npc_threat_points(npc), cap,
                      f"NPC too dangerous for threat level {level}", "payload.params.entity_type")]
    return []


def _reward(p: dict[str, Any], world: WorldView, g: Guardrails) -> list[Verdict]:
    kind, qty = p["reward_type"], p["quantity"]
    if kind == "credits":
        return [check("economy.credit_drop", qty * g.economy.qm_credit_unit, g.economy.max_credit_drop,
                      "credit reward over the economy budget", "payload.params.quantity")]
    if kind == "xp":
        return [ok("qm.reward_xp", qty * g.economy.qm_xp_unit)]
    if kind != "item":
        return [ok("qm.reward", kind)]
    body = world.template(p["reward_id"])
    if world.template_type(p["reward_id"]) != "item" or body is None:
        return [fail("qm.unknown_id", f"unknown item template {p['reward_id']!r}", p["reward_id"],
                     path="payload.params.reward_id")]
    item = ItemArchetype.model_validate(body)
    out = [check("qm.reward_points", budget.item_power_points(item) * qty, g.qm.max_reward_points,
                 "reward over the power budget", "payload.params.reward_id")]
    if RARITIES.index(item.rarity) > RARITIES.index(g.qm.max_reward_rarity):
        out.append(fail("qm.reward_rarity", "reward rarer than a Questmaker may grant", item.rarity,
                        g.qm.max_reward_rarity, "payload.params.reward_id"))
    return out


def _room_change(p: dict[str, Any], world: WorldView) -> list[Verdict]:
    room = world.rooms.get(p["room_id"]) or {}
    dirs = {ex.get("direction") for ex in room.get("exits", [])}
    out = []
    for key in ("lock_exit", "unlock_exit"):
        d = p["property_changes"].get(key)
        if d and d not in dirs:
            out.append(fail("qm.unknown_id", f"room {p['room_id']!r} has no exit {d}", d, sorted(dirs),
                            f"payload.params.property_changes.{key}"))
    return out
