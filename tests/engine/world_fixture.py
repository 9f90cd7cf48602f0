"""A tiny base world for engine tests: five rooms in two districts, NPCs, items, a shop, a quest and
its Questmaker. `write_base(dir)` writes it as data/base/<field>.json files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def _room(rid: str, x: int, y: int, district: str, exits: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"id": rid, "name": rid.replace("-", " ").title(), "description": f"The {rid}.", "district_id": district,
            "x": x, "y": y, "exits": [{"direction": d, "to": to} for d, to in exits.items()], **extra}


def _npc(nid: str, behavior: str, hp: int, dmg: tuple[int, int], acc: float, armor: int = 0,
         **extra: Any) -> dict[str, Any]:
    return {"id": nid, "name": nid.replace("-", " ").title(), "role": extra.pop("role", "ganger"),
            "behavior": behavior, "level": 1, "threat_level": 1,
            "stats": {"max_health": hp, "damage_min": dmg[0], "damage_max": dmg[1], "accuracy": acc,
                      "armor": armor, "crit_chance": 0.0},
            "description": f"A {nid}.", **extra}


def base_world() -> dict[str, list[Any] | str]:
    return {
        "factions": [{"id": "watch", "name": "City Watch", "kind": "civic", "description": "Cops."},
                     {"id": "rust", "name": "Rust Gang", "kind": "gang", "description": "Gangers."}],
        "districts": [
            {"id": "downtown", "name": "Downtown", "theme": "corporate", "threat_level": 1, "faction_id": "watch",
             "description": "Glass."},
            {"id": "slums", "name": "Slums", "theme": "slums", "threat_level": 3, "faction_id": "rust",
             "description": "Rust."},
        ],
        "rooms": [
            _room("spawn", 0, 0, "downtown", {"n": "market", "e": "alley"}, kind="plaza"),
            _room("market", 0, 1, "downtown", {"s": "spawn", "e": "bar"}, kind="shop", shop_id="shop-market"),
            _room("bar", 1, 1, "slums", {"w": "market", "s": "alley"}, kind="bar"),
            _room("alley", 1, 0, "slums", {"w": "spawn", "n": "bar", "e": "dead-end"}, kind="alley"),
            _room("dead-end", 2, 0, "slums", {"w": "alley"}, kind="alley"),
        ],
        "npcs": [
            _npc("rat", "idle", 10, (1, 2), 0.5, loot=[{"item_id": "rat-tail", "chance": 1.0}], credits_min=5,
                 credits_max=5, xp=10, respawn_s=30, barks=["squeak"]),
            _npc("vendor", "merchant", 50, (1, 2), 0.5, role="vendor", shop_id="shop-market",
                 dialogue=["Buy something."]),
            _npc("fixer", "quest_giver", 50, (1, 2), 0.5, role="fixer", dialogue=["I have work."]),
            _npc("thug", "idle", 60, (6, 8), 0.8, armor=2, xp=50, credits_min=20, credits_max=20),
            _npc("drone", "wander", 20, (1, 3), 0.5, role="drone"),
        ],
        "items": [
            {"id": "pipe", "name": "Lead Pipe", "kind": "weapon", "slot": "weapon", "value": 20,
             "stats": {"damage_min": 14, "damage_max": 18, "accuracy": 0.2}, "description": "Heavy."},
            {"id": "vest", "name": "Kevlar Vest", "kind": "armor", "slot": "body", "value": 30,
             "stats": {"armor": 5}, "description": "Stops some."},
            {"id": "rat-tail", "name": "Rat Tail", "kind": "junk", "value": 2, "description": "Eww."},
            {"id": "datachip", "name": "Datachip", "kind": "key", "value": 10, "description": "Encrypted."},
            {"id": "medkit", "name": "Medkit", "kind": "consumable", "value": 15, "stats": {"heal": 30},
             "description": "Patches you up."},
        ],
        "shops": [{"id": "shop-market", "name": "Market Stall", "room_id": "market", "keeper_npc_id": "vendor",
                   "stock": ["pipe", "vest", "medkit"], "buy_markup": 1.0, "sell_ratio": 0.5}],
        "quests": [{
            "id": "q-rats", "name": "Rat Problem", "description": "Clear the alley.", "giver_npc_id": "fixer",
            "district_id": "downtown", "difficulty": 1, "start_node": "n1", "questmaker_id": "qm-fixer",
            "nodes": [
                {"id": "n1", "kind": "go_to", "target": "alley", "next": ["n2"], "influence_action": "reached"},
                {"id": "n2", "kind": "kill", "target": "rat", "next": ["n3"], "influence_action": "killed"},
                {"id": "n3", "kind": "fetch", "target": "datachip", "next": ["n4"]},
                {"id": "n4", "kind": "deliver", "target": "datachip", "to": "fixer",
                 "influence_action": "delivered"},
            ],
            "rewards": {"credits": 50, "xp": 100, "item_ids": ["vest"]},
            "critical_item_ids": ["datachip"],
            "influence_points_map": {"reached": 5, "killed": 10, "delivered": 20},
        }],
        "questmakers": [{"id": "qm-fixer", "name": "The Fixer's Shadow", "prompt_context": "A patient schemer.",
                         "budget_max": 100, "budget_start": 50, "regen_per_minute": 6}],
        "npc_spawns": [{"npc_id": "rat", "room_id": "alley"}, {"npc_id": "vendor", "room_id": "market"},
                       {"npc_id": "fixer", "room_id": "spawn"}, {"npc_id": "thug", "room_id": "dead-end"},
                       {"npc_id": "drone", "room_id": "bar"}],
        "item_spawns": [{"item_id": "datachip", "room_id": "bar"}],
        "spawn_room_id": "spawn",
    }


def write_base(base_dir: Path, world: dict[str, Any] | None = None) -> Path:
    base_dir.mkdir(parents=True, exist_ok=True)
    for field, value in (world or base_world()).items():
        (base_dir / f"{field}.json").write_text(json.dumps(value, indent=1))
    return base_dir
