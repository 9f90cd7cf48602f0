"""The admin API's own counters (the bus metrics come from ouro_runtime.metrics)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

REQUESTS = Counter("ouro_admin_requests_total", "API requests by route template and status",
                   ["method", "route", "status"])
REQUEST_SECONDS = Histogram("ouro_admin_request_seconds", "API request latency", ["route"],
                            buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0))
AUTH_FAILURES = Counter("ouro_admin_auth_failures_total", "Rejected requests by reason", ["reason"])
CONTROL_SENT = Counter("ouro_admin_control_total", "Control messages sent", ["command"])
ADMIN_COMMANDS = Counter("ouro_admin_commands_total", "Admin commands sent to the publisher", ["action"])
JOBS = Counter("ouro_admin_jobs_total", "Long operations by kind and outcome", ["kind", "outcome"])
FEED_CLIENTS = Counter("ouro_admin_feed_connections_total", "Live feed connections opened")
