"""The pure gate: property tests (hypothesis) and one test per kind of verdict."""

from __future__ import annotations

import math
import random
from collections import deque
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ouro_publisher.gate import run_gate
from ouro_publisher.types import Usage, WindowState
from ouro_publisher.windows import Windows
from ouro_schemas import budget
from ouro_schemas.content import RARITIES, ItemArchetype
from ouro_schemas.proposal import ProposalType
from tests.publisher import factories as f
from tests.publisher.adversarial import ATTACKS, adversarial

G = f.guardrails()
W = f.world()
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

numbers = st.one_of(st.integers(-10, 400), st.floats(allow_nan=True, allow_infinity=True),
                    st.integers(-(10**20), 10**20))
unit = st.one_of(st.floats(-0.5, 1.5), st.just(float("nan")))


@st.composite
def items(draw: Any) -> dict[str, Any]:
    dmin = draw(numbers)
    dmax = draw(numbers)
    return f.item_template(
        "gen_item", rarity=draw(st.sampled_from(RARITIES)), level=draw(st.integers(0, 120)),
        slot=draw(st.sampled_from(["weapon", "head", "body", "legs", "hands", "implant", "none"])),
        kind=draw(st.sampled_from(["weapon", "armor", "cyberware", "consumable", "junk"])),
        stats={"damage_min": dmin, "damage_max": dmax, "crit_chance": draw(unit), "accuracy": draw(unit),
               "armor": draw(numbers), "ammo_efficiency": draw(unit)},
        effects=[{"id": e, "magnitude": draw(st.floats(0, 120)), "chance": draw(unit)}
                 for e in draw(st.lists(st.sampled_from(["burn", "stun", "lifesteal", "emp"]), max_size=3,
                                        unique=True))],
        value=draw(st.integers(-5, 50_000)))


@FAST
@given(items())
def test_no_item_over_its_power_budget_passes(template: dict[str, Any]) -> None:
    p = f.proposal(ProposalType.ITEM, {"archetype": template, "spawn_room_id": "plaza"})
    result = run_gate(p, W, G, WindowState())
    if not result.ok:
        assert result.failures and all(v.reason for v in result.failures)
        return
    item = ItemArchetype.model_validate(template)
    _lo, hi = budget.item_point_range(item.rarity, item.level)
    assert item.kind in budget.STATLESS_KINDS or budget.item_power_points(item) <= hi
    if item.slot == "weapon":
        assert item.stats.damage_max <= 50
    assert item.value <= G.economy.max_item_value[item.rarity]


@FAST
@given(credits=numbers, qty=st.integers(0, 25), reward=numbers)
def test_no_credit_drop_over_the_economy_budget_passes(credits: Any, qty: int, reward: Any) -> None:
    p = f.npc_proposal("p-npc", credits_max=credits, credits_min=0, qty=qty)
    result = run_gate(p, W, G, WindowState())
    if result.ok:
        assert 0 <= credits <= G.economy.max_credit_drop
    else:
        assert any(v.rule.startswith(("economy", "schema")) for v in result.failures)
    # A Questmaker credit reward is bounded the same way.
    q = f.qm_proposal("grant_player_reward", {"player_id": "alice", "reward_type": "credits",
                                              "reward_id": "credits", "quantity": qty}, 10)
    qr = run_gate(q, W, G, WindowState())
    if qr.ok:
        assert qty * G.economy.qm_credit_unit <= G.economy.max_credit_drop


