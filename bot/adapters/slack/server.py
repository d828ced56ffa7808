"""HTTP mode: a small aiohttp server that hands Slack's signed requests at /slack/events to the Bolt app."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

from aiohttp import web
from slack_bolt import App, BoltRequest

from bot.ops import Operated, add_routes, serve_web_app

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


def make_web_app(
    app: App,
    path: str = EVENTS_PATH,
    table: Operated | None = None,
    platform_check: Callable[[], bool] | None = None,
) -> web.Application:
    """Bolt verifies the signature and acks; listeners keep working in Bolt's threads after the reply.

    With the command table, /healthz and /metrics are served too.
    """

    async def events(request: web.Request) -> web.Response:
        body = await request.text()
        headers = {name: request.headers.getall(name) for name in request.headers.keys()}
        bolt_request = BoltRequest(body=body, query=request.query_string, headers=headers)
        # dispatch returns as soon as the listener acks, so Slack's 3-second limit is met
        response = await asyncio.to_thread(app.dispatch, bolt_request)
        return web.Response(
            status=response.status,
            body=response.body.encode("utf-8"),
            headers=response.first_headers_without_set_cookie(),
        )

    web_app = web.Application()
    web_app.router.add_post(path, events)
    if table is not None:
        add_routes(web_app, table, platform_check)
    return web_app


def serve(
    app: App,
    host: str,
    port: int,
    path: str = EVENTS_PATH,
    table: Operated | None = None,
    platform_check: Callable[[], bool] | None = None,
) -> None:
    """Block serving `app` on host:port until interrupted; a port that cannot be bound is a ConfigError."""
    asyncio.run(serve_web_app(make_web_app(app, path, table, platform_check), host, port, path))
