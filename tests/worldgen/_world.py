"""Shared helpers: load the committed data/base/ files, and import the build script (a plain script,
not a package) by path."""

from __future__ import annotations

import importlib.util
import json
import sys
from functools import cache
from pathlib import Path
from types import ModuleType

from ouro_schemas.content import BaseWorld

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "data" / "base"
SCRIPT = ROOT / "tools" / "worldgen" / "build_base_world.py"
FIELDS = ("factions", "districts", "rooms", "npcs", "items", "shops", "quests", "questmakers", "npc_spawns",
          "item_spawns")


def load_committed(base: Path = BASE) -> BaseWorld:
    data = {field: json.loads((base / f"{field}.json").read_text(encoding="utf-8")) for field in FIELDS}
    data.update(json.loads((base / "world.json").read_text(encoding="utf-8")))
    return BaseWorld.model_validate(data)


@cache
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_base_world", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["build_base_world"] = module
    spec.loader.exec_module(module)
    return module
