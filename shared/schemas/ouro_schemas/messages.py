"""Stream messages (DESIGN §2): one msgspec Struct per stream.

| stream          | message      |
|-----------------|--------------|
| world.events    | WorldEvent   |
| gen.jobs        | GenJob       |
| gen.drafts      | Proposal     |
| gen.enriched    | Proposal     |
| qm.turns        | QmTurn       |
| qm.actions      | Proposal     |
| world.patches   | Patch        |
| world.applied   | PatchResult  |
| control         | ControlMessage |
| admin.commands  | AdminCommand |
| log.*           | LogEntry     |
"""

from __future__ import annotations

import enum
import hmac
from typing import Annotated, Any

import msgspec

from ouro_schemas.proposal import ProposalType, TraceEntry
from ouro_schemas.signing import hmac_sha256_hex

Fraction = Annotated[float, msgspec.Meta(ge=0.0, le=1.0)]


# --- world.events ----------------------------------------------------------------------------------
class EventKind(enum.StrEnum):
    PLAYER_CONNECTED = "player_connected"
    PLAYER_DISCONNECTED = "player_disconnected"
    PLAYER_ENTERED_ROOM = "player_entered_room"
    PLAYER_ENTERED_DISTRICT = "player_entered_district"
    PLAYER_ACTION = "player_action"  # any command with a verb the Questmaker monitor cares about
    DISTRICT_EMPTY = "district_empty"
    DISTRICT_POPULATED = "district_populated"
    DISTRICT_CROWDED = "district_crowded"
    PLAYER_NEAR_EDGE = "player_near_edge"
    DEAD_END_HIT = "dead_end_hit"
    NPC_KILLED = "npc_killed"
    PLAYER_DIED = "player_died"
    QUEST_ACCEPTED = "quest_accepted"
    QUEST_PROGRESSED = "quest_progressed"
    QUEST_COMPLETED = "quest_completed"
    QUEST_FAILED = "quest_failed"
    QUEST_ABANDONED = "quest_abandoned"
    PLAYER_IDLE_ON_QUEST = "player_idle_on_quest"
    ECONOMY_STATS = "economy_stats"
    WORLD_EVENT_STARTED = "world_event_started"
    WORLD_EVENT_ENDED = "world_event_ended"
    ENTITY_SPAWNED = "entity_spawned"


