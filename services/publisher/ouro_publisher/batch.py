"""Batching: one world read and one MULTI per consumer batch instead of per proposal.

`BatchConsumer` is the bus's Consumer with two hooks: before the batch's handlers run, the publisher
reads every world key the batch's proposals name (one round trip); before the batch is acked, the
publisher executes the batch's MULTI (patches, records, window counters, log entries) and writes its
files. Ack after output still holds: a failed MULTI leaves every entry of the batch pending.
Proposals are still gated one by one, in order: a commit updates the library and the windows in
memory at once, so the next proposal of the batch sees it.
"""

from __future__ import annotations

import concurrent.futures
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import msgspec

from ouro_runtime.bus import FIELD_DATA, Consumer
from ouro_schemas.proposal import Proposal

if TYPE_CHECKING:
    from ouro_publisher.app import Publisher
    from ouro_publisher.world import Snapshot

WindowsBackup = tuple[deque[str], dict[str, int], dict[int, list[float]]]


@dataclass
class Batch:
    snap: Snapshot
    pipe: Any  # a transaction pipeline: everything the batch writes, in one MULTI
    windows_backup: WindowsBackup
    mset: dict[str, bytes] = field(default_factory=dict)  # records, as-received versions, commit records
    index: dict[str, float] = field(default_factory=dict)  # proposal index entries
    futures: list[concurrent.futures.Future[Any]] = field(default_factory=list)  # file writes in flight
    new_files: list[tuple[str, str]] = field(default_factory=list)  # (folder, template id) first written here
    logs: list[bytes] = field(default_factory=list)
    added: list[str] = field(default_factory=list)  # proposals added to the library (rolled back on error)
    committed: set[str] = field(default_factory=set)
    decided: set[str] = field(default_factory=set)
    cands: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)  # proposal -> (ids, coords)


class BatchConsumer(Consumer[Proposal]):
    """A Consumer that lets the publisher read before and write after a whole batch."""

    def __init__(self, publisher: Publisher, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.publisher = publisher
        self._peek = msgspec.json.Decoder(Proposal)

    async def _handle_batch(self, entries: list[tuple[bytes, dict[bytes, bytes]]], *, claimed: bool) -> int:
        proposals = []
        for _, fields in entries:
            try:
                proposals.append(self._peek.decode(fields.get(FIELD_DATA, b"")))
            except (msgspec.DecodeError, msgspec.ValidationError):
                continue  # the bus dead-letters it
        if not entries:
            return 0
        async with self.publisher.lock:
            await self.publisher.begin(proposals)
            try:
                return await super()._handle_batch(entries, claimed=claimed)
            finally:
                self.publisher.discard()

    async def _ack(self, acks: list[bytes], done_keys: list[str]) -> None:
        await self.publisher.flush()
        await super()._ack(acks, done_keys)
