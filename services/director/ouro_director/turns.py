"""A Questmaker turn's context (Questmaker seed §3.1), gathered from the engine's world keys.

Identity (name, prompt_context, tags), player status and recent actions, time since the last quest
action, quest progress, relevant world state (the quest's district, the economy), the quest's entities,
and the budget. Missing keys give empty fields; only a Questmaker nobody knows yields no turn.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from redis.asyncio import Redis

from ouro_director.core import derive_seed
from ouro_director.monitor import QuestmakerMonitor, TurnRequest
from ouro_director.summary import WorldSummary
from ouro_schemas import names
from ouro_schemas.messages import QmTurn

PLAYER_FIELDS = ("room_id", "district_id", "health", "max_health", "level", "credits", "inventory", "name", "state")


def _json(raw: Any) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None


def _template(raw: Any) -> dict[str, Any] | None:
    doc = _json(raw)
    if isinstance(doc, dict):
        inner = doc.get("template")
        return inner if isinstance(inner, dict) else doc
    return None


def turn_id(req: TurnRequest, questmaker_id: str) -> str:
    key = f"{questmaker_id}|{req.quest_id}|{req.player_id}|{req.reason.value}|{req.trigger}"
    return "turn-" + hashlib.blake2b(key.encode(), digest_size=8).hexdigest()


def _num(value: Any, default: float) -> float:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else default


async def build_turn(redis: Redis, req: TurnRequest, summary: WorldSummary, monitor: QuestmakerMonitor,
                     base_seed: int) -> tuple[QmTurn, dict[str, Any] | None] | None:
    """The QmTurn for a request and the Questmaker's template, or None if the Questmaker is unknown."""
    quest = _template(await redis.get(names.WORLD_TEMPLATE + req.quest_id)) or {}
    qm_id = req.questmaker_id or quest.get("questmaker_id")
    if not isinstance(qm_id, str):
        return None
    qm_raw, budget_raw, player_raw = await redis.mget(
        [names.WORLD_TEMPLATE + qm_id, names.WORLD_QUESTMAKER + qm_id, names.WORLD_ENTITY + req.player_id])
    qm = _template(qm_raw)
    budget = _json(budget_raw)
    budget = budget if isinstance(budget, dict) else None
    if qm is None and budget is None:
        return None
    qm = qm or {}
    current = _num((budget or {}).get("budget_current"), _num(qm.get("budget_start"), 0.0))
    maximum = _num((budget or {}).get("budget_max"), _num(qm.get("budget_max"), current))
    player = _json(player_raw)
    player = player if isinstance(player, dict) else {}
    district = quest.get("district_id") if isinstance(quest.get("district_id"), str) else None
    info = summary.district(district)
    world = {"district": {"id": info.id, "players": info.players, "npcs": info.npcs,
                          "threat_level": info.threat_level, "theme": info.theme} if info else {"id": district},
             "economy": {"inflation": summary.inflation, "price_index": summary.price_index}}
    nodes_raw = quest.get("nodes")
    nodes: list[Any] = nodes_raw if isinstance(nodes_raw, list) else []
    entities = [{"node": n.get("id"), "kind": n.get("kind"), "target": n.get("target"), "to": n.get("to")}
                for n in nodes if isinstance(n, dict)]
    giver_id = quest.get("giver_npc_id")
    if isinstance(giver_id, str):
        # The giver first, by name: a Questmaker speaks to its player through the one who gave the job.
        giver = _template(await redis.get(names.WORLD_TEMPLATE + giver_id)) or {}
        entities.insert(0, {"kind": "npc", "id": giver_id, "role": "giver", "name": str(giver.get("name") or giver_id)})
    tid = turn_id(req, qm_id)
    tags = qm.get("personality_tags")
    turn = QmTurn(
        id=tid, questmaker_id=qm_id, quest_id=req.quest_id, player_id=req.player_id, reason=req.reason,
        seed=derive_seed(base_seed, tid), at=req.at, name=str(qm.get("name") or qm_id),
        prompt_context=str(qm.get("prompt_context") or ""),
        personality_tags=[str(t) for t in tags] if isinstance(tags, list) else [],
        budget_current=current, budget_max=maximum, player_name=str(player.get("name") or ""),
        player_status={k: player[k] for k in PLAYER_FIELDS if k in player},
        recent_actions=list(monitor.recent.get(req.player_id, ())),
        seconds_since_quest_action=round(max(0.0, req.at - req.last_action_at), 3),
        quest_progress={"quest_name": quest.get("name"), **req.progress}, world_state=world,
        quest_entities=entities,
    )
    return turn, (qm or None)
