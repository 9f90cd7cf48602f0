"""The base world sits on the same scale as generated content: every base item, NPC and quest passes the
publisher's balance checks against the committed data/guardrails.json (so a generated NPC or reward is
judged by the yardstick the authored city also meets)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ouro_schemas import budget
from ouro_schemas.guardrails import load_guardrails
from tests.worldgen._world import ROOT, load_committed

balance = pytest.importorskip("ouro_publisher.balance")
types = pytest.importorskip("ouro_publisher.types")

GUARDRAILS = ROOT / "data" / "guardrails.json"


@pytest.mark.skipif(not Path(GUARDRAILS).exists(), reason="no data/guardrails.json")
def test_base_items_npcs_and_quests_pass_the_balance_checks() -> None:
    world = load_committed()
    rails = load_guardrails(GUARDRAILS)
    view = types.WorldView(districts={d.id: d.model_dump() for d in world.districts})
    rooms = {r.id: r for r in world.rooms}
    failures: list[str] = []
    for item in world.items:
        failures += [f"{item.id}: {v.rule} {v.value} > {v.limit}" for v in balance.item_verdicts(item, item.id, rails)
                     if not v.ok]
    for spawn in world.npc_spawns:
        npc = next(n for n in world.npcs if n.id == spawn.npc_id)
        district = rooms[spawn.room_id].district_id
        failures += [f"{npc.id} in {district}: {v.rule} {v.value} > {v.limit}"
                     for v in balance.npc_verdicts(npc, npc.id, district, view, rails) if not v.ok]
    values = {i.id: float(i.value) for i in world.items}
    for quest in world.quests:
        value = budget.quest_reward_value(quest.rewards, values)
        if value > rails.quests.max_value_by_difficulty[quest.difficulty]:
            failures.append(f"{quest.id}: reward value {value} too rich for difficulty {quest.difficulty}")
    assert sorted(set(failures)) == []
