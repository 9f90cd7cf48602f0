"""Export JSON Schema for every stream message, content template and payload.

    python -m ouro_schemas.export docs/schemas
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import msgspec
from pydantic import BaseModel

from ouro_schemas import chunks, content, messages, payloads, proposal, protocol, questmaker

STREAM_MESSAGES: dict[str, Any] = {
    "WorldEvent": messages.WorldEvent,
    "GenJob": messages.GenJob,
    "Proposal": proposal.Proposal,
    "Patch": messages.Patch,
    "PatchResult": messages.PatchResult,
    "QmTurn": messages.QmTurn,
    "ControlMessage": messages.ControlMessage,
    "AdminCommand": messages.AdminCommand,
    "DirectorState": messages.DirectorState,
    "LogEntry": messages.LogEntry,
}

CONTENT_MODELS: dict[str, type[BaseModel]] = {
    name: obj
    for name, obj in vars(content).items()
    if isinstance(obj, type) and issubclass(obj, BaseModel) and obj not in (BaseModel, content.Strict)
}
PAYLOAD_MODELS: dict[str, type[BaseModel]] = {
    f"{ptype.value}Payload": model for ptype, model in payloads.PAYLOAD_MODELS.items()
}
# Engine-written world keys other services read (docs/contracts.md).
WORLD_RECORDS: dict[str, Any] = {
    "ChunkMeta": chunks.ChunkMeta,
    "GrowthPointRecord": chunks.GrowthPointRecord,
}
TOOL_MODELS: dict[str, type[BaseModel]] = {
    f"tool.{name}": spec.params for name, spec in questmaker.TOOLS.items()
} | {"ToolCallList": questmaker.ToolCallList}


def all_schemas() -> dict[str, dict[str, Any]]:
    """Every schema by file stem: stream/<Name>, content/<Name>, payload/<Name>, questmaker/<Name>,
    world/<Name>."""
    out: dict[str, dict[str, Any]] = {}
    for name, struct in STREAM_MESSAGES.items():
        out[f"stream/{name}"] = msgspec.json.schema(struct)
    for name, struct in WORLD_RECORDS.items():
        out[f"world/{name}"] = msgspec.json.schema(struct)
    for name, model in CONTENT_MODELS.items():
        out[f"content/{name}"] = model.model_json_schema()
    for name, model in PAYLOAD_MODELS.items():
        out[f"payload/{name}"] = model.model_json_schema()
    for name, model in TOOL_MODELS.items():
        out[f"questmaker/{name}"] = model.model_json_schema()
    out["protocol/ClientMessage"] = protocol.client_schema()
    out["protocol/ServerMessage"] = protocol.server_schema()
    return out


def export(target: Path) -> list[Path]:
    written: list[Path] = []
    for stem, schema in sorted(all_schemas().items()):
        path = target / f"{stem}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    target = Path(argv[1] if len(argv) > 1 else "docs/schemas")
    written = export(target)
    print(f"wrote {len(written)} JSON Schemas under {target}/")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
