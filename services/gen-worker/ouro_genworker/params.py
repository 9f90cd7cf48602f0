"""Reading job params: each helper returns a typed value or raises ParamError naming the param.

Params come from the director or an admin's force-generate: JSON, so ints may arrive as floats and
anything may be missing or mistyped. Nothing here draws from the rng.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, TypeVar

from ouro_genworker.types import ParamError, Params
from ouro_schemas.content import DIRECTIONS, is_safe_id

T = TypeVar("T")
_MISSING = object()
_LIM = 1_000_000  # coordinates beyond this are a mistake, not a city

Coord = tuple[int, int, int]


def p_int(params: Params, name: str, default: int | None, lo: int, hi: int) -> int:
    value = params.get(name, _MISSING)
    if value is _MISSING or value is None:
        if default is None:
            raise ParamError(name, "is required")
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or (
        isinstance(value, float) and (not math.isfinite(value) or not value.is_integer())
    ):
        raise ParamError(name, f"must be an integer {lo}-{hi}, got {value!r}")
    if not lo <= int(value) <= hi:
        raise ParamError(name, f"must be an integer {lo}-{hi}, got {value!r}")
    return int(value)


def p_float(params: Params, name: str, default: float, lo: float, hi: float) -> float:
    value = params.get(name, _MISSING)
    if value is _MISSING or value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ParamError(name, f"must be a number {lo}-{hi}, got {value!r}")
    if not lo <= value <= hi:
        raise ParamError(name, f"must be a number {lo}-{hi}, got {value!r}")
    return float(value)


def p_bool(params: Params, name: str, default: bool) -> bool:
    value = params.get(name, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ParamError(name, f"must be true or false, got {value!r}")
    return value


def p_choice(params: Params, name: str, choices: Sequence[str]) -> str | None:
    """An optional value from `choices` (None when absent)."""
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or value not in choices:
        raise ParamError(name, f"must be one of {', '.join(choices)}, got {value!r}")
    return value


def p_id(params: Params, name: str, *, required: bool = False) -> str | None:
    value = params.get(name)
    if value is None or value == "":  # the director sends "" for "no district known"
        if required:
            raise ParamError(name, "is required")
        return None
    if not is_safe_id(value):
        raise ParamError(name, f"must be an id (lower-case letters, digits, _ . : -), got {value!r}")
    return str(value)


def p_ids(params: Params, name: str, limit: int = 200) -> list[str]:
    value = params.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or len(value) > limit:
        raise ParamError(name, f"must be a list of at most {limit} ids, got {_short(value)}")
    for i, item in enumerate(value):
        if not is_safe_id(item):
            raise ParamError(f"{name}[{i}]", f"must be an id (lower-case letters, digits, _ . : -), got {item!r}")
    return [str(v) for v in value]


def p_text(params: Params, name: str, limit: int = 60) -> str | None:
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip() or len(value) > limit:
        raise ParamError(name, f"must be a non-empty string of at most {limit} characters, got {_short(value)}")
    return value.strip()


def p_direction(params: Params, name: str, *, required: bool = True) -> str | None:
    value = params.get(name)
    if value is None:
        if required:
            raise ParamError(name, "is required")
        return None
    if value not in DIRECTIONS:
        raise ParamError(name, f"must be a direction ({', '.join(DIRECTIONS)}), got {value!r}")
    return str(value)


def as_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or (
        isinstance(value, float) and (not math.isfinite(value) or not value.is_integer())
    ) or abs(value) > _LIM:
        raise ParamError(name, f"must be an integer coordinate, got {value!r}")
    return int(value)


def p_occupied(params: Params, name: str = "occupied", limit: int = 200_000) -> set[Coord]:
    """A list of [x, y] or [x, y, z] cells (z defaults to 0)."""
    value = params.get(name)
    if value is None:
        return set()
    if not isinstance(value, list) or len(value) > limit:
        raise ParamError(name, f"must be a list of at most {limit} [x, y, z] cells, got {_short(value)}")
    out: set[Coord] = set()
    for i, cell in enumerate(value):
        # Fast path for the common shape (the world can have thousands of cells): [int, int, int].
        if type(cell) is list and len(cell) == 3:
            x, y, z = cell
            if type(x) is int and type(y) is int and type(z) is int and -_LIM <= x <= _LIM \
                    and -_LIM <= y <= _LIM and -_LIM <= z <= _LIM:
                out.add((x, y, z))
                continue
        if not isinstance(cell, list | tuple) or len(cell) not in (2, 3):
            raise ParamError(f"{name}[{i}]", f"must be [x, y] or [x, y, z], got {cell!r}")
        x, y = as_int(cell[0], f"{name}[{i}]"), as_int(cell[1], f"{name}[{i}]")
        z = as_int(cell[2], f"{name}[{i}]") if len(cell) == 3 else 0
        out.add((x, y, z))
    return out


def p_bounds(params: Params, name: str = "bounds") -> tuple[int, int, int, int] | None:
    """`{"min_x", "max_x", "min_y", "max_y"}` (the world summary's shape) or None."""
    value = params.get(name)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise ParamError(name, f"must be an object with min_x, max_x, min_y, max_y, got {_short(value)}")
    try:
        b = tuple(as_int(value[k], f"{name}.{k}") for k in ("min_x", "max_x", "min_y", "max_y"))
    except KeyError as exc:
        raise ParamError(f"{name}.{exc.args[0]}", "is required") from None
    if b[0] > b[1] or b[2] > b[3]:
        raise ParamError(name, f"min is above max in {value!r}")
    if (b[1] - b[0] + 1) * (b[3] - b[2] + 1) > 1_000_000:
        raise ParamError(name, "covers more than 1,000,000 cells")
    return b[0], b[1], b[2], b[3]


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
