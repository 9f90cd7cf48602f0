"""Hot reload of the content library: manual edits of data/generated/ and data/guardrails.json.

1. A changed `data/generated/<type>/<id>.json` is read and validated: against the type's payload model
   (`ouro_schemas.payloads.PAYLOAD_MODELS`), or — for a bare template — its content model, wrapped into
   a payload. A file may also be `{"payload": {...}, "flavor": {...}}`.
2. Valid: it goes on as a Proposal (generator "manual-edit", state `enriched`) on `gen.enriched`, so the
   publisher's gate (balance, filters, approval) sees it like anything else and commits it live.
3. Invalid: refused with file, field and reason in log.director; nothing is sent, nothing changes.
4. The publisher's own writes are ignored: a file whose payload equals the payload of the proposal
   record it came from (`ouro:proposal:<id>`, the id taken from the file name, a `proposal_id`/`id` field,
   or a template's `origin`) is not an edit. Identical content seen twice (editors write twice) is
   handled once. The publisher writes a proposal's files while the MULTI with its record is on its way
   (slow right after a Redis restart), so a file that names a proposal (`proposal_id`/`id`) with no record
   yet waits for it (hotwatch.py) instead of counting as an edit at once.
5. `data/guardrails.json`: a JSON object is announced with control `guardrails_updated` (validated first
   with `ouro_schemas.guardrails` when that module exists); anything else is refused.
"""

from __future__ import annotations

import hashlib
import importlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from ouro_schemas import content
from ouro_schemas.errors import ContentError, describe_error, validate_model
from ouro_schemas.payloads import PAYLOAD_MODELS
from ouro_schemas.proposal import GeneratorRef, Proposal, ProposalState, ProposalType, TraceEntry

GENERATOR = GeneratorRef(name="manual-edit", version="1")
TYPE_DIRS: dict[str, ProposalType] = {t.value.lower(): t for t in ProposalType if t is not ProposalType.QM_ACTION}
# A bare template in a folder: its content model and how it becomes that type's payload.
TEMPLATE_MODELS: dict[ProposalType, tuple[type[BaseModel], str, dict[str, Any]]] = {
    ProposalType.NPC: (content.NpcArchetype, "archetype", {"quantity": 0}),
    ProposalType.ITEM: (content.ItemArchetype, "archetype", {"quantity": 0}),
    ProposalType.BUILDING: (content.Building, "building", {}),
    ProposalType.BLOCK: (content.Block, "block", {}),
    ProposalType.EVENT: (content.WorldEventInstance, "event", {}),
}


@dataclass(frozen=True, slots=True)
class ManualEdit:
    file: str  # relative to the data dir
    type: ProposalType
    template_id: str
    payload: dict[str, Any]
    flavor: dict[str, Any]
    sha256: str
    candidates: tuple[str, ...]  # proposal ids this file may have been written from
    declared: tuple[str, ...] = ()  # the ids its envelope names (`proposal_id`, `id`): the publisher's files


def _unwrap(raw: Any) -> tuple[Any, dict[str, Any], list[str]]:
    ids: list[str] = []
    if isinstance(raw, dict) and "payload" in raw:
        flavor: dict[str, Any] = raw["flavor"] if isinstance(raw.get("flavor"), dict) else {}
        ids += [v for k in ("proposal_id", "id") if isinstance(v := raw.get(k), str)]
        return raw["payload"], flavor, ids
    return raw, {}, ids


def _validate_payload(kind: ProposalType, payload: Any, source: str) -> dict[str, Any]:
    try:
        return validate_model(PAYLOAD_MODELS[kind], payload, source).model_dump(mode="json")
    except ContentError as first:
        template = TEMPLATE_MODELS.get(kind)
        if template is None or not isinstance(payload, dict) or "id" not in payload:
            raise
        model, field_name, extra = template
        try:
            wrapped = {field_name: validate_model(model, payload, source).model_dump(mode="json"), **extra}
        except ContentError as second:
            raise (second if len(second.problems) < len(first.problems) else first) from None
        return validate_model(PAYLOAD_MODELS[kind], wrapped, source).model_dump(mode="json")


