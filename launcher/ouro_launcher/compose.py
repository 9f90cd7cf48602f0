"""compose.yaml -> typed service definitions.

Why it exists: compose.yaml is the one description of the stack (DESIGN §10). Docker reads it in
containers; this module reads the same keys so the launcher runs the same stack as local processes.
Only the subset Ourobouro uses is understood — command, environment, ports, volumes, healthcheck,
depends_on, deploy.replicas, restart, image/build — and anything malformed fails loudly with the key's path.

Everything here is pure: YAML text and an environment mapping in, frozen dataclasses out.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ouro_launcher.restarts import NO_RESTART, PolicyError, RestartPolicy, parse_policy


class ComposeError(ValueError):
    """compose.yaml is unreadable, malformed, or asks for something the launcher cannot run."""


@dataclass(frozen=True)
class PortMapping:
    published: int  # on the host
    target: int  # inside the container


@dataclass(frozen=True)
class BindMount:
    source: str  # host path as written (relative to the compose file's folder)
    target: str  # path inside the container


@dataclass(frozen=True)
class ServiceDef:
    name: str
    image: str | None
    build: bool
    command: tuple[str, ...]
    environment: Mapping[str, str]
    ports: tuple[PortMapping, ...]
    volumes: tuple[BindMount, ...]
    depends_on: Mapping[str, str]  # service -> condition (service_started | service_healthy | ...)
    healthcheck: tuple[str, ...]  # the test command, empty when there is none
    replicas: int
    restart: RestartPolicy = NO_RESTART  # compose `restart:`; "no" when absent


# --- interpolation: ${VAR}, ${VAR:-default}, ${VAR-default}, ${VAR:?message}, $VAR, $$ ----------------

_VAR = re.compile(
    r"\$(?:(?P<escaped>\$)"
    r"|\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}"
    r"|(?P<named>[A-Za-z_][A-Za-z0-9_]*))"
)


def interpolate(value: str, env: Mapping[str, str], where: str = "") -> str:
    """Substitute variables the way `docker compose` does.

    Raises ComposeError for `${VAR:?message}` when VAR is unset or empty, or for a stray `$`.
    """

    def substitute(match: re.Match[str]) -> str:
        if match.group("escaped"):
            return "$"
        name = match.group("named") or match.group("braced")
        op, arg = match.group("op"), match.group("arg") or ""
        current = env.get(name)
        missing = current is None or (current == "" and op is not None and op.startswith(":"))
        if op in ("-", ":-"):
            return arg if missing else str(current)
        if op in ("?", ":?"):
            if missing:
                raise ComposeError(f"{where}: {name} is required: {arg or 'not set'}")
            return str(current)
        return current or ""

    result = _VAR.sub(substitute, value)
    if "$" in _VAR.sub("", value):
        raise ComposeError(f"{where}: invalid interpolation in {value!r}")
    return result


def interpolate_tree(node: Any, env: Mapping[str, str], where: str = "") -> Any:
    """Interpolate every string in a YAML tree (keys stay as written)."""
    if isinstance(node, str):
        return interpolate(node, env, where)
    if isinstance(node, dict):
        return {k: interpolate_tree(v, env, f"{where}.{k}" if where else str(k)) for k, v in node.items()}
    if isinstance(node, list):
        return [interpolate_tree(v, env, f"{where}[{i}]") for i, v in enumerate(node)]
    return node


def load_compose(path: Path, env: Mapping[str, str]) -> dict[str, ServiceDef]:
    """Read, interpolate and parse a compose file.

    Raises ComposeError naming the file on any problem.
    """
    try:
        doc = yaml.safe_load(path.read_text())
    except (OSError, yaml.YAMLError) as exc:
        raise ComposeError(f"{path}: {exc}") from exc
    try:
        return parse_services(interpolate_tree(doc, env))
    except ComposeError as exc:
        raise ComposeError(f"{path}: {exc}") from exc


# --- parsing --------------------------------------------------------------------------------------


def parse_services(doc: Any) -> dict[str, ServiceDef]:
    """Typed services of an (already interpolated) compose document.

    Raises ComposeError naming the key at fault.
    """
    if not isinstance(doc, dict) or not isinstance(doc.get("services"), dict):
        raise ComposeError("no 'services' mapping")
    services = {str(name): _parse_service(str(name), raw) for name, raw in doc["services"].items()}
    for svc in services.values():
        for dep in svc.depends_on:
            if dep not in services:
                raise ComposeError(f"services.{svc.name}.depends_on: unknown service {dep!r}")
    return services


def _parse_service(name: str, raw: Any) -> ServiceDef:
    where = f"services.{name}"
    if not isinstance(raw, dict):
        raise ComposeError(f"{where}: not a mapping")
    image = raw.get("image")
    if image is not None and not isinstance(image, str):
        raise ComposeError(f"{where}.image: not a string")
    replicas = (raw.get("deploy") or {}).get("replicas", 1)
    if not isinstance(replicas, int) or isinstance(replicas, bool) or replicas < 0:
        raise ComposeError(f"{where}.deploy.replicas: expected a whole number >= 0, got {replicas!r}")
    health = raw.get("healthcheck") or {}
    try:
        restart = parse_policy(raw.get("restart"), f"{where}.restart")
    except PolicyError as exc:
        raise ComposeError(str(exc)) from exc
    return ServiceDef(
        name=name,
        image=image,
        build="build" in raw,
        command=_parse_command(raw.get("command"), f"{where}.command"),
        environment=_parse_environment(raw.get("environment"), f"{where}.environment"),
        ports=tuple(_parse_port(p, f"{where}.ports[{i}]") for i, p in enumerate(raw.get("ports") or [])),
        volumes=_parse_volumes(raw.get("volumes") or [], f"{where}.volumes"),
        depends_on=_parse_depends_on(raw.get("depends_on"), f"{where}.depends_on"),
        healthcheck=()
        if health.get("disable")
        else _parse_command(health.get("test"), f"{where}.healthcheck"),
        replicas=replicas,
        restart=restart,
    )


def _parse_command(raw: Any, where: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        return tuple(shlex.split(raw))
    if isinstance(raw, list) and all(isinstance(x, str) for x in raw):
        return tuple(raw)
    raise ComposeError(f"{where}: expected a string or a list of strings")


def _scalar(value: Any, where: str) -> str:
    if isinstance(value, bool):
        raise ComposeError(f"{where}: booleans are ambiguous in compose, quote the value")
    if isinstance(value, (str, int, float)):
        return str(value)
    if value is None:
        return ""
    raise ComposeError(f"{where}: expected a scalar")


def _parse_environment(raw: Any, where: str) -> dict[str, str]:
    if raw is None:
        return {}
    if isinstance(raw, dict):
        # `KEY:` with no value means "from the caller's environment": children inherit it, no entry.
        return {str(k): _scalar(v, f"{where}.{k}") for k, v in raw.items() if v is not None}
    if isinstance(raw, list):
        env: dict[str, str] = {}
        for item in raw:
            key, sep, value = str(item).partition("=")
            if sep:  # a bare "KEY" (inherit from the caller) needs no entry: children inherit the environment
                env[key] = value
        return env
    raise ComposeError(f"{where}: expected a mapping or a list of KEY=VALUE")


def _parse_port(raw: Any, where: str) -> PortMapping:
    if isinstance(raw, dict):
        target, published = raw.get("target"), raw.get("published", raw.get("target"))
        try:
            return PortMapping(published=int(published), target=int(target))  # type: ignore[arg-type]
        except (TypeError, ValueError) as exc:
            raise ComposeError(f"{where}: needs integer target/published") from exc
    text = str(raw).split("/")[0]  # drop "/tcp"
    parts = text.rsplit(":", 2)
    try:
        if len(parts) == 1:
            return PortMapping(published=int(parts[0]), target=int(parts[0]))
        return PortMapping(published=int(parts[-2]), target=int(parts[-1]))
    except ValueError as exc:
        raise ComposeError(f"{where}: cannot read port {raw!r} (port ranges are not supported)") from exc


def _parse_volumes(raw: Any, where: str) -> tuple[BindMount, ...]:
    if not isinstance(raw, list):
        raise ComposeError(f"{where}: expected a list")
    mounts = []
    for i, item in enumerate(raw):
        if isinstance(item, dict):
            if item.get("type") == "bind":
                mounts.append(BindMount(source=str(item["source"]), target=str(item["target"])))
            continue
        source, sep, rest = str(item).partition(":")
        if not sep:
            continue  # an anonymous volume: nothing on the host
        if source.startswith((".", "/", "~")):  # a host path; anything else names a volume
            mounts.append(BindMount(source=source, target=rest.split(":")[0]))
        elif not source:
            raise ComposeError(f"{where}[{i}]: empty source in {item!r}")
    return tuple(mounts)


def _parse_depends_on(raw: Any, where: str) -> dict[str, str]:
    if raw is None:
        return {}
    if isinstance(raw, list):
        return {str(name): "service_started" for name in raw}
    if isinstance(raw, dict):
        return {str(k): str((v or {}).get("condition", "service_started")) for k, v in raw.items()}
    raise ComposeError(f"{where}: expected a list or a mapping")
