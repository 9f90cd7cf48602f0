"""Guardrails (DESIGN §5): the balance limits the publisher's gate enforces, as `data/guardrails.json`.

Pydantic, because an admin editing the file or the guardrail editor reads these messages. One
definition: the publisher validates with it, the admin API validates an edit with it, the director
may read it. `Verdict` is what every gate check records (rule, value, limit) in a proposal's trace.

Scores come from `ouro_schemas.budget` (item power points, NPC threat points, quest reward value);
these limits only say how many points, credits or proposals are allowed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import msgspec
from pydantic import Field, model_validator

from ouro_schemas.budget import QUEST_REWARD_RANGES, RARITY_POINT_RANGES
from ouro_schemas.content import RARITIES, Strict
from ouro_schemas.errors import validate_model
from ouro_schemas.proposal import ProposalType

NonNeg = Annotated[float, Field(ge=0.0, allow_inf_nan=False)]
Count = Annotated[int, Field(ge=0, le=1_000_000)]
Word = Annotated[str, Field(min_length=1, max_length=80)]


class Verdict(msgspec.Struct, kw_only=True, frozen=True):
    """One check's outcome. `value` and `limit` are the figures compared (numbers, or text)."""

    rule: str  # e.g. "power.item_points", "economy.credit_drop", "filter.banned_word"
    ok: bool
    value: Any = None
    limit: Any = None
    reason: str = ""
    path: str = ""  # where in the proposal (payload.archetype.stats.damage_max, flavor.name, …)


class PointRange(Strict):
    min: NonNeg
    max: NonNeg

    @model_validator(mode="after")
    def _ordered(self) -> PointRange:
        if self.min > self.max:
            raise ValueError("min is above max")
        return self


class SlotCaps(Strict):
    """Hard caps per slot on top of the point score (DESIGN: "max weapon damage 50")."""

    damage_max: Count | None = None
    armor: Count | None = None
    heal: Count | None = None
    crit_chance: Annotated[float, Field(ge=0.0, le=1.0)] | None = None


def _default_rarity_points() -> dict[str, PointRange]:
    return {r: PointRange(min=lo, max=hi) for r, (lo, hi) in RARITY_POINT_RANGES.items()}


class PowerBudget(Strict):
    # Level-1 ranges; `budget.level_multiplier(level)` stretches both ends.
    rarity_points: dict[str, PointRange] = Field(default_factory=_default_rarity_points)
    enforce_floor: bool = False  # reject items scoring under their rarity's minimum too
    slot_caps: dict[str, SlotCaps] = Field(default_factory=lambda: {"weapon": SlotCaps(damage_max=50)})
    max_item_level: Annotated[int, Field(ge=1, le=100)] = 60

    @model_validator(mode="after")
    def _every_rarity(self) -> PowerBudget:
        missing = [r for r in RARITIES if r not in self.rarity_points]
        if missing:
            raise ValueError(f"rarity_points lacks {', '.join(missing)}")
        return self


def _default_threat_points() -> dict[int, float]:
    return {level: round(12.0 * 1.6 ** (level - 1), 1) for level in range(1, 11)}


class ThreatBudget(Strict):
    # Max `npc_threat_points` of an NPC placed in a district of each threat level (1–10).
    max_points_by_level: dict[int, NonNeg] = Field(default_factory=_default_threat_points)
    level_margin: Annotated[int, Field(ge=0, le=9)] = 1  # an NPC's threat_level ≤ district's + margin
    boss_multiplier: Annotated[float, Field(ge=1.0, le=20.0)] = 2.5  # bosses may exceed by this factor

    @model_validator(mode="after")
    def _every_level(self) -> ThreatBudget:
        missing = [str(lv) for lv in range(1, 11) if lv not in self.max_points_by_level]
        if missing:
            raise ValueError(f"max_points_by_level lacks levels {', '.join(missing)}")
        return self


def _default_reward_values() -> dict[int, float]:
    return {d: hi for d, (_lo, hi) in QUEST_REWARD_RANGES.items()}


class QuestBudget(Strict):
    # Max `quest_reward_value` (credits, XP and reward item values) per difficulty 1–10.
    max_value_by_difficulty: dict[int, NonNeg] = Field(default_factory=_default_reward_values)
    item_values_count: bool = True  # count reward items' `value` in the reward value

    @model_validator(mode="after")
    def _every_difficulty(self) -> QuestBudget:
        missing = [str(d) for d in range(1, 11) if d not in self.max_value_by_difficulty]
        if missing:
            raise ValueError(f"max_value_by_difficulty lacks difficulties {', '.join(missing)}")
        return self


