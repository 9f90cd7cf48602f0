"""The dashboard in headless Debian chromium (Playwright, no downloaded browser), against the real
`python -m ouro_admin` process: log in, STOP (with the real director), approve a queued proposal,
roll back through the double confirmation, see a guardrail error inline; one screenshot per tab."""

from __future__ import annotations

import asyncio
import concurrent.futures
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest
import redis as sync_redis
from redis.asyncio import Redis

from ouro_schemas import names
from ouro_schemas.messages import DirectorState, LogEntry, LogKind, Toggles
from ouro_schemas.proposal import ProposalType
from tests.admin.browser_support import (
    CHROMIUM,
    CHROMIUM_ARGS,
    admin_process,
    chromium_available,
    director_env,
    director_mode,
    process,
)
from tests.admin.factories import OPERATOR, VIEWER, auth, put_proposal, seed_world
from tests.utils import wait_sync

pytestmark = [pytest.mark.browser, pytest.mark.skipif(not chromium_available(), reason="needs /usr/bin/chromium")]
playwright_sync = pytest.importorskip("playwright.sync_api")
TIMEOUT_MS = 15_000


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_sync.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def sredis(redis_url: str) -> Iterator[sync_redis.Redis]:
    client = sync_redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def admin(service_env: dict[str, str]) -> Iterator[str]:
    with admin_process(service_env) as url:
        yield url


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT_MS)
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield pg
    context.close()
    # No script errors, and nothing refused by the Content-Security-Policy. (Failed fetches are not
    # counted: 4xx answers are part of the tests, and the server may already be gone at teardown.)
    assert not [e for e in errors if "Failed to load resource" not in e], errors