def test_10000_generations_respect_the_rarity_window() -> None:
    """Random rarities, heavy on legendaries: every 100 consecutive passed items hold ≤ 1 legendary, ≤ 5 epic."""
    rnd = random.Random(10_000)
    windows = Windows()
    g = f.guardrails(**{"throttles.default_per_minute": 1_000_000,
                        "throttles.per_minute": {"ITEM": 1_000_000}})
    passed: list[str] = []
    stats = {"rare": {"damage_min": 10, "damage_max": 14}, "epic": {"damage_min": 20, "damage_max": 24},
             "legendary": {"damage_min": 28, "damage_max": 32}}

    class NoPipe:
        def __getattr__(self, name: str) -> Any:
            return lambda *a, **k: None

    for i in range(10_000):
        rarity = rnd.choices(RARITIES, weights=[40, 20, 15, 12, 13])[0]
        p = f.item_proposal(f"p-{i}", rarity=rarity, stats=stats.get(rarity, {"damage_min": 3, "damage_max": 5}),
                            value=10)
        result = run_gate(p, W, g, windows.state(g, i))
        if result.ok:
            passed.append(rarity)
            windows.record(NoPipe(), "ITEM", result.usage, i)
        else:
            assert {v.rule for v in result.failures} == {"rarity.window"}, result.reason
    window: deque[str] = deque(maxlen=100)
    for rarity in passed:
        window.append(rarity)
        assert window.count("legendary") <= 1 and window.count("epic") <= 5
    assert passed.count("legendary") >= 10_000 * 0.13 / 100 * 0.5  # the window bounds, it does not starve


def test_1000_adversarial_proposals_are_rejected_with_their_reason() -> None:
    for proposal, rules in adversarial(1000):
        result = run_gate(proposal, W, G, WindowState())
        failed = {v.rule for v in result.failures}
        assert not result.ok, proposal.id
        assert failed & set(rules), (proposal.id, rules, result.reason)
        assert all(v.reason for v in result.failures)


@FAST
@given(st.text(max_size=300), st.dictionaries(st.text(max_size=10), st.text(max_size=50), max_size=5))
def test_the_gate_never_raises(description: str, flavor: dict[str, str]) -> None:
    p = f.item_proposal(description=description or "x")
    p.flavor = dict(flavor)
    run_gate(p, W, G, WindowState())


def test_verdicts_carry_rule_value_limit() -> None:
    p = f.item_proposal(stats={"damage_min": 60, "damage_max": 70})
    result = run_gate(p, W, G, WindowState())
    cap = next(v for v in result.failures if v.rule == "power.slot_cap.damage_max")
    assert (cap.value, cap.limit, cap.path) == (70, 50, "payload.archetype.stats.damage_max")
    points = next(v for v in result.failures if v.rule == "power.item_points")
    assert math.isclose(points.value, 65.0) and points.limit == 12.0


def test_filter_hits_name_the_text_they_were_found_in() -> None:
    p = f.npc_proposal("p-where", description="A thug who yells s.h.i.t.")
    p.flavor = {"lines": ["Hello there.", "Nazi scum!"]}
    p.tags = {"mood": "fine", "n": 3}
    found = {(v.rule, v.path) for v in run_gate(p, W, G, WindowState()).failures}
    assert found == {("filter.banned_word", "payload.archetype.description"),
                     ("filter.banned_theme", "flavor.lines[1]")}
    qm = f.qm_proposal("QUESTMAKER_memorize", {"player_id": "alice", "memory_string": "fine"}, 5)
    qm.tags = {"note": "b1tch"}
    [v] = run_gate(qm, W, G, WindowState()).failures
    assert (v.rule, v.path) == ("filter.banned_word", "tags.note")


def test_npc_threat_against_the_district() -> None:
    brute = {"max_health": 900, "damage_min": 40, "damage_max": 60, "accuracy": 0.9, "armor": 30,
             "crit_chance": 0.2}
    result = run_gate(f.npc_proposal(stats=brute, threat_level=9), W, G, WindowState())
    rules = {v.rule: v for v in result.failures}
    assert rules["threat.npc_points"].limit == G.threat.max_points_by_level[2]
    assert rules["threat.npc_level"].value == 9 and rules["threat.npc_level"].limit == 3


