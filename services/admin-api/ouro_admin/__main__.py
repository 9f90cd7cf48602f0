"""Entry point: python -m ouro_admin — the admin API and dashboard under uvicorn on OURO_HTTP_PORT."""

from __future__ import annotations

import sys

import uvicorn

from ouro_admin.app import create_app
from ouro_admin.settings import AdminSettings
from ouro_runtime.log import setup_logging
from ouro_runtime.settings import load_settings
from ouro_schemas import names


def main() -> None:
    settings = load_settings(AdminSettings)  # exit 2 on a bad value, naming it
    setup_logging(names.SERVICE_ADMIN, settings.instance, settings.log_level)
    try:
        app = create_app(settings)
    except (ValueError, OSError) as exc:
        print(f"admin-api: cannot load tokens: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    # uvicorn handles SIGTERM/SIGINT: stop accepting, finish requests (live feeds are cut after the
    # grace period), then the lifespan's shutdown lets running jobs finish within drain_timeout_s.
    config = uvicorn.Config(app, host=settings.http_host, port=settings.http_port, log_config=None,
                            access_log=False, timeout_graceful_shutdown=int(settings.drain_timeout_s) or 1,
                            lifespan="on")
    server = uvicorn.Server(config)
    server.run()


if __name__ == "__main__":
    main()
