"""HTTP mode's aiohttp front: Slack's URL check when the Request URL is saved, signatures, the events path."""

from __future__ import annotations

import json

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.adapters.slack.server import EVENTS_PATH, make_web_app
from tests.adapters.slack.conftest import SIGNING_SECRET
from tests.harness.fake_slack import event_payload, mention_event, signed_headers


@pytest.mark.asyncio
async def test_url_verification_challenge_is_answered(recording_app):
    body = json.dumps(
        {
            "token": "legacy",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    )
    async with TestClient(TestServer(make_web_app(recording_app))) as client:
        response = await client.post(
            EVENTS_PATH, data=body, headers=signed_headers(body, SIGNING_SECRET, "application/json")
        )
        assert response.status == 200
        assert await response.json() == {"challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}


@pytest.mark.asyncio
async def test_events_are_acked_and_bad_signatures_refused(recording_app, fake_slack):
    body = json.dumps(event_payload(mention_event("over http")))
    async with TestClient(TestServer(make_web_app(recording_app))) as client:
        bad = await client.post(
            EVENTS_PATH, data=body, headers=signed_headers(body, "nope", "application/json")
        )
        assert bad.status == 401
        good = await client.post(
            EVENTS_PATH, data=body, headers=signed_headers(body, SIGNING_SECRET, "application/json")
        )
        assert good.status == 200
        elsewhere = await client.post(
            "/", data=body, headers=signed_headers(body, SIGNING_SECRET, "application/json")
        )
        assert elsewhere.status == 404
    (posted,) = fake_slack.wait_for("chat.postMessage")
    assert posted["text"] == "ask: over http"
