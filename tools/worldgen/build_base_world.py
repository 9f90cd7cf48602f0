"""Build the authored base world and write it to data/base/ (DESIGN §3, issue 3 point 3).

    .venv/bin/python tools/worldgen/build_base_world.py            # write data/base/
    .venv/bin/python tools/worldgen/build_base_world.py --check    # exit 1 if data/base/ differs

Pipeline:
1. `build(seed)` assembles a `content.BaseWorld` from the hand-written tables in `basecity/` (factions,
   districts, landmarks, NPCs, items, shops, quests, Questmakers); the seeded random source only picks
   street texts, ordinary buildings, their doors and where patrols and litter go.
2. `ouro_schemas.integrity.check_base_world` must find nothing, or the build fails naming each problem.
3. `render(world)` turns it into one pretty JSON text per file (indent 2, sorted keys), byte-identical
   for the same seed; `write` puts them in data/base/.

The committed files are the product: edit the tables here and rebuild, never the JSON by hand (a test
compares the two). Item `budget_points` and values follow the formula in `basecity/items.py`:
    budget_points = mean damage + 2×armour + 0.2×heal + 100×crit + 50×accuracy + 20×ammo efficiency
                    + Σ 2×magnitude×chance over effects
    value = RARITY_BASE[rarity] + budget_points × RARITY_PER_POINT[rarity]   (junk and keys: hand-set)
NPC stats follow the threat formula in `basecity/npcs.py`; quest rewards the difficulty formula in
`basecity/quests.py`.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from basecity.districts import DISTRICTS, FACTIONS
from basecity.items import build_items
from basecity.layout import build_rooms
from basecity.npcs import build_npcs
from basecity.population import build_item_spawns, build_npc_spawns, build_shops
from basecity.quests import build_quests
from basecity.rng import Rng

from ouro_schemas.content import BaseWorld
from ouro_schemas.integrity import check_base_world

SEED = 20261123
ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "data" / "base"
LIST_FIELDS: tuple[str, ...] = ("factions", "districts", "rooms", "npcs", "items", "shops", "quests",
                                "questmakers", "npc_spawns", "item_spawns")


class WorldBuildError(RuntimeError):
    """The tables produced a world that fails the integrity checks."""


def build(seed: int = SEED) -> BaseWorld:
    """The base world for `seed`. Raises WorldBuildError naming every integrity problem."""
    rng = Rng(seed)
    rooms = build_rooms(rng)
    quests, questmakers = build_quests()
    world = BaseWorld(
        factions=FACTIONS, districts=DISTRICTS, rooms=rooms, npcs=build_npcs(), items=build_items(),
        shops=build_shops(), quests=quests, questmakers=questmakers, npc_spawns=build_npc_spawns(rng, rooms),
        item_spawns=build_item_spawns(rng, rooms), spawn_room_id="spawn",
    )
    problems = check_base_world(world)
    if problems:
        raise WorldBuildError("the base world is unsound:\n  " + "\n  ".join(problems))
    return world


def _dump(value: object) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render(world: BaseWorld) -> dict[str, str]:
    """File name -> JSON text, for every file of data/base/."""
    data = world.model_dump(mode="json")
    files = {f"{field}.json": _dump(data[field]) for field in LIST_FIELDS}
    files["world.json"] = _dump({"spawn_room_id": world.spawn_room_id})
    return files


def write(world: BaseWorld, out: Path = OUT) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render(world).items():
        path = out / name
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        written.append(path)
    return written


def differences(world: BaseWorld, out: Path = OUT) -> list[str]:
    """Names of the files in `out` that differ from what `world` renders to (missing counts)."""
    return [name for name, text in render(world).items()
            if not (out / name).exists() or (out / name).read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--check", action="store_true", help="compare with the files instead of writing")
    args = parser.parse_args(argv)
    try:
        world = build(args.seed)
    except WorldBuildError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.check:
        stale = differences(world, args.out)
        print("data/base is up to date" if not stale else "stale: " + ", ".join(stale))
        return 1 if stale else 0
    for path in write(world, args.out):
        print(path)
    print(f"{len(world.rooms)} rooms, {len(world.districts)} districts, {len(world.npcs)} NPC types, "
          f"{len(world.items)} items, {len(world.shops)} shops, {len(world.quests)} quests")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
