"""A fixed set of gate inputs and a canonical form of the gate's output, to pin the gate's results byte
for byte while its hot paths change (tests/publisher/test_gate_golden.py).

The cases: the benchmark's passing proposals (NPC with a spawn, ITEM, BLOCK of two rooms), proposals of
every type, every Questmaker tool, the adversarial proposals, and a few thousand random mutations of them
(fields swapped for odd values, exits re-pointed, windows nearly full, world rooms broken) — most of them
rejected, for many reasons each.

    python -m tests.publisher.golden     # rewrites gate_golden.txt with the current gate's output
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import random
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ouro_publisher.types import WindowState, WorldView
from ouro_schemas.guardrails import Guardrails
from ouro_schemas.proposal import Proposal, ProposalType
from tests.publisher import factories as f
from tests.publisher.adversarial import adversarial

GOLDEN = Path(__file__).with_name("gate_golden.txt")

Case = tuple[str, Proposal, WorldView, Guardrails, WindowState]


def _canon(value: Any) -> str:
    """A repr that does not depend on the hash seed (sets sorted) and keeps types (1 vs 1.0, nan)."""
    if isinstance(value, BaseModel):
        return f"{type(value).__name__}({', '.join(f'{k}={_canon(v)}' for k, v in value.__dict__.items())})"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return f"{type(value).__name__}({', '.join(f'{x.name}={_canon(getattr(value, x.name))}' for x in dataclasses.fields(value))})"
    if isinstance(value, set | frozenset):
        return "{" + ", ".join(sorted(_canon(v) for v in value)) + "}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_canon(k)}: {_canon(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple | deque):
        return f"{type(value).__name__}[" + ", ".join(_canon(v) for v in value) + "]"
    return repr(value)


def digest(result: Any) -> str:
    """One line per case: ok, the failing rules, and a hash of everything the gate returned."""
    full = _canon([result.ok, result.verdicts, result.stages, result.payload, result.usage, result.model,
                   result.inventory])
    rules = ",".join(sorted({v.rule for v in result.verdicts if not v.ok}))
    return f"{result.ok} {rules or '-'} {hashlib.sha256(full.encode()).hexdigest()[:12]}"


QM_CALLS: list[tuple[str, dict[str, Any], int]] = [
    ("send_message", {"target_player_id": "alice", "message": "The docks. Midnight.", "via_npc_id": "thug_1"}, 10),
    ("QUESTMAKER_memorize", {"player_id": "alice", "memory_string": "Paid in full, on time."}, 5),
    ("change_npc_behavior_to_player", {"npc_id": "thug_1", "player_id": "alice", "behavior_type": "hostile"}, 15),
    ("change_npc_behavior", {"npc_id": "street_thug", "behavior": "patrol"}, 10),
    ("change_npc_stats", {"npc_id": "thug_1", "stat_changes": {"max_health": 20, "damage": 2}}, 20),
    ("change_room_info", {"room_id": "plaza", "property_changes": {"lock_exit": "n",
                                                                   "description_add": "Sirens wail."}}, 15),
    ("trigger_world_event", {"event_type": "gang_war", "district_id": "market"}, 30),
    ("spawn_entity", {"entity_type": "street_thug", "location": "north_st", "quantity": 2}, 30),
    ("grant_player_reward", {"player_id": "alice", "reward_type": "item", "reward_id": "rusty_blade"}, 10),
    ("change_room_info", {"room_id": "plaza", "property_changes": {"lock_exit": "w"}}, 15),
    ("trigger_world_event", {"event_type": "alien_invasion"}, 30),
    ("change_npc_behavior", {"npc_id": "ghost", "behavior": "patrol"}, 10),
    ("grant_player_reward", {"player_id": "alice", "reward_type": "item", "reward_id": "nope"}, 10),
]

# Values a mutation may put anywhere: the edges of the schemas and of the guardrails, wrong types, ids
# of things that exist (of the wrong kind) and do not, banned words, whitespace.
ODD: list[Any] = [None, 0, 1, -1, 2, 7, 10, 11, 50, 51, 99, 100, 101, 500, 501, 10**6, 10**9, 0.5, 1.0, 1.5,
                  -0.0, 2.75, 1e308, float("nan"), True, False, "", " ", "x", " plaza ", "plaza", "north_st",
                  "east_st", "market", "nowhere", "street_thug", "rusty_blade", "medkit", "noodle_shop",
                  "legend_gun", "qm_fixer", "find_the_crate", "a..b", "A", "n", "s", "e", "w", "u", "d", "ne",
                  "up", "legendary", "epic", "rare", "common", "weapon", "head", "hands", "none", "junk", "key",
                  "consumable", "boss", "shit happens", "n a z i", "x" * 130, [], {}, ["x"], [{"direction": "n",
                  "to": "plaza"}], {"direction": "s", "to": "plaza", "locked": True}]


def _paths_in(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths_in(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths_in(v, (*path, i))


def _mutate(p: Proposal, rnd: random.Random) -> Proposal:
    """`p` with one to three values of its payload replaced, dropped or added."""
    p = copy.deepcopy(p)
    for _ in range(rnd.randint(1, 3)):
        paths = [q for q in _paths_in(p.payload) if q]
        if not paths:
            break
        path = rnd.choice(paths)
        node: Any = p.payload
        for key in path[:-1]:
            node = node[key]
        what = rnd.random()
        if what < 0.1 and isinstance(node, dict):
            del node[path[-1]]
        elif what < 0.15 and isinstance(node, dict):
            node[rnd.choice(["origin", "extra", "z", "locked", "key_item_id", "boss", "new_district"])] = \
                copy.deepcopy(rnd.choice(ODD))  # a copy: ODD must stay as it is for the next call
        else:
            node[path[-1]] = copy.deepcopy(rnd.choice(ODD))
    return p


DIRECTIONS = ["n", "s", "e", "w", "ne", "nw", "se", "sw", "u", "d"]
RARITIES = ["common", "uncommon", "rare", "epic", "legendary"]


def _nudge(p: Proposal, rnd: random.Random) -> Proposal:
    """`p` with one to four values changed for values of the same kind, so that most still pass the schema
    and fail (or pass) the checks after it: numbers up and down, directions, rarities, ids of the world,
    of the proposal itself and of nothing."""
    p = copy.deepcopy(p)
    leaves = [q for q in _paths_in(p.payload) if q]
    ids = sorted({v for v in _strings_of(p.payload) if v.islower() and " " not in v and len(v) < 40}
                 | {"plaza", "north_st", "east_st", "market", "nowhere", "street_thug", "medkit", "noodle_shop"})
    for _ in range(rnd.randint(1, 4)):
        path = rnd.choice(leaves)
        node: Any = p.payload
        try:
            for key in path[:-1]:
                node = node[key]
            value = node[path[-1]]
        except (KeyError, IndexError, TypeError):
            continue
        if isinstance(value, bool):
            new: Any = not value
        elif isinstance(value, int):
            new = max(0, rnd.choice([value + 1, value - 1, value * 2, value * 10, rnd.randint(0, 120)]))
        elif isinstance(value, float):
            new = rnd.choice([rnd.random(), value * 2, value + 1])
        elif isinstance(value, str) and value in DIRECTIONS:
            new = rnd.choice(DIRECTIONS)
        elif isinstance(value, str) and value in RARITIES:
            new = rnd.choice(RARITIES)
        elif isinstance(value, str):
            new = rnd.choice(ids) if rnd.random() < 0.8 else value + " fuck"
        else:
            continue
        node[path[-1]] = new
    return p


def _strings_of(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings_of(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings_of(v)


def _windows(rnd: random.Random) -> WindowState:
    w = WindowState()
    for _ in range(rnd.choice([0, 0, 5, 120])):
        w.rarities.appendleft(rnd.choice(["common", "rare", "epic", "legendary"]))
    w.throttle = {t: rnd.choice([0, 59, 60, 10**6]) for t in ("NPC", "ITEM", "BLOCK", "QM_ACTION", "QUEST")}
    w.sources, w.sinks = rnd.choice([(0.0, 0.0), (4_999.0, 0.0), (1e6, 10.0)])
    return w


def _worlds() -> list[WorldView]:
    """The factories' world, and worlds with odd rooms: an invalid one, one whose id has '.exits' in it,
    one with a lock on its way back, one that is not where its neighbours think it is."""
    plain = f.world()
    odd = f.world()
    odd.rooms["east_st"] = {**odd.rooms["east_st"], "name": ""}  # invalid: the gate treats it as absent
    locked = f.world()
    locked.rooms["east_st"]["exits"] = [{"direction": "w", "to": "plaza", "locked": True, "key_item_id": "medkit"}]
    moved = f.world()
    moved.rooms["east_st"] = {**moved.rooms["east_st"], "x": 5, "runtime": {"lit": True}}
    dotted = f.world()
    dotted.rooms["east_st.exits"] = f.room("east_st.exits", 3, 0, [("e", "p-gold-m-a")])
    dotted.rooms["east_st"]["exits"].append({"direction": "e", "to": "east_st.exits"})
    return [plain, odd, locked, moved, dotted]


def cases() -> list[Case]:
    rnd = random.Random(20261123)
    g = f.guardrails()
    opened = f.open_guardrails()
    out: list[Case] = []
    bench_world = f.growth_point_world(200)
    for p in f.bench_proposals(200, "p-gold"):
        out.append(("bench", p, bench_world, opened, WindowState()))
        out.append(("bench-default-guardrails", p, bench_world, g, WindowState()))
    typed = [f.npc_proposal("p-gold-n"), f.npc_proposal("p-gold-n0", spawn=None), f.item_proposal("p-gold-i"),
             f.block_proposal("p-gold-b"), f.proposal(ProposalType.QUEST, f.quest_payload("crate_run"), "p-gold-q"),
             f.proposal(ProposalType.BUILDING, f.building_payload("noodle_bar"), "p-gold-bld"),
             f.proposal(ProposalType.EVENT, {"event": {"id": "blackout-1", "event_type": "blackout",
                                                      "district_id": "market", "duration_s": 600,
                                                      "text": "The grid goes dark."}}, "p-gold-ev"),
             f.proposal(ProposalType.WORLD_EXPANSION, {"blocks": [f.block_proposal("p-gold-w").payload["block"]]},
                        "p-gold-w")]
    shop = f.item_proposal("p-gold-stock", value=30)
    shop.payload["shop_id"] = "noodle_shop"
    typed.append(shop)
    typed += [f.qm_proposal(tool, params, cost, f"turn-{i}:0") for i, (tool, params, cost) in enumerate(QM_CALLS)]
    for world in _worlds():
        for p in typed:
            out.append(("typed", p, world, g, WindowState()))
    for p, _ in adversarial(1000, seed=5) + adversarial(300, seed=8):
        out.append(("adversarial", p, f.world(), g, WindowState()))
    worlds = _worlds()
    bases = typed + f.bench_proposals(10, "p-gold")
    for i in range(6000):
        base = rnd.choice(bases)
        p = _mutate(base, rnd) if i % 2 else _nudge(base, rnd)
        p.id = rnd.choice([p.id, f"p-gold-m{i}", "p-gold-m"])
        if rnd.random() < 0.2:
            p.flavor = {"name": rnd.choice(["Jax", "sh1t", "A" * 5000]), "barks": ["hey", rnd.choice(["", "n.a.z.i"])]}
        if rnd.random() < 0.2:
            p.tags = {"district": rnd.choice(["market", "nowhere", "a..b"]), "n": 3}
        world = rnd.choice([*worlds, bench_world])
        guard = rnd.choice([g, opened])
        out.append(("mutant", p, world, guard, _windows(rnd)))
    return out


def outputs(run_gate: Callable[..., Any]) -> list[str]:
    return [f"{i} {digest(run_gate(p, world, g, w))}" for i, (_, p, world, g, w) in enumerate(cases())]


if __name__ == "__main__":
    from ouro_publisher.gate import run_gate

    GOLDEN.write_text("\n".join(outputs(run_gate)) + "\n")
    print(f"wrote {GOLDEN}")
