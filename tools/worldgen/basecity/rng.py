"""A seeded random source that stays reproducible across Python versions.

Only `random.Random.random()` is guaranteed to give the same sequence on every Python release, so
every draw here is built on it (no `choice`, `randrange` or `shuffle`, whose algorithms may change).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TypeVar

T = TypeVar("T")


class Rng:
    def __init__(self, seed: int) -> None:
        self._r = random.Random(seed)

    def random(self) -> float:
        return self._r.random()

    def between(self, lo: int, hi: int) -> int:
        """An int in [lo, hi]."""
        return lo + min(int(self._r.random() * (hi - lo + 1)), hi - lo)

    def pick(self, seq: Sequence[T]) -> T:
        return seq[self.between(0, len(seq) - 1)]

    def chance(self, p: float) -> bool:
        return self._r.random() < p

    def weighted(self, seq: Sequence[T], weights: Sequence[float]) -> T:
        mark = self._r.random() * sum(weights)
        for item, weight in zip(seq, weights, strict=True):
            mark -= weight
            if mark < 0:
                return item
        return seq[-1]
