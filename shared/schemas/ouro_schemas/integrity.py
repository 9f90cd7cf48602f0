"""Referential integrity of the base world: what pydantic cannot see file by file.

`content.BaseWorld` validates each template on its own; this module checks that the templates
agree with each other: every exit leads to a room and comes back, every room is reachable from the
spawn room, every spawn, loot entry, shop and quest names things that exist, and a quest asks only
for what a player can actually do (kill an NPC that is spawned, fetch an item that can be had).

One implementation for three readers: the engine's loader (refuses to start on a problem), the
publisher (the same rules for what it adds) and the world-build tests. Every function is pure and
never raises on bad content; problems come back as ``"<file> <field>: <reason>"`` strings, the file
being the ``data/base/<field>.json`` the problem lives in.
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Callable, Iterable, Sequence

from ouro_schemas.content import OFFSET, OPPOSITE, BaseWorld, QuestBlueprint, Room

__all__ = ["Geo", "GeoExit", "check_base_world", "check_exits_paired", "check_unique_ids", "exits_paired", "geo",
           "obtainable_items", "reachable"]


def reachable(rooms: Sequence[Room], start: str) -> set[str]:
    """Ids of the rooms reachable from `start` over exits (locked exits count: a key opens them).

    Exits to unknown rooms are ignored; an unknown `start` gives the empty set.
    """
    by_id = {room.id: room for room in rooms}
    if start not in by_id:
        return set()
    seen = {start}
    queue: deque[str] = deque([start])
    while queue:
        for ex in by_id[queue.popleft()].exits:
            if ex.to in by_id and ex.to not in seen:
                seen.add(ex.to)
                queue.append(ex.to)
    return seen


# A room for the pairing check: (id, x, y, z, exits), an exit (direction, to, locked, key_item_id). The
# publisher checks the rooms a proposal adds as these tuples (no model copies per proposal).
GeoExit = tuple[str, str, bool, str | None]
Geo = tuple[str, int, int, int, list[GeoExit]]


def geo(room: Room) -> Geo:
    return room.id, room.x, room.y, room.z, [(ex.direction, ex.to, ex.locked, ex.key_item_id) for ex in room.exits]


def exits_paired(rooms: Sequence[Geo], keep: Callable[[str], bool] | None = None) -> list[tuple[str, str]]:
    """(room id, problem) for every exit of the rooms `keep` accepts (all by default) that does not lead to
    an existing room one grid step away in its direction, or whose room has no opposite exit back (with the
    same lock and key, so a door is one door from both sides). A problem reads `<id>.exits[<dir>]: <why>`;
    the texts are built only for problems."""
    by_id = {room[0]: room for room in rooms}
    out: list[tuple[str, str]] = []
    for rid, x, y, z, exits in rooms:
        if keep is not None and not keep(rid):
            continue
        for direction, to, locked, key in exits:
            dest = by_id.get(to)
            if dest is None:
                out.append((rid, f"{rid}.exits[{direction}]: leads to unknown room {to!r}"))
                continue
            dx, dy, dz = OFFSET[direction]
            if dest[1] != x + dx or dest[2] != y + dy or dest[3] != z + dz:
                out.append((rid, f"{rid}.exits[{direction}]: {to!r} is at ({dest[1]},{dest[2]},{dest[3]}), "
                                 f"not one step {direction} of ({x},{y},{z})"))
            opposite = OPPOSITE[direction]
            back = next((b for b in dest[4] if b[0] == opposite), None)
            if back is None or back[1] != rid:
                out.append((rid, f"{rid}.exits[{direction}]: {to!r} has no exit {opposite} back to {rid!r}"))
            elif back[2] != locked or back[3] != key:
                out.append((rid, f"{rid}.exits[{direction}]: the lock differs from the way back from {to!r}"))
    return out


def check_exits_paired(rooms: Sequence[Room]) -> list[str]:
    """`exits_paired` on the base world's rooms, each problem as `rooms.json <id>.exits[<dir>]: <why>`."""
    return [f"rooms.json {problem}" for _, problem in exits_paired([geo(room) for room in rooms])]


def check_unique_ids(file: str, ids: Iterable[str]) -> list[str]:
    """One problem per id that appears more than once in `file`."""
    counts = Counter(ids)
    return [f"{file} {key}: id appears {n} times" for key, n in sorted(counts.items()) if n > 1]


