"""A real HTTP server on a loopback port, for the tests that fetch from a ModernGov-shaped site.

Subclass ``LoopbackSite`` and write ``answer(handler)``: each GET request is first passed to
``seen(handler)`` (a hook for counting what was asked) and then to ``answer``.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LoopbackSite:
    """A threading HTTP/1.1 server on 127.0.0.1 and a free port, started at construction."""

    def __init__(self):
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                site.seen(self)
                site.answer(self)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        self.url = f"http://{self.host}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def seen(self, handler: BaseHTTPRequestHandler) -> None:
        """Called with each request before it is answered."""

    def answer(self, handler: BaseHTTPRequestHandler) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @staticmethod
    def send(handler, status: int, body: bytes, content_type: str, headers: dict | None = None):
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        handler.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            handler.send_header(name, value)
        handler.end_headers()
        handler.wfile.write(body)
