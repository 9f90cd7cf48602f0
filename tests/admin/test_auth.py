"""Auth and roles: 401 without a token, 403 with a wrong one or as a viewer on a write, 429 after
repeated failures from one IP; tokens generated at first start with 0600 and printed once."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from fastapi import FastAPI

from ouro_admin.settings import AdminSettings
from ouro_admin.tokens import load_tokens
from tests.admin.conftest import make_client
from tests.admin.factories import OPERATOR, VIEWER

WRITES = [("POST", "/api/control/stop"), ("POST", "/api/control/go"), ("PUT", "/api/director/sliders"),
          ("PUT", "/api/guardrails"), ("POST", "/api/snapshots"), ("POST", "/api/generate"),
          ("POST", "/api/proposals/p-1/approve")]


async def test_no_token_is_401(app: FastAPI) -> None:
    async with make_client(app, token=None) as c:
        r = await c.get("/api/director")
        assert r.status_code == 401
        assert r.headers["www-authenticate"] == "Bearer"
        r = await c.get("/api/director", headers={"Authorization": "Basic abc"})
        assert r.status_code == 401


async def test_wrong_token_is_403(app: FastAPI) -> None:
    async with make_client(app, token="not-the-token-at-all-xxxxxxxx") as c:
        r = await c.get("/api/director")
    assert r.status_code == 403
    assert r.json()["detail"] == "invalid token"


async def test_roles(app: FastAPI) -> None:
    async with make_client(app, VIEWER) as viewer, make_client(app, OPERATOR) as operator:
        assert (await viewer.get("/api/whoami")).json()["role"] == "viewer"
        assert (await operator.get("/api/whoami")).json()["role"] == "operator"
        assert (await viewer.get("/api/director")).status_code == 200
        assert (await viewer.get("/api/snapshots")).status_code == 200
        for method, path in WRITES:
            r = await viewer.request(method, path, json={})
            assert r.status_code == 403, (method, path, r.text)
            assert r.json()["detail"] == "operator role required"


async def test_failed_attempts_are_rate_limited_per_ip(app: FastAPI, settings: AdminSettings) -> None:
    async with make_client(app, "wrong-token-wrong-token-wrong", ip="10.9.9.9") as bad, \
            make_client(app, OPERATOR, ip="10.9.9.9") as same_ip_right, \
            make_client(app, OPERATOR, ip="10.1.1.1") as other_ip:
        codes = [(await bad.get("/api/director")).status_code for _ in range(settings.auth_max_failures)]
        assert codes == [403] * settings.auth_max_failures
        r = await bad.get("/api/director")
        assert r.status_code == 429
        assert int(r.headers["retry-after"]) >= 1
        # Blocked means blocked, right token or not: no oracle for a guesser.
        assert (await same_ip_right.get("/api/director")).status_code == 429
        assert (await other_ip.get("/api/director")).status_code == 200


async def test_viewer_role_failure_is_not_counted(app: FastAPI, settings: AdminSettings) -> None:
    async with make_client(app, VIEWER, ip="10.7.7.7") as viewer:
        for _ in range(settings.auth_max_failures + 2):
            assert (await viewer.post("/api/control/stop")).status_code == 403
        assert (await viewer.get("/api/director")).status_code == 200


def test_generated_tokens_are_0600_and_printed_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = AdminSettings(data_dir=tmp_path)
    first = load_tokens(settings)
    out = capsys.readouterr().out
    assert first.operator in out and first.viewer in out
    for name in ("admin_token", "viewer_token"):
        mode = stat.S_IMODE((tmp_path / "secrets" / name).stat().st_mode)
        assert mode == 0o600, oct(mode)
    second = load_tokens(settings)
    assert (second.operator, second.viewer) == (first.operator, first.viewer)
    assert second.generated == ()
    assert first.operator not in capsys.readouterr().out


def test_environment_tokens_win_and_nothing_is_written(tmp_path: Path) -> None:
    tokens = load_tokens(AdminSettings(data_dir=tmp_path, admin_token=OPERATOR, viewer_token=VIEWER))
    assert (tokens.operator, tokens.viewer) == (OPERATOR, VIEWER)
    assert not (tmp_path / "secrets").exists()


async def test_openapi_health_and_metrics_are_public(app: FastAPI) -> None:
    async with make_client(app, token=None) as c:
        spec = (await c.get("/openapi.json")).json()
        assert "/api/snapshots/{snapshot_id}/rollback/confirm" in spec["paths"]
        assert "HTTPBearer" in spec["components"]["securitySchemes"]
        assert (await c.get("/healthz")).json()["redis"] == "ok"
        metrics = (await c.get("/metrics")).text
        assert "ouro_admin_requests_total" in metrics
