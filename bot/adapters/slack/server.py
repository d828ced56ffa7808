"""HTTP mode: a small aiohttp server that hands Slack's signed requests at /slack/events to the Bolt app."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from slack_bolt import App, BoltRequest

from bot import messages
from bot.settings import ConfigError

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"


def make_web_app(app: App, path: str = EVENTS_PATH) -> web.Application:
    """Bolt verifies the signature and acks; listeners keep working in Bolt's threads after the reply."""

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
    return web_app


def serve(app: App, host: str, port: int, path: str = EVENTS_PATH) -> None:
    """Block serving `app` on host:port until interrupted; a port that cannot be bound is a ConfigError."""
    asyncio.run(serve_web_app(make_web_app(app, path), host, port, path))


async def serve_web_app(web_app: web.Application, host: str, port: int, path: str = "/") -> None:
    """Bind first (so "listening" is only logged when it is true), then serve until cancelled."""
    runner = web.AppRunner(web_app, access_log=None)
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
    except OSError as error:
        await runner.cleanup()
        raise ConfigError(messages.port_unavailable(host, port, error.strerror or str(error))) from None
    log.info("listening on http://%s:%d%s", host, port, path)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()
