"""The command line: `python -m ouro_launcher up|down|status|logs|test|schemas`.

Where things are: the project is the folder holding compose.yaml (found from the current directory
upwards, else next to this package's checkout); the data dir is --data-dir, else $OURO_DATA_DIR, else
<project>/data. Logs go to <data>/logs, the run state to <data>/run, the embedded Redis to <data>/redis.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from ouro_launcher import checks, stack, views

COMPOSE_FILE = "compose.yaml"


def find_project_dir(start: Path) -> Path:
    """The nearest folder from `start` upwards holding compose.yaml; else the checkout this package is in."""
    for folder in (start, *start.parents):
        if (folder / COMPOSE_FILE).is_file():
            return folder
    return Path(__file__).resolve().parents[2]


def data_dir_for(project_dir: Path, arg: str | None, env: Mapping[str, str]) -> Path:
    raw = arg or env.get("OURO_DATA_DIR") or str(project_dir / "data")
    path = Path(raw).expanduser()
    return (path if path.is_absolute() else Path.cwd() / path).resolve()


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ourobouro",
        description="Run Ourobouro's stack (compose.yaml) as local processes, and the project's checks.",
    )
    parser.add_argument("-f", "--file", help="compose file (default: compose.yaml of the project)")
    parser.add_argument("--data-dir", help="data folder (default: $OURO_DATA_DIR or <project>/data)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p_up = sub.add_parser("up", help="start Redis and every service; Ctrl-C stops them all")
    p_up.add_argument(
        "-d", "--detach", action="store_true", help="return once healthy, leave the stack running"
    )
    p_up.add_argument(
        "--port-offset",
        type=int,
        default=int(os.environ.get("OURO_PORT_OFFSET", "0")),
        help="add N to every service port (default: $OURO_PORT_OFFSET or 0)",
    )
    p_up.add_argument(
        "--bind",
        default=os.environ.get("OURO_BIND_HOST", "127.0.0.1"),
        help="address services listen on instead of compose's 0.0.0.0 (default: 127.0.0.1)",
    )
    p_up.add_argument(
        "--timeout", type=float, default=90.0, help="seconds each start wave may take to be healthy"
    )

    sub.add_parser("down", help="stop the running stack (from any shell)")
    sub.add_parser("status", help="table of service, instance, pid, port, health")

    p_logs = sub.add_parser("logs", help="print service logs (data/logs/<instance>.log)")
    p_logs.add_argument("names", nargs="*", help="services or instances (default: all)")
    p_logs.add_argument("-n", "--lines", type=int, default=40)
    p_logs.add_argument("-f", "--follow", action="store_true")

    sub.add_parser("test", help="ruff, mypy, then pytest (every argument after `test` goes to pytest)")

    p_schemas = sub.add_parser("schemas", help="export JSON Schemas of the wire types")
    p_schemas.add_argument("target", nargs="?", default="docs/schemas")
    return parser


GLOBAL_OPTIONS_WITH_VALUE = ("-f", "--file", "--data-dir")


def split_passthrough(argv: Sequence[str]) -> tuple[list[str], list[str]]:
    """Split `[global options] test ARGS...` into the launcher's part and pytest's part, verbatim.

    argparse would read pytest's own options (-k, -x, -h ...) as ours; everything after `test` is pytest's.
    """
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in GLOBAL_OPTIONS_WITH_VALUE:
            i += 2
            continue
        if token.startswith("-"):
            i += 1
            continue
        if token == "test":
            return list(argv[: i + 1]), list(argv[i + 1 :])
        break
    return list(argv), []


def main(argv: Sequence[str] | None = None) -> int:
    ours, pytest_args = split_passthrough(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(ours)
    compose_file = Path(args.file).resolve() if args.file else find_project_dir(Path.cwd()) / COMPOSE_FILE
    project_dir = compose_file.parent
    data_dir = data_dir_for(project_dir, args.data_dir, os.environ)

    if args.command == "up":
        opts = stack.UpOptions(
            compose_file=compose_file,
            data_dir=data_dir,
            port_offset=args.port_offset,
            bind_host=args.bind,
            detach=args.detach,
            timeout=args.timeout,
        )
        return stack.up(opts, os.environ)
    if args.command == "down":
        return stack.down(data_dir)
    if args.command == "status":
        return views.status(data_dir)
    if args.command == "logs":
        return views.logs(data_dir, args.names, args.lines, args.follow)
    if args.command == "test":
        return checks.run_tests(project_dir, pytest_args)
    if args.command == "schemas":
        return checks.export_schemas(project_dir, args.target)
    parser.error(f"unknown command {args.command}")
    return 2
