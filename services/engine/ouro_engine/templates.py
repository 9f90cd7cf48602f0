"""Templates in force: the base content plus what patches added, by type and id.

A template is a validated pydantic model from `ouro_schemas.content`. Patches name a template type
by its wire name (`TEMPLATE_MODELS`), the same names as the `ouro:world:template:<id>` JSON.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from pydantic import BaseModel

from ouro_schemas import content as c
from ouro_schemas.errors import validate_model

TEMPLATE_MODELS: dict[str, type[BaseModel]] = {
    "npc": c.NpcArchetype,
    "item": c.ItemArchetype,
    "quest": c.QuestBlueprint,
    "questmaker": c.Questmaker,
    "shop": c.Shop,
    "building": c.Building,
    "block": c.Block,
    "event_type": c.EventType,
    "district": c.District,
    "faction": c.Faction,
}


class Templates:
    def __init__(self) -> None:
        self.by_type: dict[str, dict[str, BaseModel]] = defaultdict(dict)
        self.type_of: dict[str, str] = {}
        self.quests_by_giver: dict[str, list[str]] = defaultdict(list)  # npc template -> quest ids
        self.added_by: dict[str, str] = {}  # template id -> the patch that added it (absent: base)

    def add(self, kind: str, model: BaseModel) -> None:
        tid: str = model.id  # type: ignore[attr-defined]
        self.by_type[kind][tid] = model
        self.type_of[tid] = kind
        if isinstance(model, c.QuestBlueprint):
            self.quests_by_giver[model.giver_npc_id].append(tid)

    def add_raw(self, kind: str, data: dict[str, Any], source: str) -> BaseModel:
        """Validate and add; raises ContentError (naming source, field and reason) or KeyError."""
        model = validate_model(TEMPLATE_MODELS[kind], data, source)
        self.add(kind, model)
        return model

    def remove(self, tid: str) -> BaseModel | None:
        kind = self.type_of.pop(tid, None)
        self.added_by.pop(tid, None)
        if kind is None:
            return None
        model = self.by_type[kind].pop(tid)
        if isinstance(model, c.QuestBlueprint):
            self.quests_by_giver[model.giver_npc_id].remove(tid)
        return model

    def get(self, tid: str) -> BaseModel | None:
        kind = self.type_of.get(tid)
        return None if kind is None else self.by_type[kind].get(tid)

    def has(self, tid: str, kind: str | None = None) -> bool:
        return tid in self.type_of and (kind is None or self.type_of[tid] == kind)

    # Typed accessors for the hot paths.
    def npc(self, tid: str) -> c.NpcArchetype | None:
        return self.by_type["npc"].get(tid)  # type: ignore[return-value]

    def item(self, tid: str) -> c.ItemArchetype | None:
        return self.by_type["item"].get(tid)  # type: ignore[return-value]

    def quest(self, tid: str) -> c.QuestBlueprint | None:
        return self.by_type["quest"].get(tid)  # type: ignore[return-value]

    def shop(self, tid: str) -> c.Shop | None:
        return self.by_type["shop"].get(tid)  # type: ignore[return-value]

    def district(self, tid: str) -> c.District | None:
        return self.by_type["district"].get(tid)  # type: ignore[return-value]

    def questmaker(self, tid: str) -> c.Questmaker | None:
        return self.by_type["questmaker"].get(tid)  # type: ignore[return-value]

    def to_json(self, tid: str) -> dict[str, Any]:
        kind = self.type_of[tid]
        return {"type": kind, "template": self.by_type[kind][tid].model_dump(mode="json"),
                "added_by": self.added_by.get(tid)}
