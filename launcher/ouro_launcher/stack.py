"""`up` and `down`: the whole stack from compose.yaml as local processes.

`up`, in order:
1. refuse if a stack recorded in data/run/stack.json is still alive;
2. read compose.yaml and plan the processes (plan.py); fail before starting anything if a port is taken;
3. start Redis — the embedded server (AOF everysec, files in data/redis) unless REDIS_URL is set;
4. start the services wave by wave (depends_on), waiting for every instance's /healthz to answer 200;
5. print where everything listens, then supervise (watch.py): restart what dies as its compose
   `restart:` policy says, with backoff; stop everything on ^C / SIGTERM, or on a death no policy restarts.
   With --detach all of this runs in a background process of its own (daemon.py), and `up` returns
   once the stack is healthy;
6. stop: services in reverse waves (SIGTERM, deadline, SIGKILL), Redis last, state file removed.
The state file is rewritten after every start and restart, so `down` can clean up even after a failed `up`.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import TextIO

from ouro_launcher import daemon, state, supervisor
from ouro_launcher.compose import ComposeError, load_compose
from ouro_launcher.health import ExitedEarly, NotHealthy, Target, wait_healthy
from ouro_launcher.plan import LOOPBACK, PlanOptions, StackPlan, plan_stack
from ouro_launcher.watch import Died, Watch
from ouro_runtime.redis_server import RedisServer, RedisServerError, free_port, port_is_free

DEFAULT_REDIS_PORT = 6379
LAUNCHER_LOG = "launcher.log"  # a detached launcher's own output (restarts, stop)


class LaunchError(RuntimeError):
    """`up` cannot go on; the message says why and what to do."""


class Interrupted(BaseException):  # BaseException: no `except Exception` on the way may swallow it
    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)


@dataclass(frozen=True)
class UpOptions:
    compose_file: Path
    data_dir: Path
    port_offset: int = 0
    bind_host: str = LOOPBACK
    detach: bool = False
    timeout: float = 90.0  # per wave, for /healthz


def up(opts: UpOptions, env: Mapping[str, str], out: TextIO = sys.stdout) -> int:
    """Start the stack. Returns the exit status: 0 on a clean stop or a detached start, 1 on failure."""
    if opts.detach:
        return daemon.run_detached(
            lambda sink, ready: _up(opts, env, sink, ready), opts.data_dir / "logs" / LAUNCHER_LOG, out
        )
    return _up(opts, env, out, None)


def _up(opts: UpOptions, env: Mapping[str, str], out: TextIO, ready: daemon.Ready | None) -> int:
    run = _Launch(opts, env, out, ready)
    # SIGHUP too: a closed terminal must not orphan the services (they run in their own sessions).
    handled = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    previous = {sig: signal.signal(sig, _raise_interrupted) for sig in handled}
    try:
        return run.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


class _Launch:
    def __init__(self, opts: UpOptions, env: Mapping[str, str], out: TextIO, ready: daemon.Ready | None) -> None:
        self.opts = opts
        self.env = env
        self.out = out
        self.ready = ready  # detached: tells the waiting `up` that the stack is up
        self.plan: StackPlan | None = None
        self.base_env: dict[str, str] = {}
        self.state_file = state.state_path(opts.data_dir)
        self.log_dir = opts.data_dir / "logs"
        self.running: list[supervisor.Running] = []
        self.redis: RedisServer | None = None
        self.record: state.StackState | None = None

    def run(self) -> int:
        try:
            plan, redis_url = self._prepare()
            self._start(plan, redis_url)
            _print_summary(self.out, plan, redis_url, self.redis is not None, self.opts.data_dir)
            if self.ready is not None:
                assert self.record is not None
                self.record.detached = True
                state.save(self.state_file, self.record)
                self.out.write(
                    f"Detached: launcher pid {os.getpid()} supervises in the background "
                    f"(its log: {self.log_dir / LAUNCHER_LOG}). Stop with: ./ourobouro down\n"
                )
                self.out.flush()
                self.ready()
            else:
                self.out.write("Stop with Ctrl-C (or ./ourobouro down from another shell).\n")
                self.out.flush()
            self._supervise()
        except Interrupted as sig:
            self.out.write(f"\n{sig}: stopping the stack\n")
            self._stop()
            return 0
        except (ExitedEarly, NotHealthy, Died) as exc:
            self._report(exc.name, str(exc))
            self._stop()
            return 1
        except (LaunchError, ComposeError, RedisServerError, OSError) as exc:
            self.out.write(f"ourobouro up: {exc}\n")
            self._stop()
            return 1
        return 1  # unreachable: _supervise only leaves by an exception

    def _prepare(self) -> tuple[StackPlan, str]:
        existing = state.load(self.state_file)
        if existing is not None:
            if _stack_alive(existing):
                raise LaunchError(
                    f"a stack is already running from {self.state_file}; run ./ourobouro down first"
                )
            self.state_file.unlink(missing_ok=True)  # stale: its processes are gone
        services = load_compose(self.opts.compose_file, self.env)
        external = self.env.get("REDIS_URL")
        if external:
            redis_url = external
        else:
            port = DEFAULT_REDIS_PORT + self.opts.port_offset
            if not (0 < port < 65536 and port_is_free(port)):
                port = free_port()
            self.redis = RedisServer(
                self.opts.data_dir / "redis", port=port, log_file=self.log_dir / "redis.log", detach=True
            )
            redis_url = self.redis.url
        plan = plan_stack(
            services,
            PlanOptions(
                project_dir=self.opts.compose_file.parent.resolve(),
                data_dir=self.opts.data_dir,
                redis_url=redis_url,
                python=sys.executable,
                port_offset=self.opts.port_offset,
                bind_host=self.opts.bind_host,
            ),
        )
        _check_ports_free(plan, self.opts.bind_host)
        return plan, redis_url

    def _start(self, plan: StackPlan, redis_url: str) -> None:
        self.record = state.StackState(
            compose_file=str(self.opts.compose_file),
            data_dir=str(self.opts.data_dir),
            redis_url=redis_url,
            launcher_pid=os.getpid(),
            launcher_started=state.start_time(os.getpid()),
        )
        if self.redis is not None:
            self.redis.start()
            pid = self.redis.pid
            assert pid is not None
            self.record.redis = state.ProcState(
                "redis", "redis", pid, state.start_time(pid), str(self.redis.log_file), port=self.redis.port
            )
        elif not _reachable(redis_url):
            raise LaunchError(f"REDIS_URL does not answer PING: {_redact(redis_url)}")
        state.save(self.state_file, self.record)
        self.plan = plan
        self.base_env = base_env = {k: v for k, v in self.env.items() if k != "REDIS_URL"}
        for wave_no, wave in enumerate(plan.waves):
            started = [
                supervisor.start(spec, self.log_dir, base_env, wave=wave_no)
                for name in wave
                for spec in plan.instances(name)
            ]
            self.running.extend(started)
            self.record.procs = [r.to_state() for r in self.running]
            state.save(self.state_file, self.record)
            wait_healthy(
                [Target(r.spec.instance, r.spec.health_url, r.proc.poll) for r in started], self.opts.timeout
            )

    def _supervise(self) -> None:
        assert self.plan is not None and self.record is not None
        Watch(self.running, self.redis, self.plan.redis_restart, self.record, self.state_file, self.log_dir,
              self.base_env, self.out).run()

    def _report(self, instance: str, message: str) -> None:
        self.out.write(f"ourobouro up: {message}\n")
        for r in self.running:
            if r.spec.instance == instance:
                self.out.write(f"--- last lines of {r.log}:\n{supervisor.tail(r.log)}\n---\n")

    def _stop(self) -> None:
        # Ignore further ^C while stopping: a half-stopped stack is worse than a slow stop.
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)
        waves: dict[int, list[tuple[int, int | None]]] = {}
        for r in self.running:
            waves.setdefault(r.wave, []).append((r.proc.pid, state.start_time(r.proc.pid)))
        killed = supervisor.stop_in_waves([waves[k] for k in sorted(waves)])
        for r in self.running:
            r.proc.poll()
        if self.redis is not None:
            self.redis.stop()
        if self.record is not None:  # ours; a refused `up` must not forget the stack already running
            self.state_file.unlink(missing_ok=True)
        note = f" ({len(killed)} needed SIGKILL)" if killed else ""
        self.out.write(f"stopped {len(self.running)} service process(es){note} and Redis\n")


def down(data_dir: Path, out: TextIO = sys.stdout, timeout: float = 60.0) -> int:
    """Stop the stack recorded under `data_dir`: ask its launcher, else stop the processes directly."""
    path = state.state_path(data_dir)
    record = state.load(path)
    if record is None:
        out.write("ourobouro: no stack is running (no data/run/stack.json)\n")
        return 0
    if state.alive(record.launcher_pid, record.launcher_started):
        assert record.launcher_pid is not None
        os.kill(record.launcher_pid, signal.SIGTERM)  # it stops everything in order, then exits
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and state.alive(record.launcher_pid, record.launcher_started):
            time.sleep(0.1)
    waves: dict[int, list[tuple[int, int | None]]] = {}
    for proc in record.procs:
        waves.setdefault(proc.wave, []).append((proc.pid, proc.started))
    stopped = sum(state.alive(p.pid, p.started) for p in record.procs)
    killed = supervisor.stop_in_waves([waves[k] for k in sorted(waves)])
    if record.redis is not None:
        killed += supervisor.stop_pids([(record.redis.pid, record.redis.started)])
    path.unlink(missing_ok=True)
    note = f"; {len(killed)} needed SIGKILL" if killed else ""
    out.write(f"ourobouro: stack stopped ({stopped} service process(es) were still running{note})\n")
    return 0


def _stack_alive(record: state.StackState) -> bool:
    procs = [*record.procs, *([record.redis] if record.redis else [])]
    return state.alive(record.launcher_pid, record.launcher_started) or any(
        state.alive(p.pid, p.started) for p in procs
    )


def _check_ports_free(plan: StackPlan, bind_host: str) -> None:
    for spec in plan.specs:
        for key, port in spec.ports:
            if not port_is_free(port, bind_host):
                raise LaunchError(
                    f"port {port} ({spec.instance} {key}) is already in use; stop what holds it, "
                    "or shift every port with --port-offset N"
                )


def _reachable(redis_url: str) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(redis_url, socket_connect_timeout=3, socket_timeout=3)
        try:
            return bool(client.ping())
        finally:
            client.close()
    except (redis.RedisError, OSError, ValueError):
        return False


def _redact(url: str) -> str:
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        rest = "***@" + rest.split("@", 1)[1]
    return f"{scheme}{sep}{rest}"


def _print_summary(out: TextIO, plan: StackPlan, redis_url: str, embedded: bool, data_dir: Path) -> None:
    specs = plan.in_start_order()
    kind = "embedded, AOF everysec, files in " + str(data_dir / "redis") if embedded else "external"
    out.write(f"\nOurobouro is up.  Redis: {_redact(redis_url)} ({kind})\n")
    for spec in specs:
        for ep in spec.endpoints:
            out.write(f"  {ep.label:<10} {ep.url:<34} ({spec.instance})\n")
    out.write("  metrics:\n")
    for spec in specs:
        if spec.metrics_url:
            out.write(f"    {spec.instance:<14} {spec.metrics_url}\n")
    out.write(f"  logs:      {data_dir / 'logs'}/<instance>.log   (./ourobouro logs -f)\n")
    out.flush()
