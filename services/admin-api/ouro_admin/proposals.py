"""Reading the publisher's proposal records: filtered pages, one proposal's trace and its diff.

Keys (publisher-owned, read only here): `ouro:proposal:<id>` the latest record (Proposal JSON),
`ouro:proposal:<id>:before` the proposal as the gate received it, `ouro:proposals` (zset by
created_at), `ouro:approvals` (zset of ids awaiting approval). Records are read defensively: a
missing or unreadable record is skipped in lists and reported as such in detail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from ouro_schemas import names

_CHUNK = 200


@dataclass(frozen=True)
class ProposalFilter:
    type: str | None = None
    state: str | None = None
    district: str | None = None
    since: float | None = None
    until: float | None = None

    def matches(self, rec: dict[str, Any]) -> bool:
        if self.type and rec.get("type") != self.type:
            return False
        if self.state and rec.get("state") != self.state:
            return False
        return not (self.district and district_of(rec) != self.district)


def _loads(raw: Any) -> dict[str, Any] | None:
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    return value if isinstance(value, dict) else None


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def district_of(rec: dict[str, Any]) -> str | None:
    for holder in (rec.get("tags"), rec.get("params")):
        if isinstance(holder, dict):
            for key in ("district", "district_id"):
                if isinstance(holder.get(key), str):
                    return str(holder[key])
    return None


def summary(rec: dict[str, Any]) -> dict[str, Any]:
    """The list view of one record: no payload, no trace."""
    flavor = _dict(rec.get("flavor"))
    return {
        "id": rec.get("id"), "type": rec.get("type"), "state": rec.get("state"), "reason": rec.get("reason", ""),
        "district": district_of(rec), "created_at": rec.get("created_at", 0.0), "job_id": rec.get("job_id"),
        "trigger": rec.get("trigger"), "name": flavor.get("name") if isinstance(flavor.get("name"), str) else None,
        "tags": rec.get("tags", {}),
    }


async def _ids(redis: Redis, key: str, since: float | None, until: float | None, limit: int) -> list[str]:
    raw = await redis.zrevrangebyscore(key, "+inf" if until is None else until,
                                       "-inf" if since is None else since, start=0, num=limit)
    return [r.decode() if isinstance(r, bytes) else str(r) for r in raw]


async def list_proposals(redis: Redis, flt: ProposalFilter, offset: int, limit: int, scan_limit: int,
                         queue_only: bool = False) -> dict[str, Any]:
    """Newest first. `total` counts matches among the newest `scan_limit` ids (`truncated` if more)."""
    key = names.APPROVAL_QUEUE if queue_only else names.PROPOSAL_INDEX
    ids = await _ids(redis, key, flt.since, flt.until, scan_limit + 1)
    truncated = len(ids) > scan_limit
    ids = ids[:scan_limit]
    items: list[dict[str, Any]] = []
    total = 0
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        for pid, raw in zip(chunk, await redis.mget([names.PROPOSAL + i for i in chunk]), strict=True):
            rec = _loads(raw)
            if rec is None:
                continue
            rec.setdefault("id", pid)
            if not flt.matches(rec):
                continue
            if offset <= total < offset + limit:
                items.append(summary(rec))
            total += 1
    return {"total": total, "offset": offset, "limit": limit, "truncated": truncated, "items": items}


async def get_record(redis: Redis, proposal_id: str) -> dict[str, Any] | None:
    return _loads(await redis.get(names.PROPOSAL + proposal_id))


async def get_detail(redis: Redis, proposal_id: str) -> dict[str, Any] | None:
    """The record, the as-received version, the diff between them and the why-trace; None if unknown."""
    after, before = await redis.mget([names.PROPOSAL + proposal_id,
                                      names.PROPOSAL + proposal_id + names.PROPOSAL_BEFORE_SUFFIX])
    rec = _loads(after)
    if rec is None:
        return None
    prev = _loads(before)
    changes = diff(_content(prev), _content(rec)) if prev is not None else []
    raw_trace = rec.get("trace")
    trace: list[Any] = raw_trace if isinstance(raw_trace, list) else []
    return {"proposal": rec, "before": prev, "diff": changes, "trace": trace, "why": explain(rec, trace),
            "awaiting_approval": await redis.zscore(names.APPROVAL_QUEUE, proposal_id) is not None}


def _content(rec: dict[str, Any] | None) -> dict[str, Any]:
    rec = rec or {}
    return {"payload": rec.get("payload", {}), "flavor": rec.get("flavor", {}), "tags": rec.get("tags", {})}


def diff(before: Any, after: Any, path: str = "") -> list[dict[str, Any]]:
    """Paths that differ: {"path", "op": added|removed|changed, "before", "after"}, in document order."""
    if isinstance(before, dict) and isinstance(after, dict):
        out: list[dict[str, Any]] = []
        for key in list(before) + [k for k in after if k not in before]:
            sub = f"{path}.{key}" if path else str(key)
            if key not in after:
                out.append({"path": sub, "op": "removed", "before": before[key], "after": None})
            elif key not in before:
                out.append({"path": sub, "op": "added", "before": None, "after": after[key]})
            else:
                out.extend(diff(before[key], after[key], sub))
        return out
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        out = []
        for i, (b, a) in enumerate(zip(before, after, strict=True)):
            out.extend(diff(b, a, f"{path}[{i}]"))
        return out
    if before == after and type(before) is type(after):
        return []
    return [{"path": path or "(root)", "op": "changed", "before": before, "after": after}]


def explain(rec: dict[str, Any], trace: list[Any]) -> list[str]:
    """"Why did you do that?" in sentences, one per trace stage, oldest first."""
    lines: list[str] = []
    for entry in trace:
        if not isinstance(entry, dict):
            continue
        data = _dict(entry.get("data"))
        bits = [f"{entry.get('stage', '?')} ({entry.get('actor', '?')}): {entry.get('verdict', '?')}"]
        if entry.get("reason"):
            bits.append(str(entry["reason"]))
        if data.get("rule"):
            bits.append(f"rule {data['rule']}")
        if data.get("event_id") or (entry.get("stage") == "director" and rec.get("trigger")):
            bits.append(f"triggered by {data.get('event_id') or rec.get('trigger')}")
        if isinstance(data.get("sliders"), dict):
            bits.append("sliders " + ", ".join(f"{k}={v}" for k, v in sorted(data["sliders"].items())))
        lines.append("; ".join(bits))
    if rec.get("reason"):
        lines.append(f"state {rec.get('state')}: {rec['reason']}")
    return lines
