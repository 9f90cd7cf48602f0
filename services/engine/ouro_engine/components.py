"""Components: plain data, no methods (esper's rule). One Struct per concern.

Every persisted component has a wire name in `PERSISTED`; an entity's Redis JSON is
`{"id", "kind", "template_id", "room_id", "holder_id", "origin", <name>: <component>...}` — `origin` is
the plain string (the Origin component), and a few read-only conveniences for other services' prompts
and params (`name`, `district_id`, `level`, `credits`, `hp`, `max_health`) are derived, never read back.
`Online`, `Fighting` and `Dead` timing live here too but only what must survive a restart is persisted.
"""

from __future__ import annotations

from typing import Any

import msgspec


class Identity(msgspec.Struct, kw_only=True):
    kind: str  # "npc" | "item" | "player"
    template_id: str  # the archetype id ("player" for players)
    name: str


class Origin(msgspec.Struct, kw_only=True):
    source: str = "base"  # "base" or the id of the proposal that spawned it


class Position(msgspec.Struct, kw_only=True):
    room_id: str


class Held(msgspec.Struct, kw_only=True):
    holder_id: str  # the player or NPC carrying this item


class Health(msgspec.Struct, kw_only=True):
    current: int
    maximum: int


class CombatStats(msgspec.Struct, kw_only=True):
    damage_min: int
    damage_max: int
    accuracy: float
    armor: int
    crit_chance: float = 0.05
    level: int = 1


class Inventory(msgspec.Struct, kw_only=True):
    items: list[str] = msgspec.field(default_factory=list)  # item entity ids


class Equipment(msgspec.Struct, kw_only=True):
    slots: dict[str, str] = msgspec.field(default_factory=dict)  # slot -> item entity id


class Wallet(msgspec.Struct, kw_only=True):
    credits: int = 0


class AI(msgspec.Struct, kw_only=True):
    behavior: str  # idle | patrol | wander | aggressive | merchant | quest_giver | flee | guard ...
    home_room_id: str
    district_id: str | None = None  # wanderers stay in their district
    attitudes: dict[str, str] = msgspec.field(default_factory=dict)  # player id -> friendly/hostile/...
    memories: dict[str, list[str]] = msgspec.field(default_factory=dict)  # player id -> notes


class Dialogue(msgspec.Struct, kw_only=True):
    lines: list[str] = msgspec.field(default_factory=list)
    barks: list[str] = msgspec.field(default_factory=list)


class Faction(msgspec.Struct, kw_only=True):
    faction_id: str


class QuestGiver(msgspec.Struct, kw_only=True):
    quest_ids: list[str] = msgspec.field(default_factory=list)


class Merchant(msgspec.Struct, kw_only=True):
    shop_id: str


class PlayerOwned(msgspec.Struct, kw_only=True):
    owner_id: str


class Loot(msgspec.Struct, kw_only=True):
    """What an NPC is worth when it dies (copied from its archetype at spawn)."""

    xp: int = 0
    credits_min: int = 0
    credits_max: int = 0
    boss: bool = False
    respawn_s: float = 120.0


class QuestProgress(msgspec.Struct, kw_only=True):
    quest_id: str
    node_id: str
    started_at: float
    last_action_at: float
    counts: dict[str, int] = msgspec.field(default_factory=dict)  # node id -> progress count
    idle_reported: bool = False


class Player(msgspec.Struct, kw_only=True):
    name: str
    xp: int = 0
    level: int = 1
    kills: int = 0
    deaths: int = 0
    quests: dict[str, QuestProgress] = msgspec.field(default_factory=dict)
    completed: list[str] = msgspec.field(default_factory=list)
    skills: dict[str, int] = msgspec.field(default_factory=dict)  # rewards of type skill/spell


class Dead(msgspec.Struct, kw_only=True):
    """An NPC waiting to respawn (it keeps its id, so Questmakers can still name it)."""

    respawn_at: float


class Fighting(msgspec.Struct, kw_only=True):
    target_id: str
    next_round_at: float


class Online(msgspec.Struct, kw_only=True):
    """A player with a live session (not persisted; `players_online` is)."""

    since: float


# Wire name -> component type, for every component that is written to Redis.
PERSISTED: dict[str, type[Any]] = {
    "identity": Identity,
    "position": Position,
    "held": Held,
    "health": Health,
    "stats": CombatStats,
    "inventory": Inventory,
    "equipment": Equipment,
    "wallet": Wallet,
    "ai": AI,
    "dialogue": Dialogue,
    "faction": Faction,
    "quest_giver": QuestGiver,
    "merchant": Merchant,
    "player_owned": PlayerOwned,
    "loot": Loot,
    "player": Player,
    "dead": Dead,
    "fighting": Fighting,
}
NAME_OF: dict[type[Any], str] = {kind: name for name, kind in PERSISTED.items()}
