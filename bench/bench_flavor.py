"""Throughput of the offline flavour library on one core: names/s, descriptions/s, full NPC flavour/s.

Run: ``cd /work/main && .venv/bin/python bench/bench_flavor.py [--seconds 0.5]``. Prints figures only.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

import ouro_flavor as fl

Rng = np.random.Generator


def _npc_bundle(rng: Rng) -> object:
    """What the gen-worker drafts for one NPC: a name, a description and three barks."""
    return (
        fl.person_name(rng, faction="gang"),
        fl.npc_description(rng, role="ganger", district_theme="slums", threat_level=4),
        fl.npc_barks(rng, role="ganger", n=3),
    )


CASES: list[tuple[str, Callable[[Rng], object]]] = [
    ("person_name", lambda r: fl.person_name(r)),
    ("person_name[corp]", lambda r: fl.person_name(r, faction="corp")),
    ("gang_name", fl.gang_name),
    ("corp_name", fl.corp_name),
    ("street_name", fl.street_name),
    ("item_name[epic]", lambda r: fl.item_name(r, kind="weapon", rarity="epic", effects=("burn", "shock"))),
    ("npc_description", lambda r: fl.npc_description(r, role="fixer", district_theme="market", threat_level=3)),
    ("npc_barks[n=3]", lambda r: fl.npc_barks(r, role="vendor", n=3)),
    ("item_description", lambda r: fl.item_description(r, kind="cyberware", rarity="rare", effects=("emp",))),
    ("room_description", lambda r: fl.room_description(r, kind="bar", district_theme="nightlife")),
    ("event_text", lambda r: fl.event_text(r, event_type="blackout", district="Rust Hollow")),
    ("quest_text", lambda r: fl.quest_text(r, kind="fetch", target="the crate", location="Pier 9", giver="Mara")),
    ("questmaker_persona", fl.questmaker_persona),
    (
        "questmaker_message",
        lambda r: fl.questmaker_message(r, tags=("cruel", "playful"), situation="idle", player="Kestrel", npc=None),
    ),
    ("npc bundle (name+desc+3 barks)", _npc_bundle),
]


def rate(call: Callable[[Rng], object], seconds: float) -> tuple[float, float]:
    """(calls per second, microseconds per call) over about ``seconds`` of wall time."""
    rng = np.random.Generator(np.random.PCG64(12345))
    for _ in range(200):  # warm caches
        call(rng)
    calls = 0
    batch = 1000
    start = time.perf_counter()
    while True:
        for _ in range(batch):
            call(rng)
        calls += batch
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return calls / elapsed, elapsed / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=0.5, help="wall time per case")
    args = parser.parse_args()
    print(f"ouro_flavor FLAVOR_VERSION={fl.FLAVOR_VERSION}, numpy {np.__version__}, one core")
    print(f"{'case':34s} {'per second':>12s} {'µs/call':>9s}")
    for name, call in CASES:
        per_second, micros = rate(call, args.seconds)
        print(f"{name:34s} {per_second:12,.0f} {micros:9.2f}")


if __name__ == "__main__":
    main()
