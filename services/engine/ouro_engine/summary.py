"""`ouro:world:summary`: what the director reads to decide (format in docs/contracts.md).

Built from what is in memory plus the chunk figures (`Map.meta`) for the rest of the world, so it costs
O(entities in memory + chunks), not O(world): district room counts and centres come from the figures
of every chunk; NPC counts from the NPCs in memory plus, for chunks not in memory, their count when
they last unloaded.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from ouro_engine import components as k
from ouro_engine import growth
from ouro_engine.game import Game
from ouro_schemas.chunks import BASE_CHUNK

GROWTH_SAMPLE = 50


def _npcs(game: Game) -> dict[str, int]:
    world = game.world
    npcs: dict[str, int] = defaultdict(int)
    for eid, (_ai, pos) in world.query(k.AI, k.Position):
        room = game.map.get(pos.room_id)
        if room is not None and not world.has(eid, k.Dead):
            npcs[room.district_id] += 1
    for chunk, meta in game.map.meta.items():
        if chunk not in game.map.loaded:
            for did, n in meta.npcs.items():
                npcs[did] += n
    return npcs


def _quests(game: Game) -> tuple[dict[str, int], dict[str, int]]:
    open_q: dict[str, int] = defaultdict(int)
    done_q: dict[str, int] = defaultdict(int)
    for _eid, (player,) in game.world.query(k.Player):
        for qid in player.quests:
            quest = game.templates.quest(qid)
            if quest is not None:
                open_q[quest.district_id] += 1
        for qid in player.completed:
            quest = game.templates.quest(qid)
            if quest is not None:
                done_q[quest.district_id] += 1
    return open_q, done_q


def district_extent(game: Game) -> dict[str, dict[str, Any]]:
    """Per district: rooms, centre (mean x, y) and chunks, from every chunk's figures."""
    sums: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for meta in game.map.meta.values():
        for did, share in meta.districts.items():
            acc = sums[did]
            acc[0] += share.rooms
            acc[1] += share.sum_x
            acc[2] += share.sum_y
            acc[3] += 1
    return {did: {"rooms": n, "center": [round(sx / n, 1), round(sy / n, 1)], "chunks": ch}
            for did, (n, sx, sy, ch) in sums.items() if n}


def _growth_sample(game: Game) -> list[dict[str, Any]]:
    """Growth points in memory, road ends first, then the nearest to the base city's centre."""
    points = [gp for by_dir in game.map.growth.values() for gp in by_dir.values()]
    points.sort(key=lambda g: (g.kind != "road_end", abs(g.x - 10) + abs(g.y - 10), g.room_id, g.direction))
    return [growth.as_dict(gp) for gp in points[:GROWTH_SAMPLE]]


def build_summary(game: Game, players: dict[str, int], economy: dict[str, float]) -> dict[str, Any]:
    game.map.refresh_meta()
    npcs = _npcs(game)
    open_q, done_q = _quests(game)
    extent = district_extent(game)
    districts = {}
    factions: dict[str, int] = {fid: 0 for fid in game.templates.by_type["faction"]}
    for did, d in game.templates.by_type["district"].items():
        faction = getattr(d, "faction_id", None)
        if faction in factions:
            factions[faction] += 1
        ext = extent.get(did, {"rooms": 0, "center": None, "chunks": 0})
        districts[did] = {
            "players": players.get(did, 0), "npcs": npcs.get(did, 0), "quests_open": open_q.get(did, 0),
            "quests_done": done_q.get(did, 0), "has_hq": getattr(d, "hq_room_id", None) is not None,
            "threat_level": getattr(d, "threat_level", 1), "theme": getattr(d, "theme", ""),
            "faction_id": faction, "origin": getattr(d, "origin", "base"),
            "last_quest_at": game.quest_activity.get(did, game.loaded_at), **ext,
        }
    min_x, max_x, min_y, max_y = game.map.bounds
    chunks = sorted(game.map.meta)
    return {
        "tick": game.world.tick, "districts": districts, "economy": dict(economy),
        "factions": {fid: {"districts": n} for fid, n in sorted(factions.items())},
        "growth_points": _growth_sample(game), "events_active": sorted(game.events_active),
        "bounds": {"min_x": min_x, "max_x": max_x, "min_y": min_y, "max_y": max_y},
        "chunks": {"count": len(chunks), "loaded": len(game.map.loaded & set(chunks)),
                   "rooms": game.map.room_count(), "growth_points": sum(m.growth for m in game.map.meta.values()),
                   "base": list(BASE_CHUNK),
                   "farthest": max((max(abs(cx), abs(cy)) for cx, cy in chunks), default=0)},
    }
