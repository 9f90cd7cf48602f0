"""Questmakers: offline personas (name, prompt context, tags) and the messages they send players.

A message's pool is chosen by the situation first (pressure when idle, praise on progress, consequences
on failure), then by a tone drawn from the persona's known tags; unknown tags fall back to a neutral tone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import _qm_tables as qt
from ._name_tables import HANDLES
from ._util import chance, clean, finish, key, known_keys, pick, sample
from .names import person_name

__all__ = ["QM_TAGS", "SITUATIONS", "Persona", "questmaker_message", "questmaker_persona"]

Rng = np.random.Generator

QM_TAGS = qt.QM_TAGS
SITUATIONS = qt.SITUATIONS


@dataclass(frozen=True, slots=True)
class Persona:
    """A Questmaker's identity: display name, 2–4 sentences for the LLM prompt, and tone tags."""

    name: str
    prompt_context: str
    tags: tuple[str, ...]


def _persona_name(rng: Rng) -> str:
    roll = rng.random()
    if roll < 0.3:
        return f"The {pick(rng, qt.TITLES)}"
    if roll < 0.5:
        return f"{pick(rng, qt.AI_NAMES)}-{int(rng.random() * 90) + 1}"
    if roll < 0.65:
        return f"Saint {pick(rng, HANDLES)}"
    return person_name(rng)


def _persona_tags(rng: Rng) -> tuple[str, ...]:
    count = 3 if chance(rng, 0.25) else 2
    tags: list[str] = []
    for tag in sample(rng, QM_TAGS, len(QM_TAGS)):
        if all(frozenset({tag, other}) not in qt.CONFLICTS for other in tags):
            tags.append(tag)
        if len(tags) == count:
            break
    return tuple(tags)


def questmaker_persona(rng: Rng) -> Persona:
    """A new Questmaker persona with two or three compatible tags from ``QM_TAGS``."""
    name = _persona_name(rng)
    tags = _persona_tags(rng)
    first, second = tags[0], tags[1]
    sentences = [
        f"{name} is {pick(rng, qt.ROLE_NOUNS)}: {qt.TRAITS[first]}, and {qt.TRAITS[second]}.",
        qt.GOALS[first],
        f"They are pleased by {qt.PLEASED[first]} and {qt.PLEASED[second]}; they are angered by "
        f"{qt.ANGERED[first]} and {qt.ANGERED[second]}.",
    ]
    if len(tags) > 2:
        sentences.append(f"Underneath, they are {qt.TRAITS[tags[2]]}.")
    return Persona(name=name, prompt_context=finish(" ".join(sentences)), tags=tags)


def message_pool(situation: str, tone: str) -> tuple[str, ...]:
    """The message templates for ``situation`` and ``tone`` (``{player}`` field); generic ones if unknown."""
    by_tone = qt.MESSAGES.get(key(situation))
    if by_tone is None:
        return qt.GENERIC_MESSAGES
    return by_tone.get(key(tone), by_tone[qt.NEUTRAL])


def questmaker_message(
    rng: Rng, *, tags: Sequence[str], situation: str, player: str, npc: str | None = None
) -> str:
    """A message from a Questmaker with ``tags`` to ``player`` in ``situation``, relayed by ``npc`` if given."""
    known = known_keys(tags, qt.TRAITS)
    tone = pick(rng, known) if known else qt.NEUTRAL
    text = pick(rng, message_pool(situation, tone)).format(player=clean(player, "runner"))
    if chance(rng, 0.4):
        text = f"{text} {pick(rng, qt.SIGNOFFS[tone])}"
    if npc is not None:
        text = pick(rng, qt.NPC_WRAPS).format(npc=clean(npc, "A messenger"), msg=text)
    return finish(text)
