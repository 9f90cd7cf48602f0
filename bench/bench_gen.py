"""Drafts per second per generator type, on one core (one Python thread).

    .venv/bin/python bench/bench_gen.py [--seconds 1.0]

Two figures per type:
- `generate`: the pure generator with its offline flavour (`(params, rng) -> Draft`, rng creation included);
- `draft`: what the service does per job besides Redis — generator + payload schema validation
  (pydantic) + the Proposal + its msgspec encoding.
Params are the director-like cases of tests/gen_worker/cases.py (BLOCK: a 20×20 city in `occupied`).
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path

import msgspec

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ouro_genworker.drafting import draft
from ouro_genworker.registry import GENERATORS
from ouro_genworker.types import new_rng
from ouro_schemas.messages import GenJob
from tests.gen_worker.cases import PARAMS


def rate(fn: Callable[[int], object], seconds: float) -> float:
    fn(0)  # warm-up: imports, caches
    n, start = 0, time.perf_counter()
    deadline = start + seconds
    while True:
        for _ in range(20):
            fn(n)
            n += 1
        now = time.perf_counter()
        if now >= deadline:
            return n / (now - start)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=1.0, help="time per measurement")
    args = parser.parse_args()
    encode = msgspec.json.Encoder().encode
    print(f"python {platform.python_version()}, {os.cpu_count()} cpus visible, one thread, {args.seconds}s each")
    print(f"{'type':<16} {'generate/s':>11} {'draft/s':>9}")
    for ptype, gen in GENERATORS.items():
        params = PARAMS[ptype]
        g = rate(lambda s, gen=gen, params=params: gen.generate(params, new_rng(s)), args.seconds)
        d = rate(lambda s, ptype=ptype, params=params: encode(
            draft(GenJob(id=f"job-{s}", type=ptype, seed=s, params=params))), args.seconds)
        print(f"{ptype.value:<16} {g:>11,.0f} {d:>9,.0f}")


if __name__ == "__main__":
    main()
