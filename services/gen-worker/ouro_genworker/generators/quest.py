"""Quest blueprints: a node graph with rewards tied to difficulty, a time limit and a new Questmaker.

Pipeline: 1. difficulty (param, else from the threat level) sets the node count, the reward range
(`budget.QUEST_REWARD_RANGES`), the Questmaker's budget and whether the clock runs
2. node kinds: a hook (talk / go_to), middle steps (kill, fetch, go_to, talk), and a closer (deliver the
fetched item to the giver, or report back); go_to needs rooms from params, else it becomes talk
3. targets: existing NPC/item ids from params when given (`npc_ids`, `item_ids`), otherwise new NPCs
and quest items carried in the payload (`extra_npcs`, `extra_items`) and placed in param rooms
4. from difficulty 5 a branch: one middle step may be done one of two ways  5. each node grants an
influence action; `influence_points_map` holds exactly those keys  6. Questmaker persona, flavour.
"""

from __future__ import annotations

import itertools
from typing import Any, Final

from ouro_flavor import quest_text, quest_title, questmaker_persona
from ouro_genworker.generators.common import clamp, pick, theme_of, uid, weighted
from ouro_genworker.generators.item import build_item
from ouro_genworker.generators.npc import build_npc
from ouro_genworker.params import p_float, p_id, p_ids, p_int
from ouro_genworker.types import Draft, ParamError, Params, Rng
from ouro_schemas.budget import QUEST_REWARD_RANGES, XP_CREDIT_VALUE

NAME: Final = "quest-blueprint"
VERSION: Final = "1"

VERB: Final = {"go_to": "reached", "kill": "killed", "fetch": "recovered", "deliver": "delivered", "talk": "talked",
              "report": "reported"}
MIDDLE: Final = ("kill", "fetch", "go_to", "talk")


class _Ctx:
    """What the node builders share: the rng, param lists, and what the quest adds to the payload."""

    def __init__(self, rng: Rng, params: Params, difficulty: int, threat: int, giver_id: str,
                 giver_name: str) -> None:
        self.rng = rng
        self.difficulty = difficulty
        self.threat = threat  # the district's: NPCs the quest adds must fit there (the gate checks)
        self.aggression = p_float(params, "aggression", 0.3, 0.0, 1.0)
        self.theme = theme_of(params)
        self.faction_id = p_id(params, "faction_id")
        self.room_ids = p_ids(params, "room_ids")
        self.npc_ids = p_ids(params, "npc_ids")
        self.item_ids = p_ids(params, "item_ids")
        self.giver_id = giver_id
        self.giver_name = giver_name
        self.extra_npcs: list[dict[str, Any]] = []
        self.extra_items: list[dict[str, Any]] = []
        self.placements: dict[str, str] = {}
        self.names: dict[str, str] = {giver_id: giver_name}
        self.deps: list[str] = []
        self.critical: list[str] = []
        self.last_item: str | None = None

    def room(self) -> str | None:
        return pick(self.rng, self.room_ids) if self.room_ids else None

    def place(self, template_id: str) -> None:
        room = self.room()
        if room:
            self.placements[template_id] = room
            self._dep(room)

    def _dep(self, ref: str) -> None:
        if ref not in self.deps:
            self.deps.append(ref)

    def npc(self, hostile: bool) -> str:
        if self.npc_ids and self.rng.random() < 0.4:
            ref = pick(self.rng, self.npc_ids)
            self._dep(ref)
            return ref
        if len(self.extra_npcs) >= 10:
            return self.giver_id
        if hostile:
            boss = self.difficulty >= 7 and self.rng.random() < 0.5
            role = "boss" if boss else weighted(self.rng, ("ganger", "corp_security", "drone", "netrunner"),
                                                 (4, 2, 1, 1))
            npc, _ = build_npc(self.rng, role=role, behavior="aggressive", threat_level=self.threat,
                               aggression=self.aggression, theme=self.theme, boss=boss)
        else:
            role = pick(self.rng, ("civilian", "fixer", "netrunner", "medic", "bartender"))
            npc, _ = build_npc(self.rng, role=role, behavior="idle", threat_level=self.threat,
                               aggression=0.0, theme=self.theme, faction_id=self.faction_id)
        self.extra_npcs.append(npc)
        self.names[npc["id"]] = npc["name"]
        self.place(npc["id"])
        return str(npc["id"])

    def item(self) -> str:
        if self.item_ids and self.rng.random() < 0.4:
            ref = pick(self.rng, self.item_ids)
            self._dep(ref)
            return ref
        kind = "key" if self.rng.random() < 0.5 else "junk"
        item, _ = build_item(self.rng, kind=kind, rarity="common", level=self.difficulty * 5, slot="none")
        item.pop("_tiers", None)
        self.extra_items.append(item)
        self.names[item["id"]] = item["name"]
        self.critical.append(item["id"])
        self.place(item["id"])
        return str(item["id"])


