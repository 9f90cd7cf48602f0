"""Content templates (DESIGN §3): the base world in data/base/ and what the publisher commits to
data/generated/. Pydantic, because a person reads these validation messages (an operator editing a
JSON file, an admin editing a queued proposal).

Schema bounds here are *sanity* bounds (no negative health, no NaN); *balance* bounds live in
data/guardrails.json and are enforced by the publisher's gate.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

# Ids: lower-case words, digits, '_', '-', '.', ':'; never a path. The publisher derives file names
# from them, so they must not be able to escape data/generated/.
ID_PATTERN = r"^[a-z0-9][a-z0-9_.:-]{0,95}$"
Id = Annotated[str, Field(pattern=ID_PATTERN)]
Text = Annotated[str, Field(min_length=1, max_length=2000)]
ShortText = Annotated[str, Field(min_length=1, max_length=120)]
Finite = Annotated[float, Field(allow_inf_nan=False)]

Direction = Literal["n", "s", "e", "w", "ne", "nw", "se", "sw", "u", "d"]
DIRECTIONS: tuple[str, ...] = ("n", "s", "e", "w", "ne", "nw", "se", "sw", "u", "d")
OPPOSITE: dict[str, str] = {
    "n": "s", "s": "n", "e": "w", "w": "e", "ne": "sw", "sw": "ne", "nw": "se", "se": "nw", "u": "d", "d": "u",
}
# Grid offsets: +y is north, +x is east, +z is up.
OFFSET: dict[str, tuple[int, int, int]] = {
    "n": (0, 1, 0), "s": (0, -1, 0), "e": (1, 0, 0), "w": (-1, 0, 0), "ne": (1, 1, 0), "nw": (-1, 1, 0),
    "se": (1, -1, 0), "sw": (-1, -1, 0), "u": (0, 0, 1), "d": (0, 0, -1),
}

Rarity = Literal["common", "uncommon", "rare", "epic", "legendary"]
RARITIES: tuple[str, ...] = ("common", "uncommon", "rare", "epic", "legendary")
ThreatLevel = Annotated[int, Field(ge=1, le=10)]
Origin = Annotated[str, Field(pattern=r"^(base|[a-z0-9][a-z0-9_.:-]{0,95})$")]  # "base" or a proposal id


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=False, str_strip_whitespace=True)


# --- registries: the fixed vocabularies generated content may refer to -----------------------------
EFFECTS: dict[str, str] = {
    "armor_shred": "reduces the target's armour for a few rounds",
    "burn": "damage over time from incendiary rounds",
    "shock": "chance to interrupt the target's next attack",
    "bleed": "damage over time from cuts",
    "emp": "bonus damage against drones and cyberware",
    "lifesteal": "heals the wielder for part of the damage",
    "stun": "chance to skip the target's next round",
    "hack_boost": "improves netrunning actions",
    "regen": "restores health over time",
    "stealth": "lowers the chance of being noticed",
    "crit_boost": "raises critical hit chance",
    "dodge": "chance to avoid an incoming hit",
}

EVENT_TYPES: dict[str, str] = {
    "market_fluctuation": "prices swing in a district",
    "blackout": "the grid fails; lights out, security down",
    "gang_war": "two gangs fight over turf; more hostile NPCs",
    "corp_raid": "corporate security sweeps a district",
    "acid_storm": "corrosive rain; the streets empty",
    "power_vacuum": "a boss is dead and the underlings scramble",
    "net_crash": "the local net goes down; hacking is harder",
    "festival": "a street festival; vendors and crowds",
    "lockdown": "exits out of a district are sealed for a while",
    "invasion": "hostiles pour in from outside the city",
}

NPC_ROLES: tuple[str, ...] = (
    "vendor", "fixer", "ganger", "corp_security", "drone", "boss", "civilian", "netrunner", "medic", "bartender",
)
NpcRole = Literal[
    "vendor", "fixer", "ganger", "corp_security", "drone", "boss", "civilian", "netrunner", "medic", "bartender"
]
Behavior = Literal["idle", "patrol", "wander", "aggressive", "merchant", "quest_giver"]
ItemKind = Literal["weapon", "armor", "cyberware", "consumable", "junk", "key"]
Slot = Literal["weapon", "head", "body", "legs", "hands", "implant", "none"]
RoomKind = Literal[
    "street", "alley", "plaza", "shop", "bar", "clinic", "apartment", "warehouse", "rooftop", "subway", "lobby",
    "office", "glitch",
]


# --- the map -----------------------------------------------------------------------------------------
class Faction(Strict):
    id: Id
    name: ShortText
    kind: Literal["gang", "corp", "civic", "cult", "syndicate"]
    description: Text


class District(Strict):
    id: Id
    name: ShortText
    theme: ShortText  # corporate, slums, market, industrial, nightlife, docks, old_town, tech, …
    threat_level: ThreatLevel
    faction_id: Id
    description: Text
    color: Annotated[str, Field(pattern=r"^#[0-9a-fA-F]{6}$")] = "#888888"  # for the dashboard map
    hq_room_id: Id | None = None
    origin: Origin = "base"


class Exit(Strict):
    direction: Direction
    to: Id
    locked: bool = False
    key_item_id: Id | None = None
    description: Annotated[str, Field(max_length=300)] = ""


class Room(Strict):
    id: Id
    name: ShortText
    description: Text
    district_id: Id
    kind: RoomKind = "street"
    x: int
    y: int
    z: int = 0
    exits: list[Exit] = Field(default_factory=list)
    glitch_door: bool = False
    building_id: Id | None = None
    shop_id: Id | None = None
    tags: list[ShortText] = Field(default_factory=list)
    origin: Origin = "base"

    @field_validator("exits")
    @classmethod
    def _one_exit_per_direction(cls, exits: list[Exit]) -> list[Exit]:
        seen: set[str] = set()
        for ex in exits:
            if ex.direction in seen:
                raise ValueError(f"two exits lead {ex.direction!r}")
            seen.add(ex.direction)
        return exits


# --- NPCs and items ----------------------------------------------------------------------------------
class NpcStats(Strict):
    max_health: Annotated[int, Field(ge=1, le=100_000)]
    damage_min: Annotated[int, Field(ge=0, le=10_000)]
    damage_max: Annotated[int, Field(ge=0, le=10_000)]
    accuracy: Annotated[float, Field(ge=0.0, le=1.0)]  # base hit chance
    armor: Annotated[int, Field(ge=0, le=10_000)]
    crit_chance: Annotated[float, Field(ge=0.0, le=1.0)] = 0.05

    @model_validator(mode="after")
    def _damage_range(self) -> NpcStats:
        if self.damage_min > self.damage_max:
            raise ValueError("damage_min is above damage_max")
        return self


class LootEntry(Strict):
    item_id: Id
    chance: Annotated[float, Field(ge=0.0, le=1.0)]
    min_qty: Annotated[int, Field(ge=1, le=100)] = 1
    max_qty: Annotated[int, Field(ge=1, le=100)] = 1


class NpcArchetype(Strict):
    id: Id
    name: ShortText
    role: NpcRole
    behavior: Behavior
    level: Annotated[int, Field(ge=1, le=100)]
    threat_level: ThreatLevel
    faction_id: Id | None = None
    stats: NpcStats
    loot: list[LootEntry] = Field(default_factory=list)
    credits_min: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    credits_max: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    xp: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    boss: bool = False
    respawn_s: Annotated[float, Field(ge=0, le=86_400, allow_inf_nan=False)] = 120.0
    description: Text
    dialogue: list[Annotated[str, Field(max_length=400)]] = Field(default_factory=list)
    barks: list[Annotated[str, Field(max_length=200)]] = Field(default_factory=list)
    shop_id: Id | None = None
    origin: Origin = "base"

    @model_validator(mode="after")
    def _credit_range(self) -> NpcArchetype:
        if self.credits_min > self.credits_max:
            raise ValueError("credits_min is above credits_max")
        return self


class EffectRef(Strict):
    id: Id
    magnitude: Annotated[float, Field(ge=0.0, le=100.0, allow_inf_nan=False)]
    chance: Annotated[float, Field(ge=0.0, le=1.0)] = 1.0


class ItemStats(Strict):
    damage_min: Annotated[int, Field(ge=0, le=10_000)] = 0
    damage_max: Annotated[int, Field(ge=0, le=10_000)] = 0
    crit_chance: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
    accuracy: Annotated[float, Field(ge=-1.0, le=1.0)] = 0.0  # bonus to hit chance
    ammo_efficiency: Annotated[float, Field(ge=0.0, le=1.0)] = 0.0
    armor: Annotated[int, Field(ge=0, le=10_000)] = 0
    heal: Annotated[int, Field(ge=0, le=100_000)] = 0  # consumables

    @model_validator(mode="after")
    def _damage_range(self) -> ItemStats:
        if self.damage_min > self.damage_max:
            raise ValueError("damage_min is above damage_max")
        return self


class ItemArchetype(Strict):
    id: Id
    name: ShortText
    kind: ItemKind
    slot: Slot = "none"
    rarity: Rarity = "common"
    level: Annotated[int, Field(ge=1, le=100)] = 1
    stats: ItemStats = Field(default_factory=ItemStats)
    effects: list[EffectRef] = Field(default_factory=list)
    value: Annotated[int, Field(ge=0, le=10_000_000)]  # credits
    budget_points: Finite = 0.0  # what the generator spent; the gate recomputes and checks it
    description: Text
    origin: Origin = "base"

    @field_validator("effects")
    @classmethod
    def _known_effects(cls, effects: list[EffectRef]) -> list[EffectRef]:
        for eff in effects:
            if eff.id not in EFFECTS:
                raise ValueError(f"unknown effect {eff.id!r} (known: {', '.join(sorted(EFFECTS))})")
        return effects


class Shop(Strict):
    id: Id
    name: ShortText
    room_id: Id
    keeper_npc_id: Id | None = None  # an NPC template id
    stock: list[Id]  # item template ids
    buy_markup: Annotated[float, Field(ge=0.5, le=10.0)] = 1.0  # price = value × markup
    sell_ratio: Annotated[float, Field(ge=0.0, le=1.0)] = 0.4  # what the shop pays of value
    origin: Origin = "base"


class NpcSpawn(Strict):
    """Where the base world places NPCs at start (and respawns them)."""

    npc_id: Id
    room_id: Id
    count: Annotated[int, Field(ge=1, le=50)] = 1


class ItemSpawn(Strict):
    item_id: Id
    room_id: Id
    count: Annotated[int, Field(ge=1, le=50)] = 1


# --- quests and Questmakers --------------------------------------------------------------------------
QuestNodeKind = Literal["go_to", "kill", "fetch", "deliver", "talk"]


class QuestNode(Strict):
    id: Id
    kind: QuestNodeKind
    target: Id  # go_to: room id; kill/talk: NPC template id; fetch/deliver: item template id
    to: Id | None = None  # deliver: the NPC template id that receives the item
    count: Annotated[int, Field(ge=1, le=100)] = 1
    text: Annotated[str, Field(max_length=600)] = ""
    next: list[Id] = Field(default_factory=list)  # empty = final node
    influence_action: Id | None = None  # key in influence_points_map granted when this node completes


class QuestRewards(Strict):
    credits: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    xp: Annotated[int, Field(ge=0, le=1_000_000)] = 0
    item_ids: list[Id] = Field(default_factory=list)


class QuestBlueprint(Strict):
    id: Id
    name: ShortText
    description: Text
    giver_npc_id: Id  # NPC template id
    district_id: Id
    difficulty: Annotated[int, Field(ge=1, le=10)]
    nodes: list[QuestNode] = Field(min_length=1, max_length=30)
    start_node: Id
    rewards: QuestRewards
    time_limit_s: Annotated[float, Field(gt=0, le=7 * 86_400, allow_inf_nan=False)] | None = None
    critical_item_ids: list[Id] = Field(default_factory=list)  # losing one fails the quest
    questmaker_id: Id
    influence_points_map: dict[Id, Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]]
    origin: Origin = "base"

    @model_validator(mode="after")
    def _graph(self) -> QuestBlueprint:
        ids = [n.id for n in self.nodes]
        if len(set(ids)) != len(ids):
            raise ValueError("node ids repeat")
        if self.start_node not in ids:
            raise ValueError(f"start_node {self.start_node!r} is not a node")
        for node in self.nodes:
            for nxt in node.next:
                if nxt not in ids:
                    raise ValueError(f"node {node.id!r} leads to unknown node {nxt!r}")
            if node.influence_action and node.influence_action not in self.influence_points_map:
                raise ValueError(f"node {node.id!r} grants unknown influence action {node.influence_action!r}")
            if node.kind == "deliver" and node.to is None:
                raise ValueError(f"deliver node {node.id!r} needs 'to'")
        return self


class Questmaker(Strict):
    id: Id
    name: ShortText
    prompt_context: Annotated[str, Field(min_length=1, max_length=2000)]
    personality_tags: list[ShortText] = Field(default_factory=list)
    budget_max: Annotated[float, Field(gt=0, le=10_000, allow_inf_nan=False)]
    budget_start: Annotated[float, Field(ge=0, le=10_000, allow_inf_nan=False)]
    regen_per_minute: Annotated[float, Field(ge=0, le=1000, allow_inf_nan=False)]
    cooldown_s: Annotated[float, Field(ge=0, le=86_400, allow_inf_nan=False)] = 60.0
    idle_threshold_s: Annotated[float, Field(gt=0, le=86_400, allow_inf_nan=False)] = 300.0
    origin: Origin = "base"

    @model_validator(mode="after")
    def _budget(self) -> Questmaker:
        if self.budget_start > self.budget_max:
            raise ValueError("budget_start is above budget_max")
        return self


# --- buildings, blocks, events -----------------------------------------------------------------------
class GrowthPoint(Strict):
    """Where the city may grow: an exit to nowhere (room + direction) or an empty lot (coordinates)."""

    room_id: Id
    direction: Direction
    x: int
    y: int
    z: int = 0


class Building(Strict):
    id: Id
    name: ShortText
    district_id: Id
    storefront: Annotated[str, Field(max_length=40)]  # shop, bar, clinic, apartments, hq, dungeon…
    rooms: list[Room] = Field(min_length=1, max_length=40)
    entrance_room_id: Id
    street_room_id: Id  # the existing street room the entrance opens onto
    entrance_direction: Direction  # from the street room into the building
    hooks: list[ShortText] = Field(default_factory=list)  # e.g. "shop:<id>", "quest_board", "spawn:<npc>"
    faction_id: Id | None = None
    origin: Origin = "base"


class Block(Strict):
    id: Id
    district_id: Id
    new_district: District | None = None  # founded when the block is far enough out
    growth_point: GrowthPoint
    rooms: list[Room] = Field(min_length=1, max_length=400)
    origin: Origin = "base"


class EventType(Strict):
    id: Id
    name: ShortText
    description: Text
    default_duration_s: Annotated[float, Field(gt=0, le=86_400, allow_inf_nan=False)]


class WorldEventInstance(Strict):
    id: Id
    event_type: Id
    district_id: Id | None = None
    duration_s: Annotated[float, Field(gt=0, le=86_400, allow_inf_nan=False)]
    effects: dict[Id, Finite] = Field(default_factory=dict)  # e.g. {"price_multiplier": 1.3}
    text: Annotated[str, Field(max_length=600)] = ""

    @field_validator("event_type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in EVENT_TYPES:
            raise ValueError(f"unknown event type {value!r}")
        return value


# --- the base world file set -------------------------------------------------------------------------
class BaseWorld(Strict):
    """What data/base/ holds, one list per file (data/base/<field>.json)."""

    factions: list[Faction]
    districts: list[District]
    rooms: list[Room]
    npcs: list[NpcArchetype]
    items: list[ItemArchetype]
    shops: list[Shop]
    quests: list[QuestBlueprint]
    questmakers: list[Questmaker]
    npc_spawns: list[NpcSpawn]
    item_spawns: list[ItemSpawn] = Field(default_factory=list)
    spawn_room_id: Id = "spawn"


# A Python-side check that ids stay file-name safe, for callers that build paths from ids.
_ID_RE = re.compile(ID_PATTERN)


def is_safe_id(value: Any) -> bool:
    return isinstance(value, str) and bool(_ID_RE.fullmatch(value)) and ".." not in value