def obtainable_items(world: BaseWorld) -> set[str]:
    """Item template ids a player can come by: on the ground, in a shop, as loot or as a quest reward."""
    out = {spawn.item_id for spawn in world.item_spawns}
    out.update(item for shop in world.shops for item in shop.stock)
    out.update(entry.item_id for npc in world.npcs for entry in npc.loot)
    out.update(item for quest in world.quests for item in quest.rewards.item_ids)
    return out


def check_base_world(world: BaseWorld) -> list[str]:
    """Every cross-reference problem in `world` (empty = sound). Never raises."""
    problems: list[str] = []
    for file, ids in (
        ("factions.json", (f.id for f in world.factions)),
        ("districts.json", (d.id for d in world.districts)),
        ("rooms.json", (r.id for r in world.rooms)),
        ("npcs.json", (n.id for n in world.npcs)),
        ("items.json", (i.id for i in world.items)),
        ("shops.json", (s.id for s in world.shops)),
        ("quests.json", (q.id for q in world.quests)),
        ("questmakers.json", (q.id for q in world.questmakers)),
    ):
        problems += check_unique_ids(file, ids)
    problems += _check_map(world)
    problems += _check_npcs(world)
    problems += _check_shops(world)
    problems += _check_spawns(world)
    for quest in world.quests:
        problems += _check_quest(world, quest)
    return problems


def _check_map(world: BaseWorld) -> list[str]:
    factions = {f.id for f in world.factions}
    districts = {d.id: d for d in world.districts}
    rooms = {r.id: r for r in world.rooms}
    items = {i.id: i for i in world.items}
    shops = {s.id for s in world.shops}
    obtainable = obtainable_items(world)
    problems: list[str] = []
    for d in world.districts:
        if d.faction_id not in factions:
            problems.append(f"districts.json {d.id}.faction_id: unknown faction {d.faction_id!r}")
        hq = rooms.get(d.hq_room_id) if d.hq_room_id else None
        if d.hq_room_id and (hq is None or hq.district_id != d.id):
            problems.append(f"districts.json {d.id}.hq_room_id: {d.hq_room_id!r} is not a room of the district")
    coords: dict[tuple[int, int, int], str] = {}
    for room in world.rooms:
        if room.district_id not in districts:
            problems.append(f"rooms.json {room.id}.district_id: unknown district {room.district_id!r}")
        if room.shop_id and room.shop_id not in shops:
            problems.append(f"rooms.json {room.id}.shop_id: unknown shop {room.shop_id!r}")
        other = coords.setdefault((room.x, room.y, room.z), room.id)
        if other != room.id:
            problems.append(f"rooms.json {room.id}: shares ({room.x},{room.y},{room.z}) with {other!r}")
        for ex in room.exits:
            key = items.get(ex.key_item_id) if ex.key_item_id else None
            if ex.key_item_id and (key is None or key.kind != "key"):
                problems.append(f"rooms.json {room.id}.exits[{ex.direction}].key_item_id: "
                                f"{ex.key_item_id!r} is not a key item")
            elif ex.key_item_id and ex.key_item_id not in obtainable:
                problems.append(f"rooms.json {room.id}.exits[{ex.direction}].key_item_id: "
                                f"no one can obtain {ex.key_item_id!r}")
    problems += check_exits_paired(world.rooms)
    if world.spawn_room_id not in rooms:
        problems.append(f"world.json spawn_room_id: unknown room {world.spawn_room_id!r}")
    else:
        cut_off = sorted(set(rooms) - reachable(world.rooms, world.spawn_room_id))
        for room_id in cut_off:
            problems.append(f"rooms.json {room_id}: not reachable from the spawn room {world.spawn_room_id!r}")
    return problems


def _check_npcs(world: BaseWorld) -> list[str]:
    factions = {f.id for f in world.factions}
    items = {i.id for i in world.items}
    shops = {s.id for s in world.shops}
    problems: list[str] = []
    for npc in world.npcs:
        if npc.faction_id and npc.faction_id not in factions:
            problems.append(f"npcs.json {npc.id}.faction_id: unknown faction {npc.faction_id!r}")
        if npc.shop_id and npc.shop_id not in shops:
            problems.append(f"npcs.json {npc.id}.shop_id: unknown shop {npc.shop_id!r}")
        for n, entry in enumerate(npc.loot):
            if entry.item_id not in items:
                problems.append(f"npcs.json {npc.id}.loot[{n}].item_id: unknown item {entry.item_id!r}")
            if entry.min_qty > entry.max_qty:
                problems.append(f"npcs.json {npc.id}.loot[{n}]: min_qty is above max_qty")
    return problems


