"""Generators: every draft validates, the same seed gives the same bytes, params move the numbers."""

from __future__ import annotations

import itertools
import statistics
from typing import Any

import msgspec
import pytest

from ouro_genworker.drafting import draft
from ouro_genworker.generators import item as item_gen
from ouro_genworker.generators import npc as npc_gen
from ouro_genworker.registry import GENERATORS
from ouro_genworker.types import new_rng
from ouro_schemas.budget import (
    QUEST_REWARD_RANGES,
    item_point_range,
    item_power_points,
    npc_threat_points,
    quest_reward_value,
)
from ouro_schemas.content import EVENT_TYPES, RARITIES, ItemArchetype, NpcArchetype
from ouro_schemas.guardrails import Guardrails
from ouro_schemas.messages import GenJob
from ouro_schemas.payloads import PAYLOAD_MODELS, ItemPayload, NpcPayload, QuestPayload
from ouro_schemas.proposal import ProposalState, ProposalType
from tests.gen_worker.cases import PARAMS

TYPES = list(GENERATORS)
GUARDRAILS = Guardrails()  # the defaults the generators aim under
_encode = msgspec.json.Encoder().encode


def job(ptype: ProposalType, seed: int, params: dict[str, Any] | None = None) -> GenJob:
    return GenJob(id=f"job-{seed:016x}", type=ptype, seed=seed, params=PARAMS[ptype] if params is None else params)


def varied_params(ptype: ProposalType, seed: int) -> dict[str, Any]:
    """The base params with the knobs turned by the seed, so validation sees the corners too."""
    p = dict(PARAMS[ptype])
    if ptype in (ProposalType.NPC, ProposalType.ITEM, ProposalType.QUEST, ProposalType.BUILDING):
        p["threat_level"] = 1 + seed % 10
    if ptype in (ProposalType.NPC, ProposalType.EVENT, ProposalType.QUEST):
        p["aggression"] = (seed % 11) / 10
    if ptype == ProposalType.ITEM:
        p["rarity"] = RARITIES[seed % 5]
        p["level"] = 1 + (seed * 7) % 100
    if ptype == ProposalType.QUEST:
        p["difficulty"] = 1 + seed % 10
    return p


@pytest.mark.parametrize("ptype", TYPES, ids=str)
def test_every_draft_validates_against_its_payload_schema(ptype: ProposalType) -> None:
    model = PAYLOAD_MODELS[ptype]
    for seed in range(150):
        for params in (PARAMS[ptype], varied_params(ptype, seed)):
            d = GENERATORS[ptype].generate(params, new_rng(seed))
            model.model_validate(d.payload)  # raises with the path on any violation
            assert d.flavor, f"{ptype} seed {seed}: no flavour"
            assert all(isinstance(k, str) for k in d.tags)


@pytest.mark.parametrize("ptype", TYPES, ids=str)
def test_same_seed_same_params_give_byte_identical_proposals(ptype: ProposalType) -> None:
    first = [_encode(draft(job(ptype, seed))) for seed in range(1000)]
    again = [_encode(draft(job(ptype, seed))) for seed in range(1000)]
    assert first == again
    assert len(set(first)) == 1000  # and different seeds give different drafts
    p = draft(job(ptype, 1))
    assert p.state == ProposalState.DRAFTED
    assert p.generator.name == GENERATORS[ptype].name
    assert p.generator.version.startswith(GENERATORS[ptype].version + "+flavor.")
    assert p.id == "p-job-0000000000000001" and p.seed == 1


def test_a_thousand_npcs_rarely_repeat_a_name() -> None:
    names = [npc_gen.generate({}, new_rng(seed)).flavor["name"] for seed in range(1000)]
    assert len(set(names)) >= 950


def _npcs(params: dict[str, Any], n: int = 300) -> list[NpcArchetype]:
    return [NpcPayload.model_validate(npc_gen.generate(params, new_rng(s)).payload).archetype for s in range(n)]


def test_threat_level_raises_npc_stats() -> None:
    means = []
    for threat in (1, 4, 7, 10):
        npcs = _npcs({"threat_level": threat, "role": "ganger"})
        means.append((statistics.mean(n.stats.max_health for n in npcs),
                      statistics.mean(n.stats.damage_max for n in npcs),
                      statistics.mean(npc_threat_points(n) for n in npcs),
                      statistics.mean(n.xp for n in npcs)))
    for lower, higher in itertools.pairwise(means):
        assert all(h > lo for lo, h in zip(lower, higher, strict=True)), (lower, higher)


def test_aggression_raises_npc_stats_and_hostility() -> None:
    calm = _npcs({"threat_level": 5, "aggression": 0.0})
    wild = _npcs({"threat_level": 5, "aggression": 1.0})
    assert statistics.mean(npc_threat_points(n) for n in wild) > 1.3 * statistics.mean(
        npc_threat_points(n) for n in calm)
    same_role_calm = _npcs({"threat_level": 5, "aggression": 0.0, "role": "ganger"})
    same_role_wild = _npcs({"threat_level": 5, "aggression": 1.0, "role": "ganger"})
    assert statistics.mean(n.stats.max_health for n in same_role_wild) > statistics.mean(
        n.stats.max_health for n in same_role_calm)
    hostile = sum(n.behavior == "aggressive" for n in wild)
    assert hostile > 2 * sum(n.behavior == "aggressive" for n in calm)


def test_npc_loot_comes_only_from_the_listed_items() -> None:
    listed = {"item-a", "item-b"}
    for seed in range(100):
        d = npc_gen.generate({"item_ids": sorted(listed)}, new_rng(seed))
        loot = {e["item_id"] for e in d.payload["archetype"]["loot"]}
        assert loot and loot <= listed and set(d.dependencies) == loot
    assert npc_gen.generate({}, new_rng(1)).payload["archetype"]["loot"] == []


