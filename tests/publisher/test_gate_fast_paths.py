"""The gate's fast paths against their plain forms, on random inputs (hypothesis)."""

from __future__ import annotations

import math
import struct
from collections import deque
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter, ValidationError

from ouro_publisher.gate import _strings, _strings_plain, run_gate
from ouro_publisher.types import WindowState, round3
from ouro_publisher.validate import _added_exit, paired_problems
from ouro_schemas import budget
from ouro_schemas.content import (
    EFFECTS,
    ID_PATTERN,
    OFFSET,
    OPPOSITE,
    Exit,
    Id,
    ItemArchetype,
    Room,
    is_safe_id,
)
from ouro_schemas.integrity import check_exits_paired, exits_paired, geo
from tests.publisher.golden import cases


class Text(str):
    pass


class Table(dict[str, Any]):
    pass


class Items(list[Any]):
    pass


_leaves = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=5),
                    st.builds(Text, st.text(max_size=5)), st.tuples(st.text(max_size=3)), st.binary(max_size=3))
_json = st.recursive(
    _leaves,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=3), inner, max_size=4),
                            st.builds(Items, st.lists(inner, max_size=3)),
                            st.builds(Table, st.dictionaries(st.text(max_size=3), inner, max_size=3))),
    max_leaves=40,
)


@settings(max_examples=500, deadline=None)
@given(_json)
def test_string_walk_equals_the_plain_walk(value: Any) -> None:
    fast: list[str] = []
    plain: list[str] = []
    _strings(value, fast)
    _strings_plain(value, plain)
    assert fast == plain
    assert [type(s) for s in fast] == [type(s) for s in plain]


def test_string_walk_of_deep_nesting() -> None:
    """Deeper than the fast walk recurses: the plain walk takes over, same order, no recursion error."""
    deep: Any = "bottom"
    for i in range(5000):
        deep = {"a": f"s{i}", "b": deep} if i % 2 else [deep, f"t{i}"]
    fast: list[str] = []
    plain: list[str] = []
    _strings(deep, fast)
    _strings_plain(deep, plain)
    assert fast == plain and len(fast) == 5001


_ids = st.sampled_from(["a", "b", "c", "d.exits", "d", "e.exits.x", "plaza"])
_exit = st.fixed_dictionaries({"direction": st.sampled_from(list(OFFSET)), "to": _ids, "locked": st.booleans(),
                               "key_item_id": st.sampled_from([None, "key", "other_key"])})


@st.composite
def _rooms(draw: st.DrawFn) -> list[Room]:
    out = []
    for _ in range(draw(st.integers(0, 6))):
        exits = {ex["direction"]: ex for ex in draw(st.lists(_exit, max_size=4))}  # one per direction
        out.append(Room.model_validate({
            "id": draw(_ids), "name": "R", "description": "D", "district_id": "market",
            "x": draw(st.integers(-1, 1)), "y": draw(st.integers(-1, 1)), "z": draw(st.integers(-1, 1)),
            "exits": list(exits.values())}))
    return out


def _read_back(problem: str) -> str:
    """The room id the gate reads out of a check_exits_paired problem (what it did before exits_paired)."""
    return problem.removeprefix("rooms.json ").split(".exits", 1)[0]


def _plain_check_exits_paired(rooms: list[Room]) -> list[str]:
    """The pairing check as it was first written, on the models (one text built per exit)."""
    by_id = {room.id: room for room in rooms}
    problems: list[str] = []
    for room in rooms:
        for ex in room.exits:
            where = f"rooms.json {room.id}.exits[{ex.direction}]"
            dest = by_id.get(ex.to)
            if dest is None:
                problems.append(f"{where}: leads to unknown room {ex.to!r}")
                continue
            dx, dy, dz = OFFSET[ex.direction]
            if (dest.x, dest.y, dest.z) != (room.x + dx, room.y + dy, room.z + dz):
                problems.append(f"{where}: {ex.to!r} is at ({dest.x},{dest.y},{dest.z}), not one step "
                                f"{ex.direction} of ({room.x},{room.y},{room.z})")
            back = next((b for b in dest.exits if b.direction == OPPOSITE[ex.direction]), None)
            if back is None or back.to != room.id:
                problems.append(f"{where}: {ex.to!r} has no exit {OPPOSITE[ex.direction]} back to {room.id!r}")
            elif (back.locked, back.key_item_id) != (ex.locked, ex.key_item_id):
                problems.append(f"{where}: the lock differs from the way back from {ex.to!r}")
    return problems


