"""Loop-stall recorder for one service of a bench stack (diagnosis only: it perturbs what it measures).

    BENCH_STALL_OUT=/tmp/stalls.jsonl PYTHONPATH=bench/stallwatch  (bench_go.py --stalls sets these)

Python imports `sitecustomize` at start-up; in the process whose OURO_INSTANCE is BENCH_STALL_INSTANCE
(default: engine) this one times every pass of the asyncio loop (`_run_once`, minus the time in the
selector's `select`) and every callback in it (`Handle._run`). A pass busy longer than BENCH_STALL_MS
(default 15) is written as one JSON line: when, how long (wall, and the loop thread's CPU time: much
less CPU than wall = the process waited for a core), its slowest callbacks (the task's coroutine or
the callback's name) with what a sampling thread saw the loop thread run meanwhile (the innermost frames
seen most), and the garbage collections inside it.
"""

from __future__ import annotations

import os

if os.environ.get("BENCH_STALL_OUT") and os.environ.get("OURO_INSTANCE") == os.environ.get(
        "BENCH_STALL_INSTANCE", "engine"):
    import asyncio
    import asyncio.base_events
    import asyncio.events
    import collections
    import gc
    import json
    import selectors
    import sys
    import threading
    import time
    import traceback
    from typing import Any

    _OUT = open(os.environ["BENCH_STALL_OUT"], "a", buffering=1)
    _LIMIT = float(os.environ.get("BENCH_STALL_MS", "15")) / 1000
    _perf = time.perf_counter
    _cpu = time.thread_time
    _main = threading.get_ident()
    _state: dict[str, Any] = {"cb_start": 0.0, "select": 0.0, "gc": [], "gc_start": 0.0}
    _pass_cbs: list[tuple[float, str, list[tuple[str, int]]]] = []
    _seen: collections.Counter[str] = collections.Counter()

    def _name(handle: Any) -> str:
        cb = handle._callback
        owner = getattr(cb, "__self__", None)
        if isinstance(owner, asyncio.Task):
            coro = owner.get_coro()
            return f"task {getattr(coro, '__qualname__', coro)}"
        if owner is not None:
            return f"{type(owner).__name__}.{getattr(cb, '__name__', cb)}"
        return str(getattr(cb, "__qualname__", cb))

    _orig_run = asyncio.events.Handle._run

    def _run(self: Any) -> None:
        _seen.clear()
        t0 = _state["cb_start"] = _perf()
        try:
            _orig_run(self)
        finally:
            _state["cb_start"] = 0.0
            took = _perf() - t0
            if took > _LIMIT / 3:
                _pass_cbs.append((took, _name(self), _seen.most_common(3)))

    asyncio.events.Handle._run = _run  # type: ignore[method-assign]

    _orig_select = selectors.EpollSelector.select

    def _select(self: Any, timeout: float | None = None) -> Any:
        t0 = _perf()
        try:
            return _orig_select(self, timeout)
        finally:
            _state["select"] += _perf() - t0

    selectors.EpollSelector.select = _select  # type: ignore[method-assign]

    _orig_once = asyncio.base_events.BaseEventLoop._run_once

    def _run_once(self: Any) -> None:
        _state["select"] = 0.0
        _state["gc"] = []
        _pass_cbs.clear()
        t0, c0 = _perf(), _cpu()
        _orig_once(self)
        busy = _perf() - t0 - _state["select"]
        if busy > _LIMIT:
            cpu = _cpu() - c0  # (includes the select's own CPU, ~0): cpu << busy = waiting for a core
            cbs = sorted(_pass_cbs, key=lambda c: -c[0])[:4]
            _OUT.write(json.dumps({
                "at": time.time(), "busy_ms": round(busy * 1000, 1), "cpu_ms": round(cpu * 1000, 1),
                "ready": len(self._ready),
                "callbacks": [{"ms": round(t * 1000, 1), "what": n, "seen": s} for t, n, s in cbs],
                "gc_ms": [round(g * 1000, 1) for g in _state["gc"]]}) + "\n")

    asyncio.base_events.BaseEventLoop._run_once = _run_once  # type: ignore[method-assign]

    def _gc(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            _state["gc_start"] = _perf()
        else:
            _state["gc"].append(_perf() - _state["gc_start"])

    gc.callbacks.append(_gc)

    def _sampler() -> None:
        """While a callback runs longer than a third of the limit, note the loop thread's innermost frames."""
        while True:
            time.sleep(0.004)
            started = _state["cb_start"]
            if started and _perf() - started > _LIMIT / 3:
                frame = sys._current_frames().get(_main)
                if frame is not None:
                    stack = traceback.extract_stack(frame)[-5:]
                    _seen[" < ".join(f"{os.path.basename(f.filename)}:{f.lineno} {f.name}"
                                     for f in reversed(stack))] += 1

    threading.Thread(target=_sampler, daemon=True, name="stall-sampler").start()
