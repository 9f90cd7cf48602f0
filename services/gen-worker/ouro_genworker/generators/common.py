"""Small pure helpers shared by the generators. Every draw goes through the rng handed in."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

from ouro_genworker.params import p_text
from ouro_genworker.types import Params, Rng

T = TypeVar("T")


def uid(rng: Rng) -> str:
    """12 hex digits from the rng: template ids are reproducible from the seed, collisions negligible."""
    return f"{int(rng.random() * 2**48):012x}"


def pick(rng: Rng, seq: Sequence[T]) -> T:
    return seq[int(rng.random() * len(seq))]


def weighted(rng: Rng, choices: Sequence[T], weights: Sequence[float]) -> T:
    """One of `choices` with probability proportional to `weights` (one rng draw)."""
    total = sum(weights)
    roll = rng.random() * total
    acc = 0.0
    for choice, weight in zip(choices, weights, strict=True):
        acc += weight
        if roll < acc:
            return choice
    return choices[-1]


def jitter(rng: Rng, spread: float) -> float:
    """A factor in [1 - spread, 1 + spread)."""
    return 1.0 - spread + 2.0 * spread * rng.random()


def clamp(value: float, lo: float, hi: float) -> float:
    return lo if value < lo else hi if value > hi else value


def theme_of(params: Params) -> str:
    return p_text(params, "theme") or p_text(params, "district_theme") or ""