def _check_shops(world: BaseWorld) -> list[str]:
    items = {i.id for i in world.items}
    npcs = {n.id for n in world.npcs}
    rooms = {r.id: r for r in world.rooms}
    problems: list[str] = []
    spawned_in = {(s.npc_id, s.room_id) for s in world.npc_spawns}
    for shop in world.shops:
        room = rooms.get(shop.room_id)
        if room is None:
            problems.append(f"shops.json {shop.id}.room_id: unknown room {shop.room_id!r}")
        elif room.shop_id != shop.id:
            problems.append(f"shops.json {shop.id}.room_id: room {shop.room_id!r} does not name this shop")
        if shop.keeper_npc_id and shop.keeper_npc_id not in npcs:
            problems.append(f"shops.json {shop.id}.keeper_npc_id: unknown NPC {shop.keeper_npc_id!r}")
        elif shop.keeper_npc_id and (shop.keeper_npc_id, shop.room_id) not in spawned_in:
            problems.append(f"shops.json {shop.id}.keeper_npc_id: {shop.keeper_npc_id!r} is not spawned in the shop")
        for item_id in shop.stock:
            if item_id not in items:
                problems.append(f"shops.json {shop.id}.stock: unknown item {item_id!r}")
    return problems


def _check_spawns(world: BaseWorld) -> list[str]:
    rooms = {r.id for r in world.rooms}
    npcs = {n.id for n in world.npcs}
    items = {i.id for i in world.items}
    problems: list[str] = []
    for n, npc_spawn in enumerate(world.npc_spawns):
        if npc_spawn.npc_id not in npcs:
            problems.append(f"npc_spawns.json [{n}].npc_id: unknown NPC {npc_spawn.npc_id!r}")
        if npc_spawn.room_id not in rooms:
            problems.append(f"npc_spawns.json [{n}].room_id: unknown room {npc_spawn.room_id!r}")
    for n, item_spawn in enumerate(world.item_spawns):
        if item_spawn.item_id not in items:
            problems.append(f"item_spawns.json [{n}].item_id: unknown item {item_spawn.item_id!r}")
        if item_spawn.room_id not in rooms:
            problems.append(f"item_spawns.json [{n}].room_id: unknown room {item_spawn.room_id!r}")
    return problems


def _check_quest(world: BaseWorld, quest: QuestBlueprint) -> list[str]:
    """References of one quest, and that a player can complete each node of it."""
    rooms = {r.id for r in world.rooms}
    items = {i.id for i in world.items}
    spawned = {s.npc_id for s in world.npc_spawns}
    obtainable = obtainable_items(world)
    where = f"quests.json {quest.id}"
    problems: list[str] = []
    if quest.giver_npc_id not in spawned:
        problems.append(f"{where}.giver_npc_id: {quest.giver_npc_id!r} is not a spawned NPC")
    if quest.district_id not in {d.id for d in world.districts}:
        problems.append(f"{where}.district_id: unknown district {quest.district_id!r}")
    if quest.questmaker_id not in {q.id for q in world.questmakers}:
        problems.append(f"{where}.questmaker_id: unknown Questmaker {quest.questmaker_id!r}")
    for field, ids in (("rewards.item_ids", quest.rewards.item_ids), ("critical_item_ids", quest.critical_item_ids)):
        problems += [f"{where}.{field}: unknown item {i!r}" for i in ids if i not in items]
    for node in quest.nodes:
        at = f"{where}.nodes[{node.id}]"
        if node.kind == "go_to" and node.target not in rooms:
            problems.append(f"{at}.target: unknown room {node.target!r}")
        elif node.kind in ("kill", "talk") and node.target not in spawned:
            problems.append(f"{at}.target: {node.target!r} is not a spawned NPC")
        elif node.kind in ("fetch", "deliver") and node.target not in obtainable:
            problems.append(f"{at}.target: no one can obtain item {node.target!r}")
        if node.to is not None and node.to not in spawned:
            problems.append(f"{at}.to: {node.to!r} is not a spawned NPC")
    problems += _unreached_nodes(quest)
    return problems


def _unreached_nodes(quest: QuestBlueprint) -> list[str]:
    nodes = {n.id: n for n in quest.nodes}
    seen = {quest.start_node}
    stack = [quest.start_node]
    while stack:
        node = nodes.get(stack.pop())
        for nxt in node.next if node else []:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return [f"quests.json {quest.id}.nodes[{n}]: not reachable from start_node" for n in nodes if n not in seen]
