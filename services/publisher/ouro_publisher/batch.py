"""Batching: one world read and one MULTI per consumer batch instead of per proposal.

The proposal consumers are the bus's `BatchConsumer`s with `Publisher.on_batch` as batch handler: it
reads every world key the batch's proposals name (one round trip), decides them, executes the batch's
MULTI (patches, records, window counters, log entries) and writes its files, and only then reports
them finished, so the bus acks after output: a failed MULTI leaves every entry of the batch pending.
Proposals are still gated one by one, in order: a commit updates the library and the windows in
memory at once, so the next proposal of the batch sees it. `Batch` is what one batch has queued.

One batch is in flight while the next is gated: `Sent` is a batch whose MULTI went out (or is about
to) and whose output is completing. The next batch is sent only after it published; if its MULTI
failed, the batch decided on top of it is rolled back, then it (`Publisher._after_previous`).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ouro_publisher.world import Snapshot

WindowsBackup = tuple[deque[str], dict[str, int], dict[int, list[float]]]


@dataclass
class Batch:
    snap: Snapshot
    pipe: Any  # a transaction pipeline: everything the batch writes, in one MULTI
    windows_backup: WindowsBackup
    mset: dict[str, bytes] = field(default_factory=dict)  # records, as-received versions, commit records
    index: dict[str, float] = field(default_factory=dict)  # proposal index entries
    files: list[tuple[str, bytes]] = field(default_factory=list)  # rendered files not handed to a writer yet
    new_files: list[tuple[str, str]] = field(default_factory=list)  # (folder, template id) first written here
    logs: list[bytes] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # proposals added to the library (rolled back on error)
    committed: set[str] = field(default_factory=set)
    decided: set[str] = field(default_factory=set)
    cands: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)  # proposal -> (ids, coords)
    # What the batch sent before this one decided: its MULTI may not have run when this batch's world
    # read did, so its records are not in `snap` (a redelivery in both is a duplicate).
    prior_decided: AbstractSet[str] = frozenset()


@dataclass
class Sent:
    """A batch handed to Redis: `published` resolves when its MULTI ran and its log lines are written
    (or with the error, once its files are settled), `written` when its files are; `task` (its output,
    awaited before its entries are acked) once both have and the batch sent before it has `written`
    (`previous`) too."""

    batch: Batch
    published: asyncio.Future[None]
    written: asyncio.Future[None]
    previous: asyncio.Future[None] | None = None
    task: asyncio.Task[None] | None = None
    rolled_back: bool = False