class WorldEvent(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    kind: EventKind
    at: float
    tick: int = 0
    player_id: str | None = None
    room_id: str | None = None
    district_id: str | None = None
    quest_id: str | None = None
    data: dict[str, Any] = msgspec.field(default_factory=dict)  # the figures: distances, counts, prices


# --- gen.jobs ----------------------------------------------------------------------------------------
class GenJob(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    type: ProposalType
    seed: int
    params: dict[str, Any] = msgspec.field(default_factory=dict)  # district_id, threat_level, growth point…
    rule: str = "manual"  # the director rule (or "admin.force") that asked for it
    trigger: str | None = None  # world event id
    high_risk: bool = False
    snapshot_id: str | None = None  # the auto-snapshot taken before a high-risk job
    requested_at: float = 0.0
    trace: list[TraceEntry] = msgspec.field(default_factory=list)


# --- world.patches -----------------------------------------------------------------------------------
# Ops are a tagged union: the "op" field names the struct. Entity ids are assigned by the publisher
# (derived from the proposal id), so a redelivered patch cannot spawn anything twice.
class AddTemplate(msgspec.Struct, kw_only=True, frozen=True, tag_field="op", tag="add_template"):
    template_type: str
    template_id: str
    template: dict[str, Any]


class RemoveTemplate(msgspec.Struct, kw_only=True, frozen=True, tag_field="op", tag="remove_template"):
    template_id: str


class AddRooms(msgspec.Struct, kw_only=True, frozen=True, tag_field="op", tag="add_rooms"):
    rooms: list[dict[str, Any]]  # content.Room dicts, each with coordinates and exits


class RemoveRooms(msgspec.Struct, kw_only=True, frozen=True, tag_field="op", tag="remove_rooms"):
    room_ids: list[str]


class AddExit(msgspec.Struct, kw_only=True, frozen=True, tag_field="op", tag="add_exit"):
    room_id: str
    direction: str
    to_room_id: str


class RemoveExit(msgspec.Struct, kw_only=True, frozen=True, tag_field="op", tag="remove_exit"):
    room_id: str
    direction: str  # only an exit a patch added may be removed, by that patch's inverse


class Spawn(msgspec.Struct, kw_only=True, frozen=True, tag_field="op", tag="spawn"):
    template_id: str
    room_id: str
    entity_ids: list[str]  # one per instance; the quantity is len(entity_ids)


class Despawn(msgspec.Struct, kw_only=True, frozen=True, tag_field="op", tag="despawn"):
    entity_ids: list[str]


class StartEvent(msgspec.Struct, kw_only=True, frozen=True, tag_field="op", tag="start_event"):
    event_id: str  # the instance id
    event_type: str
    district_id: str | None = None
    duration_s: float
    effects: dict[str, Any] = msgspec.field(default_factory=dict)
    text: str = ""  # the event's flavour, told to the players it touches


class EndEvent(msgspec.Struct, kw_only=True, frozen=True, tag_field="op", tag="end_event"):
    event_id: str


class QmAction(msgspec.Struct, kw_only=True, frozen=True, tag_field="op", tag="qm_action"):
    questmaker_id: str
    tool: str  # a name from ouro_schemas.questmaker.TOOLS
    params: dict[str, Any]
    cost: int
    reason: str = ""


class Restore(msgspec.Struct, kw_only=True, frozen=True, tag_field="op", tag="restore"):
    """Put an entity's or room's named fields back as they were (the engine-computed inverse)."""

    target: str  # entity or room id
    fields: dict[str, Any]


PatchOp = (
    AddTemplate
    | RemoveTemplate
    | AddRooms
    | RemoveRooms
    | AddExit
    | RemoveExit
    | Spawn
    | Despawn
    | StartEvent
    | EndEvent
    | QmAction
    | Restore
)


class PatchKind(enum.StrEnum):
    APPLY = "apply"
    UNDO = "undo"


class Patch(msgspec.Struct, kw_only=True, frozen=True):
    id: str  # = proposal id for an apply, "undo:<proposal id>" for an undo
    proposal_id: str
    kind: PatchKind
    ops: list[PatchOp]
    inverse: list[PatchOp] = msgspec.field(default_factory=list)
    issued_at: float = 0.0
    signature: str = ""  # HMAC over the canonical patch (patch_signature); the engine verifies it


_canonical = msgspec.json.Encoder(order="sorted")


def patch_signature(patch: Patch, key: bytes) -> str:
    body = _canonical.encode(
        {"id": patch.id, "proposal_id": patch.proposal_id, "kind": patch.kind, "ops": patch.ops,
         "inverse": patch.inverse}
    )
    return hmac_sha256_hex(key, body)


def verify_patch(patch: Patch, key: bytes) -> bool:
    return bool(patch.signature) and hmac.compare_digest(patch.signature, patch_signature(patch, key))


# --- world.applied -----------------------------------------------------------------------------------
class PatchStatus(enum.StrEnum):
    APPLIED = "applied"
    SKIPPED = "skipped"  # e.g. a Questmaker action it could not afford
    REJECTED = "rejected"  # unknown op, missing reference, forbidden change: nothing was changed


class PatchResult(msgspec.Struct, kw_only=True, frozen=True):
    patch_id: str
    proposal_id: str
    status: PatchStatus
    reason: str = ""
    at: float = 0.0
    tick: int = 0
    spawned: list[str] = msgspec.field(default_factory=list)
    inverse: list[PatchOp] = msgspec.field(default_factory=list)  # what undoing it takes, as applied
    budget_after: float | None = None  # a Questmaker's budget after the deduct
    budget_before: float | None = None  # ...and before it: what the action cost is the difference


# --- qm.turns ----------------------------------------------------------------------------------------
class TurnReason(enum.StrEnum):
    PROGRESS = "progress"
    IDLE = "idle"
    DEVIATION = "deviation"
    FAILURE = "failure"
    COMPLETION = "completion"
    RETRY_BUDGET = "retry_budget"  # asked again after an unaffordable call was skipped


class QmTurn(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    questmaker_id: str
    quest_id: str
    player_id: str
    reason: TurnReason
    seed: int
    at: float
    name: str  # the Questmaker's display name
    prompt_context: str  # personality, goals, directives (authored, not player text)
    personality_tags: list[str] = msgspec.field(default_factory=list)
    budget_current: float = 0.0
    budget_max: float = 0.0
    player_name: str = ""  # player-written text: delimited as data in prompts, never instructions
    player_status: dict[str, Any] = msgspec.field(default_factory=dict)  # room, health, inventory…
    recent_actions: list[str] = msgspec.field(default_factory=list)
    seconds_since_quest_action: float = 0.0
    quest_progress: dict[str, Any] = msgspec.field(default_factory=dict)
    world_state: dict[str, Any] = msgspec.field(default_factory=dict)
    quest_entities: list[dict[str, Any]] = msgspec.field(default_factory=list)  # NPC/item ids, rooms
    trace: list[TraceEntry] = msgspec.field(default_factory=list)


# --- control -----------------------------------------------------------------------------------------
class ControlCommand(enum.StrEnum):
    GO = "go"
    PAUSE = "pause"
    RESUME = "resume"
    STOP = "stop"  # emergency: no job leaves the director, workers stop taking work
    SET_SLIDERS = "set_sliders"
    SET_TOGGLES = "set_toggles"
    GUARDRAILS_UPDATED = "guardrails_updated"
    SNAPSHOT_REQUEST = "snapshot_request"
    SNAPSHOT_DONE = "snapshot_done"
    ENGINE_PAUSE = "engine_pause"  # before a rollback restores the world keys
    ENGINE_RELOAD = "engine_reload"  # after it: rebuild the world from Redis, then resume


class ControlMessage(msgspec.Struct, kw_only=True, frozen=True):
    id: str
    command: ControlCommand
    at: float
    args: dict[str, Any] = msgspec.field(default_factory=dict)
    issued_by: str = ""


class AdminAction(enum.StrEnum):
    APPROVE = "approve"
    REJECT = "reject"
    EDIT = "edit"  # new payload/flavor: the gate runs again
    UNDO = "undo"  # emit the inverse patch of a published proposal


class AdminCommand(msgspec.Struct, kw_only=True, frozen=True):
    """An admin's word on one proposal, consumed by the publisher's group (never lost if it is down)."""

    id: str
    action: AdminAction
    proposal_id: str
    at: float
    by: str = ""
    reason: str = ""
    payload: dict[str, Any] | None = None  # EDIT only
    flavor: dict[str, str | list[str]] | None = None  # EDIT only


class Sliders(msgspec.Struct, kw_only=True):
    chaos: Fraction = 0.3  # predictable <-> weird
    aggression: Fraction = 0.3  # easy mobs <-> bosses and invasions
    expansion: Fraction = 0.3  # fill existing rooms <-> sprawl


class Toggles(msgspec.Struct, kw_only=True):
    require_approval: bool = False
    require_approval_types: list[ProposalType] = msgspec.field(default_factory=list)
    restricted_generation: bool = False  # only in glitch-door areas
    auto_snapshot: bool = True


class DirectorMode(enum.StrEnum):
    IDLE = "idle"  # before the first GO
    RUNNING = "running"
    PAUSED = "paused"
    STOPPED = "stopped"  # emergency STOP; only GO starts it again


class DirectorState(msgspec.Struct, kw_only=True):
    mode: DirectorMode = DirectorMode.IDLE
    sliders: Sliders = msgspec.field(default_factory=Sliders)
    toggles: Toggles = msgspec.field(default_factory=Toggles)
    updated_at: float = 0.0
    reason: str = ""


# --- log.* -------------------------------------------------------------------------------------------
class LogKind(enum.StrEnum):
    DECISION = "decision"  # the director acted
    NO_ACTION = "no_action"  # the director decided not to, and why
    VERDICT = "verdict"  # a gate stage's verdict
    STATE = "state"  # a proposal's state changed
    CONTROL = "control"
    ERROR = "error"
    INFO = "info"


class LogEntry(msgspec.Struct, kw_only=True, frozen=True):
    at: float
    service: str
    instance: str
    kind: LogKind
    message: str
    proposal_id: str | None = None
    job_id: str | None = None
    event_id: str | None = None
    rule: str | None = None
    data: dict[str, Any] = msgspec.field(default_factory=dict)
