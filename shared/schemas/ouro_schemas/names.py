"""Every wire name in one place: streams, consumer groups, Redis keys, service names.

Services never spell a stream or key as a string literal; they import it from here, so a rename is
one edit and a typo is an import error.
"""

from __future__ import annotations

from typing import Final

# --- streams (DESIGN §2): one message type per stream ---------------------------------------------
WORLD_EVENTS: Final = "world.events"  # engine -> director              (WorldEvent)
WORLD_APPLIED: Final = "world.applied"  # engine -> director, publisher (PatchResult)
WORLD_PATCHES: Final = "world.patches"  # publisher -> engine            (Patch)
GEN_JOBS: Final = "gen.jobs"  # director/admin -> gen-worker             (GenJob)
GEN_DRAFTS: Final = "gen.drafts"  # gen-worker -> llm-worker             (Proposal)
GEN_ENRICHED: Final = "gen.enriched"  # llm-worker -> publisher          (Proposal)
QM_TURNS: Final = "qm.turns"  # director -> llm-worker                   (QmTurn)
QM_ACTIONS: Final = "qm.actions"  # llm-worker -> publisher              (Proposal, type QM_ACTION)
CONTROL: Final = "control"  # admin-api/director -> all services         (ControlMessage)
ADMIN_COMMANDS: Final = "admin.commands"  # admin-api -> publisher       (AdminCommand)

LOG_DIRECTOR: Final = "log.director"  # LogEntry
LOG_PROPOSALS: Final = "log.proposals"  # LogEntry
LOG_ENGINE: Final = "log.engine"  # LogEntry
LOG_WORKERS: Final = "log.workers"  # LogEntry (gen-worker, llm-worker)
LOG_ADMIN: Final = "log.admin"  # LogEntry
LOG_STREAMS: Final = (LOG_DIRECTOR, LOG_PROPOSALS, LOG_ENGINE, LOG_WORKERS, LOG_ADMIN)

DEAD_SUFFIX: Final = ".dead"


def dead_letter(stream: str) -> str:
    """The dead-letter stream of `stream` (entries delivered too often, with their error)."""
    return stream + DEAD_SUFFIX


# --- consumer groups: one per consuming service --------------------------------------------------
GROUP_ENGINE: Final = "engine"
GROUP_DIRECTOR: Final = "director"
GROUP_GEN_WORKER: Final = "gen-worker"
GROUP_LLM_WORKER: Final = "llm-worker"
GROUP_PUBLISHER: Final = "publisher"
GROUP_ADMIN: Final = "admin-api"

# --- service names (as in compose.yaml) -----------------------------------------------------------
SERVICE_ENGINE: Final = "engine"
SERVICE_DIRECTOR: Final = "director"
SERVICE_GEN_WORKER: Final = "gen-worker"
SERVICE_LLM_WORKER: Final = "llm-worker"
SERVICE_PUBLISHER: Final = "publisher"
SERVICE_ADMIN: Final = "admin-api"
SERVICES: Final = (
    SERVICE_ENGINE,
    SERVICE_DIRECTOR,
    SERVICE_GEN_WORKER,
    SERVICE_LLM_WORKER,
    SERVICE_PUBLISHER,
    SERVICE_ADMIN,
)

# --- Redis keys ----------------------------------------------------------------------------------
# Everything Ourobouro keeps in Redis starts with this prefix, so a snapshot is "every key under it".
KEY_PREFIX: Final = "ouro:"

