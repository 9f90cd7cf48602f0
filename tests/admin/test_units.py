"""The pure parts: failure window, confirmation tokens, the proposal diff, the feed cursor."""

from __future__ import annotations

import pytest

from ouro_admin import feed, proposals
from ouro_admin.auth import Authenticator, AuthFailure, FailureLimiter, Role
from ouro_admin.confirm import Confirmations
from ouro_admin.tokens import Tokens
from ouro_schemas import names


def test_failure_window_slides() -> None:
    now = [0.0]
    limiter = FailureLimiter(3, 60.0, clock=lambda: now[0])
    auth = Authenticator(Tokens(operator="o" * 20, viewer="v" * 20), limiter)
    for _ in range(3):
        with pytest.raises(AuthFailure) as exc:
            auth.check("Bearer wrong-wrong-wrong-wrong", "1.2.3.4")
        assert exc.value.status == 403
    with pytest.raises(AuthFailure) as exc:
        auth.check("Bearer " + "o" * 20, "1.2.3.4")
    assert exc.value.status == 429 and exc.value.retry_after == 61
    now[0] = 61.0  # the window has passed: the right token works again
    assert auth.check("Bearer " + "o" * 20, "1.2.3.4").role is Role.OPERATOR
    assert auth.check("bearer " + "v" * 20, "1.2.3.4").role is Role.VIEWER


def test_limiter_memory_is_bounded() -> None:
    limiter = FailureLimiter(1, 60.0, max_clients=10)
    for i in range(100):
        limiter.fail(f"10.0.0.{i}")
    assert len(limiter._fails) == 10


def test_confirmations_single_use_and_bound_to_target() -> None:
    now = [0.0]
    c = Confirmations(60.0, clock=lambda: now[0])
    token, pending = c.issue("rollback", "snap-a")
    assert pending.target == "snap-a"
    assert c.redeem(token, "rollback", "snap-a") is True
    assert c.redeem(token, "rollback", "snap-a") is False
    token, _ = c.issue("rollback", "snap-a")
    now[0] = 60.0
    assert c.redeem(token, "rollback", "snap-a") is False


def test_diff_paths() -> None:
    before = {"payload": {"a": 1, "list": [1, 2], "gone": True, "same": {"x": 1}}, "flavor": {"name": "A"}}
    after = {"payload": {"a": 2, "list": [1, 3], "same": {"x": 1}, "new": "y"}, "flavor": {"name": "A"}}
    assert proposals.diff(before, after) == [
        {"path": "payload.a", "op": "changed", "before": 1, "after": 2},
        {"path": "payload.list[1]", "op": "changed", "before": 2, "after": 3},
        {"path": "payload.gone", "op": "removed", "before": True, "after": None},
        {"path": "payload.new", "op": "added", "before": None, "after": "y"},
    ]
    assert proposals.diff({"n": 1}, {"n": 1.0}) == [{"path": "n", "op": "changed", "before": 1, "after": 1.0}]


def test_cursor_round_trip_and_refusals() -> None:
    streams = (names.LOG_DIRECTOR, names.LOG_ENGINE)
    cursor = feed.parse_cursor("log.director=1-0,log.engine=2-5,log.admin=3-0", streams)
    assert cursor == {"log.director": "1-0", "log.engine": "2-5"}  # streams not followed are dropped
    assert feed.parse_cursor(feed.format_cursor(cursor), streams) == cursor
    for bad in ("gen.jobs=1-0", "log.director=abc", "log.director", "log.director=1-0;DROP"):
        with pytest.raises(feed.BadCursor):
            feed.parse_cursor(bad, streams)
