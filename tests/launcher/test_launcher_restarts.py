"""Restart policies and backoff (pure), and the project's compose file asking for them."""

from __future__ import annotations

from pathlib import Path

import pytest

from ouro_launcher.compose import ComposeError, load_compose, parse_services
from ouro_launcher.restarts import (
    INITIAL_DELAY,
    MAX_DELAY,
    PolicyError,
    RestartPolicy,
    describe_exit,
    next_delay,
    parse_policy,
)

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "policy"),
    [
        (None, RestartPolicy("no")),
        (False, RestartPolicy("no")),  # YAML's bare `no`
        ("no", RestartPolicy("no")),
        ("always", RestartPolicy("always")),
        ("unless-stopped", RestartPolicy("unless-stopped")),
        ("on-failure", RestartPolicy("on-failure")),
        ("on-failure:3", RestartPolicy("on-failure", 3)),
    ],
)
def test_parse_policy(raw: object, policy: RestartPolicy) -> None:
    assert parse_policy(raw) == policy


@pytest.mark.parametrize("raw", ["sometimes", "always:3", "on-failure:x", 3, True])
def test_parse_policy_refuses_what_compose_would(raw: object) -> None:
    with pytest.raises(PolicyError, match=r"services\.x\.restart"):
        parse_policy(raw, "services.x.restart")


def test_compose_names_a_bad_restart_key() -> None:
    with pytest.raises(ComposeError, match=r"services\.app\.restart: expected one of"):
        parse_services({"services": {"app": {"build": ".", "restart": "sometimes"}}})


def test_which_exits_come_back() -> None:
    always, once = RestartPolicy("unless-stopped"), RestartPolicy("on-failure", 1)
    assert always.allows(0, 100) and always.allows(-9, 0)
    assert once.allows(1, 0) and not once.allows(1, 1) and not once.allows(0, 0)
    assert RestartPolicy("on-failure").allows(-9, 1000)
    assert not RestartPolicy("no").allows(1, 0)


def test_backoff_doubles_then_resets_after_a_stable_run() -> None:
    delays = [INITIAL_DELAY]
    for _ in range(12):
        delays.append(next_delay(delays[-1], uptime=1.0))
    assert delays[:4] == [0.1, 0.2, 0.4, 0.8] and delays[-1] == MAX_DELAY
    assert next_delay(MAX_DELAY, uptime=10.0) == INITIAL_DELAY
    assert next_delay(None, uptime=0.0) == INITIAL_DELAY


def test_exit_descriptions() -> None:
    assert describe_exit(-9) == "signal SIGKILL" and describe_exit(3) == "code 3"


def test_the_projects_services_and_redis_restart_unless_stopped() -> None:
    services = load_compose(REPO / "compose.yaml", {})
    assert {s.name: str(s.restart) for s in services.values()} == {
        name: "unless-stopped" for name in services
    }
