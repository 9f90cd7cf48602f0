"""Validation errors that name the field path and the reason, for pydantic and msgspec alike."""

from __future__ import annotations

from typing import TypeVar

import msgspec
from pydantic import BaseModel, ValidationError

M = TypeVar("M", bound=BaseModel)
S = TypeVar("S")


class ContentError(ValueError):
    """A content file or payload failed validation; `problems` are 'path: reason' strings."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: " + "; ".join(problems))


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(root)"


def describe_error(exc: BaseException) -> list[str]:
    """'field.path: reason' lines for a pydantic or msgspec validation error (else its message)."""
    if isinstance(exc, ValidationError):
        return [f"{_path(tuple(err['loc']))}: {err['msg']}" for err in exc.errors(include_url=False)]
    if isinstance(exc, msgspec.ValidationError | msgspec.DecodeError):
        text = str(exc)
        # msgspec says "Expected `int`, got `str` - at `$.stats.damage`": put the path first.
        if " - at `" in text:
            reason, _, where = text.partition(" - at `")
            return [f"{where.rstrip('`').removeprefix('$.').removeprefix('$')}: {reason}"]
        return [text]
    return [f"(root): {exc}"]


def validate_model(model: type[M], data: object, source: str = "input") -> M:
    """Validate `data` against a pydantic model; raises ContentError naming source, path and reason."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise ContentError(source, describe_error(exc)) from None


def decode_message(kind: type[S], raw: bytes, source: str = "message") -> S:
    """Decode JSON bytes into a msgspec Struct; raises ContentError naming the path and reason."""
    try:
        return msgspec.json.decode(raw, type=kind)
    except (msgspec.ValidationError, msgspec.DecodeError) as exc:
        raise ContentError(source, describe_error(exc)) from None
