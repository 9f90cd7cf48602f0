"""Prometheus metrics shared by every service's bus consumers and producers."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

MESSAGES_IN = Counter("ouro_bus_messages_in_total", "Entries handled successfully", ["stream", "group"])
MESSAGES_OUT = Counter("ouro_bus_messages_out_total", "Entries published", ["stream"])
MESSAGES_FAILED = Counter("ouro_bus_messages_failed_total", "Handler failures (entry left pending)",
                          ["stream", "group"])
MESSAGES_DEAD = Counter("ouro_bus_messages_dead_total", "Entries moved to the dead-letter stream",
                        ["stream", "group"])
MESSAGES_DUPLICATE = Counter("ouro_bus_messages_duplicate_total",
                             "Entries skipped because their key was already handled", ["stream", "group"])
MESSAGES_CLAIMED = Counter("ouro_bus_messages_claimed_total", "Entries claimed back from idle consumers",
                           ["stream", "group"])
HANDLER_SECONDS = Histogram(
    "ouro_bus_handler_seconds", "Handler latency", ["stream", "group"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
PENDING = Gauge("ouro_bus_pending", "Entries delivered but not acknowledged", ["stream", "group"])
LAG_SECONDS = Gauge("ouro_bus_lag_seconds", "Age of the oldest entry not yet delivered to the group",
                    ["stream", "group"])
LAG_ENTRIES = Gauge("ouro_bus_lag_entries", "Entries not yet delivered to the group (Redis >= 7 only)",
                    ["stream", "group"])
REDIS_RECONNECTS = Counter("ouro_bus_redis_reconnects_total", "Times a consumer recovered from a Redis error",
                           ["stream", "group"])
