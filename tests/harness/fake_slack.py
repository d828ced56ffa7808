"""A local fake of Slack for tests: the Web API, response_url posts and a Socket Mode WebSocket, on loopback.

It records every request body so tests assert what was posted; it can answer a method with HTTP 429 and
Retry-After (rate limiting) or with an error, and push Socket Mode envelopes to a connected client.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import queue
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

log = logging.getLogger(__name__)

BOT_USER_ID = "UCITEBOT"
BOT_ID = "BCITEBOT"
TEAM_ID = "T0001"
_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


@dataclass(frozen=True)
class Call:
    """One request the fake received: `name` is the API method ("chat.postMessage") or the path."""

    name: str
    path: str
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    at: float = 0.0


class FakeSlack:
    """slack.com/api at `url`, response URLs from `response_url()`, Socket Mode at `socket_url`."""

    def __init__(self) -> None:
        self.calls: list[Call] = []
        self.socket_messages: list[dict[str, Any]] = []  # what the Socket Mode client sent (acks)
        self._changed = threading.Condition()
        self._rate_limited: dict[str, list[int]] = {}
        self._failing: dict[str, list[str]] = {}
        self._envelopes: queue.Queue[dict[str, Any]] = queue.Queue()
        self._sockets_open = 0
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.fake = self  # type: ignore[attr-defined]
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    # -- lifecycle ---------------------------------------------------------------------------------
    def start(self) -> FakeSlack:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """The Web API base URL, for WebClient(base_url=...) and slack.api_url."""
        return f"http://127.0.0.1:{self.port}/api/"

    @property
    def socket_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/socket-mode"

    def response_url(self, name: str = "r1") -> str:
        """A response_url to put in slash-command and action payloads; posts to it are recorded as `name`."""
        return f"http://127.0.0.1:{self.port}/response/{name}"

    # -- behaviour ---------------------------------------------------------------------------------
    def rate_limit(self, method: str, retry_after: int = 1, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with HTTP 429 and Retry-After: `retry_after`."""
        with self._changed:
            self._rate_limited.setdefault(method, []).extend([retry_after] * times)

    def fail(self, method: str, error: str, times: int = 1) -> None:
        """Answer the next `times` calls of `method` with {"ok": false, "error": error}."""
        with self._changed:
            self._failing.setdefault(method, []).extend([error] * times)

    def push_envelope(self, envelope: dict[str, Any]) -> None:
        """Send a Socket Mode envelope (events_api, slash_commands, interactive) to the connected client."""
        self._envelopes.put(envelope)

    # -- what happened -----------------------------------------------------------------------------
    def bodies(self, name: str) -> list[dict[str, Any]]:
        with self._changed:
            return [c.body for c in self.calls if c.name == name]

    def wait_for(self, name: str, count: int = 1, timeout: float = 20.0) -> list[dict[str, Any]]:
        """The bodies of the first `count` calls to `name`, waiting for them up to `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                found = [c.body for c in self.calls if c.name == name]
                if len(found) >= count:
                    return found
                left = deadline - time.monotonic()
                if left <= 0:
                    seen = [c.name for c in self.calls]
                    raise AssertionError(f"{count} call(s) to {name} expected within {timeout}s; got {seen}")
                self._changed.wait(left)

    def wait_until(self, condition: Callable[[list[Call]], bool], timeout: float = 20.0) -> list[Call]:
        """All calls so far, once `condition(calls)` holds; fails after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while not condition(list(self.calls)):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"condition not met within {timeout}s; calls: {self.names()}")
                self._changed.wait(left)
            return list(self.calls)

    def wait_for_socket_message(self, envelope_id: str, timeout: float = 20.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                for message in self.socket_messages:
                    if message.get("envelope_id") == envelope_id:
                        return message
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no Socket Mode reply to envelope {envelope_id} within {timeout}s")
                self._changed.wait(left)

    @property
    def socket_connected(self) -> bool:
        with self._changed:
            return self._sockets_open > 0

    def wait_for_socket(self, timeout: float = 20.0) -> None:
        with self._changed:
            if not self._changed.wait_for(lambda: self._sockets_open > 0, timeout):
                raise AssertionError(f"no Socket Mode connection within {timeout}s")

    def wait_until_answered(self, timeout: float = 20.0) -> None:
        """Until every 👀 added has been removed: no answer is still being worked on."""
        deadline = time.monotonic() + timeout
        with self._changed:
            while True:
                names = [c.name for c in self.calls]
                if names.count("reactions.add") <= names.count("reactions.remove"):
                    return
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"answers still in progress after {timeout}s: {names}")
                self._changed.wait(left)

    def names(self) -> list[str]:
        with self._changed:
            return [c.name for c in self.calls]

    # -- used by the request handler ---------------------------------------------------------------
    def _record(self, call: Call) -> None:
        with self._changed:
            self.calls.append(call)
            self._changed.notify_all()

    def _record_socket(self, message: dict[str, Any] | None = None, opened: int = 0) -> None:
        with self._changed:
            if message is not None:
                self.socket_messages.append(message)
            self._sockets_open += opened
            self._changed.notify_all()

    def _answer(self, method: str, body: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
        """(status, headers, JSON) for one Web API call."""
        with self._changed:
            return self._answer_locked(method, body)

    def _answer_locked(self, method: str, body: dict[str, Any]) -> tuple[int, dict[str, str], dict[str, Any]]:
        if self._rate_limited.get(method):
            retry_after = self._rate_limited[method].pop(0)
            return 429, {"Retry-After": str(retry_after)}, {"ok": False, "error": "ratelimited"}
        if self._failing.get(method):
            return 200, {}, {"ok": False, "error": self._failing[method].pop(0)}
        if method == "auth.test":
            return (
                200,
                {"x-oauth-scopes": "app_mentions:read,chat:write,commands,im:history,reactions:write"},
                {
                    "ok": True,
                    "url": "https://citebot-test.slack.com/",
                    "team": "Test",
                    "user": "citebot",
                    "team_id": TEAM_ID,
                    "user_id": BOT_USER_ID,
                    "bot_id": BOT_ID,
                    "is_enterprise_install": False,
                },
            )
        if method == "apps.connections.open":
            return 200, {}, {"ok": True, "url": self.socket_url}
        if method == "chat.postMessage":
            ts = f"{time.time():.6f}"
            return 200, {}, {"ok": True, "channel": body.get("channel"), "ts": ts, "message": {"ts": ts}}
        return 200, {}, {"ok": True}


class _Handler(BaseHTTPRequestHandler):
    server_version = "FakeSlack/1"

    @property
    def fake(self) -> FakeSlack:
        return self.server.fake  # type: ignore[attr-defined]

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("fake slack: " + format, *args)

    def do_GET(self) -> None:
        if self.headers.get("Upgrade", "").lower() == "websocket":
            self._websocket()
        else:
            self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        body = _parse_body(self._read_body(), self.headers.get("Content-Type", ""), parts.query)
        headers = {k.lower(): v for k, v in self.headers.items()}
        if parts.path.startswith("/api/"):
            name = parts.path[len("/api/") :]
            self.fake._record(Call(name, parts.path, body, headers, time.monotonic()))
            status, extra, answer = self.fake._answer(name, body)
            self._send(status, answer, extra)
        elif parts.path.startswith("/response/"):
            self.fake._record(
                Call(parts.path[len("/response/") :], parts.path, body, headers, time.monotonic())
            )
            self._send(200, None, {})
        else:
            self._send(404, {"ok": False, "error": "unknown_method"}, {})

    def _read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, answer: dict[str, Any] | None, headers: dict[str, str]) -> None:
        payload = b"ok" if answer is None else json.dumps(answer).encode()
        self.send_response(status)
        self.send_header(
            "Content-Type", "text/plain" if answer is None else "application/json; charset=utf-8"
        )
        self.send_header("Content-Length", str(len(payload)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    # -- Socket Mode: just enough of RFC 6455 for slack_sdk's built-in client ----------------------
    def _websocket(self) -> None:
        key = self.headers.get("Sec-WebSocket-Key", "")
        accept = base64.b64encode(hashlib.sha1((key + _WS_GUID).encode()).digest()).decode()
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept)
        self.end_headers()
        self.wfile.flush()
        self.close_connection = True
        sock: socket.socket = self.connection
        sock.settimeout(0.02)
        self.fake._record_socket(opened=1)
        try:
            _send_frame(sock, 0x1, json.dumps({"type": "hello", "num_connections": 1}).encode())
            self._relay(sock)
        finally:
            self.fake._record_socket(opened=-1)

    def _relay(self, sock: socket.socket) -> None:
        buffer = b""
        while not self.fake._stopping.is_set():
            while not self.fake._envelopes.empty():
                _send_frame(sock, 0x1, json.dumps(self.fake._envelopes.get()).encode())
            try:
                data = sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return
            if not data:
                return
            buffer += data
            while (frame := _read_frame(buffer)) is not None:
                opcode, payload, buffer = frame
                if opcode == 0x1:
                    self.fake._record_socket(json.loads(payload))
                elif opcode == 0x9:
                    _send_frame(sock, 0xA, payload)
                elif opcode == 0x8:
                    _send_frame(sock, 0x8, payload[:2])
                    return


def _send_frame(sock: socket.socket, opcode: int, payload: bytes) -> None:
    length = len(payload)
    if length < 126:
        header = struct.pack("!BB", 0x80 | opcode, length)
    elif length < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 126, length)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 127, length)
    sock.sendall(header + payload)