# World state (engine-owned; other services read only).
WORLD_PREFIX: Final = "ouro:world:"
WORLD_ENTITY: Final = "ouro:world:entity:"  # + entity id -> JSON of the entity's components
WORLD_ENTITY_INDEX: Final = "ouro:world:entities"  # set of entity ids
WORLD_ROOM: Final = "ouro:world:room:"  # + room id -> JSON room (name, coords, exits, district)
WORLD_ROOM_INDEX: Final = "ouro:world:rooms"  # set of room ids
WORLD_COORD: Final = "ouro:world:coord"  # hash "x,y,z" -> room id
# Chunks (ouro_schemas.chunks): the world's 20×20 columns; "<ck>" is `chunks.chunk_key`, e.g. "0,-1".
WORLD_CHUNKS: Final = "ouro:world:chunks"  # hash "<ck>" -> JSON chunk meta (rooms, bounds, districts…)
WORLD_CHUNK: Final = "ouro:world:chunk:"  # + "<ck>" -> hash room id -> "x,y,z" (the chunk's rooms)
WORLD_CHUNK_ENTITIES: Final = "ouro:world:chunk_entities:"  # + "<ck>" -> set of entity ids anchored there
WORLD_ENTITIES_GLOBAL: Final = "ouro:world:entities_global"  # set: players and what they carry (no chunk)
WORLD_GROWTH: Final = "ouro:world:growth:"  # + "<ck>" -> hash "room id:direction" -> JSON growth point
WORLD_TEMPLATE: Final = "ouro:world:template:"  # + template id -> JSON template in force
WORLD_TEMPLATE_INDEX: Final = "ouro:world:templates"  # set of template ids
WORLD_DISTRICTS: Final = "ouro:world:districts"  # hash district id -> JSON district summary
WORLD_PLAYERS_ONLINE: Final = "ouro:world:players_online"  # set of player ids
WORLD_QUESTMAKER: Final = "ouro:world:qm:"  # + questmaker id -> JSON budget and memories
WORLD_EVENTS_ACTIVE: Final = "ouro:world:events_active"  # hash event instance id -> JSON
WORLD_APPLIED_PATCHES: Final = "ouro:world:applied_patches"  # hash patch id -> result JSON
WORLD_META: Final = "ouro:world:meta"  # hash: tick, version, seed, loaded_at
WORLD_SUMMARY: Final = "ouro:world:summary"  # JSON world summary the director reads

# Accounts (engine-owned).
ACCOUNT: Final = "ouro:account:"  # + lower-cased name -> JSON account (hash, player id)

# Director state (director-owned).
DIRECTOR_STATE: Final = "ouro:director:state"  # JSON DirectorState: running/paused/stopped, sliders
DIRECTOR_THROTTLES: Final = "ouro:director:throttles"  # JSON: live cool-downs, gate pauses, expansion in flight

# Gen-worker replicas (gen-worker-owned): cells held by spatial drafts in flight (claims.py).
GEN_CLAIMS: Final = "ouro:gen:claims"  # hash "x,y,z" -> "proposal id|expires at (ms, Redis clock)"

# Proposal records (publisher-owned; admin reads).
PROPOSAL: Final = "ouro:proposal:"  # + proposal id -> JSON Proposal (latest state)
PROPOSAL_INDEX: Final = "ouro:proposals"  # sorted set proposal id by created_at
APPROVAL_QUEUE: Final = "ouro:approvals"  # sorted set of proposal ids awaiting approval
GUARDRAILS: Final = "ouro:guardrails"  # JSON guardrails in force
# Publisher bookkeeping (publisher-owned): commit records and the gate's windows, kept across restarts.
PROPOSAL_BEFORE_SUFFIX: Final = ":before"  # ouro:proposal:<id>:before -> the proposal as received
PUBLISHER_COMMIT: Final = "ouro:publisher:commit:"  # + proposal id -> JSON commit record (patch, files)
PUBLISHER_RARITY: Final = "ouro:publisher:rarity_window"  # list of recent item rarities, newest first
PUBLISHER_THROTTLE: Final = "ouro:publisher:throttle"  # hash "<type>:<minute>" -> proposals passed
PUBLISHER_ECONOMY: Final = "ouro:publisher:economy"  # hash "<minute>:src|sink" -> credits

# Bus bookkeeping.
BUS_DONE: Final = "ouro:bus:done:"  # + stream + ":" + group -> sorted set of handled keys (score = time)

# --- default ports (compose.yaml sets them; these are what a bare `python -m` uses) ---------------
PORT_TELNET: Final = 4000
PORT_PLAY: Final = 8080  # player web page + WebSocket (engine)
PORT_ADMIN: Final = 8000
PORT_DIRECTOR: Final = 9101
PORT_GEN_WORKER: Final = 9102
PORT_LLM_WORKER: Final = 9104
PORT_PUBLISHER: Final = 9106
PORT_ENGINE_METRICS: Final = 9100
