"""The generator contract: `(params, rng) -> Draft`, pure, one module per proposal type."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

Rng = np.random.Generator
Params = dict[str, Any]
Flavor = dict[str, str | list[str]]
Tags = dict[str, str | int | float]


@dataclass(slots=True)
class Draft:
    """What a generator returns: the payload (validated by the type's schema), flavour, tags, dependencies."""

    payload: dict[str, Any]
    flavor: Flavor = field(default_factory=dict)
    tags: Tags = field(default_factory=dict)
    dependencies: list[str] = field(default_factory=list)


class GenerateFn(Protocol):
    def __call__(self, params: Params, rng: Rng) -> Draft: ...


@dataclass(frozen=True, slots=True)
class Generator:
    name: str
    version: str
    generate: GenerateFn


class ParamError(ValueError):
    """A job's params cannot be drafted: names the param and the problem."""

    def __init__(self, param: str, problem: str) -> None:
        self.param = param
        self.problem = problem
        super().__init__(f"params.{param}: {problem}")


def new_rng(seed: int) -> Rng:
    return np.random.Generator(np.random.PCG64(seed))
