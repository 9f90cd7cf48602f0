"""Service definitions -> the local processes to run, in start order.

Why it exists: the same compose.yaml must run as containers and as plain processes. This is the
translation, kept pure so every rule is unit-tested:

1. Services with `build` become processes; an image-only `redis` service becomes the embedded (or
   external) Redis; any other image-only service is refused.
2. `python` in a command is this interpreter (the workspace venv).
3. Environment: REDIS_URL points at the Redis in use; URLs naming a compose service (`redis://redis:6379`)
   are pointed at loopback; bind-mount targets (`/app/data`) become host paths (`./data` is the
   launcher's data dir); `0.0.0.0` hosts become the bind host (loopback unless asked otherwise).
4. Ports: every `OURO_*_PORT` is shifted by the port offset; replica i (1-based) shifts by i-1 more and is
   named `<service>-<i>` (OURO_INSTANCE).
5. Start order: waves of services whose dependencies are all up, from depends_on.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from ouro_launcher.compose import ComposeError, ServiceDef
from ouro_launcher.restarts import NO_RESTART, RestartPolicy

PORT_KEY = re.compile(r"^OURO_[A-Z0-9_]*PORT$")
_URL_HOST = re.compile(
    r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<user>[^@/\s]*@)?(?P<host>[A-Za-z0-9_.-]+)(?::(?P<port>\d+))?"
)
_HEALTH_URL = re.compile(r"https?://[^/\s'\"]+(?P<path>/[^\s'\"]*)?")
ANY_HOST = "0.0.0.0"
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True)
class PlanOptions:
    project_dir: Path  # the compose file's folder: relative bind mounts and process cwd
    data_dir: Path  # where ./data goes (OURO_DATA_DIR)
    redis_url: str  # the Redis every service uses
    python: str  # interpreter replacing `python` in commands
    port_offset: int = 0
    bind_host: str = LOOPBACK


@dataclass(frozen=True)
class Endpoint:
    label: str  # telnet, play, http
    url: str


@dataclass(frozen=True)
class ProcessSpec:
    service: str
    instance: str
    replica: int  # 1-based
    argv: tuple[str, ...]
    env: Mapping[str, str]  # applied over the launcher's own environment
    cwd: Path
    http_port: int | None
    health_url: str | None  # None: "started" counts as ready
    metrics_url: str | None
    endpoints: tuple[Endpoint, ...] = ()
    ports: tuple[tuple[str, int], ...] = field(default=())  # (env key, port) this instance binds
    restart: RestartPolicy = NO_RESTART


@dataclass(frozen=True)
class StackPlan:
    redis_service: str | None  # the compose service replaced by the launcher's Redis
    specs: tuple[ProcessSpec, ...]
    waves: tuple[tuple[str, ...], ...]  # service names, in start order
    redis_restart: RestartPolicy = NO_RESTART  # the replaced Redis service's policy (embedded server)

    def instances(self, service: str) -> tuple[ProcessSpec, ...]:
        return tuple(s for s in self.specs if s.service == service)

    def in_start_order(self) -> tuple[ProcessSpec, ...]:
        return tuple(spec for wave in self.waves for name in wave for spec in self.instances(name))


def is_redis_image(image: str | None) -> bool:
    """`redis`, `redis:7`, `docker.io/library/redis:7-alpine` ..."""
    if not image:
        return False
    return image.rsplit("/", 1)[-1].split(":")[0].split("@")[0] == "redis"


def plan_stack(services: Mapping[str, ServiceDef], opts: PlanOptions) -> StackPlan:
    """The processes for `services`, in start order.

    Raises ComposeError for an image-only service other than Redis, a service without a command,
    a dependency cycle, or two instances wanting the same port.
    """
    redis_service = None
    redis_restart = NO_RESTART
    runnable: dict[str, ServiceDef] = {}
    for svc in services.values():
        if svc.build:
            runnable[svc.name] = svc
        elif is_redis_image(svc.image):
            redis_service, redis_restart = svc.name, svc.restart
        else:
            raise ComposeError(f"services.{svc.name}: image {svc.image!r} cannot run as a local process")
    specs = tuple(
        spec for svc in runnable.values() for spec in _instances(svc, services, redis_service, opts)
    )
    _check_port_clashes(specs)
    return StackPlan(
        redis_service=redis_service, specs=specs, waves=startup_waves(runnable), redis_restart=redis_restart
    )


def startup_waves(services: Mapping[str, ServiceDef]) -> tuple[tuple[str, ...], ...]:
    """Group services into waves: each wave depends only on earlier ones (dependencies outside
    `services`, like Redis, are already up). Order inside a wave follows the file.

    Raises ComposeError on a dependency cycle.
    """
    remaining = dict(services)
    done: set[str] = set()
    waves: list[tuple[str, ...]] = []
    while remaining:
        wave = tuple(
            name
            for name, svc in remaining.items()
            if all(dep in done or dep not in services for dep in svc.depends_on)
        )
        if not wave:
            raise ComposeError(f"depends_on cycle among: {', '.join(sorted(remaining))}")
        waves.append(wave)
        done.update(wave)
        for name in wave:
            del remaining[name]
    return tuple(waves)


def _instances(
    svc: ServiceDef, services: Mapping[str, ServiceDef], redis_service: str | None, opts: PlanOptions
) -> list[ProcessSpec]:
    if not svc.command:
        raise ComposeError(f"services.{svc.name}.command: required to run it as a local process")
    argv = tuple(
        opts.python if i == 0 and arg in ("python", "python3") else arg for i, arg in enumerate(svc.command)
    )
    base = _local_env(svc, services, redis_service, opts)
    health_path, health_port = _health_path_and_port(svc.healthcheck)
    published = {p.target for p in svc.ports}
    specs = []
    for replica in range(1, svc.replicas + 1):
        env = dict(base)
        shift = opts.port_offset + replica - 1
        ports = []
        for key, value in svc.environment.items():
            if PORT_KEY.match(key) and value.isdigit():
                env[key] = str(int(value) + shift)
                ports.append((key, int(env[key])))
        if svc.replicas > 1 or "OURO_INSTANCE" not in env:
            env["OURO_INSTANCE"] = svc.name if svc.replicas == 1 else f"{svc.name}-{replica}"
        probe_host = _probe_host(env.get("OURO_HTTP_HOST", LOOPBACK))
        http_port = int(env["OURO_HTTP_PORT"]) if env.get("OURO_HTTP_PORT", "").isdigit() else None
        if http_port is None and health_port is not None:
            http_port = health_port + shift
        base_url = f"http://{probe_host}:{http_port}" if http_port is not None else None
        endpoints = tuple(
            _endpoint(svc, key, port, probe_host)
            for key, port in ports
            if int(svc.environment[key]) in published
        )
        specs.append(
            ProcessSpec(
                service=svc.name,
                instance=env["OURO_INSTANCE"],
                replica=replica,
                argv=argv,
                env=env,
                cwd=opts.project_dir,
                http_port=http_port,
                health_url=f"{base_url}{health_path}" if base_url else None,
                metrics_url=f"{base_url}/metrics" if base_url else None,
                endpoints=endpoints,
                ports=tuple(ports),
                restart=svc.restart,
            )
        )
    return specs


def _local_env(
    svc: ServiceDef, services: Mapping[str, ServiceDef], redis_service: str | None, opts: PlanOptions
) -> dict[str, str]:
    mounts = [(m.target.rstrip("/"), _host_path(m.source, opts)) for m in svc.volumes]
    env = {}
    for key, value in svc.environment.items():
        value = _rewrite_service_urls(value, services, redis_service, opts)
        value = _rewrite_mounts(value, mounts)
        if key.endswith("_HOST") and value == ANY_HOST:
            value = opts.bind_host
        env[key] = value
    env["REDIS_URL"] = opts.redis_url
    env.setdefault("OURO_DATA_DIR", str(opts.data_dir))
    return env


def _host_path(source: str, opts: PlanOptions) -> str:
    if source.rstrip("/") in ("./data", "data"):
        return str(opts.data_dir)
    path = Path(source).expanduser()
    return str(path if path.is_absolute() else (opts.project_dir / path).resolve())


def _rewrite_mounts(value: str, mounts: list[tuple[str, str]]) -> str:
    for target, host in mounts:
        if value == target or value.startswith(target + "/"):
            return host + value[len(target) :]
    return value


def _rewrite_service_urls(
    value: str, services: Mapping[str, ServiceDef], redis_service: str | None, opts: PlanOptions
) -> str:
    def local(match: re.Match[str]) -> str:
        host, port = match.group("host"), match.group("port")
        if host not in services:
            return match.group(0)
        if host == redis_service:
            # The launcher's Redis: keep only its address (the database number follows in the path).
            return _redis_netloc(opts.redis_url, match.group("scheme"))
        shifted = f":{int(port) + opts.port_offset}" if port else ""
        return f"{match.group('scheme')}{match.group('user') or ''}{LOOPBACK}{shifted}"

    return _URL_HOST.sub(local, value)


def _redis_netloc(redis_url: str, scheme: str) -> str:
    match = _URL_HOST.match(redis_url)
    if match is None:
        raise ComposeError(f"REDIS_URL {redis_url!r} is not a URL")
    port = f":{match.group('port')}" if match.group("port") else ""
    return f"{scheme}{match.group('user') or ''}{match.group('host')}{port}"


def _health_path_and_port(test: tuple[str, ...]) -> tuple[str, int | None]:
    for part in test:
        match = _HEALTH_URL.search(part)
        if match:
            port_match = re.search(r"://[^/:]+:(\d+)", match.group(0))
            return match.group("path") or "/healthz", int(port_match.group(1)) if port_match else None
    return "/healthz", None


def _probe_host(host: str) -> str:
    return LOOPBACK if host in ("", ANY_HOST, "::", "localhost") else host


def _endpoint(svc: ServiceDef, key: str, port: int, host: str) -> Endpoint:
    label = key.removeprefix("OURO_").removesuffix("_PORT").lower()
    if label == "telnet":
        return Endpoint("telnet", f"telnet://{host}:{port}")
    return Endpoint(svc.name if label == "http" else label, f"http://{host}:{port}/")


def _check_port_clashes(specs: tuple[ProcessSpec, ...]) -> None:
    owners: dict[int, str] = {}
    for spec in specs:
        for key, port in spec.ports:
            if port in owners:
                raise ComposeError(f"port {port}: wanted by {owners[port]} and {spec.instance} ({key})")
            owners[port] = f"{spec.instance} ({key})"
