"""Params for each generator type, as the director would send them (shared by tests and the benchmark)."""

from __future__ import annotations

from typing import Any

from ouro_schemas.proposal import ProposalType

# A 20×20 city at z=0 occupying x, y in 0..19, with the growth point just east of it.
CITY = [[x, y, 0] for x in range(20) for y in range(20)]
GROWTH_POINT = {"room_id": "r-19-7", "direction": "e", "x": 20, "y": 7, "z": 0}
WEST_GROWTH_POINT = {"room_id": "r-0-7", "direction": "w", "x": -1, "y": 7, "z": 0}

PARAMS: dict[ProposalType, dict[str, Any]] = {
    ProposalType.NPC: {"threat_level": 4, "aggression": 0.5, "district_id": "docks", "theme": "docks",
                       "item_ids": ["item-pipe", "item-stim", "item-chip"], "faction_id": "tide-rats"},
    ProposalType.ITEM: {"threat_level": 4, "district_id": "docks"},
    ProposalType.QUEST: {"district_id": "docks", "threat_level": 5, "room_ids": ["r-3-4", "r-5-5", "r-6-1"],
                         "npc_ids": ["npc-dockmaster"], "item_ids": ["item-crate"],
                         "reward_item_ids": ["item-stim"], "theme": "docks"},
    ProposalType.BUILDING: {"street_room_id": "r-3-4", "x": 3, "y": 4, "z": 0, "direction": "n",
                            "district_id": "docks", "occupied": [[3, 4, 0], [4, 4, 0], [2, 4, 0]]},
    ProposalType.BLOCK: {"growth_point": GROWTH_POINT, "district_id": "docks", "occupied": CITY},
    ProposalType.EVENT: {"district_id": "docks", "aggression": 0.5},
    # The other side of the city: drafted together with the BLOCK, the two never claim the same cells.
    ProposalType.WORLD_EXPANSION: {"growth_point": WEST_GROWTH_POINT, "district_id": "docks",
                                   "bounds": {"min_x": 0, "max_x": 19, "min_y": 0, "max_y": 19}, "blocks": 3},
}
