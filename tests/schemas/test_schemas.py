"""Every schema round-trips; the export runs; errors name the field path and the reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import msgspec
import pytest

from ouro_schemas import content, export, messages, payloads, proposal, questmaker
from ouro_schemas.errors import ContentError, decode_message, describe_error, validate_model

T0 = 1_700_000_000.0
TRACE = [proposal.TraceEntry(stage="director", at=T0, actor="director-1", verdict="ok", reason="r",
                             data={"rule": "edge_block", "sliders": {"chaos": 0.2}})]

ROOM = {"id": "r1", "name": "Neon Street", "description": "Rain.", "district_id": "d1", "x": 0, "y": 0,
        "exits": [{"direction": "n", "to": "r2"}]}
NPC = {"id": "npc.thug", "name": "Thug", "role": "ganger", "behavior": "aggressive", "level": 3,
       "threat_level": 2, "stats": {"max_health": 40, "damage_min": 2, "damage_max": 6, "accuracy": 0.6,
                                     "armor": 1}, "description": "A thug."}
ITEM = {"id": "item.pipe", "name": "Pipe", "kind": "weapon", "slot": "weapon", "value": 10,
        "stats": {"damage_min": 2, "damage_max": 5}, "effects": [{"id": "bleed", "magnitude": 1}],
        "description": "A pipe."}
QUEST = {"id": "q1", "name": "Crates", "description": "Get the crates.", "giver_npc_id": "npc.fixer",
         "district_id": "d1", "difficulty": 2, "start_node": "a",
         "nodes": [{"id": "a", "kind": "go_to", "target": "r2", "next": ["b"]},
                   {"id": "b", "kind": "fetch", "target": "item.crate", "influence_action": "recovered_crate"}],
         "rewards": {"credits": 50, "xp": 10}, "questmaker_id": "qm1",
         "influence_points_map": {"recovered_crate": 20}}
QM = {"id": "qm1", "name": "The Spice Lord", "prompt_context": "Benevolent spirit of trade.",
      "budget_max": 100, "budget_start": 25, "regen_per_minute": 1}

STRUCT_SAMPLES: list[Any] = [
    messages.WorldEvent(id="e1", kind=messages.EventKind.PLAYER_NEAR_EDGE, at=T0, player_id="p1",
                        data={"distance": 2}),
    messages.GenJob(id="j1", type=proposal.ProposalType.BLOCK, seed=42, params={"x": 1}, rule="edge_block",
                    trace=TRACE, high_risk=True),
    proposal.Proposal(id="p1", type=proposal.ProposalType.NPC, seed=1,
                      generator=proposal.GeneratorRef(name="npc", version="1"), payload={"archetype": NPC},
                      flavor={"name": "Rex", "barks": ["Hey", "Move"]}, trace=TRACE, tags={"threat": 2}),
    messages.Patch(id="p1", proposal_id="p1", kind=messages.PatchKind.APPLY,
                   ops=[messages.AddTemplate(template_type="npc", template_id="npc.thug", template=NPC),
                        messages.Spawn(template_id="npc.thug", room_id="r1", entity_ids=["p1:0"]),
                        messages.QmAction(questmaker_id="qm1", tool="send_message",
                                          params={"target_player_id": "p1", "message": "hi"}, cost=5)],
                   inverse=[messages.Despawn(entity_ids=["p1:0"]), messages.RemoveTemplate(template_id="npc.thug")]),
    messages.PatchResult(patch_id="p1", proposal_id="p1", status=messages.PatchStatus.APPLIED, spawned=["p1:0"],
                         inverse=[messages.Restore(target="npc1", fields={"behavior": "idle"})]),
    messages.QmTurn(id="t1", questmaker_id="qm1", quest_id="q1", player_id="p1",
                    reason=messages.TurnReason.IDLE, seed=3, at=T0, name="Spice", prompt_context="x"),
    messages.ControlMessage(id="c1", command=messages.ControlCommand.STOP, at=T0),
    messages.DirectorState(mode=messages.DirectorMode.PAUSED),
    messages.LogEntry(at=T0, service="director", instance="d", kind=messages.LogKind.NO_ACTION,
                      message="throttled", rule="edge_block"),
]


@pytest.mark.parametrize("sample", STRUCT_SAMPLES, ids=lambda s: type(s).__name__)
def test_stream_messages_round_trip(sample: Any) -> None:
    raw = msgspec.json.encode(sample)
    assert msgspec.json.decode(raw, type=type(sample)) == sample


@pytest.mark.parametrize(("model", "data"), [
    (content.Room, ROOM), (content.NpcArchetype, NPC), (content.ItemArchetype, ITEM),
    (content.QuestBlueprint, QUEST), (content.Questmaker, QM),
])
def test_content_round_trips(model: Any, data: dict[str, Any]) -> None:
    obj = model.model_validate(data)
    again = model.model_validate_json(obj.model_dump_json())
    assert again == obj


def test_every_payload_model_is_registered() -> None:
    assert set(payloads.PAYLOAD_MODELS) == set(proposal.ProposalType)


def test_errors_name_path_and_reason() -> None:
    bad = json.loads(json.dumps(NPC))
    bad["stats"]["accuracy"] = 3
    with pytest.raises(ContentError) as err:
        validate_model(content.NpcArchetype, bad, "data/base/npcs.json")
    assert "data/base/npcs.json" in str(err.value)
    assert "stats.accuracy: Input should be less than or equal to 1" in err.value.problems[0]

    with pytest.raises(ContentError) as err2:
        decode_message(messages.GenJob, b'{"id": "j", "type": "NPC", "seed": "x"}')
    assert err2.value.problems == ["seed: Expected `int`, got `str`"]


@pytest.mark.parametrize("bad_id", ["../../etc/passwd", "A", "", "a/b", "x" * 200, ".hidden"])
def test_ids_cannot_be_paths(bad_id: str) -> None:
    with pytest.raises(ContentError):
        validate_model(content.Room, {**ROOM, "id": bad_id})
    assert not content.is_safe_id(bad_id)


def test_quest_graph_is_checked() -> None:
    bad = json.loads(json.dumps(QUEST))
    bad["nodes"][0]["next"] = ["nowhere"]
    with pytest.raises(ContentError, match="leads to unknown node 'nowhere'"):
        validate_model(content.QuestBlueprint, bad)


def test_unknown_effect_is_refused() -> None:
    with pytest.raises(ContentError, match="unknown effect 'death_ray'"):
        validate_model(content.ItemArchetype, {**ITEM, "effects": [{"id": "death_ray", "magnitude": 1}]})


def test_nan_and_infinity_are_refused() -> None:
    with pytest.raises(ContentError):
        validate_model(content.Questmaker, {**QM, "budget_max": float("inf")})
    with pytest.raises(ContentError):
        validate_model(content.ItemArchetype, {**ITEM, "effects": [{"id": "burn", "magnitude": float("nan")}]})


def test_tool_calls_are_checked_against_the_registry() -> None:
    ok = questmaker.ToolCall(tool_name="send_message", cost=10,
                             parameters={"target_player_id": "p1", "message": "Hurry."})
    assert questmaker.check_tool_call(ok) == []
    assert questmaker.check_tool_call(ok.model_copy(update={"cost": 99})) == [
        "cost 99 outside 5-15 for send_message"]
    assert questmaker.check_tool_call(ok.model_copy(update={"tool_name": "rm_rf"})) == ["unknown tool 'rm_rf'"]
    bad_params = ok.model_copy(update={"parameters": {"message": "x"}})
    assert questmaker.check_tool_call(bad_params) == ["target_player_id: Field required"]
    assert questmaker.CHEAPEST_TOOL_COST == 5


def test_proposal_hash_detects_tampering() -> None:
    p = STRUCT_SAMPLES[2]
    key = b"k" * 32
    p.hash = proposal.proposal_hash(p, key)
    assert proposal.verify_hash(p, key)
    p.payload["archetype"]["stats"]["damage_max"] = 9999
    assert not proposal.verify_hash(p, key)


def test_patch_signature() -> None:
    patch = STRUCT_SAMPLES[3]
    key = b"s" * 32
    signed = msgspec.structs.replace(patch, signature=messages.patch_signature(patch, key))
    assert messages.verify_patch(signed, key)
    assert not messages.verify_patch(signed, b"other" * 8)
    forged = msgspec.structs.replace(signed, ops=signed.ops[:1])
    assert not messages.verify_patch(forged, key)


def test_lifecycle_transitions() -> None:
    S = proposal.ProposalState
    assert proposal.can_transition(S.BALANCED, S.AWAITING_APPROVAL)
    assert not proposal.can_transition(S.REJECTED, S.APPROVED)
    assert not proposal.can_transition(S.DRAFTED, S.PUBLISHED)


def test_json_schema_export(tmp_path: Path) -> None:
    written = export.export(tmp_path)
    stems = {p.relative_to(tmp_path).as_posix() for p in written}
    assert "stream/Proposal.json" in stems and "content/QuestBlueprint.json" in stems
    assert "questmaker/tool.send_message.json" in stems
    assert {"world/ChunkMeta.json", "world/GrowthPointRecord.json"} <= stems
    for path in written:
        assert json.loads(path.read_text())  # valid JSON, non-empty


def test_describe_error_passes_other_errors_through() -> None:
    assert describe_error(RuntimeError("boom")) == ["(root): boom"]