def _node(ctx: _Ctx, i: int, kind: str) -> dict[str, Any]:
    node: dict[str, Any] = {"id": f"n{i}", "kind": kind, "count": 1, "next": [],
                            "influence_action": f"n{i}_{VERB[kind]}"}
    if kind == "go_to":
        room = ctx.room()
        assert room is not None
        node["target"] = room
        ctx._dep(room)
        node["text"] = f"Go to {room}."
    elif kind == "kill":
        node["target"] = ctx.npc(hostile=True)
        boss = any(n["id"] == node["target"] and n["boss"] for n in ctx.extra_npcs)
        node["count"] = 1 if boss else 1 + int(ctx.rng.random() * min(3, ctx.difficulty))
        node["text"] = f"Take down {ctx.names.get(node['target'], node['target'])}."
    elif kind == "fetch":
        node["target"] = ctx.item()
        ctx.last_item = node["target"]
        node["text"] = f"Recover {ctx.names.get(node['target'], node['target'])}."
    elif kind == "deliver":
        node["target"] = ctx.last_item or ctx.item()
        node["to"] = ctx.giver_id
        node["text"] = f"Bring {ctx.names.get(node['target'], node['target'])} to {ctx.giver_name}."
    elif kind == "report":  # back to the giver: a talk node
        node["kind"] = "talk"
        node["influence_action"] = f"n{i}_reported"
        node["target"] = ctx.giver_id
        node["text"] = f"Report back to {ctx.giver_name}."
    else:  # talk
        node["target"] = ctx.npc(hostile=False)
        node["text"] = f"Talk to {ctx.names.get(node['target'], node['target'])}."
    return node


def _kinds(ctx: _Ctx, n: int) -> list[str]:
    mids = [k for k in MIDDLE if k != "go_to" or ctx.room_ids]
    weights = [1.0 + ctx.aggression * 2 if k == "kill" else 1.0 for k in mids]
    kinds = ["go_to" if ctx.room_ids and ctx.rng.random() < 0.4 else "talk"]
    kinds += [weighted(ctx.rng, mids, weights) for _ in range(max(0, n - 2))]
    kinds.append("deliver" if "fetch" in kinds else "report")
    return kinds


def _graph(ctx: _Ctx, kinds: list[str]) -> list[dict[str, Any]]:
    nodes = [_node(ctx, i, k) for i, k in enumerate(kinds)]
    for a, b in itertools.pairwise(nodes):
        a["next"] = [b["id"]]
    if ctx.difficulty >= 5 and len(nodes) >= 3:
        # A branch: the second step may also be done another way; both ways lead on.
        j = 1 + int(ctx.rng.random() * (len(nodes) - 2))
        alt_kind = "kill" if nodes[j]["kind"] != "kill" else "talk"
        alt = _node(ctx, len(nodes), alt_kind)
        alt["next"] = list(nodes[j]["next"])
        nodes[j - 1]["next"].append(alt["id"])
        nodes.append(alt)
    return nodes


def _rewards(rng: Rng, difficulty: int, reward_items: list[str], values: dict[str, float]) -> dict[str, Any]:
    """Credits and XP (and maybe an item) worth a value inside the difficulty's range. A reward item's
    value counts at the gate: known values (params `reward_item_values`) are taken off the credits and
    XP; for an unknown one the draw stays in the lower half of the range."""
    lo, hi = QUEST_REWARD_RANGES[difficulty]
    items = [pick(rng, reward_items)] if reward_items and rng.random() < 0.5 else []
    top = 0.95 if not items else 0.5
    value = lo + (hi - lo) * (0.05 + (top - 0.05) * rng.random())
    if items:
        value = max(0.0, value - values.get(items[0], 0.0))
    credits = round(value * (0.4 + 0.3 * rng.random()))
    xp = max(0, round((value - credits) / XP_CREDIT_VALUE))
    return {"credits": credits, "xp": xp, "item_ids": items}


