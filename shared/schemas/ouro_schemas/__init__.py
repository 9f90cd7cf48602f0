"""Ourobouro's one source of truth for what crosses a stream and what a content file holds.

- `names`: streams, consumer groups, Redis keys, ports.
- `proposal`: the Proposal, its lifecycle, trace entries and hash.
- `messages`: every other stream message (world events, jobs, patches, results, turns, control, logs).
- `content`: content templates (rooms, NPCs, items, quests, Questmakers, buildings, blocks, events).
- `payloads`: a Proposal's payload model per type.
- `questmaker`: the Questmaker tool registry.
- `errors`: validation errors that name the field path and the reason.
"""

SCHEMA_VERSION = "1"
