"""`ouro:world:summary`: what the director reads to decide (format in docs/contracts.md)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ouro_engine import components as k
from ouro_engine.game import Game


def build_summary(game: Game, players: dict[str, int], economy: dict[str, float]) -> dict[str, Any]:
    world = game.world
    npcs: dict[str, int] = defaultdict(int)
    for room in game.map.rooms.values():
        npcs[room.district_id] += sum(1 for e in world.in_room(room.id) if world.has(e, k.AI))
    open_q: dict[str, int] = defaultdict(int)
    done_q: dict[str, int] = defaultdict(int)
    for _eid, (player,) in world.query(k.Player):
        for qid in player.quests:
            quest = game.templates.quest(qid)
            if quest is not None:
                open_q[quest.district_id] += 1
        for qid in player.completed:
            quest = game.templates.quest(qid)
            if quest is not None:
                done_q[quest.district_id] += 1
    districts = {}
    for did, d in game.templates.by_type["district"].items():
        districts[did] = {
            "players": players.get(did, 0), "npcs": npcs.get(did, 0), "quests_open": open_q.get(did, 0),
            "quests_done": done_q.get(did, 0), "has_hq": getattr(d, "hq_room_id", None) is not None,
            "threat_level": getattr(d, "threat_level", 1), "theme": getattr(d, "theme", ""),
            "faction_id": getattr(d, "faction_id", None),
            "last_quest_at": game.quest_activity.get(did, game.loaded_at),
        }
    min_x, max_x, min_y, max_y = game.map.bounds
    return {
        "tick": world.tick, "districts": districts, "economy": dict(economy),
        "growth_points": game.map.growth_points(), "events_active": sorted(game.events_active),
        "bounds": {"min_x": min_x, "max_x": max_x, "min_y": min_y, "max_y": max_y},
    }
