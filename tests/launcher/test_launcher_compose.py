"""compose.yaml parsing and interpolation (pure)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ouro_launcher.compose import ComposeError, interpolate, load_compose, parse_services
from ouro_schemas import names

REPO = Path(__file__).resolve().parents[2]


def test_interpolate_follows_compose_rules() -> None:
    env = {"SET": "v", "EMPTY": ""}
    assert interpolate("${SET}-$SET-${MISSING}", env) == "v-v-"
    assert interpolate("${MISSING:-d} ${EMPTY:-d} ${EMPTY-d} ${SET:-d}", env) == "d d  v"
    assert interpolate("$$HOME costs $$5", env) == "$HOME costs $5"


def test_interpolate_required_variable_names_it() -> None:
    with pytest.raises(ComposeError, match="TOKEN is required: set a token"):
        interpolate("${TOKEN:?set a token}", {}, "services.x.environment.TOKEN")


def test_interpolate_refuses_a_stray_dollar() -> None:
    with pytest.raises(ComposeError, match="invalid interpolation"):
        interpolate("price $5", {})


def test_parse_accepts_short_and_long_forms() -> None:
    services = parse_services(
        {
            "services": {
                "db": {"image": "redis:7"},
                "app": {
                    "build": ".",
                    "command": "python -m app --flag 'a b'",
                    "environment": ["A=1", "B=x=y", "INHERITED"],
                    "ports": ["127.0.0.1:4000:4001/tcp", "9000", {"target": 81, "published": 8081}],
                    "volumes": [
                        "./data:/app/data:rw",
                        "named:/var/lib",
                        {"type": "bind", "source": "/x", "target": "/y"},
                    ],
                    "depends_on": ["db"],
                    "deploy": {"replicas": 3},
                    "healthcheck": {"test": ["CMD", "true"]},
                },
            }
        }
    )
    app = services["app"]
    assert app.command == ("python", "-m", "app", "--flag", "a b")
    assert app.environment == {"A": "1", "B": "x=y"}
    assert [(p.published, p.target) for p in app.ports] == [(4000, 4001), (9000, 9000), (8081, 81)]
    assert [(m.source, m.target) for m in app.volumes] == [("./data", "/app/data"), ("/x", "/y")]
    assert app.depends_on == {"db": "service_started"}
    assert app.replicas == 3 and app.build and app.healthcheck == ("CMD", "true")
    assert services["db"].image == "redis:7" and not services["db"].build


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({}, "no 'services'"),
        ({"services": {"a": {"build": ".", "depends_on": ["ghost"]}}}, "unknown service 'ghost'"),
        ({"services": {"a": {"build": ".", "deploy": {"replicas": "two"}}}}, r"a\.deploy\.replicas"),
        (
            {"services": {"a": {"build": ".", "environment": {"DEBUG": True}}}},
            r"a\.environment\.DEBUG: booleans",
        ),
        ({"services": {"a": {"build": ".", "ports": ["4000-4010:4000-4010"]}}}, "port ranges"),
    ],
)
def test_parse_names_the_faulty_key(doc: object, message: str) -> None:
    with pytest.raises(ComposeError, match=message):
        parse_services(doc)


def test_the_projects_compose_file_describes_the_whole_stack() -> None:
    services = load_compose(REPO / "compose.yaml", {})
    assert set(services) == {"redis", *names.SERVICES}
    assert services["redis"].image is not None and services["redis"].image.startswith("redis:7")
    assert "--appendonly" in services["redis"].command and "everysec" in services["redis"].command
    for name in names.SERVICES:
        svc = services[name]
        assert svc.build, name
        assert svc.depends_on.get("redis") == "service_healthy", name
        assert svc.environment["REDIS_URL"] == "redis://redis:6379/0", name
        assert any("/healthz" in part for part in svc.healthcheck), name
        assert svc.command[:2] == ("python", "-m"), name
    assert services[names.SERVICE_GEN_WORKER].replicas == 2
    assert services[names.SERVICE_LLM_WORKER].replicas == 2
    engine = services[names.SERVICE_ENGINE].environment
    assert engine["OURO_TELNET_PORT"] == str(names.PORT_TELNET)
    assert engine["OURO_PLAY_PORT"] == str(names.PORT_PLAY)
    assert engine["OURO_HTTP_PORT"] == str(names.PORT_ENGINE_METRICS)
    assert services[names.SERVICE_ADMIN].environment["OURO_HTTP_PORT"] == str(names.PORT_ADMIN)


def test_compose_interpolates_the_log_level_from_the_caller() -> None:
    services = load_compose(REPO / "compose.yaml", {"OURO_LOG_LEVEL": "DEBUG"})
    assert services[names.SERVICE_ENGINE].environment["OURO_LOG_LEVEL"] == "DEBUG"
    defaults = load_compose(REPO / "compose.yaml", {})["engine"].environment
    assert defaults["OURO_LOG_LEVEL"] == "INFO"
    assert "OURO_HMAC_KEY" not in defaults  # a secret is never written in the file: inherited when set


def test_everything_after_test_goes_to_pytest_verbatim() -> None:
    from ouro_launcher.cli import split_passthrough

    assert split_passthrough(["test", "-k", "bus", "-x", "-h"]) == (["test"], ["-k", "bus", "-x", "-h"])
    assert split_passthrough(["-f", "c.yaml", "test", "tests/x"]) == (["-f", "c.yaml", "test"], ["tests/x"])
    assert split_passthrough(["up", "--detach"]) == (["up", "--detach"], [])
