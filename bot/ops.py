"""Operating a running bot: /healthz and /metrics over HTTP (on Slack's HTTP port, or a port of their own)."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol

from aiohttp import web

from bot import messages
from bot.core.metrics import Metrics
from bot.settings import ConfigError

log = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
METRICS_PATH = "/metrics"
PLATFORM_CHECK_TTL_S = 30.0


class Operated(Protocol):
    """What the endpoints read: the command table's service (index) and metrics."""

    service: Any
    metrics: Metrics


class CachedCheck:
    """A platform check (a network call) run at most once per `ttl` seconds; never raises."""

    def __init__(self, check: Callable[[], bool], ttl: float = PLATFORM_CHECK_TTL_S) -> None:
        self._check = check
        self._ttl = ttl
        self._checked_at = float("-inf")
        self._result = False
        self._lock = threading.Lock()

    def __call__(self) -> bool:
        with self._lock:
            if time.monotonic() - self._checked_at >= self._ttl:
                try:
                    self._result = bool(self._check())
                except Exception:
                    log.warning("platform health check failed", exc_info=True)
                    self._result = False
                self._checked_at = time.monotonic()
            return self._result


def health(table: Operated, platform_check: Callable[[], bool] | None = None) -> tuple[bool, dict[str, Any]]:
    """Is the index loaded (and the chat platform reachable)? With the details for the response body."""
    generation = None
    try:
        generation = table.service.loaded_generation()
        index_loaded = True
    except Exception:
        index_loaded = False
    reachable = platform_check() if platform_check is not None else None
    healthy = index_loaded and reachable is not False
    return healthy, {
        "status": "ok" if healthy else "unhealthy",
        "index": {"loaded": index_loaded, "generation": generation},
        "platform": {"reachable": reachable},
    }


def add_routes(
    web_app: web.Application, table: Operated, platform_check: Callable[[], bool] | None = None
) -> None:
    """GET /healthz (200 or 503, JSON) and GET /metrics (Prometheus text format)."""

    async def healthz(request: web.Request) -> web.Response:
        healthy, body = await asyncio.to_thread(health, table, platform_check)
        return web.json_response(body, status=200 if healthy else 503)

    async def metrics(request: web.Request) -> web.Response:
        body, content_type = table.metrics.exposition()
        return web.Response(body=body, headers={"Content-Type": content_type})

    web_app.router.add_get(HEALTH_PATH, healthz)
    web_app.router.add_get(METRICS_PATH, metrics)


def serve_in_background(
    host: str, port: int, table: Operated, platform_check: Callable[[], bool] | None = None
) -> threading.Thread:
    """/healthz and /metrics on their own port, from a daemon thread (Socket Mode and Discord).

    A port that cannot be bound raises ConfigError here, before the bot connects.
    """
    web_app = web.Application()
    add_routes(web_app, table, platform_check)
    loop = asyncio.new_event_loop()
    bound = threading.Event()
    failure: list[BaseException] = []

    async def run() -> None:
        try:
            await serve_web_app(web_app, host, port, HEALTH_PATH, on_bound=bound.set)
        except BaseException as error:
            failure.append(error)
            bound.set()

    thread = threading.Thread(target=loop.run_until_complete, args=(run(),), daemon=True, name="citebot-ops")
    thread.start()
    bound.wait(timeout=30)
    if failure:
        raise failure[0]
    return thread


async def serve_web_app(
    web_app: web.Application,
    host: str,
    port: int,
    path: str = "/",
    on_bound: Callable[[], None] | None = None,
) -> None:
    """Bind first (so "listening" is only logged when true), then serve until cancelled or interrupted.

    A port that cannot be bound (in use, not permitted) is a ConfigError with one clear line.
    """
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as error:
        await runner.cleanup()
        raise ConfigError(messages.port_unavailable(host, port, error.strerror or str(error))) from None
    log.info("listening on http://%s:%d%s", host, port, path)
    if on_bound is not None:
        on_bound()
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