class EconomyBudget(Strict):
    max_credit_drop: Count = 500  # an NPC's credits_max
    max_quest_credits: Count = 2_500  # a quest's reward credits
    max_item_value: dict[str, Count] = Field(
        default_factory=lambda: {"common": 200, "uncommon": 600, "rare": 2_000, "epic": 6_000,
                                 "legendary": 20_000})
    # Sources (credits a proposal puts into the world) vs sinks (credits it can take out) over a window:
    # Σ sources ≤ max(free_sources, max_source_sink_ratio × Σ sinks).
    window_s: Annotated[float, Field(gt=0, le=7 * 86_400, allow_inf_nan=False)] = 3_600.0
    free_sources: NonNeg = 50_000.0
    max_source_sink_ratio: NonNeg = 1.5
    max_inflation: Annotated[float, Field(allow_inf_nan=False)] = 0.05  # new sources refused above it
    qm_credit_unit: Count = 50  # credits per quantity of a Questmaker `credits` reward
    qm_xp_unit: Count = 100  # XP per quantity of an `xp` reward


class RarityWindow(Strict):
    """At most `max_per_window[r]` items of rarity r among the last `window` item generations."""

    window: Annotated[int, Field(ge=1, le=10_000)] = 100
    max_per_window: dict[str, Count] = Field(default_factory=lambda: {"legendary": 1, "epic": 5})

    @model_validator(mode="after")
    def _known(self) -> RarityWindow:
        bad = [r for r in self.max_per_window if r not in RARITIES]
        if bad:
            raise ValueError(f"unknown rarities {', '.join(bad)}")
        return self


class Throttles(Strict):
    """Proposals passed per type per minute (fixed one-minute buckets)."""

    per_minute: dict[ProposalType, Count] = Field(default_factory=lambda: {
        ProposalType.NPC: 120, ProposalType.ITEM: 240, ProposalType.QUEST: 30, ProposalType.BUILDING: 20,
        ProposalType.BLOCK: 10, ProposalType.EVENT: 10, ProposalType.WORLD_EXPANSION: 2,
        ProposalType.QM_ACTION: 600,
    })
    default_per_minute: Count = 60


class QmLimits(Strict):
    max_reward_rarity: str = "rare"  # an item a Questmaker may grant
    max_reward_points: NonNeg = 40.0  # power points × quantity of a granted item
    max_stat_change_sum: NonNeg = 600.0  # |Δhealth| + 10·(|Δdamage| + |Δarmor|) + 100·|Δaccuracy|


# The defaults, so a publisher with no guardrails file still filters (data/guardrails.json holds the same).
DEFAULT_BANNED_WORDS: tuple[str, ...] = (
    "fuck", "shit", "cunt", "bitch", "asshole", "motherfucker", "faggot", "retard",
)
DEFAULT_BANNED_THEMES: dict[str, tuple[str, ...]] = {
    "self_harm": ("suicide", "kill yourself", "self harm", "cut myself", "slit wrists"),
    "sexual_minors": ("child porn", "underage sex", "loli"),
    "real_world_extremism": ("nazi", "swastika", "isis", "jihad", "white power", "ku klux"),
    "real_world_politics": ("trump", "biden", "putin", "zelensky"),
}


class Filters(Strict):
    banned_words: list[Word] = Field(default_factory=lambda: list(DEFAULT_BANNED_WORDS))
    banned_themes: dict[str, list[Word]] = Field(
        default_factory=lambda: {k: list(v) for k, v in DEFAULT_BANNED_THEMES.items()})
    max_separator_run: Annotated[int, Field(ge=0, le=10)] = 3  # "k . i . l . l" still matches


class Guardrails(Strict):
    version: Annotated[int, Field(ge=1)] = 1
    power: PowerBudget = Field(default_factory=PowerBudget)
    threat: ThreatBudget = Field(default_factory=ThreatBudget)
    quests: QuestBudget = Field(default_factory=QuestBudget)
    economy: EconomyBudget = Field(default_factory=EconomyBudget)
    rarity_window: RarityWindow = Field(default_factory=RarityWindow)
    throttles: Throttles = Field(default_factory=Throttles)
    qm: QmLimits = Field(default_factory=QmLimits)
    filters: Filters = Field(default_factory=Filters)

    @model_validator(mode="after")
    def _qm_rarity(self) -> Guardrails:
        if self.qm.max_reward_rarity not in RARITIES:
            raise ValueError(f"qm.max_reward_rarity {self.qm.max_reward_rarity!r} is not a rarity")
        return self


def parse_guardrails(data: object, source: str = "guardrails") -> Guardrails:
    """Validate guardrails data; raises errors.ContentError naming the path and the reason."""
    return validate_model(Guardrails, data, source)


def load_guardrails(path: Path) -> Guardrails:
    """Read and validate a guardrails file. Raises ContentError (bad content) or OSError (unreadable)."""
    from ouro_schemas.errors import ContentError

    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ContentError(str(path), [f"(root): not JSON: {exc}"]) from None
    return parse_guardrails(data, str(path))
