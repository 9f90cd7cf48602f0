"""The publisher's outcomes on /metrics: every decision a counter, every failing rule a counter."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

PROPOSALS = Counter("ouro_publisher_proposals_total", "Proposals decided by the gate",
                    ["type", "outcome"])  # committed | held | rejected | duplicate
RULE_FAILURES = Counter("ouro_publisher_rule_failures_total", "Failing verdicts by rule", ["rule"])
ADMIN = Counter("ouro_publisher_admin_total", "Admin commands and undo outcomes", ["outcome"])
GATE_SECONDS = Histogram("ouro_publisher_gate_seconds", "run_gate latency",
                         buckets=(0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.05))