def _read_frame(buffer: bytes) -> tuple[int, bytes, bytes] | None:
    """(opcode, unmasked payload, rest) for the first whole frame in buffer, or None if incomplete."""
    if len(buffer) < 2:
        return None
    opcode, masked, length = buffer[0] & 0x0F, buffer[1] & 0x80, buffer[1] & 0x7F
    offset = 2
    if length == 126:
        if len(buffer) < 4:
            return None
        (length,) = struct.unpack("!H", buffer[2:4])
        offset = 4
    elif length == 127:
        if len(buffer) < 10:
            return None
        (length,) = struct.unpack("!Q", buffer[2:10])
        offset = 10
    mask = buffer[offset : offset + 4] if masked else b"\0\0\0\0"
    offset += 4 if masked else 0
    if len(buffer) < offset + length:
        return None
    payload = bytes(b ^ mask[i % 4] for i, b in enumerate(buffer[offset : offset + length]))
    return opcode, payload, buffer[offset + length :]


def _parse_body(raw: bytes, content_type: str, query: str) -> dict[str, Any]:
    """JSON bodies as they are; form bodies as {key: first value}, with JSON-looking values decoded."""
    text = raw.decode("utf-8") if raw else ""
    if text and ("json" in content_type or text.lstrip().startswith("{")):
        return json.loads(text)
    fields = {k: v[0] for k, v in parse_qs(text or query).items()}
    for key, value in fields.items():
        if value[:1] in ("[", "{"):
            try:
                fields[key] = json.loads(value)
            except ValueError:
                pass
    return fields


