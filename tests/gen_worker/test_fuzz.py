"""Any JSON in any param: a generator either drafts a valid payload or refuses with a ParamError."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ouro_genworker.registry import GENERATORS
from ouro_genworker.types import ParamError, new_rng
from ouro_schemas.payloads import PAYLOAD_MODELS
from ouro_schemas.proposal import ProposalType
from tests.gen_worker.cases import PARAMS

KEYS = sorted({k for p in PARAMS.values() for k in p} | {
    "role", "behavior", "boss", "rarity", "kind", "slot", "level", "difficulty", "storefront", "size",
    "buildings", "blocks", "new_district", "event_type", "intensity", "duration_s", "growth_points",
    "giver_npc_id", "giver_room_id", "reward_item_values", "quantity", "spawn_room_id", "z"})

scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 30), st.floats(allow_nan=True),
                    st.sampled_from(["", "docks", "n", "weapon", "legendary", "boss", "../x", "NPC"]))
json_values = st.recursive(scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(["room_id", "direction", "x", "y", "z", "a"]),
                                                 inner, max_size=5)), max_leaves=12)


@pytest.mark.parametrize("ptype", list(GENERATORS), ids=str)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.dictionaries(st.sampled_from(KEYS), json_values, max_size=4), seed=st.integers(0, 2**32))
def test_junk_params_draft_or_refuse(ptype: ProposalType, changes: dict[str, Any], seed: int) -> None:
    params = {**PARAMS[ptype], **changes}
    try:
        draft = GENERATORS[ptype].generate(params, new_rng(seed))
    except ParamError as exc:
        assert exc.param and exc.problem
        return
    PAYLOAD_MODELS[ptype].model_validate(draft.payload)
