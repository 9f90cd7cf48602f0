"""Entry point: python -m ouro_admin — the admin API and dashboard under uvicorn on OURO_HTTP_PORT."""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Iterator
from types import FrameType

import uvicorn
from fastapi import FastAPI

from ouro_admin.app import create_app
from ouro_admin.settings import AdminSettings
from ouro_runtime.log import setup_logging
from ouro_runtime.settings import load_settings
from ouro_schemas import names


class _Server(uvicorn.Server):
    """uvicorn, plus: on SIGTERM/SIGINT the live feeds are told to end (they never end by themselves),
    so the graceful shutdown finishes requests instead of waiting out its timeout."""

    def __init__(self, config: uvicorn.Config, app: FastAPI) -> None:
        super().__init__(config)
        self.fastapi_app = app

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.fastapi_app.state.draining = True
        super().handle_exit(sig, frame)

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        # uvicorn re-raises the signal after its shutdown (exit status -15); like every other
        # service here, a SIGTERM that drained cleanly exits 0.
        original = {sig: signal.signal(sig, self.handle_exit) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)


def main() -> None:
    settings = load_settings(AdminSettings)  # exit 2 on a bad value, naming it
    setup_logging(names.SERVICE_ADMIN, settings.instance, settings.log_level)
    try:
        app = create_app(settings)
    except (ValueError, OSError) as exc:
        print(f"admin-api: cannot load tokens: {exc}", file=sys.stderr)
        raise SystemExit(2) from None
    # Order at SIGTERM: stop accepting, finish requests (feeds end within one read block), then the
    # lifespan's shutdown lets running jobs (snapshot, rollback) finish within drain_timeout_s.
    config = uvicorn.Config(app, host=settings.http_host, port=settings.http_port, log_config=None,
                            access_log=False, timeout_graceful_shutdown=max(1, int(settings.drain_timeout_s)),
                            lifespan="on")
    _Server(config, app).run()


if __name__ == "__main__":
    main()