@settings(max_examples=800, deadline=None)
@given(_rooms(), st.sets(_ids))
def test_exits_paired_is_check_exits_paired(rooms: list[Room], keep: set[str]) -> None:
    plain = _plain_check_exits_paired(rooms)
    assert check_exits_paired(rooms) == plain
    geos = [geo(r) for r in rooms]
    assert ["rooms.json " + p for _, p in exits_paired(geos)] == plain
    want = [(_read_back(p), p.removeprefix("rooms.json ")) for p in plain if _read_back(p) in keep]
    assert paired_problems([geo(r) for r in rooms], keep) == want


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([*OFFSET, "north", "", " n"]), st.sampled_from(["plaza", "a..b", "", "Plaza", " plaza"]))
def test_added_exit_is_the_exit_model(direction: str, to: str) -> None:
    try:
        ex = Exit.model_validate({"direction": direction, "to": to})
    except ValidationError:
        with pytest.raises(ValidationError):
            _added_exit(direction, to)
        return
    assert _added_exit(direction, to) == (ex.direction, ex.to, ex.locked, ex.key_item_id)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.floats(), st.integers(-(10**20), 10**20), st.integers(-5000, 5000).map(lambda i: i / 8),
                 st.sampled_from([0.0, -0.0, 1e300, -1e300, 2.0**53 + 1, 0.0005, 2.5e-4, 1.0005, -1.0005])))
def test_round3_is_round(value: float) -> None:
    want = round(float(value), 3)
    got = round3(value)
    assert struct.pack("<d", got) == struct.pack("<d", want) or (math.isnan(got) and math.isnan(want))
    assert type(got) is float


def test_the_gates_payload_is_model_dump() -> None:
    """The gate calls the serializer under model_dump directly: the same JSON, keys in the same order."""
    for label, p, world, g, window in cases()[::7]:
        result = run_gate(p, world, g, window)
        if result.model is not None:
            assert msgspec.json.encode(result.payload) == msgspec.json.encode(result.model.model_dump(mode="json")), label


_damage = st.tuples(st.integers(0, 10_000), st.integers(0, 10_000)).map(sorted)
_item_stats = st.fixed_dictionaries({"damage": _damage}, optional={
    "crit_chance": st.floats(0, 1), "accuracy": st.floats(-1, 1), "ammo_efficiency": st.floats(0, 1),
    "armor": st.integers(0, 10_000), "heal": st.integers(0, 100_000)})
_effects = st.lists(st.fixed_dictionaries({"id": st.sampled_from(sorted(EFFECTS)), "magnitude": st.floats(0, 100),
                                           "chance": st.floats(0, 1)}), max_size=3)


@settings(max_examples=1000, deadline=None)
@given(_item_stats, _effects, st.sampled_from(["weapon", "head", "body", "legs", "hands", "implant", "none"]))
def test_item_power_points_is_stat_points(stats: dict[str, Any], effects: list[dict[str, Any]], slot: str) -> None:
    dmin, dmax = stats.pop("damage")
    stats = {**stats, "damage_min": dmin, "damage_max": dmax}
    item = ItemArchetype.model_validate({"id": "x", "name": "X", "kind": "weapon", "slot": slot, "value": 1,
                                         "description": "X", "stats": stats, "effects": effects})
    s = item.stats
    plain = budget.stat_points(item.slot, {
        "damage": (s.damage_min + s.damage_max) / 2.0, "crit_chance": s.crit_chance,
        "accuracy": max(0.0, s.accuracy), "ammo_efficiency": s.ammo_efficiency, "armor": float(s.armor),
        "heal": float(s.heal)}, ((e.id, e.magnitude, e.chance) for e in item.effects))
    assert struct.pack("<d", budget.item_power_points(item)) == struct.pack("<d", plain)


_IdAdapter: TypeAdapter[str] = TypeAdapter(Id)


@settings(max_examples=2000, deadline=None)
@given(st.one_of(st.text(max_size=100), st.from_regex(ID_PATTERN), st.from_regex(r"[a-z0-9.]{1,6}\.\.[a-z.]{0,5}"),
                 st.text(alphabet="ab.:-_ \n\t", max_size=8)))
def test_a_schema_id_is_safe_unless_it_holds_two_dots(text: str) -> None:
    """The integrity check tests only ".." on template and room ids: the schema checked the rest."""
    try:
        valid = _IdAdapter.validate_python(text)
    except ValidationError:
        return
    assert is_safe_id(valid) == (".." not in valid)
    room = Room.model_validate({"id": text, "name": "R", "description": "D", "district_id": "market", "x": 0, "y": 0})
    assert is_safe_id(room.id) == (".." not in room.id)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(["common", "rare", "epic", "legendary"]), max_size=150),
       st.sampled_from(["common", "epic", "legendary", "mythic"]), st.integers(-3, 200))
def test_rarity_count_is_the_loop(rarities: list[str], rarity: str, window: int) -> None:
    state = WindowState(rarities=deque(rarities, maxlen=10_000))
    plain = sum(1 for i, r in enumerate(state.rarities) if i < window and r == rarity)
    assert state.rarity_count(rarity, window) == plain
    assert state.rarity_count(rarity, float(window)) == plain  # type: ignore[arg-type]