def _values(params: Params) -> dict[str, float]:
    raw = params.get("reward_item_values")
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(
            isinstance(v, int | float) and not isinstance(v, bool) and v >= 0 for v in raw.values()):
        raise ParamError("reward_item_values", "must map item ids to non-negative values")
    return {str(k): float(v) for k, v in raw.items()}


def _questmaker(rng: Rng, difficulty: int) -> dict[str, Any]:
    persona = questmaker_persona(rng)
    budget_max = round((60 + 20 * difficulty) * (0.85 + 0.3 * rng.random()), 1)
    return {"id": f"qm-{uid(rng)}", "name": persona.name[:120], "prompt_context": persona.prompt_context[:2000],
            "personality_tags": list(persona.tags), "budget_max": budget_max,
            "budget_start": round(budget_max * (0.5 + 0.5 * rng.random()), 1),
            "regen_per_minute": round(1.0 + 0.4 * difficulty * (0.8 + 0.4 * rng.random()), 2),
            "cooldown_s": 60.0, "idle_threshold_s": float(180 + 60 * int(rng.random() * 5))}


def generate(params: Params, rng: Rng) -> Draft:
    district_id = p_id(params, "district_id", required=True)
    assert district_id
    threat = p_int(params, "threat_level", 3, 1, 10)
    difficulty = p_int(params, "difficulty", threat, 1, 10)
    giver_room = p_id(params, "giver_room_id")
    giver_id = p_id(params, "giver_npc_id")
    reward_items = p_ids(params, "reward_item_ids")
    giver: dict[str, Any] | None = None
    if giver_id is None:
        role = weighted(rng, ("fixer", "bartender", "netrunner", "medic"), (5, 2, 2, 1))
        giver, _ = build_npc(rng, role=role, behavior="quest_giver", threat_level=threat, aggression=0.0,
                             theme=theme_of(params), faction_id=p_id(params, "faction_id"))
        giver_id, giver_name = giver["id"], giver["name"]
    else:
        giver_name = giver_id
    ctx = _Ctx(rng, params, difficulty, threat, giver_id, giver_name)
    if giver is not None:
        giver_room = giver_room or ctx.room()
    elif giver_id:
        ctx._dep(giver_id)
    n = int(clamp(2 + difficulty // 3 + int(rng.random() * 2), 2, 6))
    kinds = _kinds(ctx, n)
    nodes = _graph(ctx, kinds)
    if len(ctx.extra_items) > 10:
        raise ParamError("difficulty", "needs more quest items than a quest may carry")
    main = next((k for k in kinds if k in ("kill", "fetch", "deliver")), kinds[0])
    target_node = next(nd for nd in nodes if nd["kind"] == main)
    target_name = ctx.names.get(target_node["target"], target_node["target"])
    title = quest_title(rng, kind=main)
    text = quest_text(rng, kind=main, target=target_name, location=p_id(params, "district_id") or "the city",
                      giver=giver_name)
    if giver is not None:
        giver["dialogue"] = [text[:400]]  # what the giver says when asked for work
    qm = _questmaker(rng, difficulty)
    influence = {nd["influence_action"]: round((5 + 10 * rng.random()) * (1 + difficulty / 5), 1) for nd in nodes}
    time_limit = round(600.0 * len(nodes) * (1.5 - difficulty / 20), 1) if difficulty >= 3 and rng.random() < 0.5 \
        else None
    quest = {"id": f"quest-{uid(rng)}", "name": title, "description": text, "giver_npc_id": giver_id,
             "district_id": district_id, "difficulty": difficulty, "nodes": nodes, "start_node": "n0",
             "rewards": _rewards(rng, difficulty, reward_items, _values(params)), "time_limit_s": time_limit,
             "critical_item_ids": ctx.critical, "questmaker_id": qm["id"], "influence_points_map": influence}
    deps = list(ctx.deps) + list(quest["rewards"]["item_ids"])
    payload = {"quest": quest, "questmaker": qm, "giver": giver, "giver_room_id": giver_room if giver else None,
               "extra_npcs": ctx.extra_npcs, "extra_items": ctx.extra_items, "placements": ctx.placements}
    tags: dict[str, str | int | float] = {"district": district_id, "difficulty": difficulty, "nodes": len(nodes),
                                          "questmaker": qm["name"]}
    flavor = {"name": title, "description": text, "questmaker_name": qm["name"],
              "questmaker_prompt": qm["prompt_context"], "node_texts": [nd["text"] for nd in nodes]}
    return Draft(payload=payload, flavor=flavor, tags=tags, dependencies=deps)
