"""The Proposal (DESIGN §4): what every generated thing is, from request to publication.

A proposal is a msgspec Struct because it crosses three streams (gen.drafts, gen.enriched,
qm.actions). Its `payload` is canonical JSON checked by the type's content schema
(`ouro_schemas.content`) in the publisher's gate; `flavor` is the only part an LLM writes.
"""

from __future__ import annotations

import enum
import hmac
from typing import Any

import msgspec

from ouro_schemas.signing import hmac_sha256_hex


class ProposalType(enum.StrEnum):
    NPC = "NPC"
    ITEM = "ITEM"
    QUEST = "QUEST"
    BUILDING = "BUILDING"
    BLOCK = "BLOCK"
    EVENT = "EVENT"
    WORLD_EXPANSION = "WORLD_EXPANSION"
    QM_ACTION = "QM_ACTION"


class ProposalState(enum.StrEnum):
    REQUESTED = "requested"
    DRAFTED = "drafted"
    ENRICHED = "enriched"
    VALIDATED = "validated"
    BALANCED = "balanced"
    AWAITING_APPROVAL = "awaiting_approval"
    APPROVED = "approved"
    PUBLISHED = "published"
    APPLIED = "applied"
    REJECTED = "rejected"
    FAILED = "failed"
    UNDONE = "undone"


# The lifecycle as data: which state may follow which. Terminal states have no successors
# except PUBLISHED/APPLIED, which may be undone.
TRANSITIONS: dict[ProposalState, frozenset[ProposalState]] = {
    ProposalState.REQUESTED: frozenset({ProposalState.DRAFTED, ProposalState.REJECTED, ProposalState.FAILED}),
    ProposalState.DRAFTED: frozenset(
        {ProposalState.ENRICHED, ProposalState.VALIDATED, ProposalState.REJECTED, ProposalState.FAILED}
    ),
    ProposalState.ENRICHED: frozenset({ProposalState.VALIDATED, ProposalState.REJECTED, ProposalState.FAILED}),
    ProposalState.VALIDATED: frozenset({ProposalState.BALANCED, ProposalState.REJECTED}),
    ProposalState.BALANCED: frozenset(
        {ProposalState.AWAITING_APPROVAL, ProposalState.APPROVED, ProposalState.REJECTED}
    ),
    ProposalState.AWAITING_APPROVAL: frozenset(
        {ProposalState.APPROVED, ProposalState.REJECTED, ProposalState.VALIDATED}  # an edit re-runs the gate
    ),
    ProposalState.APPROVED: frozenset({ProposalState.PUBLISHED, ProposalState.FAILED}),
    ProposalState.PUBLISHED: frozenset({ProposalState.APPLIED, ProposalState.FAILED, ProposalState.UNDONE}),
    ProposalState.APPLIED: frozenset({ProposalState.UNDONE}),
    ProposalState.REJECTED: frozenset(),
    ProposalState.FAILED: frozenset(),
    ProposalState.UNDONE: frozenset(),
}


def can_transition(current: ProposalState, new: ProposalState) -> bool:
    return new in TRANSITIONS[current]


class TraceEntry(msgspec.Struct, kw_only=True, frozen=True):
    """One stage's word on a proposal or job: who, when, what it decided and why.

    `data` carries the figures: the rule name, the sliders in force, the rng seed, the provider
    used, a verdict's value and limit.
    """

    stage: str  # director | gen-worker | llm-worker | validate | balance | filter | approve | commit | engine
    at: float
    actor: str  # service instance, e.g. "gen-worker-2"
    verdict: str  # ok | rejected | skipped | fallback | ...
    reason: str = ""
    data: dict[str, Any] = msgspec.field(default_factory=dict)


class GeneratorRef(msgspec.Struct, kw_only=True, frozen=True):
    name: str
    version: str


Flavor = dict[str, str | list[str]]


class Proposal(msgspec.Struct, kw_only=True):
    id: str
    type: ProposalType
    seed: int
    generator: GeneratorRef
    params: dict[str, Any] = msgspec.field(default_factory=dict)
    trigger: str | None = None  # the world event id that started it, if any
    job_id: str | None = None
    trace: list[TraceEntry] = msgspec.field(default_factory=list)
    payload: dict[str, Any] = msgspec.field(default_factory=dict)
    flavor: Flavor = msgspec.field(default_factory=dict)
    tags: dict[str, str | int | float] = msgspec.field(default_factory=dict)
    dependencies: list[str] = msgspec.field(default_factory=list)
    state: ProposalState = ProposalState.REQUESTED
    reason: str = ""  # why it was rejected / failed / undone
    hash: str | None = None  # HMAC of payload+flavor, set on approval
    created_at: float = 0.0


_canonical = msgspec.json.Encoder(order="sorted")


def canonical_bytes(proposal: Proposal) -> bytes:
    """The bytes that are hashed on approval: type, id, payload and flavor, keys sorted."""
    return _canonical.encode(
        {"id": proposal.id, "type": proposal.type, "payload": proposal.payload, "flavor": proposal.flavor}
    )


def proposal_hash(proposal: Proposal, key: bytes) -> str:
    """HMAC-SHA256 over the canonical bytes: what the engine verifies before it applies."""
    return hmac_sha256_hex(key, canonical_bytes(proposal))


def verify_hash(proposal: Proposal, key: bytes) -> bool:
    return proposal.hash is not None and hmac.compare_digest(proposal.hash, proposal_hash(proposal, key))
