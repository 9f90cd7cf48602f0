"""The director's settings (environment `OURO_*`); every throttle and threshold is one documented field."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from ouro_runtime.settings import ServiceSettings
from ouro_schemas import names

Seconds = Annotated[float, Field(ge=0, le=86_400)]


class DirectorSettings(ServiceSettings):
    http_port: Annotated[int, Field(ge=0, le=65535)] = names.PORT_DIRECTOR

    # --- throttles (enforced in code, issue 5 point 3) -------------------------------------------
    jobs_per_minute: Annotated[float, Field(gt=0, le=100_000)] = 30.0
    """Token-bucket refill rate for generation jobs leaving the director."""
    jobs_burst: Annotated[int, Field(ge=1, le=10_000)] = 5
    """Token-bucket capacity: at most this many jobs in one burst."""
    expansion_timeout_s: Seconds = 600.0
    """An expansion (BLOCK / WORLD_EXPANSION) counts as in flight until its PatchResult or rejection
    arrives, or this long."""
    gate_throttle_pause_s: Seconds = 30.0
    """When the publisher's gate rejects one of the director's proposals by a throttle (`throttle.*`, e.g.
    BLOCK proposals per minute), the director asks for no more of that type for this long: the gate's
    window is the authority, and drafts it would reject only cost the pipeline. 0: never pause."""
    rule_cooldown_s: Seconds = 60.0
    """Default per-rule cool-down (per rule and scope: district or growth point); rules may set their own."""
    seed: int = 1337
    """Base of every decision's rng seed (seed = hash(base, event id)): the same stream decides the same."""

    auto_snapshot_min_interval_s: Seconds = 60.0
    """Automatic snapshots before high-risk work at most this often: a high-risk job within the interval
    carries the last one (taken before it, so still a point to roll back to). 0: one per job."""

    # --- rule thresholds ----------------------------------------------------------------------------
    inflation_threshold: Annotated[float, Field(ge=0, le=10)] = 0.05
    crowded_population: Annotated[int, Field(ge=1)] = 10
    """Players in a district (event data `population`/`players`, else the summary) that count as crowded."""
    dead_end_hits: Annotated[int, Field(ge=1)] = 3
    found_district_distance: Annotated[int, Field(ge=1, le=10_000)] = 24
    """A block growing more than this many cells from its neighbour district's centre founds a new district."""
    quest_stale_s: Seconds = 1800.0

    # --- pacing (storyteller) -----------------------------------------------------------------------
    intensity_half_life_s: Annotated[float, Field(gt=0, le=86_400)] = 120.0
    intensity_peak: Annotated[float, Field(gt=0, le=1)] = 0.8
    relax_s: Seconds = 180.0
    """After a player's intensity peaks, threat-raising decisions for them wait this long."""
    forced_event_quiet_s: Annotated[float, Field(gt=0, le=86_400)] = 1800.0
    """After this long without a major event while players are online, one is forced."""

    # --- Questmaker monitor -------------------------------------------------------------------------
    qm_check_interval_s: Annotated[float, Field(gt=0, le=60)] = 1.0
    qm_cooldown_s: Seconds = 60.0
    """Per-Questmaker cool-down between turns (a Questmaker's own cooldown_s wins when larger)."""
    qm_idle_threshold_s: Annotated[float, Field(gt=0)] = 300.0
    """Inactivity threshold when the Questmaker template gives none."""
    qm_deviation_actions: Annotated[int, Field(ge=1, le=50)] = 4
    """This many consecutive actions unrelated to the quest count as a deviation."""

    # --- world summary / hot reload -----------------------------------------------------------------
    summary_refresh_s: Annotated[float, Field(gt=0, le=600)] = 1.0
    glitch_refresh_s: Annotated[float, Field(gt=0, le=3600)] = 10.0
    hot_reload: bool = True
    """Watch data/generated/ and data/guardrails.json for manual edits."""
    hot_reload_commit_wait_s: Annotated[float, Field(gt=0, le=3600)] = 30.0
    """A file naming a proposal that has no record yet is the publisher's write ahead of its commit: it
    waits this long for the record before it counts as a manual edit."""
