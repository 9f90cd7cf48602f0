"""Quests: titles and briefing text per quest kind; Questmaker personas and messages live in ``questmaker``.

Only the explicit ``target``/``location``/``giver`` parameters are interpolated, cleaned to one short line.
"""

from __future__ import annotations

import numpy as np

from ._util import clean, finish, lookup, pick
from .questmaker import QM_TAGS, SITUATIONS, Persona, questmaker_message, questmaker_persona

__all__ = [
    "QM_TAGS",
    "QUEST_KINDS",
    "SITUATIONS",
    "Persona",
    "quest_text",
    "quest_title",
    "questmaker_message",
    "questmaker_persona",
]

Rng = np.random.Generator

QUEST_KINDS: tuple[str, ...] = ("go_to", "kill", "fetch", "deliver", "talk")

# kind -> (title adjectives, title nouns)
_TITLE_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "go_to": (("Long", "Last", "Night", "Wrong", "Neon", "Quiet", "Lost"),
              ("Walk", "Way Down", "Ride", "Detour", "Map Edge", "Crossing", "Turn", "Pilgrimage")),
    "kill": (("Red", "Final", "Quiet", "Cold", "Last", "Clean", "Wet", "Bitter"),
             ("Contract", "Reckoning", "Flatline", "Payback", "Wetwork", "Goodbye", "Eulogy", "Invoice")),
    "fetch": (("Lost", "Stolen", "Hot", "Buried", "Borrowed", "Missing", "Drowned"),
              ("Cargo", "Goods", "Salvage", "Property", "Treasure", "Memory", "Package", "Prototype")),
    "deliver": (("Dead", "Special", "Hot", "Fragile", "Midnight", "Express", "Sealed"),
                ("Drop", "Delivery", "Package", "Parcel", "Run", "Handoff", "Courier")),
    "talk": (("Quiet", "Honest", "Friendly", "Back-Alley", "Final", "Whispered", "Soft"),
             ("Word", "Parley", "Conversation", "Offer", "Warning", "Chat", "Truce")),
}
_GENERIC_TITLE: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("Odd", "Street", "Strange", "Rainy", "Small"), ("Job", "Favour", "Errand", "Gig", "Business"),
)
_TITLE_PLACES = ("the Rain", "Neon", "the Dark", "Sector 9", "the Sprawl", "Chrome", "the Undercity", "Static")
_TITLE_FORMS = ("{adj} {noun}", "The {adj} {noun}", "{adj} {noun} in {place}", "{noun} in {place}", "Operation {adj} {noun}")

# kind -> (hooks, details); fields: {giver}, {target}, {location}
_TEXTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "go_to": (
        ("{giver} wants you at {location}, and sooner rather than later.",
         "{giver} needs eyes on {location}. Get there.", "There is something at {location} that {giver} wants you to see.",
         "{giver} says the road to {location} is open, for now."),
        ("Look for {target} when you arrive.", "Find {target}; the rest will make sense.",
         "{Target} is the landmark. Don't miss it.", "Ask about {target} and watch who flinches."),
    ),
    "kill": (
        ("{giver} wants {target} gone. Permanently.", "{target} crossed {giver} once. Make sure it was the last time.",
         "{giver} has a contract out on {target}.", "{giver} says {target} has been breathing on borrowed time."),
        ("Last seen around {location}.", "Word is {target} holes up near {location}.",
         "Try {location}. Bring more ammo than you think you need.", "{Location} is where the trail goes warm."),
    ),
    "fetch": (
        ("{giver} needs {target} back.", "{giver} lost {target} and wants it returned, no questions asked.",
         "Somebody took {target} from {giver}. Take it back.", "{giver} is paying for {target}, in one piece."),
        ("It was last tracked to {location}.", "Check {location}; the tracker died there.",
         "It's somewhere in {location}. Probably guarded.", "Rumour puts it in {location}, under a tarp and a grudge."),
    ),
    "deliver": (
        ("{giver} has a package: {target}. It goes to {location}.", "Take {target} from {giver} to {location}.",
         "{giver} needs {target} in {location} before anyone notices it's missing.",
         "A simple run for {giver}: {target}, to {location}."),
        ("Don't open it.", "Don't get stopped, and don't get curious.", "Keep it dry. Keep it quiet.",
         "If it starts ticking, walk faster."),
    ),
    "talk": (
        ("{giver} wants you to have a word with {target}.", "Go and talk to {target} for {giver}. Nicely, at first.",
         "{target} knows something {giver} needs to hear.", "{giver} has a message for {target}, and you are the messenger."),
        ("You'll find them at {location}.", "{Target} drinks at {location} most nights.",
         "Try {location}; {target} never strays far.", "Meet at {location}. Come alone, or at least look alone."),
    ),
}
_GENERIC_TEXT: tuple[tuple[str, ...], tuple[str, ...]] = (
    ("{giver} has a job involving {target}.", "{giver} needs help with {target}."),
    ("Start at {location}.", "It begins at {location}.", "Ask around {location}."),
)
_CLOSERS: tuple[str, ...] = (
    "The pay is good. The risk is better.", "Creds on completion.", "Don't make {giver} regret this.",
    "Clock's ticking.", "Keep your head down.", "Do it right and there's more work.", "",
    "Nobody else will take this one.", "Try not to die; the paperwork is awful.",
)


def quest_title(rng: Rng, *, kind: str) -> str:
    """A short quest title for ``kind`` (``go_to``/``kill``/``fetch``/``deliver``/``talk``)."""
    adjs, nouns = lookup(_TITLE_WORDS, kind, _GENERIC_TITLE)
    form = pick(rng, _TITLE_FORMS)
    return finish(form.format(adj=pick(rng, adjs), noun=pick(rng, nouns), place=pick(rng, _TITLE_PLACES)))


def quest_text(rng: Rng, *, kind: str, target: str, location: str, giver: str) -> str:
    """A two- or three-sentence briefing naming the ``giver``, the ``target`` and the ``location``."""
    hooks, details = lookup(_TEXTS, kind, _GENERIC_TEXT)
    closer = pick(rng, _CLOSERS)
    text = f"{pick(rng, hooks)} {pick(rng, details)} {closer}".rstrip()
    fields = {
        "giver": clean(giver, "a contact"),
        "target": clean(target, "the target"),
        "location": clean(location, "the usual place"),
    }
    # Capitalised variants for templates that open a sentence with a caller's name.
    fields.update({name.capitalize(): _cap(value) for name, value in list(fields.items())})
    return finish(text.format(**fields))


def _cap(value: str) -> str:
    return value[:1].upper() + value[1:]
