"""The gate's output, byte for byte, on ~8,000 fixed proposals (tests/publisher/golden.py): the fast paths
must give exactly what the plain code gave. gate_golden.txt was written by the gate before its hot paths
were optimised; a deliberate change of verdicts rewrites it (`python -m tests.publisher.golden`)."""

from __future__ import annotations

from ouro_publisher.gate import run_gate
from tests.publisher.golden import GOLDEN, outputs


def test_the_gate_gives_what_it_gave() -> None:
    want = GOLDEN.read_text().splitlines()
    got = outputs(run_gate)
    assert len(got) == len(want)
    wrong = [(w, g) for w, g in zip(want, got, strict=True) if w != g]
    assert not wrong, f"{len(wrong)} cases differ, first: {wrong[:5]}"