def _items(params: dict[str, Any], n: int = 200) -> list[ItemArchetype]:
    return [ItemPayload.model_validate(item_gen.generate(params, new_rng(s)).payload).archetype for s in range(n)]


def test_rarity_raises_the_item_budget_and_points_stay_in_range() -> None:
    means = []
    for rarity in RARITIES:
        items = _items({"rarity": rarity, "kind": "weapon", "level": 20})
        for it in items:
            points = item_power_points(it)  # the gate's formula
            assert_in_budget(it)
            assert abs(points - it.budget_points) < 1e-4
        means.append(statistics.mean(item_power_points(it) for it in items))
    assert means == sorted(means) and means[-1] > 3 * means[0]


def assert_in_budget(it: ItemArchetype) -> None:
    """Inside the rarity's range at its level, within the default guardrails' caps. The one allowed
    shortfall: a weapon whose damage hit the slot cap and whose affixes hit their tier caps."""
    points = item_power_points(it)
    lo, hi = item_point_range(it.rarity, it.level)
    assert points <= hi, (it.name, points, hi)
    if it.slot == "weapon" and it.stats.damage_max == GUARDRAILS.power.slot_caps["weapon"].damage_max:
        assert points >= 0.6 * lo, (it.name, points, lo)
    else:
        assert points >= lo, (it.name, points, lo)
    assert it.value <= GUARDRAILS.economy.max_item_value[it.rarity]
    cap = GUARDRAILS.power.slot_caps["weapon"].damage_max
    assert cap is not None and it.stats.damage_max <= cap


@pytest.mark.parametrize("kind", ["weapon", "armor", "cyberware", "consumable"])
def test_every_kind_spends_its_budget_inside_the_range(kind: str) -> None:
    for it in _items({"kind": kind}, 150):
        assert_in_budget(it)
        assert len(it.effects) <= 4
    for level in (1, 30, 60):
        for it in _items({"kind": kind, "rarity": "legendary", "level": level}, 60):
            assert_in_budget(it)


def test_npcs_stay_under_the_default_threat_caps() -> None:
    caps = GUARDRAILS.threat.max_points_by_level
    for threat in (1, 5, 10):
        for npc in _npcs({"threat_level": threat, "aggression": 1.0}, 200):
            cap = caps[threat] * (GUARDRAILS.threat.boss_multiplier if npc.boss else 1.0)
            assert npc_threat_points(npc) <= cap
            assert npc.credits_max <= GUARDRAILS.economy.max_credit_drop


def test_item_level_gates_affix_tiers() -> None:
    low = _items({"kind": "weapon", "rarity": "legendary", "level": 1})
    high = _items({"kind": "weapon", "rarity": "legendary", "level": 80})
    assert max(it.stats.crit_chance for it in low) <= item_gen.TIER_CAPS["crit_chance"][0] + 1e-9
    assert max(it.stats.crit_chance for it in high) > item_gen.TIER_CAPS["crit_chance"][0]


def test_drawn_rarities_follow_their_weights() -> None:
    counts = {r: 0 for r in RARITIES}
    for it in _items({"kind": "weapon"}, 1000):
        counts[it.rarity] += 1
    assert counts["common"] > counts["uncommon"] > counts["rare"] > counts["epic"] >= counts["legendary"]


def test_quest_rewards_follow_difficulty_and_influence_keys_match_nodes() -> None:
    base = PARAMS[ProposalType.QUEST]
    for difficulty in (1, 5, 10):
        for seed in range(60):
            d = GENERATORS[ProposalType.QUEST].generate({**base, "difficulty": difficulty}, new_rng(seed))
            q = QuestPayload.model_validate(d.payload)
            lo, hi = QUEST_REWARD_RANGES[difficulty]
            assert lo <= quest_reward_value(q.quest.rewards) <= hi
            actions = {n.influence_action for n in q.quest.nodes}
            assert actions == set(q.quest.influence_points_map)
            assert q.quest.questmaker_id == q.questmaker.id
            known_npcs = {q.quest.giver_npc_id, *base["npc_ids"], *(n.id for n in q.extra_npcs)}
            known_items = {*base["item_ids"], *(i.id for i in q.extra_items)}
            for node in q.quest.nodes:
                if node.kind in ("kill", "talk"):
                    assert node.target in known_npcs
                elif node.kind in ("fetch", "deliver"):
                    assert node.target in known_items
                else:
                    assert node.target in base["room_ids"]
            assert set(q.placements.values()) <= set(base["room_ids"])


def test_event_types_come_from_the_registry_and_aggression_makes_them_hostile() -> None:
    gen = GENERATORS[ProposalType.EVENT]
    hostile = {"gang_war", "corp_raid", "acid_storm", "power_vacuum", "lockdown", "invasion"}
    calm = [gen.generate({"aggression": 0.0}, new_rng(s)).payload["event"] for s in range(400)]
    wild = [gen.generate({"aggression": 1.0}, new_rng(s)).payload["event"] for s in range(400)]
    assert {e["event_type"] for e in calm + wild} <= set(EVENT_TYPES)
    assert sum(e["event_type"] in hostile for e in wild) > 1.5 * sum(e["event_type"] in hostile for e in calm)
    storm = gen.generate({"event_type": "acid_storm", "intensity": 1.0}, new_rng(3)).payload["event"]
    mild = gen.generate({"event_type": "acid_storm", "intensity": 0.0}, new_rng(3)).payload["event"]
    assert storm["effects"]["damage_per_minute"] > mild["effects"]["damage_per_minute"]