def test_quest_reward_against_difficulty() -> None:
    quest = {
        "quest": {"id": "q1", "name": "Crate", "description": "Find it.", "giver_npc_id": "street_thug",
                  "district_id": "market", "difficulty": 1,
                  "nodes": [{"id": "n1", "kind": "fetch", "target": "rusty_blade"}], "start_node": "n1",
                  "rewards": {"credits": 2000, "xp": 10, "item_ids": ["legend_gun"]},
                  "questmaker_id": "qm_q1", "influence_points_map": {}},
        "questmaker": {"id": "qm_q1", "name": "Fixer", "prompt_context": "A fixer.", "budget_max": 100,
                       "budget_start": 50, "regen_per_minute": 1},
    }
    result = run_gate(f.proposal(ProposalType.QUEST, quest), W, G, WindowState())
    v = next(v for v in result.failures if v.rule == "quest.reward_value")
    assert v.value == 2000 + 5 + 9000 and v.limit == G.quests.max_value_by_difficulty[1]


def test_economy_window_sources_vs_sinks() -> None:
    full = WindowState(sources=G.economy.free_sources, sinks=0.0)
    result = run_gate(f.npc_proposal(credits_max=100), W, G, full)
    assert [v.rule for v in result.failures] == ["economy.sources_vs_sinks"]
    sinks = WindowState(sources=G.economy.free_sources, sinks=G.economy.free_sources)
    assert run_gate(f.npc_proposal(credits_max=100), W, G, sinks).ok


def test_throttle_per_type() -> None:
    limit = G.throttles.per_minute[ProposalType.NPC]
    result = run_gate(f.npc_proposal(), W, G, WindowState(throttle={"NPC": limit}))
    v = result.failures[0]
    assert (v.rule, v.value, v.limit) == ("throttle.per_minute", limit + 1, limit)


def test_block_integrity_and_compatibility() -> None:
    ok = run_gate(f.block_proposal(), W, G, WindowState())
    assert ok.ok, ok.reason
    p = f.block_proposal()
    p.payload["block"]["rooms"][1]["exits"] = []
    p.payload["block"]["rooms"][0]["exits"] = [{"direction": "w", "to": "east_st"}]
    rules = {v.rule for v in run_gate(p, W, G, WindowState()).failures}
    assert {"integrity.room_exit", "integrity.reachable"} <= rules


def test_qm_budget_precheck_and_filter() -> None:
    poor = f.world()
    poor.questmakers["qm_fixer"]["budget_current"] = 20.0
    p = f.qm_proposal("spawn_entity", {"entity_type": "street_thug", "location": "plaza"}, 30)
    v = run_gate(p, poor, G, WindowState()).failures[0]
    assert (v.rule, v.value, v.limit) == ("qm.budget", 30.0, 20.0)
    mem = f.qm_proposal("QUESTMAKER_memorize", {"player_id": "alice", "memory_string": "she said f\u200buck"}, 5)
    assert run_gate(mem, W, G, WindowState()).failures[0].rule == "filter.banned_word"
    ok = f.qm_proposal("change_npc_behavior", {"npc_id": "thug_1", "behavior": "patrol"}, 10)
    assert run_gate(ok, W, G, WindowState()).ok


def test_usage_counts_rarities_and_sources() -> None:
    result = run_gate(f.item_proposal(rarity="rare", stats={"damage_min": 10, "damage_max": 14}, value=100),
                      W, G, WindowState())
    assert result.ok and result.usage == Usage(rarities=["rare"], sources=0.0, sinks=0.0)


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(attack=st.sampled_from(ATTACKS), seed=st.integers(0, 2**32 - 1),
       noise=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_hypothesis_adversarial_proposals_are_rejected_with_their_reason(attack: Any, seed: int, noise: str) -> None:
    """1,000 hypothesis-drawn attacks (with arbitrary Unicode noise in the flavour): none passes."""
    proposal, rules = attack("adv-h", random.Random(seed))
    proposal.flavor = {**proposal.flavor, "noise": noise}
    result = run_gate(proposal, W, G, WindowState())
    assert not result.ok
    assert {v.rule for v in result.failures} & set(rules), (rules, result.reason)
    assert all(v.reason for v in result.failures)