def run(coro: Any) -> Any:
    """Run async factory code: sync Playwright owns this thread's event loop, so use another thread."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _with_redis(url: str, fn: Any) -> Any:
    client = Redis.from_url(url)
    try:
        return await fn(client)
    finally:
        await client.aclose()


def log_in(page: Any, url: str, token: str = OPERATOR) -> None:
    page.goto(url + "/admin/")
    page.fill("#token", token)
    page.click("#login-button")
    page.wait_for_selector("#app:not([hidden])")


def tab(page: Any, name: str) -> None:
    page.click(f".tabs button[data-tab={name}]")
    page.wait_for_selector(f"#tab-{name}:not([hidden])")


def test_login_and_stop_reaches_the_real_director(page: Any, admin: str, service_env: dict[str, str],
                                                  sredis: sync_redis.Redis, tmp_path: Path) -> None:
    with process("ouro_director", director_env(service_env), tmp_path / "director.out"):
        # The director reads `control` from "$" once it is up: say GO until it has heard it.
        with httpx.Client(base_url=admin, headers=auth()) as api:
            def running() -> bool:
                if director_mode(sredis) == "running":
                    return True
                api.post("/api/control/go")
                return False
            wait_sync(running, timeout=40, interval=1.0, what="director running after GO")

        page.goto(admin + "/admin/")
        page.fill("#token", "not-a-valid-token-at-all")
        page.click("#login-button")
        page.wait_for_selector("#login-error:has-text('not valid')")
        log_in(page, admin)
        assert page.text_content("#role") == "operator"
        page.wait_for_selector("#director-mode:has-text('running')")
        page.click("#btn-stop")
        page.wait_for_selector("#director-mode:has-text('stopped')")
        page.wait_for_selector("#mode-badge.stopped")
        assert director_mode(sredis) == "stopped"
        # The live log shows the director's own line about it.
        tab(page, "log")
        page.wait_for_selector("#timeline li:has-text('emergency stop')")


async def _seed_publisher_world(r: Redis) -> None:
    """The publisher tests' small world (plaza, streets, templates), written as the engine's keys."""
    from tests.publisher import factories as pf

    view = pf.world()
    pipe = r.pipeline(transaction=False)
    for rid, room_ in view.rooms.items():
        pipe.set(names.WORLD_ROOM + rid, json.dumps(room_))
        pipe.sadd(names.WORLD_ROOM_INDEX, rid)
    pipe.hset(names.WORLD_COORD, mapping=view.coords)
    for tid, entry in view.templates.items():
        pipe.set(names.WORLD_TEMPLATE + tid, json.dumps(entry))
        pipe.sadd(names.WORLD_TEMPLATE_INDEX, tid)
    for eid, ent in view.entities.items():
        pipe.set(names.WORLD_ENTITY + eid, json.dumps(ent))
    pipe.sadd(names.WORLD_PLAYERS_ONLINE, *view.players)
    for did, d in view.districts.items():
        pipe.hset(names.WORLD_DISTRICTS, did, json.dumps(d))
    pipe.set(names.WORLD_SUMMARY, json.dumps({"economy": view.economy}))
    # NPC proposals wait for an admin (the publisher reads the toggles at start-up).
    pipe.set(names.DIRECTOR_STATE, msgspec.json.encode(DirectorState(toggles=Toggles(require_approval_types=[
        ProposalType.NPC]))))
    await pipe.execute()


def test_approve_with_the_real_publisher(page: Any, admin: str, redis_url: str, service_env: dict[str, str],
                                         sredis: sync_redis.Redis, tmp_path: Path) -> None:
    from tests.publisher import factories as pf

    run(_with_redis(redis_url, _seed_publisher_world))
    env = {**service_env, "OURO_HTTP_PORT": "0"}
    with process("ouro_publisher", env, tmp_path / "publisher.out"):
        proposal = pf.npc_proposal("p-job-browser", qty=1)
        sredis.xadd(names.GEN_ENRICHED, {b"d": msgspec.json.encode(proposal), b"k": proposal.id.encode()})

        def held() -> bool:
            raw = sredis.get(names.PROPOSAL + proposal.id)
            return bool(raw) and json.loads(raw)["state"] == "awaiting_approval"
        wait_sync(held, timeout=40, interval=0.2,
                  what=f"publisher holds the proposal ({(tmp_path / 'publisher.out').read_text()[-1500:]})")

        log_in(page, admin)
        tab(page, "approvals")
        page.click(f"#queue li[data-id='{proposal.id}']")
        page.wait_for_selector("#detail-state:has-text('awaiting_approval')")
        page.click("#btn-approve")
        page.wait_for_selector("#detail-state:has-text('published')", timeout=30_000)
    rec = json.loads(sredis.get(names.PROPOSAL + proposal.id) or b"{}")
    assert rec["state"] == "published" and rec["hash"]
    assert any(t["stage"] == "approve" and t["actor"].startswith("operator@") for t in rec["trace"])
    assert sredis.zcard(names.APPROVAL_QUEUE) == 0


def test_rollback_through_the_double_confirmation(page: Any, admin: str, redis_url: str,
                                                  sredis: sync_redis.Redis) -> None:
    run(_with_redis(redis_url, seed_world))
    with httpx.Client(base_url=admin, headers=auth()) as api:
        job = api.post("/api/snapshots", json={"label": "clean"}).json()
        done = wait_sync(lambda: (j := api.get(f"/api/jobs/{job['id']}").json())["state"] != "running" and j,
                         what="snapshot job")
        snap = done["result"]["snapshot"]["id"]
    sredis.set(names.WORLD_ROOM + "r_0_0", json.dumps({"id": "r_0_0", "name": "Vandalised", "x": 0, "y": 0}))
    sredis.srem(names.WORLD_PLAYERS_ONLINE, "alice")

    log_in(page, admin)
    tab(page, "snapshots")
    page.click(f"tr[data-id='{snap}'] button.rollback")
    page.wait_for_selector("#confirm-box:not([hidden])")
    assert page.text_content("#confirm-snap") == snap
    assert 0 < int(page.text_content("#confirm-left") or "0") <= 60
    page.click("#btn-confirm")
    page.wait_for_selector("#job-stage:has-text('done')")
    assert page.eval_on_selector("#job-progress", "p => p.value") == 1
    room = json.loads(sredis.get(names.WORLD_ROOM + "r_0_0") or b"{}")
    assert room["name"] == "R 0 0"
    assert sredis.sismember(names.WORLD_PLAYERS_ONLINE, "alice")


def test_invalid_guardrail_shows_the_error_inline(page: Any, admin: str, data_dir_of: Path) -> None:
    log_in(page, admin)
    tab(page, "guardrails")
    page.wait_for_function("document.getElementById('g-editor').value.includes('max_credit_drop')")
    text = page.input_value("#g-editor")
    data = json.loads(text)
    data["economy"]["max_credit_drop"] = -5
    page.fill("#g-editor", json.dumps(data, indent=2))
    page.click("#btn-gsave")
    page.wait_for_selector("#g-errors li:has-text('economy.max_credit_drop')")
    assert "greater than or equal to 0" in (page.text_content("#g-errors") or "")
    assert page.eval_on_selector("#g-editor", "e => e.classList.contains('invalid')")
    # The editor selects the key the error names.
    assert page.eval_on_selector("#g-editor", "e => e.value.slice(e.selectionStart, e.selectionEnd)") == \
        '"max_credit_drop"'
    assert not (data_dir_of / "guardrails.json").exists()
    data["economy"]["max_credit_drop"] = 250
    page.fill("#g-editor", json.dumps(data, indent=2))
    page.click("#btn-gsave")
    page.wait_for_selector("#g-ok:has-text('Saved')")
    assert json.loads((data_dir_of / "guardrails.json").read_text())["economy"]["max_credit_drop"] == 250


def test_viewer_sees_but_cannot_write(page: Any, admin: str) -> None:
    log_in(page, admin, VIEWER)
    assert page.text_content("#role") == "viewer"
    assert page.is_disabled("#btn-stop") and page.is_disabled("#btn-go") and page.is_disabled("#btn-snapshot")
    page.reload()  # the token survives a reload (sessionStorage), not a new tab
    page.wait_for_selector("#app:not([hidden])")
    page.click("#logout")
    page.wait_for_selector("#login:not([hidden])")


def test_screenshot_every_tab(page: Any, admin: str, redis_url: str, sredis: sync_redis.Redis) -> None:
    async def populate(r: Redis) -> None:
        await seed_world(r, 12)
        for i, (t, s) in enumerate([("NPC", "awaiting_approval"), ("ITEM", "awaiting_approval"),
                                    ("QUEST", "published")]):
            await put_proposal(r, f"p-demo-{i}", type=t, state=s, district="docks")
        for i, (kind, msg) in enumerate([("decision", "power_vacuum: requested NPC"),
                                         ("no_action", "economy_sink: not acting (cooldown 40s)"),
                                         ("verdict", "p-demo-0 balance ok")]):
            entry = LogEntry(at=time.time(), service="director" if i < 2 else "publisher", instance="x",
                             kind=LogKind(kind), message=msg, proposal_id="p-demo-0" if i == 2 else None)
            await r.xadd(names.LOG_DIRECTOR if i < 2 else names.LOG_PROPOSALS,
                         {b"d": msgspec.json.encode(entry)})
    run(_with_redis(redis_url, populate))
    with httpx.Client(base_url=admin, headers=auth()) as api:
        job = api.post("/api/snapshots", json={"label": "demo"}).json()
        wait_sync(lambda: api.get(f"/api/jobs/{job['id']}").json()["state"] == "done", what="snapshot")
    log_in(page, admin)
    shots = {}
    for name, ready in [("controls", "#dead-letters li"), ("log", "#timeline li"), ("approvals", "#queue li"),
                        ("snapshots", "#snapshots tr[data-id]"), ("guardrails", "#g-source:has-text('from')"),
                        ("world", "#overview dt")]:
        tab(page, name)
        page.wait_for_selector(ready)
        if name == "log":
            page.click("#timeline li:has-text('balance ok')")
            page.wait_for_selector("#why ol li")
        if name == "approvals":
            page.click("#queue li[data-id='p-demo-0']")
            page.wait_for_selector("#proposal-detail table.diff")
        path = Path(f"/tmp/ouro-admin-{name}.png")
        page.screenshot(path=str(path), full_page=False)
        shots[name] = path
        if name == "snapshots":  # the second confirmation, as the operator sees it
            page.click("#snapshots button.rollback")
            page.wait_for_selector("#confirm-box:not([hidden])")
            page.screenshot(path="/tmp/ouro-admin-snapshots-confirm.png")
            page.click("#btn-cancel")
        if name == "guardrails":  # an invalid value, the error next to the editor
            page.fill("#g-editor", page.input_value("#g-editor").replace('"max_credit_drop": 500', '"max_credit_drop": -1'))
            page.click("#btn-gsave")
            page.wait_for_selector("#g-errors li")
            page.screenshot(path="/tmp/ouro-admin-guardrails-error.png")
    assert all(p.stat().st_size > 5_000 for p in shots.values())
    # The map drew something: the canvas is not blank.
    assert page.evaluate("""() => { const c = document.getElementById('map');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }""") > 10_000


def test_world_tab_shows_the_grown_city_by_chunk(page: Any, admin: str, redis_url: str) -> None:
    from tests.admin.factories import seed_grown_city

    run(_with_redis(redis_url, seed_grown_city))
    log_in(page, admin)
    tab(page, "world")
    page.wait_for_selector("#chunk-info:has-text('7 chunks · 28 rooms · showing every room')")
    page.wait_for_selector("#map[data-around='all']")
    page.wait_for_selector("#overview dd:has-text('28')")
    painted = """(id) => { const c = document.getElementById(id);
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let n = 0; for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++; return n; }"""
    assert page.evaluate(painted, "chunkmap") > 5_000
    # Click the far chunk (3, 3): the room map shows the streets around it, outlined on the overview.
    spot = page.eval_on_selector("#chunkmap", """c => { const r = c.getBoundingClientRect();
        const k = c._cells.find(x => x.key === '3,3');
        return {x: r.left + (k.x + k.size / 2) * r.width / c.width, y: r.top + (k.y + k.size / 2) * r.height / c.height}; }""")
    page.mouse.click(spot["x"], spot["y"])
    page.wait_for_selector("#map[data-around='3,3']")
    page.wait_for_selector("#chunk-info:has-text('showing the chunks around 3,3')")
    assert page.evaluate(painted, "map") > 500
    page.screenshot(path="/tmp/ouro-admin-world-chunks.png")
    page.click("#btn-view-all")
    page.wait_for_selector("#map[data-around='all']")


@pytest.fixture
def data_dir_of(service_env: dict[str, str]) -> Path:
    return Path(service_env["OURO_DATA_DIR"])
