"""The same drafts in another interpreter with another hash seed: no set or dict order leaks in."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = """
import hashlib, msgspec
from ouro_genworker.drafting import draft
from ouro_schemas.messages import GenJob
from tests.gen_worker.cases import PARAMS
h = hashlib.sha256()
for ptype, params in PARAMS.items():
    for seed in range(40):
        h.update(msgspec.json.encode(draft(GenJob(id=f"job-{seed}", type=ptype, seed=seed, params=params))))
print(h.hexdigest())
"""


def _digest(hash_seed: str) -> str:
    env = {**os.environ, "PYTHONHASHSEED": hash_seed, "PYTHONPATH": str(ROOT)}
    out = subprocess.run([sys.executable, "-c", SCRIPT], env=env, cwd=ROOT, capture_output=True, text=True,
                         timeout=120, check=True)
    return out.stdout.strip()


@pytest.mark.slow
def test_drafts_do_not_depend_on_the_interpreter_hash_seed() -> None:
    assert _digest("1") == _digest("12345")
