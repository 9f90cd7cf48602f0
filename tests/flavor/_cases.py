"""Every public flavour function with every enumerated value, as ``(case id, call(rng))`` pairs."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

import ouro_flavor as fl

Output = str | list[str]
Call = Callable[[np.random.Generator], Output]

STOREFRONTS = (*fl.STOREFRONTS, "ripperdoc", "noodle_shop")
UNKNOWN = "definitely_not_a_known_value"


def _persona_text(rng: np.random.Generator) -> list[str]:
    persona = fl.questmaker_persona(rng)
    return [persona.name, persona.prompt_context, *persona.tags]


def _world_cases() -> list[tuple[str, Call]]:
    cases: list[tuple[str, Call]] = [
        ("gang_name", fl.gang_name),
        ("corp_name", fl.corp_name),
        ("street_name", fl.street_name),
        ("questmaker_persona", _persona_text),
    ]
    for faction in (None, *fl.FACTIONS, UNKNOWN):
        cases.append((f"person_name[{faction}]", lambda r, f=faction: fl.person_name(r, faction=f)))
    for theme in (*fl.THEMES, UNKNOWN):
        cases.append((f"district_name[{theme}]", lambda r, t=theme: fl.district_name(r, t)))
        for role in (*fl.ROLES, UNKNOWN):
            cases.append(
                (
                    f"npc_description[{role},{theme}]",
                    lambda r, ro=role, t=theme: fl.npc_description(
                        r, role=ro, district_theme=t, threat_level=int(r.integers(0, 11))
                    ),
                )
            )
        for kind in (*fl.ROOM_KINDS, UNKNOWN):
            cases.append((f"room_name[{kind},{theme}]", lambda r, k=kind, t=theme: fl.room_name(r, kind=k, district_theme=t)))
            cases.append(
                (f"room_description[{kind},{theme}]", lambda r, k=kind, t=theme: fl.room_description(r, kind=k, district_theme=t))
            )
    return cases


def _item_cases() -> list[tuple[str, Call]]:
    cases: list[tuple[str, Call]] = []
    for storefront in (*STOREFRONTS, UNKNOWN):
        cases.append((f"building_name[{storefront}]", lambda r, s=storefront: fl.building_name(r, s)))
    for role in (*fl.ROLES, UNKNOWN):
        cases.append((f"npc_barks[{role}]", lambda r, ro=role: fl.npc_barks(r, role=ro, n=4)))
    for kind in (*fl.KINDS, UNKNOWN):
        for rarity in (*fl.RARITIES, UNKNOWN):
            for effects in ((), ("burn",), ("shock", "bleed", "emp"), fl.EFFECTS, (UNKNOWN,)):
                tag = f"{kind},{rarity},{'+'.join(effects)}"
                cases.append((f"item_name[{tag}]", lambda r, k=kind, ra=rarity, e=effects: fl.item_name(r, kind=k, rarity=ra, effects=e)))
                cases.append(
                    (
                        f"item_description[{tag}]",
                        lambda r, k=kind, ra=rarity, e=effects: fl.item_description(r, kind=k, rarity=ra, effects=e),
                    )
                )
    return cases


def _story_cases() -> list[tuple[str, Call]]:
    cases: list[tuple[str, Call]] = []
    for event in (*fl.EVENT_TYPES, UNKNOWN):
        cases.append((f"event_text[{event}]", lambda r, e=event: fl.event_text(r, event_type=e, district="Rust Hollow")))
    for kind in (*fl.QUEST_KINDS, UNKNOWN):
        cases.append((f"quest_title[{kind}]", lambda r, k=kind: fl.quest_title(r, kind=k)))
        cases.append(
            (
                f"quest_text[{kind}]",
                lambda r, k=kind: fl.quest_text(r, kind=k, target="the Rat King", location="Lantern Row", giver="Mama Okafor"),
            )
        )
    for situation in (*fl.SITUATIONS, UNKNOWN):
        for tags in ((), *((t,) for t in fl.QM_TAGS), ("cruel", "playful"), (UNKNOWN,)):
            for npc in (None, "Vesper"):
                cases.append(
                    (
                        f"questmaker_message[{situation},{'+'.join(tags)},{npc}]",
                        lambda r, s=situation, t=tags, n=npc: fl.questmaker_message(
                            r, tags=t, situation=s, player="Kestrel", npc=n
                        ),
                    )
                )
    return cases


CASES: list[tuple[str, Call]] = _world_cases() + _item_cases() + _story_cases()


def rng_for(seed: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed))


def strings(out: Output) -> list[str]:
    return [out] if isinstance(out, str) else list(out)
