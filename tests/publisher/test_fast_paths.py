"""The publisher's cheaper forms give what the plain forms gave (throughput work, issue 8).

Each fast path here is checked against the straightforward code it replaced, on random inputs."""

from __future__ import annotations

import hashlib
import hmac
import math
from typing import Any

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st
from redis.asyncio import Redis

from ouro_publisher.app import Publisher
from ouro_publisher.types import Usage
from ouro_publisher.windows import Windows, minute
from ouro_publisher.world import ID_KEYED, MAX_CANDIDATES, NOT_REFERENCES, candidates
from ouro_schemas import names
from ouro_schemas.content import is_safe_id
from ouro_schemas.guardrails import Guardrails
from ouro_schemas.proposal import Proposal
from ouro_schemas.signing import hmac_sha256_hex
from tests.publisher import factories as f
from tests.publisher.conftest import drain

# --- HMAC ---------------------------------------------------------------------------------------------


@given(key=st.binary(min_size=0, max_size=200), body=st.binary(max_size=3000))
def test_hmac_with_cached_pads_equals_hmac_new(key: bytes, body: bytes) -> None:
    assert hmac_sha256_hex(key, body) == hmac.new(key, body, hashlib.sha256).hexdigest()
    assert hmac_sha256_hex(key, body) == hmac.new(key, body, hashlib.sha256).hexdigest()  # pads reused


# --- candidates ---------------------------------------------------------------------------------------


def _plain_walk(value: Any, ids: set[str], coords: set[str], depth: int = 0, keys_are_ids: bool = False) -> None:
    """The walk as it was first written (isinstance checks, no memo)."""
    if len(ids) > MAX_CANDIDATES or depth > 12:
        return
    if isinstance(value, str):
        if is_safe_id(value):
            ids.add(value)
    elif isinstance(value, dict):
        x, y = value.get("x"), value.get("y")
        if isinstance(x, int) and isinstance(y, int) and not isinstance(x, bool) and not isinstance(y, bool):
            z = value.get("z", 0)
            coords.add(f"{x},{y},{z if isinstance(z, int) else 0}")
        for k, v in value.items():
            if keys_are_ids and is_safe_id(k):
                ids.add(k)
            if isinstance(v, str):
                if k not in NOT_REFERENCES and is_safe_id(v):
                    ids.add(v)
            elif isinstance(v, dict | list):
                _plain_walk(v, ids, coords, depth + 1, k in ID_KEYED)
    elif isinstance(value, list):
        for v in value:
            _plain_walk(v, ids, coords, depth + 1)


_words = st.sampled_from(["plaza", "npc_a", "item-1", "Bad Id", "../x", "a..b", "x", "y", "z", "name",
                          "placements", "kind", "to", "9lives", "", "ÄÖ"])
_scalars = st.one_of(_words, st.integers(-5, 5), st.booleans(), st.none(), st.floats(allow_nan=False))
_json = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                       st.dictionaries(_words, inner, max_size=5)), max_leaves=40)


@settings(max_examples=300)
@given(payload=st.dictionaries(_words, _json, max_size=6))
def test_candidates_equal_the_plain_walk(payload: dict[str, Any]) -> None:
    # Through JSON, as the publisher receives payloads (plain dict/list/str/int/float/bool/None).
    proposal = msgspec.json.decode(msgspec.json.encode(f.npc_proposal("p-walk")), type=Proposal)
    proposal.payload = msgspec.json.decode(msgspec.json.encode(payload))
    ids: set[str] = set()
    coords: set[str] = set()
    _plain_walk(proposal.payload, ids, coords)
    assert candidates(proposal) == (sorted(ids), sorted(coords))


def test_candidates_of_the_benchmark_kinds() -> None:
    ids, coords = candidates(f.block_proposal("p-b"))
    assert "east_st" in ids and "p-b-a" in ids and "market" in ids and "2,0,0" in coords and "2,1,0" in coords
    assert "street" not in ids  # vocabulary (kind) is not fetched


# --- windows ------------------------------------------------------------------------------------------

_events = st.lists(st.tuples(st.sampled_from(["NPC", "ITEM", "BLOCK"]),
                             st.floats(0, 200), st.floats(0, 50), st.floats(0, 50),
                             st.lists(st.sampled_from(["common", "rare", "legendary"]), max_size=2)),
                   max_size=40)


@settings(max_examples=200)
@given(events=_events, window_s=st.sampled_from([30.0, 60.0, 300.0, 3600.0]))
def test_windows_state_kept_up_to_date_equals_a_fresh_sum(events: list[tuple[str, float, float, float, list[str]]],
                                                          window_s: float) -> None:
    g = Guardrails.model_validate({"economy": {"window_s": window_s}})
    w = Windows()
    now = 1_000_000.0
    for ptype, step, src, sink, rarities in events:
        now += step
        state = w.state(g, now)  # the gate's view before this proposal
        fresh = Windows()
        fresh.rarities, fresh.throttle, fresh.economy = w.rarities, w.throttle, w.economy
        expected = fresh.state(g, now)
        assert state.throttle == expected.throttle
        assert math.isclose(state.sources, expected.sources, abs_tol=1e-9)
        assert math.isclose(state.sinks, expected.sinks, abs_tol=1e-9)
        assert list(state.rarities) == list(expected.rarities)
        w.record(None, ptype, Usage(rarities=rarities, sources=src, sinks=sink), now)
        if step > 90:  # a prune between batches, as `Publisher._send` does
            w.prune(_NullPipe(), g, now)
    assert minute(now) >= minute(1_000_000.0)


def test_windows_state_after_a_restore_forgets_the_rolled_back_usage() -> None:
    g = Guardrails()
    w = Windows()
    now = 1_000_000.0
    w.record(None, "NPC", Usage(sources=10), now)
    saved = w.backup()
    assert w.state(g, now).throttle == {"NPC": 1}
    w.record(None, "NPC", Usage(sources=5), now)
    assert w.state(g, now).throttle == {"NPC": 2} and w.state(g, now).sources == 15
    w.restore(saved)  # the batch's MULTI did not run
    assert w.state(g, now).throttle == {"NPC": 1} and w.state(g, now).sources == 10


class _NullPipe:
    def hdel(self, *args: Any) -> None:
        pass


# --- the as-received version --------------------------------------------------------------------------


async def test_before_version_is_the_stream_entry_as_received(publisher: Publisher, redis: Redis) -> None:
    p = f.item_proposal("p-as-received")
    await publisher.svc.bus.publish(names.GEN_ENRICHED, p)
    [(_, fields)] = await redis.xrange(names.GEN_ENRICHED)
    assert await drain(publisher, names.GEN_ENRICHED) == 1
    before = await redis.get(names.PROPOSAL + p.id + names.PROPOSAL_BEFORE_SUFFIX)
    assert before == fields[b"d"]
    assert msgspec.json.decode(before, type=Proposal).state == p.state
