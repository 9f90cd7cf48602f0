"""Named OpenAI-compatible server profiles and the per-profile JSON-schema sanitiser.

Every server speaks "chat completions", but each accepts a different subset of JSON Schema in
`response_format`. We always ask with `json_schema` (LM Studio rejects `json_object`), never with
`tools`/`tool_choice` (Ollama ignores `tool_choice`), and always re-validate on our side, so a
server that ignores the schema altogether still cannot get an invalid answer through.

| profile  | default URL                                              | known differences handled here        |
|----------|----------------------------------------------------------|----------------------------------------|
| lmstudio | http://localhost:1234/v1                                 | `json_schema` only (no `json_object`)  |
| gemini   | https://generativelanguage.googleapis.com/v1beta/openai/ | no additionalProperties/$schema/const/propertyNames |
| llamacpp | http://localhost:8080/v1                                 | `^…$`-anchored patterns; small maxLength; repeat penalty |
| ollama   | http://localhost:11434/v1                                | ignores tool_choice; truncates at its context: prompt bounded |
| vllm     | http://localhost:8000/v1                                 | guided decoding from `json_schema`     |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

# Keys no server needs and some reject: dropped for every profile.
_ALWAYS_DROP = frozenset({"title", "default", "examples", "$comment"})


@dataclass(frozen=True)
class Profile:
    name: str
    base_url: str
    drop_keys: frozenset[str] = frozenset()  # schema keywords the server rejects
    const_to_enum: bool = False  # rewrite {"const": v} as {"enum": [v]}
    anchor_patterns: bool = False  # llama.cpp's grammar converter wants ^...$ patterns
    max_length_cap: int = 2000  # huge maxLength blows up grammar-based decoders
    max_prompt_chars: int = 24_000  # keep the prompt well inside the server's context window
    strict: bool | None = None  # json_schema.strict, when the server wants it stated
    extra_body: dict[str, Any] = field(default_factory=dict)
    needs_key: bool = False

    def sanitise(self, schema: dict[str, Any]) -> dict[str, Any]:
        """A copy of `schema` this server accepts (the original is what we validate against)."""
        out = _clean(schema, self)
        assert isinstance(out, dict)
        return out

    def response_format(self, name: str, schema: dict[str, Any]) -> dict[str, Any]:
        spec: dict[str, Any] = {"name": name, "schema": self.sanitise(schema)}
        if self.strict is not None:
            spec["strict"] = self.strict
        return {"type": "json_schema", "json_schema": spec}


def _clean(node: Any, profile: Profile) -> Any:
    if isinstance(node, list):
        return [_clean(item, profile) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in _ALWAYS_DROP or key in profile.drop_keys:
            continue
        if key == "properties" and isinstance(value, dict):
            # Property names are data, not keywords: never drop a property called "title".
            out[key] = {name: _clean(sub, profile) for name, sub in value.items()}
        elif key == "const" and profile.const_to_enum:
            out["enum"] = [value]
        elif key == "pattern" and profile.anchor_patterns and isinstance(value, str):
            out[key] = ("" if value.startswith("^") else "^") + value + ("" if value.endswith("$") else "$")
        elif key == "maxLength" and isinstance(value, int):
            out[key] = min(value, profile.max_length_cap)
        else:
            out[key] = _clean(value, profile)
    return out


PROFILES: dict[str, Profile] = {
    p.name: p
    for p in (
        Profile("lmstudio", "http://localhost:1234/v1", strict=True),
        Profile(
            "gemini",
            "https://generativelanguage.googleapis.com/v1beta/openai/",
            drop_keys=frozenset({"additionalProperties", "$schema", "propertyNames"}),
            const_to_enum=True,
            needs_key=True,
        ),
        Profile(
            "llamacpp",
            "http://localhost:8080/v1",
            anchor_patterns=True,
            max_length_cap=400,
            max_prompt_chars=6_000,
            extra_body={"repeat_penalty": 1.3},
        ),
        Profile("ollama", "http://localhost:11434/v1", max_prompt_chars=6_000),
        Profile("vllm", "http://localhost:8000/v1"),
    )
}
