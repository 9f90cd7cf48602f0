"""JSON schemas for the model, built from our pydantic models: one definition, flat and bounded.

Pydantic's schema has `$ref`s, titles, defaults and `anyOf [X, null]` for optional fields; servers
with grammar-based decoding do best with a flat schema where every string has a maxLength and every
choice is an enum. `inline` produces that; `profiles.Profile.sanitise` then adapts it per server.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

ID_MAX_LENGTH = 96  # content.ID_PATTERN allows 96 characters
DEFAULT_MAX_LENGTH = 400


def inline(model: type[BaseModel]) -> dict[str, Any]:
    raw = model.model_json_schema()
    defs = raw.pop("$defs", {})
    out = _simplify(raw, defs)
    assert isinstance(out, dict)
    return out


def _simplify(node: Any, defs: dict[str, Any]) -> Any:
    if isinstance(node, list):
        return [_simplify(n, defs) for n in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        return _simplify(defs[node["$ref"].rsplit("/", 1)[-1]], defs)
    branches = node.get("anyOf")
    if isinstance(branches, list):
        # Optional[X] -> X (the field is simply not required); a real union stays an anyOf.
        kept = [b for b in branches if b != {"type": "null"}]
        if len(kept) == 1:
            rest = {k: v for k, v in node.items() if k != "anyOf"}
            return _simplify({**kept[0], **rest}, defs)
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("title", "default", "description"):
            continue
        if key == "properties":
            out[key] = {name: _simplify(sub, defs) for name, sub in value.items()}
        else:
            out[key] = _simplify(value, defs)
    if out.get("type") == "string" and "enum" not in out and "maxLength" not in out:
        out["maxLength"] = ID_MAX_LENGTH if "pattern" in out else DEFAULT_MAX_LENGTH
    if out.get("type") == "object" and "properties" in out:
        out.setdefault("additionalProperties", False)
    return out
