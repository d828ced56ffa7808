"""HTTP mode: a small aiohttp server that hands Slack's signed requests at /slack/events to the Bolt app."""

from __future__ import annotations

import asyncio
import logging

from aiohttp import web
from slack_bolt import App, BoltRequest

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
    """Block serving `app` on host:port until interrupted."""
    log.info("listening for Slack requests on http://%s:%d%s", host, port, path)
    web.run_app(make_web_app(app, path), host=host, port=port, print=None, access_log=None)
