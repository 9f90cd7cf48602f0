"""Offline flavour: tables and grammars for names, descriptions, barks and quest text.

Pure functions of ``(rng, params)`` where ``rng`` is a ``numpy.random.Generator``: no I/O, no global
random state, deterministic for a given rng state. Used by the gen-worker's drafts and the llm-worker's
offline provider. Bump ``FLAVOR_VERSION`` whenever the text for a given seed changes: proposals record
it so a draft can be reproduced byte for byte.
"""

from __future__ import annotations

from ._item_tables import EFFECTS, KINDS, RARITIES
from ._npc_tables import ROLES
from .describe import item_description, npc_barks, npc_description
from .events import EVENT_TYPES, event_text
from .names import (
    FACTIONS,
    STOREFRONTS,
    building_name,
    corp_name,
    district_name,
    gang_name,
    item_name,
    person_name,
    street_name,
)
from .questmaker import QM_TAGS, SITUATIONS, Persona, questmaker_message, questmaker_persona
from .quests import QUEST_KINDS, quest_text, quest_title
from .rooms import ROOM_KINDS, room_description, room_name
from .themes import THEMES, ThemeWords, theme_words

FLAVOR_VERSION = "1"

__all__ = [
    "EFFECTS",
    "EVENT_TYPES",
    "FACTIONS",
    "FLAVOR_VERSION",
    "KINDS",
    "QM_TAGS",
    "QUEST_KINDS",
    "RARITIES",
    "ROLES",
    "ROOM_KINDS",
    "SITUATIONS",
    "STOREFRONTS",
    "THEMES",
    "Persona",
    "ThemeWords",
    "building_name",
    "corp_name",
    "district_name",
    "event_text",
    "gang_name",
    "item_description",
    "item_name",
    "npc_barks",
    "npc_description",
    "person_name",
    "quest_text",
    "quest_title",
    "questmaker_message",
    "questmaker_persona",
    "room_description",
    "room_name",
    "street_name",
    "theme_words",
]