def read_edit(path: Path, data_dir: Path) -> ManualEdit:
    """Parse and validate one content-library file. Raises ContentError naming file, field and reason."""
    try:
        rel = path.resolve().relative_to(data_dir.resolve()).as_posix()
    except ValueError:
        raise ContentError(str(path), ["(path): outside the data directory"]) from None
    parts = rel.split("/")
    if len(parts) != 3 or parts[0] != "generated" or not parts[2].endswith(".json"):
        raise ContentError(rel, ["(path): expected generated/<type>/<id>.json"])
    kind = TYPE_DIRS.get(parts[1])
    if kind is None:
        raise ContentError(rel, [f"(path): unknown type folder {parts[1]!r} (one of {', '.join(TYPE_DIRS)})"])
    template_id = parts[2][: -len(".json")]
    if not content.is_safe_id(template_id):
        raise ContentError(rel, [f"(path): {template_id!r} is not a valid id"])
    data = path.read_bytes()
    try:
        raw = json.loads(data)
    except ValueError as exc:
        raise ContentError(rel, [f"(root): invalid JSON: {exc}"]) from None
    payload, flavor, ids = _unwrap(raw)
    checked = _validate_payload(kind, payload, rel)
    origins = [v["origin"] for v in checked.values()
               if isinstance(v, dict) and isinstance(v.get("origin"), str) and v["origin"] != "base"]
    return ManualEdit(file=rel, type=kind, template_id=template_id, payload=checked,
                      flavor={k: v for k, v in flavor.items() if isinstance(v, str | list)},
                      sha256=hashlib.sha256(data).hexdigest(), candidates=tuple(dict.fromkeys(
                          [*ids, *origins, template_id, f"p-{template_id}"])), declared=tuple(ids))


def to_proposal(edit: ManualEdit, now: float, actor: str) -> Proposal:
    """The proposal a manual edit becomes (id derived from file and content: re-sending is idempotent)."""
    pid = f"manual-{edit.type.value.lower()}-{edit.template_id}-{edit.sha256[:12]}"
    trace = TraceEntry(stage="director", at=now, actor=actor, verdict="ok", reason=f"manual edit of {edit.file}",
                       data={"rule": "manual_edit", "file": edit.file, "sha256": edit.sha256})
    return Proposal(id=pid, type=edit.type, seed=0, generator=GENERATOR, params={"file": edit.file},
                    trace=[trace], payload=edit.payload, flavor=edit.flavor,
                    tags={"source": "manual-edit", "template_id": edit.template_id},
                    state=ProposalState.ENRICHED, created_at=now)


def _normalized(kind: Any, payload: Any) -> Any:
    """A record's payload through its model (defaults filled in), as the file's was; raw if it fails."""
    try:
        model = PAYLOAD_MODELS[ProposalType(kind)]
        return model.model_validate(payload).model_dump(mode="json")
    except (ValueError, KeyError, TypeError):  # pydantic.ValidationError is a ValueError
        return payload


def published_by(edit: ManualEdit, records: dict[str, Any]) -> str | None:
    """The proposal whose record holds exactly this file's payload (the publisher wrote it), else None.

    A WORLD_EXPANSION proposal is written as one block file per block: such a file matches when its
    block is one of the record's blocks.
    """
    for pid in edit.candidates:
        rec = records.get(pid)
        if not isinstance(rec, dict):
            continue
        payload = _normalized(rec.get("type", edit.type.value), rec.get("payload"))
        if payload == edit.payload:
            return pid
        if (rec.get("type") == ProposalType.WORLD_EXPANSION.value and edit.type is ProposalType.BLOCK
                and isinstance(payload, dict) and edit.payload.get("block") in (payload.get("blocks") or [])):
            return pid
    return None


def check_guardrails(data: bytes) -> list[str]:
    """Problems with a guardrails file ('field: reason'), empty when it may be announced."""
    try:
        raw = json.loads(data)
    except ValueError as exc:
        return [f"(root): invalid JSON: {exc}"]
    if not isinstance(raw, dict):
        return ["(root): guardrails must be a JSON object"]
    try:
        module = importlib.import_module("ouro_schemas.guardrails")
    except ImportError:
        return []
    model = getattr(module, "Guardrails", None)
    if isinstance(model, type) and issubclass(model, BaseModel):
        try:
            model.model_validate(raw)
        except Exception as exc:  # pydantic.ValidationError
            return describe_error(exc)
    return []
