"""The director's outcomes as Prometheus counters (served on /metrics by the service shell)."""

from __future__ import annotations

from prometheus_client import Counter

JOBS = Counter("ouro_director_jobs_total", "Generation jobs published", ["type", "rule"])
NO_ACTION = Counter("ouro_director_no_action_total", "Rule-matched decisions not acted on", ["rule", "reason"])
TURNS = Counter("ouro_director_qm_turns_total", "Questmaker turns published", ["reason"])
TURNS_DECLINED = Counter("ouro_director_qm_turns_declined_total", "Questmaker turns not given", ["reason"])
SNAPSHOTS = Counter("ouro_director_snapshots_total", "Snapshots taken", ["why"])
EDITS = Counter("ouro_director_manual_edits_total", "Content-library file changes seen", ["outcome"])
