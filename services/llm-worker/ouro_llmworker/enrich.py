"""The enrich stage: flavour for every entity of a draft, from a model or offline; stats untouched.

1. A draft already rejected (or failed) upstream passes through unchanged: the publisher records it.
2. For each entity (primary first, at most `max_entities` asked remotely): one ask for name,
   description (for a quest: its text), barks and dialogue (NPCs) and a one-line rationale, as JSON
   schema output; validated by the same pydantic model the schema came from.
3. A bad answer is re-asked once with the problems; then the offline flavour is used (`ouro_flavor`,
   seeded by the proposal's seed and the entity), and the trace says so. Offline flavour only fills
   keys the draft lacks; a model's answer replaces them.
4. Only `flavor` changes: the payload, stats, tags and dependencies are the draft's, byte for byte.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable
from typing import Annotated, Any

import msgspec
import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError

import ouro_flavor as fl
from ouro_llmworker.entities import Entity, entities_of
from ouro_llmworker.llm import OFFLINE, LLMResult, LLMService
from ouro_llmworker.prompts import DATA_RULES, bound, clip_text, user_message
from ouro_llmworker.schema import inline
from ouro_schemas.errors import describe_error
from ouro_schemas.proposal import Proposal, ProposalState, TraceEntry

TASK = "enrich"
# Flavour keys the gen-worker already uses for a kind (an event's line is `text`, as in its payload).
KEY_ALIASES: dict[str, dict[str, str]] = {"event": {"description": "text"}}
MAX_FLAVOR_KEYS = 64  # the publisher's schema.flavor limit
Line = Annotated[str, Field(min_length=1, max_length=160)]


class _Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: Annotated[str, Field(min_length=1, max_length=80)]
    description: Annotated[str, Field(min_length=1, max_length=600)]
    rationale: Annotated[str, Field(max_length=200)]


class NpcAnswer(_Answer):
    barks: Annotated[list[Line], Field(min_length=1, max_length=3)]
    dialogue: Annotated[list[Annotated[str, Field(min_length=1, max_length=300)]], Field(max_length=3)]


class PlainAnswer(_Answer):
    pass


SCHEMAS: dict[str, dict[str, Any]] = {"npc": inline(NpcAnswer), "plain": inline(PlainAnswer)}

SYSTEM = (
    "You write flavour text for Ourobouro, a gritty cyberpunk MUD: names, short descriptions, NPC barks "
    "and dialogue, in English, second-hand street voice, no gore beyond PG-13, no real people or brands. "
    "You never invent or change numbers, stats, prices, ids or rules; those are fixed by the game. "
    "For a quest, `description` is the briefing the player reads. `rationale` is one line on your "
    "choices, for the operators. " + DATA_RULES
)


def _model_for(entity: Entity) -> type[_Answer]:
    return NpcAnswer if entity.kind == "npc" else PlainAnswer


def check_answer(entity: Entity) -> Callable[[Any], tuple[dict[str, Any] | None, list[str]]]:
    model = _model_for(entity)

    def check(data: Any) -> tuple[dict[str, Any] | None, list[str]]:
        try:
            answer = model.model_validate(data)
        except ValidationError as exc:
            return None, describe_error(exc)
        return {k: _clean(v) for k, v in answer.model_dump().items()}, []

    return check


def _clean(value: Any) -> Any:
    if isinstance(value, str):
        return clip_text(value, 600)
    if isinstance(value, list):
        return [clip_text(v, 300) for v in value if isinstance(v, str) and v.strip()]
    return value


def messages_for(p: Proposal, entity: Entity) -> list[dict[str, str]]:
    data = {"proposal_type": p.type.value, "entity": entity.kind, "facts": bound(entity.facts, text=300),
            "fields_wanted": [*entity.fields, "rationale"]}
    return [{"role": "system", "content": SYSTEM},
            user_message(f"Write the flavour for this {entity.kind}.", data)]


# --- offline flavour -------------------------------------------------------------------------------
_BITGEN = np.random.PCG64(0)
_RNG = np.random.Generator(_BITGEN)


def entity_rng(seed: int, entity: Entity) -> np.random.Generator:
    """A generator whose state is a hash of (seed, entity): deterministic, and ~20x cheaper than
    building a new `default_rng` (SeedSequence) per entity. Shared: callers draw synchronously."""
    digest = hashlib.blake2b(f"{seed}/{entity.prefix}".encode(), digest_size=32).digest()
    _BITGEN.state = {"bit_generator": "PCG64", "has_uint32": 0, "uinteger": 0,
                     "state": {"state": int.from_bytes(digest[:16], "little"),
                               "inc": int.from_bytes(digest[16:], "little") | 1}}
    return _RNG


def _s(facts: dict[str, Any], key: str) -> str:
    value = facts.get(key)
    return value if isinstance(value, str) else ""


def _npc_offline(rng: np.random.Generator, f: dict[str, Any]) -> dict[str, Any]:
    threat = f.get("threat_level")
    lines = fl.npc_barks(rng, role=_s(f, "role"), n=5)
    return {"name": fl.person_name(rng, faction=_s(f, "faction_id") or None),
            "description": fl.npc_description(rng, role=_s(f, "role"), district_theme=_s(f, "district_theme"),
                                              threat_level=threat if isinstance(threat, int) else 1),
            "barks": lines[:3], "dialogue": lines[3:5]}


def _building_offline(rng: np.random.Generator, f: dict[str, Any]) -> dict[str, Any]:
    storefront = _s(f, "storefront")
    kind = storefront if storefront in ("shop", "bar", "clinic", "office", "warehouse") else "lobby"
    return {"name": fl.building_name(rng, storefront),
            "description": fl.room_description(rng, kind=kind, district_theme=_s(f, "district_theme"))}


def offline_flavor(seed: int, entity: Entity) -> dict[str, Any]:
    """The deterministic offline flavour of one entity (same seed and entity -> same text)."""
    rng, f = entity_rng(seed, entity), entity.facts
    theme = _s(f, "district_theme")
    if entity.kind == "npc":
        out = _npc_offline(rng, f)
    elif entity.kind == "item":
        effects = [e for e in f.get("effects", []) if isinstance(e, str)]
        out = {"name": fl.item_name(rng, kind=_s(f, "item_kind"), rarity=_s(f, "rarity"), effects=effects),
               "description": fl.item_description(rng, kind=_s(f, "item_kind"), rarity=_s(f, "rarity"),
                                                  effects=effects)}
    elif entity.kind == "quest":
        out = {"name": fl.quest_title(rng, kind=_s(f, "quest_kind")),
               "description": fl.quest_text(rng, kind=_s(f, "quest_kind"), target=_s(f, "target"),
                                            location=_s(f, "location"), giver=_s(f, "giver"))}
    elif entity.kind == "building":
        out = _building_offline(rng, f)
    elif entity.kind == "event":
        event_type = _s(f, "event_type")
        out = {"name": event_type.replace("_", " ").title() or "Disturbance",
               "description": fl.event_text(rng, event_type=event_type, district=_s(f, "district_id"))}
    else:  # block, expansion
        out = {"name": fl.street_name(rng), "description": fl.room_description(rng, kind="street",
                                                                              district_theme=theme)}
    return _prefer_draft(out, f)


def _prefer_draft(out: dict[str, Any], f: dict[str, Any]) -> dict[str, Any]:
    """Text the gen-worker already wrote into the payload wins over a new offline roll: the names in
    its quest text and the names on its templates stay the same names."""
    for name in ("name", "description", "barks", "dialogue"):
        draft = f.get(f"draft_{name}")
        if isinstance(draft, str) and draft.strip():
            out[name] = draft
        elif isinstance(draft, list) and draft and all(isinstance(x, str) and x.strip() for x in draft):
            out[name] = list(draft)
    out["name"] = clip_text(out["name"], 80)
    out["description"] = clip_text(out["description"], 600)
    for name in ("barks", "dialogue"):
        if name in out:
            out[name] = [clip_text(x, 160 if name == "barks" else 300) for x in out[name][:3]]
    return out


# --- the stage ---------------------------------------------------------------------------------------
class Enricher:
    def __init__(self, llm: LLMService, *, instance: str, max_entities: int = 6, max_tokens: int = 600,
                 now: Callable[[], float] = time.time) -> None:
        self.llm = llm
        self.instance = instance
        self.max_entities = max_entities
        self.max_tokens = max_tokens
        self.now = now

    async def enrich(self, draft: Proposal) -> Proposal:
        """The enriched proposal (a new object; the draft is not modified)."""
        if draft.state in (ProposalState.REJECTED, ProposalState.FAILED):
            return draft
        entities = entities_of(draft)
        if self.llm.remote:
            results = list(await asyncio.gather(*(self._one(draft, e, i < self.max_entities)
                                                  for i, e in enumerate(entities))))
        else:  # offline alone: no tasks, no awaits (the benchmark's 2,000/s lives here)
            results = [self._offline(draft, e, "") for e in entities]
        flavor: dict[str, str | list[str]] = dict(draft.flavor)
        for entity, result in zip(entities, results, strict=True):
            rename = KEY_ALIASES.get(entity.kind, {})
            for name, value in result.data.items():
                if name == "rationale":
                    continue
                key = entity.prefix + rename.get(name, name)
                if key not in flavor and len(flavor) >= MAX_FLAVOR_KEYS:
                    continue  # the gate refuses more keys; the payload's own text stands
                if result.provider == OFFLINE:
                    # The gen-worker's own text matches its payload (names it used in quest text):
                    # offline flavour only fills what the draft lacks. A model's answer replaces.
                    flavor.setdefault(key, value)
                else:
                    flavor[key] = value
        return _with(draft, flavor, self._trace(entities, results))

    async def _one(self, p: Proposal, entity: Entity, remote: bool) -> LLMResult[dict[str, Any]]:
        if not remote:
            return self._offline(p, entity, "over the per-draft entity limit")
        return await self.llm.complete_json(
            TASK, messages_for(p, entity), SCHEMAS["npc" if entity.kind == "npc" else "plain"],
            key=f"{p.id}/{entity.label}", check=check_answer(entity),
            offline=lambda: offline_flavor(p.seed, entity), max_tokens=self.max_tokens)

    @staticmethod
    def _offline(p: Proposal, entity: Entity, reason: str) -> LLMResult[dict[str, Any]]:
        started = time.perf_counter()
        data = offline_flavor(p.seed, entity)
        return LLMResult(data, OFFLINE, latency=time.perf_counter() - started, fallback_reason=reason)

    def _trace(self, entities: list[Entity], results: list[LLMResult[dict[str, Any]]]) -> TraceEntry:
        primary = results[0] if results else LLMResult({}, OFFLINE)
        fell_back = [f"{e.label}: {r.fallback_reason}" for e, r in zip(entities, results, strict=True)
                     if r.fell_back]
        rationale = primary.data.get("rationale", "") if primary.provider != OFFLINE else ""
        data = {
            "provider": primary.provider,
            "attempts": sum(r.attempts for r in results),
            "tokens": sum(r.tokens for r in results),
            "latency_ms": round(max((r.latency for r in results), default=0.0) * 1000, 2),
            "flavor_version": fl.FLAVOR_VERSION,
            "entities": [{"entity": e.label, "provider": r.provider, "attempts": r.attempts,
                          "fallback": r.fallback_reason, "trail": r.trail}
                         for e, r in zip(entities, results, strict=True)],
        }
        verdict = "fallback" if fell_back else "ok"
        reason = ("offline flavour used: " + "; ".join(fell_back))[:500] if fell_back else rationale
        return TraceEntry(stage="llm-worker", at=self.now(), actor=self.instance, verdict=verdict,
                          reason=reason, data=data)


def _with(draft: Proposal, flavor: dict[str, str | list[str]], entry: TraceEntry) -> Proposal:
    return msgspec.structs.replace(draft, flavor=flavor, trace=[*draft.trace, entry],
                                   state=ProposalState.ENRICHED)