# -- what Slack sends to the app ---------------------------------------------------------------------
def signed_headers(
    body: str, secret: str, content_type: str, timestamp: int | None = None, retry_num: int | None = None
) -> dict[str, str]:
    """Headers as Slack signs them (X-Slack-Signature over v0:timestamp:body with the signing secret)."""
    from slack_sdk.signature import SignatureVerifier

    stamp = str(int(time.time()) if timestamp is None else timestamp)
    headers = {
        "content-type": content_type,
        "x-slack-request-timestamp": stamp,
        "x-slack-signature": SignatureVerifier(secret).generate_signature(timestamp=stamp, body=body),
    }
    if retry_num is not None:
        headers["x-slack-retry-num"] = str(retry_num)
        headers["x-slack-retry-reason"] = "http_timeout"
    return headers


def event_payload(event: dict[str, Any], event_id: str = "Ev0001") -> dict[str, Any]:
    """An Events API envelope (the same JSON arrives over HTTP and inside a Socket Mode envelope)."""
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "api_app_id": "A0001",
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
    }


def mention_event(
    text: str, channel: str = "C0001", ts: str = "1700000000.000100", user: str = "U0001", **extra: Any
) -> dict[str, Any]:
    return {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER_ID}> {text}",
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        **extra,
    }


def dm_event(
    text: str, channel: str = "D0001", ts: str = "1700000000.000200", user: str = "U0001", **extra: Any
) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        **extra,
    }


def command_form(
    command: str, text: str, response_url: str, channel: str = "C0001", user: str = "U0001"
) -> dict[str, str]:
    """A slash-command invocation's form fields."""
    return {
        "token": "legacy-verification-token",
        "team_id": TEAM_ID,
        "team_domain": "citebot-test",
        "channel_id": channel,
        "channel_name": "general",
        "user_id": user,
        "user_name": "asker",
        "command": command,
        "text": text,
        "api_app_id": "A0001",
        "response_url": response_url,
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
    }


def action_payload(
    action_id: str,
    value: str,
    response_url: str,
    channel: str = "C0001",
    user: str = "U0002",
    block_id: str = "citebot_passages",
) -> dict[str, Any]:
    """A block_actions payload for a button click on a message the bot posted."""
    return {
        "type": "block_actions",
        "user": {"id": user, "username": "clicker", "team_id": TEAM_ID},
        "api_app_id": "A0001",
        "token": "legacy-verification-token",
        "container": {
            "type": "message",
            "message_ts": "1700000000.000300",
            "channel_id": channel,
            "is_ephemeral": False,
        },
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        "team": {"id": TEAM_ID, "domain": "citebot-test"},
        "channel": {"id": channel, "name": "general"},
        "message": {"type": "message", "ts": "1700000000.000300", "text": "answer"},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "type": "button",
                "text": {"type": "plain_text", "text": "button"},
                "action_ts": "1700000001.000000",
            }
        ],
    }
