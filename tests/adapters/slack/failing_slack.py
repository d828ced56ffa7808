"""The fake Slack, made to fail as the real one does in an outage: 5xx from every endpoint, connection
refused (nothing listening on its port), and response URLs that answer 404 expired_url or 400 invalid_blocks.

Calls refused while down are kept in `refused`, not in `calls`: `calls` is what actually reached Slack.
"""

from __future__ import annotations

import threading
import time
from http.server import ThreadingHTTPServer
from urllib.parse import urlsplit

from tests.harness.fake_slack import Call, FakeSlack, _Handler, _parse_body


class FailingSlack(FakeSlack):
    def __init__(self) -> None:
        super().__init__()
        self._server.RequestHandlerClass = _FailingHandler
        self.refused: list[Call] = []
        self._down_status: int | None = None
        self._response_failures: dict[str, list[tuple[int, str]]] = {}
        self._listening = True

    # -- behaviour ---------------------------------------------------------------------------------
    def down(self, status: int = 503) -> None:
        """Every Web API method and response URL answers HTTP `status` until `up()`."""
        with self._changed:
            self._down_status = status

    def up(self) -> None:
        with self._changed:
            self._down_status = None

    def refuse(self) -> None:
        """Stop listening: connections to the port are refused until `restore()`."""
        port = self.port
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._closed_port = port
        self._listening = False

    def restore(self) -> None:
        """Listen again on the same port."""
        server = ThreadingHTTPServer(("127.0.0.1", self._closed_port), _FailingHandler)
        server.daemon_threads = True
        server.fake = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        self._listening = True

    def stop(self) -> None:
        if self._listening:
            super().stop()

    def fail_response_url(self, name: str, status: int, body: str, times: int = 1) -> None:
        """The next `times` posts to response URL `name` answer HTTP `status` with `body`."""
        with self._changed:
            self._response_failures.setdefault(name, []).extend([(status, body)] * times)

    # -- used by the handler -----------------------------------------------------------------------
    def _failure(self, name: str, is_response_url: bool) -> tuple[int, str] | None:
        with self._changed:
            if self._down_status is not None:
                return self._down_status, '{"ok": false, "error": "service_unavailable"}'
            if is_response_url and self._response_failures.get(name):
                return self._response_failures[name].pop(0)
            return None

    def _refuse(self, call: Call) -> None:
        with self._changed:
            self.refused.append(call)
            self._changed.notify_all()


class _FailingHandler(_Handler):
    def _handle(self) -> None:
        parts = urlsplit(self.path)
        is_response_url = parts.path.startswith("/response/")
        name = parts.path.split("/", 2)[-1]
        failure = self.fake._failure(name, is_response_url)
        if failure is None:
            super()._handle()
            return
        status, text = failure
        raw = self._read_body()
        body = _parse_body(raw, self.headers.get("Content-Type", ""), parts.query)
        call = Call(name, parts.path, body, {k.lower(): v for k, v in self.headers.items()}, time.monotonic())
        if self.fake._down_status is not None:
            self.fake._refuse(call)
        else:
            self.fake._record(call)
        payload = text.encode()
        self.send_response(status)
        kind = "application/json" if text.startswith("{") else "text/plain"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)
