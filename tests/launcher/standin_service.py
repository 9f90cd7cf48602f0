"""A stand-in for a real service in launcher tests: honours the service contract and nothing else.

Reads REDIS_URL (must answer PING), OURO_HTTP_HOST/OURO_HTTP_PORT, OURO_INSTANCE; serves GET /healthz
(200 JSON once ready) and GET /metrics (Prometheus text); logs JSON lines to stderr; exits 0 on SIGTERM.
With STANDIN_FAIL=1 it exits 3 at once, with STANDIN_FAIL=late it exits 4 one second after being healthy.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType

import redis


def log(event: str, **fields: object) -> None:
    record = {"t": time.time(), "event": event, "instance": os.environ.get("OURO_INSTANCE"), **fields}
    print(json.dumps(record), file=sys.stderr)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/healthz":
            body, ctype = (
                json.dumps({"status": "ok", "instance": os.environ.get("OURO_INSTANCE")}),
                "application/json",
            )
        elif self.path == "/metrics":
            body, ctype = "# TYPE standin_up gauge\nstandin_up 1\n", "text/plain; version=0.0.4"
        else:
            self.send_error(404)
            return
        data = body.encode()
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        pass


def main() -> int:
    if os.environ.get("STANDIN_FAIL") == "1":
        log("failing on purpose", reason="STANDIN_FAIL=1")
        return 3
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    client.set(f"standin:{os.environ.get('OURO_INSTANCE')}", os.getpid())  # proves which Redis it uses
    client.close()
    server = ThreadingHTTPServer(
        (os.environ.get("OURO_HTTP_HOST", "127.0.0.1"), int(os.environ["OURO_HTTP_PORT"])), Handler
    )
    stop = threading.Event()

    def on_term(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_term)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    log("ready", port=server.server_address[1], data_dir=os.environ.get("OURO_DATA_DIR"))
    if os.environ.get("STANDIN_FAIL") == "late":
        stop.wait(1.0)
        if not stop.is_set():
            log("dying late on purpose")
            return 4
    stop.wait()
    server.shutdown()
    log("stopped")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
