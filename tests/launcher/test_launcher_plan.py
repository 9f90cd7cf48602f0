"""compose services -> local processes (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ouro_launcher.compose import ComposeError, load_compose, parse_services
from ouro_launcher.plan import PlanOptions, is_redis_image, plan_stack, startup_waves
from ouro_schemas import names

REPO = Path(__file__).resolve().parents[2]
OPTS = PlanOptions(
    project_dir=Path("/proj"),
    data_dir=Path("/var/ouro"),
    redis_url="redis://127.0.0.1:7777/0",
    python="/venv/bin/python",
)


def test_project_stack_plan_has_every_instance_with_its_ports() -> None:
    plan = plan_stack(load_compose(REPO / "compose.yaml", {}), OPTS)
    assert plan.redis_service == "redis"
    by_instance = {s.instance: s for s in plan.specs}
    assert set(by_instance) == {
        "engine", "director", "publisher", "admin-api",
        "gen-worker-1", "gen-worker-2", "llm-worker-1", "llm-worker-2",
    }  # fmt: skip
    ports = {i: s.http_port for i, s in by_instance.items()}
    assert ports == {
        "engine": names.PORT_ENGINE_METRICS,
        "director": names.PORT_DIRECTOR,
        "gen-worker-1": names.PORT_GEN_WORKER,
        "gen-worker-2": names.PORT_GEN_WORKER + 1,
        "llm-worker-1": names.PORT_LLM_WORKER,
        "llm-worker-2": names.PORT_LLM_WORKER + 1,
        "publisher": names.PORT_PUBLISHER,
        "admin-api": names.PORT_ADMIN,
    }
    gen2 = by_instance["gen-worker-2"]
    assert gen2.env["OURO_INSTANCE"] == "gen-worker-2"
    assert gen2.health_url == f"http://127.0.0.1:{names.PORT_GEN_WORKER + 1}/healthz"
    assert gen2.metrics_url == f"http://127.0.0.1:{names.PORT_GEN_WORKER + 1}/metrics"
    assert gen2.argv == ("/venv/bin/python", "-m", "ouro_genworker")
    assert gen2.cwd == Path("/proj")


def test_environment_is_rewritten_for_local_processes() -> None:
    plan = plan_stack(load_compose(REPO / "compose.yaml", {}), OPTS)
    env = plan.instances("engine")[0].env
    assert env["REDIS_URL"] == "redis://127.0.0.1:7777/0"
    assert env["OURO_DATA_DIR"] == "/var/ouro"  # /app/data is the ./data bind mount
    assert env["OURO_HTTP_HOST"] == "127.0.0.1"  # compose's 0.0.0.0 -> loopback
    assert env["OURO_INSTANCE"] == "engine"


def test_engine_endpoints_are_the_published_ports() -> None:
    plan = plan_stack(load_compose(REPO / "compose.yaml", {}), OPTS)
    engine = {e.label: e.url for e in plan.instances("engine")[0].endpoints}
    assert engine == {"telnet": "telnet://127.0.0.1:4000", "play": "http://127.0.0.1:8080/"}
    admin = {e.label: e.url for e in plan.instances("admin-api")[0].endpoints}
    assert admin == {"admin-api": "http://127.0.0.1:8000/"}


def test_start_waves_follow_depends_on() -> None:
    plan = plan_stack(load_compose(REPO / "compose.yaml", {}), OPTS)
    assert plan.waves == (
        ("engine", "gen-worker", "llm-worker"),
        ("publisher",),
        ("director", "admin-api"),
    )
    order = [s.instance for s in plan.in_start_order()]
    assert order.index("engine") < order.index("publisher") < order.index("director")


def test_port_offset_shifts_every_service_port() -> None:
    opts = PlanOptions(**{**OPTS.__dict__, "port_offset": 20000})
    plan = plan_stack(load_compose(REPO / "compose.yaml", {}), opts)
    engine = plan.instances("engine")[0]
    assert dict(engine.ports) == {"OURO_HTTP_PORT": 29100, "OURO_TELNET_PORT": 24000, "OURO_PLAY_PORT": 28080}
    assert plan.instances("llm-worker")[1].http_port == 29105


def test_service_hostnames_in_urls_point_at_loopback() -> None:
    services = parse_services(
        {
            "services": {
                "redis": {"image": "redis:7"},
                "api": {
                    "build": ".",
                    "command": ["python", "-m", "api"],
                    "environment": {"OURO_HTTP_PORT": "8000"},
                },
                "bot": {
                    "build": ".",
                    "command": ["python", "-m", "bot"],
                    "environment": {
                        "CACHE_URL": "redis://:secret@redis:6379/3",
                        "API_URL": "http://api:8000/v1",
                        "ELSEWHERE": "http://example.org:80/",
                    },
                },
            }
        }
    )
    opts = PlanOptions(**{**OPTS.__dict__, "port_offset": 5})
    env = plan_stack(services, opts).instances("bot")[0].env
    assert env["CACHE_URL"] == "redis://127.0.0.1:7777/3"  # address and credentials: the Redis in use
    assert env["API_URL"] == "http://127.0.0.1:8005/v1"
    assert env["ELSEWHERE"] == "http://example.org:80/"


def test_health_url_falls_back_to_the_healthcheck_port() -> None:
    services = parse_services(
        {
            "services": {
                "w": {
                    "build": ".",
                    "command": "python -m w",
                    "healthcheck": {"test": ["CMD", "curl", "-f", "http://localhost:7000/ready"]},
                },
                "quiet": {"build": ".", "command": "python -m q"},
            }
        }
    )
    plan = plan_stack(services, OPTS)
    assert plan.instances("w")[0].health_url == "http://127.0.0.1:7000/ready"
    assert plan.instances("quiet")[0].health_url is None  # running counts as ready


def test_refuses_what_cannot_run_locally() -> None:
    with pytest.raises(ComposeError, match="postgres"):
        plan_stack(parse_services({"services": {"db": {"image": "postgres:16"}}}), OPTS)
    with pytest.raises(ComposeError, match="command: required"):
        plan_stack(parse_services({"services": {"a": {"build": "."}}}), OPTS)


def test_refuses_two_instances_on_one_port() -> None:
    doc = {
        "services": {
            "a": {
                "build": ".",
                "command": "x",
                "environment": {"OURO_HTTP_PORT": "9000"},
                "deploy": {"replicas": 2},
            },
            "b": {"build": ".", "command": "x", "environment": {"OURO_HTTP_PORT": "9001"}},
        }
    }
    with pytest.raises(ComposeError, match="port 9001: wanted by a-2"):
        plan_stack(parse_services(doc), OPTS)


def test_waves_detect_cycles() -> None:
    doc = {
        "services": {
            "a": {"build": ".", "command": "x", "depends_on": ["b"]},
            "b": {"build": ".", "command": "x", "depends_on": ["a"]},
        }
    }
    with pytest.raises(ComposeError, match="cycle among: a, b"):
        startup_waves(parse_services(doc))


@pytest.mark.parametrize(
    ("image", "expected"),
    [
        ("redis", True),
        ("redis:7", True),
        ("docker.io/library/redis:7-alpine", True),
        ("redis-stack", False),
        (None, False),
    ],
)
def test_is_redis_image(image: str | None, expected: bool) -> None:
    assert is_redis_image(image) is expected
