"""Base content loading: file, field and reason for invalid files; referential integrity."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ouro_engine.loader import load_base
from ouro_schemas.errors import ContentError
from tests.engine.world_fixture import base_world, write_base


def test_the_fixture_loads(base_dir: Path) -> None:
    world = load_base(base_dir)
    assert len(world.rooms) == 5 and world.spawn_room_id == "spawn"


def test_invalid_field_names_file_field_and_reason(tmp_path: Path) -> None:
    world = base_world()
    world["npcs"][0]["stats"]["accuracy"] = 3.0  # type: ignore[index]
    with pytest.raises(ContentError) as err:
        load_base(write_base(tmp_path / "base", world))
    assert err.value.source.endswith("npcs.json")
    assert any(p.startswith("[0].stats.accuracy") and "less than or equal to 1" in p for p in err.value.problems)


def test_bad_json_and_missing_file(tmp_path: Path) -> None:
    base = write_base(tmp_path / "base")
    (base / "shops.json").write_text("[{oops")
    with pytest.raises(ContentError, match=r"shops.json: \(root\): invalid JSON at line 1"):
        load_base(base)
    (base / "shops.json").unlink()
    with pytest.raises(ContentError, match=r"shops\.json: .*file missing"):
        load_base(base)


def test_referential_integrity_lists_every_problem(tmp_path: Path) -> None:
    world = base_world()
    world["rooms"][0]["exits"].append({"direction": "w", "to": "atlantis"})  # type: ignore[index]
    world["npc_spawns"].append({"npc_id": "dragon", "room_id": "spawn"})  # type: ignore[union-attr]
    world["quests"][0]["questmaker_id"] = "qm-ghost"  # type: ignore[index]
    world["shops"][0]["stock"].append("unobtainium")  # type: ignore[index]
    world["spawn_room_id"] = "limbo"
    with pytest.raises(ContentError) as err:
        load_base(write_base(tmp_path / "base", world))
    text = str(err.value)
    for needle in ("exit w: unknown room 'atlantis'", "unknown npc 'dragon'", "unknown questmaker 'qm-ghost'",
                   "unknown item 'unobtainium'", "spawn_room_id: unknown room 'limbo'"):
        assert needle in text, text


def test_duplicate_coordinates_rejected(tmp_path: Path) -> None:
    world = base_world()
    world["rooms"][1]["y"] = 0  # type: ignore[index]
    with pytest.raises(ContentError, match="already used by 'spawn'"):
        load_base(write_base(tmp_path / "base", world))


def test_spawn_room_from_meta_file(tmp_path: Path) -> None:
    world = base_world()
    del world["spawn_room_id"]
    base = write_base(tmp_path / "base", world)
    (base / "meta.json").write_text(json.dumps({"spawn_room_id": "market"}))
    assert load_base(base).spawn_room_id == "market"
