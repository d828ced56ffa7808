"""A fake Discord for tests: gateway payloads in through discord.py's real parsers, REST and webhook calls recorded.

Only the network is faked. Events go into the real ConnectionState (`parsers[...]`), interactions through
the real CommandTree and ViewStore; what the bot sends is caught where discord.py would hit the network:
`HTTPClient.request` (REST: messages, typing, command sync) and `AsyncWebhookAdapter.request` (interaction
callbacks and follow-ups). Failures are scripted per route (`fail()`: 429 with Retry-After, 5xx, 403,
a refused connection; `outage` for all of them at once) and answered through discord.py's own request
loops over a fake aiohttp session, so its rate-limit and retry handling runs as in production.
Every use of discord.py's private names is in this module, and `self_check()` says loudly if one of
them has moved.
"""

from __future__ import annotations

import asyncio
import contextvars
import inspect
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any

import discord
from discord.http import HTTPClient, Route
from discord.state import ConnectionState
from discord.webhook import async_ as webhook_async

from bot.adapters.discord.responder import SWEEP_TASK

TOKEN = "test-token"
BOT_ID = 1_000_000_000_000_001
APP_ID = 1_000_000_000_000_002
GUILD_ID = 1_000_000_000_000_003
CHANNEL_ID = 1_000_000_000_000_004
OTHER_CHANNEL_ID = 1_000_000_000_000_005
USER_ID = 1_000_000_000_000_006
BOT_ROLE_ID = 1_000_000_000_000_007
DM_CHANNEL_ID = 1_000_000_000_000_008
OTHER_BOT_ID = 1_000_000_000_000_009
TIMESTAMP = "2024-05-01T12:00:00.000000+00:00"
EPHEMERAL = 64
_PARSERS = (
    "READY",
    "GUILD_CREATE",
    "MESSAGE_CREATE",
    "MESSAGE_UPDATE",
    "MESSAGE_DELETE",
    "INTERACTION_CREATE",
)
_snowflakes = itertools.count(1_100_000_000_000_000_000)


def snowflake() -> int:
    return next(_snowflakes)


@dataclass
class Call:
    """One request the bot made: REST ('rest') or through the webhook adapter ('webhook')."""

    kind: str
    method: str
    path: str  # the route template, e.g. /channels/{channel_id}/messages
    url: str
    payload: Any
    params: dict[str, Any] | None = None
    response: Any = None  # what the fake Discord answered (a message object for a message create)
    status: int = 200  # the HTTP status the fake Discord answered with (a scripted failure's, else 200)
    at: float = 0.0  # time.monotonic() when the request was made

    @property
    def flags(self) -> int:
        data = self.payload.get("data", self.payload) if isinstance(self.payload, dict) else {}
        return int((data or {}).get("flags", 0) or 0)


@dataclass(frozen=True)
class Failure:
    """One scripted answer from the fake Discord in place of success.

    status 0 is a refused connection; 429 carries `retry_after` seconds (body and Retry-After header,
    as Discord sends it); 403 carries Discord's error `code` (50013 Missing Permissions, 50001 Missing
    Access, 50007 Cannot send messages to this user).
    """

    status: int
    retry_after: float = 0.0
    code: int = 0
    message: str = ""


def rate_limited(seconds: float) -> Failure:
    return Failure(429, retry_after=seconds, message="You are being rate limited.")


def server_error(status: int = 503) -> Failure:
    return Failure(status, message="Service Unavailable")


def forbidden(code: int = 50013, message: str = "Missing Permissions") -> Failure:
    return Failure(403, code=code, message=message)


REFUSED = Failure(0, message="Connection refused")


def self_check() -> list[str]:
    """Every private name the harness relies on, still where it was; an empty list when all is well."""
    problems: list[str] = []
    rest = inspect.signature(HTTPClient.request).parameters
    if list(rest)[:2] != ["self", "route"] or not {"files", "form"} <= set(rest):
        problems.append(f"HTTPClient.request(self, route, *, files, form, **kwargs) changed: {list(rest)}")
    hook = inspect.signature(webhook_async.AsyncWebhookAdapter.request).parameters
    if list(hook)[:3] != ["self", "route", "session"] or not {"payload", "multipart", "params"} <= set(hook):
        problems.append(
            f"AsyncWebhookAdapter.request(self, route, session, *, payload, ...) changed: {list(hook)}"
        )
    context = getattr(webhook_async, "async_context", None)
    if not isinstance(getattr(context, "get", lambda: None)(), webhook_async.AsyncWebhookAdapter):
        problems.append("discord.webhook.async_.async_context no longer yields an AsyncWebhookAdapter")
    route = Route("POST", "/channels/{channel_id}/messages", channel_id=1)
    if (route.path, route.method) != ("/channels/{channel_id}/messages", "POST"):
        problems.append("Route no longer keeps .path and .method")
    client = discord.Client(intents=discord.Intents.none())
    state = getattr(client, "_connection", None)
    if not isinstance(state, ConnectionState):
        problems.append("Client._connection is no longer the ConnectionState")
    else:
        missing = [name for name in _PARSERS if name not in getattr(state, "parsers", {})]
        if missing:
            problems.append(f"ConnectionState.parsers lacks {missing}")
        for attribute in ("guild_ready_timeout", "_ready_task", "_command_tree", "_view_store"):
            if not hasattr(state, attribute):
                problems.append(f"ConnectionState.{attribute} is gone")
    http = discord.Client(intents=discord.Intents.none()).http
    if not hasattr(http, "_HTTPClient__session"):
        problems.append("HTTPClient.__session (the aiohttp session REST goes through) is gone")
    if not hasattr(discord.ui, "DynamicItem"):
        problems.append("discord.ui.DynamicItem is gone")
    return problems


# -- payloads ------------------------------------------------------------------------------------------
def user_payload(user_id: int = USER_ID, name: str = "asker", *, bot: bool = False) -> dict[str, Any]:
    return {
        "id": str(user_id),
        "username": name,
        "discriminator": "0",
        "global_name": name,
        "avatar": None,
        "bot": bot,
    }


def member_payload(user: dict[str, Any] | None = None, roles: tuple[int, ...] = ()) -> dict[str, Any]:
    member: dict[str, Any] = {
        "roles": [str(r) for r in roles],
        "joined_at": TIMESTAMP,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "permissions": "2147483647",
    }
    if user is not None:
        member["user"] = user
    return member


def channel_payload(channel_id: int = CHANNEL_ID, name: str = "general") -> dict[str, Any]:
    return {
        "id": str(channel_id),
        "type": 0,
        "guild_id": str(GUILD_ID),
        "name": name,
        "position": 0,
        "permission_overwrites": [],
        "nsfw": False,
        "parent_id": None,
        "topic": None,
        "last_message_id": None,
        "rate_limit_per_user": 0,
    }


def guild_payload(permissions: int = 2147483647) -> dict[str, Any]:
    """The test guild; `permissions` are @everyone's (and so the bot's): all of them by default."""
    everyone = {
        "id": str(GUILD_ID),
        "name": "@everyone",
        "permissions": str(permissions),
        "position": 0,
        "color": 0,
        "hoist": False,
        "managed": False,
        "mentionable": False,
    }
    bot_role = {
        **everyone,
        "id": str(BOT_ROLE_ID),
        "name": "citebot",
        "position": 1,
        "managed": True,
        "tags": {"bot_id": str(BOT_ID)},
    }
    bot = user_payload(BOT_ID, "citebot", bot=True)
    return {
        "id": str(GUILD_ID),
        "name": "Test guild",
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "owner_id": str(USER_ID),
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "roles": [everyone, bot_role],
        "emojis": [],
        "stickers": [],
        "features": [],
        "mfa_level": 0,
        "application_id": None,
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "vanity_url_code": None,
        "description": None,
        "banner": None,
        "premium_tier": 0,
        "preferred_locale": "en-US",
        "public_updates_channel_id": None,
        "nsfw_level": 0,
        "premium_progress_bar_enabled": False,
        "member_count": 2,
        "large": False,
        "unavailable": False,
        "joined_at": TIMESTAMP,
        "voice_states": [],
        "presences": [],
        "threads": [],
        "members": [member_payload(bot, roles=(BOT_ROLE_ID,)), member_payload(user_payload())],
        "channels": [channel_payload(), channel_payload(OTHER_CHANNEL_ID, "random")],
    }


def message_payload(
    content: str,
    *,
    author: dict[str, Any],
    channel_id: int,
    guild_id: int | None,
    mentions: list[dict[str, Any]] = (),
    mention_roles: tuple[int, ...] = (),
    message_id: int | None = None,
    **extra: Any,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "id": str(message_id or snowflake()),
        "channel_id": str(channel_id),
        "author": author,
        "content": content,
        "timestamp": TIMESTAMP,
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": list(mentions),
        "mention_roles": [str(r) for r in mention_roles],
        "attachments": [],
        "embeds": [],
        "pinned": False,
        "type": 0,
        "flags": 0,
        "components": [],
        **extra,
    }
    if guild_id is not None:
        payload["guild_id"] = str(guild_id)
        payload["member"] = member_payload()
    return payload


# -- the harness ---------------------------------------------------------------------------------------
class DiscordHarness:
    """Start a real client against recorded REST/webhook boundaries; feed it events; read what it sent."""

    def __init__(
        self, client: discord.Client, *, settle_timeout: float = 30.0, permissions: int | None = None
    ) -> None:
        """`permissions`: what the bot may do in the guild's channels (a discord.Permissions value);
        every permission (administrator included) when None."""
        self.client = client
        self.permissions = permissions
        self.calls: list[Call] = []
        self.settle_timeout = settle_timeout
        self._saved_webhook_request = None
        self._background: set[asyncio.Task[Any]] = set()
        self.reject_token = False
        self._scripted: dict[tuple[str, str], list[Failure]] = {}
        self.outage: Failure | None = None  # while set, every message/interaction request fails this way

    # lifecycle
    async def start(self) -> None:
        """Log in (real login path: GET /users/@me, application info, setup_hook), then READY and GUILD_CREATE."""
        self._install()
        self._background = set(asyncio.all_tasks())
        await self.client.login(TOKEN)
        state = self.client._connection
        state.guild_ready_timeout = 0.01
        state.parsers["READY"](
            {
                "v": 10,
                "user": user_payload(BOT_ID, "citebot", bot=True),
                "session_id": "session",
                "resume_gateway_url": "wss://gateway.invalid",
                "guilds": [{"id": str(GUILD_ID), "unavailable": True}],
                "application": {"id": str(APP_ID), "flags": 0},
            }
        )
        if self.permissions is None:
            state.parsers["GUILD_CREATE"](guild_payload())
        else:
            state.parsers["GUILD_CREATE"](guild_payload(self.permissions))
        await self.settle()

    async def close(self) -> None:
        ready = self.client._connection._ready_task
        if ready is not None:
            ready.cancel()
        await self.client.close()
        self._uninstall()

    async def kill(self) -> None:
        """The process dies: every task the bot started is cancelled where it is, then the client closes."""
        current = asyncio.current_task()
        running = {t for t in asyncio.all_tasks() if t is not current and t not in self._background}
        for task in running:
            task.cancel()
        await asyncio.gather(*running, return_exceptions=True)
        await self.close()

    async def __aenter__(self) -> DiscordHarness:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    # events in
    async def message(
        self,
        content: str,
        *,
        author: dict[str, Any] | None = None,
        channel_id: int = CHANNEL_ID,
        dm: bool = False,
        mention_bot: bool = False,
        mention_role: bool = False,
        attachments: list[dict[str, Any]] = (),
        message_id: int | None = None,
        settle: bool = True,
    ) -> dict[str, Any]:
        """A MESSAGE_CREATE from a person (or `author`); waits for everything it set off to finish
        (unless `settle` is False: then call settle() later, e.g. after ending a scripted outage)."""
        mentions = (
            [{**user_payload(BOT_ID, "citebot", bot=True), "member": member_payload()}] if mention_bot else []
        )
        payload = message_payload(
            content,
            author=author or user_payload(),
            channel_id=DM_CHANNEL_ID if dm else channel_id,
            guild_id=None if dm else GUILD_ID,
            mentions=mentions,
            mention_roles=(BOT_ROLE_ID,) if mention_role else (),
            message_id=message_id,
            attachments=list(attachments),
        )
        if not settle:
            self.client._connection.parsers["MESSAGE_CREATE"](payload)
            await asyncio.sleep(0)
            return payload
        await self.feed("MESSAGE_CREATE", payload)
        return payload

    async def edit(
        self, question: dict[str, Any], content: str, *, mention_bot: bool = False
    ) -> dict[str, Any]:
        """A MESSAGE_UPDATE: the person edited `question` (a payload from message()) to read `content`.

        Since API v10 the gateway sends the whole edited message, as here.
        """
        mentions = (
            [{**user_payload(BOT_ID, "citebot", bot=True), "member": member_payload()}] if mention_bot else []
        )
        edited = {**question, "content": content, "edited_timestamp": TIMESTAMP, "mentions": mentions}
        await self.feed("MESSAGE_UPDATE", edited)
        return edited

    async def delete(self, question: dict[str, Any]) -> None:
        """A MESSAGE_DELETE for `question` (a payload from message())."""
        payload = {"id": question["id"], "channel_id": question["channel_id"]}
        if "guild_id" in question:
            payload["guild_id"] = question["guild_id"]
        await self.feed("MESSAGE_DELETE", payload)

    async def slash(
        self,
        name: str,
        options: dict[str, str] | None = None,
        *,
        channel_id: int = CHANNEL_ID,
        dm: bool = False,
    ) -> dict[str, Any]:
        data = {
            "id": str(snowflake()),
            "name": name,
            "type": 1,
            "options": [{"name": k, "type": 3, "value": v} for k, v in (options or {}).items()],
        }
        return await self.feed(
            "INTERACTION_CREATE", self.interaction_payload(2, data, channel_id=channel_id, dm=dm)
        )

    async def autocomplete(self, name: str, option: str, typed: str) -> dict[str, Any]:
        data = {
            "id": str(snowflake()),
            "name": name,
            "type": 1,
            "options": [{"name": option, "type": 3, "value": typed, "focused": True}],
        }
        return await self.feed("INTERACTION_CREATE", self.interaction_payload(4, data))

    async def click(
        self, custom_id: str, message: dict[str, Any], *, user_id: int = USER_ID
    ) -> dict[str, Any]:
        """A button click on a message the bot sent (`message` as returned from its create call)."""
        payload = self.interaction_payload(3, {"custom_id": custom_id, "component_type": 2}, user_id=user_id)
        payload["message"] = message
        return await self.feed("INTERACTION_CREATE", payload)

    def interaction_payload(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        channel_id: int = CHANNEL_ID,
        dm: bool = False,
        user_id: int = USER_ID,
    ) -> dict[str, Any]:
        payload: dict[str, Any] = {
            "id": str(snowflake()),
            "application_id": str(APP_ID),
            "type": kind,
            "data": data,
            "token": f"interaction-token-{snowflake()}",
            "version": 1,
            "app_permissions": "2147483647",
            "locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {},
            "attachment_size_limit": 10_485_760,
        }
        if dm:
            payload.update(
                channel_id=str(DM_CHANNEL_ID),
                context=1,
                user=user_payload(user_id),
                channel={"id": str(DM_CHANNEL_ID), "type": 1, "recipients": [user_payload(user_id)]},
            )
        else:
            channel = next(c for c in guild_payload()["channels"] if c["id"] == str(channel_id))
            payload.update(
                guild_id=str(GUILD_ID),
                channel_id=str(channel_id),
                channel=channel,
                context=0,
                guild_locale="en-US",
                member=member_payload(user_payload(user_id)),
            )
        return payload

    async def feed(self, event: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Hand a gateway event to discord.py's own parser, then wait for the handlers it started."""
        self.client._connection.parsers[event](payload)
        await self.settle()
        return payload

    async def settle(self) -> None:
        """Wait (with a deadline) until every task started since start() is done, including ones they start."""
        deadline = time.monotonic() + self.settle_timeout
        current = asyncio.current_task()
        while True:
            pending = {t for t in asyncio.all_tasks() if t is not current and t not in self._background}
            pending = {t for t in pending if t.get_name() != SWEEP_TASK}  # runs until its client closes
            if not pending:
                return
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"tasks still running after {self.settle_timeout}s: {pending}")
            await asyncio.wait(pending, timeout=remaining)

    # failures
    def fail(self, method: str, path: str, *failures: Failure) -> None:
        """The next requests to `method path` (a route template) get these answers, in order; then success.

        A scripted request goes through discord.py's own HTTPClient.request / AsyncWebhookAdapter.request
        against a fake aiohttp session, so discord.py's rate-limit and retry handling runs as it would.
        """
        self._scripted.setdefault((method, path), []).extend(failures)

    def _failing(self, method: str, path: str) -> bool:
        return bool(self._scripted.get((method, path))) or (self.outage is not None and _breakable(path))

    def _next_failure(self, method: str, path: str) -> Failure | None:
        queued = self._scripted.get((method, path))
        if queued:
            return queued.pop(0)
        return self.outage if _breakable(path) else None

    # what was sent
    def requests(self, method: str | None = None, path: str | None = None) -> list[Call]:
        return [
            c
            for c in self.calls
            if (method is None or c.method == method) and (path is None or c.path == path)
        ]

    async def until_requested(self, method: str, path: str, timeout_s: float = 10.0) -> None:
        """Wait (polling every 50 ms, at most `timeout_s`) until the bot has sent such a request, whatever
        the fake answered: a test that then kills the bot knows the answer was ready and tried."""
        for _ in range(int(timeout_s / 0.05)):
            if self.requests(method, path):
                return
            await asyncio.sleep(0.05)

    def channel_messages(self) -> list[Call]:
        """Messages the bot posted in channels (and DMs) that Discord accepted."""
        return [c for c in self.requests("POST", "/channels/{channel_id}/messages") if c.status == 200]

    def edits(self) -> list[Call]:
        return [
            c
            for c in self.requests("PATCH", "/channels/{channel_id}/messages/{message_id}")
            if c.status == 200
        ]

    def deletions(self) -> list[Call]:
        return [
            c
            for c in self.requests("DELETE", "/channels/{channel_id}/messages/{message_id}")
            if c.status == 200
        ]

    def interaction_responses(self) -> list[Call]:
        path = "/interactions/{webhook_id}/{webhook_token}/callback"
        return [c for c in self.requests("POST", path) if c.status == 200]

    def followups(self) -> list[Call]:
        return [c for c in self.requests("POST", "/webhooks/{webhook_id}/{webhook_token}") if c.status == 200]

    def message_payloads(self) -> list[dict[str, Any]]:
        """Every message the bot posted, whichever way: channel messages, interaction replies, follow-ups."""
        found = [c.payload for c in self.channel_messages() + self.followups()]
        found += [c.payload["data"] for c in self.interaction_responses() if c.payload["type"] in (4, 7)]
        return found

    def clear(self) -> None:
        self.calls.clear()

    # the recorded boundaries
    def install(self, *, reject_token: bool = False) -> None:
        """Just the recorded boundaries, for code that logs in on its own (client.run); undo with uninstall()."""
        self.reject_token = reject_token
        self._install()

    def _install(self) -> None:
        self.client.http.request = self._rest  # type: ignore[method-assign]
        harness = self

        async def webhook_request(adapter: Any, route: Route, session: Any = None, **kwargs: Any) -> Any:
            await asyncio.sleep(0)
            if harness._failing(route.method, route.path):
                payload = kwargs.get("payload")
                if kwargs.get("multipart"):
                    payload = _payload_json(kwargs["multipart"])
                _scripted_route.set((harness, "webhook", route, payload, kwargs.get("params")))
                real = harness._saved_webhook_request
                return await real(adapter, route, _FakeSession(), **kwargs)  # type: ignore[misc]
            return harness._webhook(route, **kwargs)

        self._saved_webhook_request = webhook_async.AsyncWebhookAdapter.request
        webhook_async.AsyncWebhookAdapter.request = webhook_request  # type: ignore[method-assign]

    def uninstall(self) -> None:
        self._uninstall()

    def _uninstall(self) -> None:
        if self._saved_webhook_request is not None:
            webhook_async.AsyncWebhookAdapter.request = self._saved_webhook_request  # type: ignore[method-assign]
            self._saved_webhook_request = None

    async def _rest(self, route: Route, *, files: Any = None, form: Any = None, **kwargs: Any) -> Any:
        payload = kwargs.get("json")
        if form:
            payload = _payload_json(form)
        if self._failing(route.method, route.path):
            return await self._through_discord_py(route, payload, files=files, form=form, **kwargs)
        call = Call(
            "rest", route.method, route.path, route.url, payload, kwargs.get("params"), at=time.monotonic()
        )
        self.calls.append(call)
        await asyncio.sleep(0)
        if self.reject_token and route.path == "/users/@me":
            raise discord.HTTPException(_Unauthorized(), {"message": "401: Unauthorized", "code": 0})
        call.response = self._rest_answer(route, payload)
        return call.response

    async def _through_discord_py(self, route: Route, payload: Any, **kwargs: Any) -> Any:
        """discord.py's real HTTPClient.request, its session a fake that serves the scripted failures."""
        http = self.client.http
        if not isinstance(http._HTTPClient__session, _FakeSession):  # type: ignore[attr-defined]
            # Only scripted requests use the session (the others stop in _rest): swap it once, for good.
            http._HTTPClient__session = _FakeSession(http._HTTPClient__session)  # type: ignore[attr-defined]
        _scripted_route.set((self, "rest", route, payload, kwargs.get("params")))
        return await HTTPClient.request(http, route, **kwargs)

    def _rest_answer(self, route: Route, payload: Any) -> Any:
        bot = user_payload(BOT_ID, "citebot", bot=True)
        if route.path == "/users/@me":
            return bot
        if route.path == "/oauth2/applications/@me":
            return {
                "id": str(APP_ID),
                "name": "citebot",
                "description": "",
                "icon": None,
                "bot_public": True,
                "bot_require_code_grant": False,
                "owner": user_payload(),
                "verify_key": "key",
                "flags": 0,
            }
        if route.method == "PUT" and route.path.endswith("/commands"):
            return [
                {**command, "id": str(snowflake()), "application_id": str(APP_ID), "version": "1"}
                for command in payload
            ]
        if route.path == "/channels/{channel_id}/messages" and route.method == "POST":
            return _sent_message(payload, route.channel_id, bot)
        if route.path == "/channels/{channel_id}/messages/{message_id}" and route.method == "PATCH":
            return {**_sent_message(payload or {}, route.channel_id, bot), "id": route.url.rsplit("/", 1)[-1]}
        if route.path == "/users/@me/channels" and route.method == "POST":
            recipient = user_payload(int(payload["recipient_id"]))
            return {"id": str(DM_CHANNEL_ID), "type": 1, "recipients": [recipient], "last_message_id": None}
        if route.method == "DELETE" or route.path.endswith("/typing"):
            return None
        return {}

    def _webhook(
        self, route: Route, *, payload: Any = None, multipart: Any = None, params: Any = None, **_: Any
    ) -> Any:
        if multipart:
            payload = _payload_json(multipart)
        call = Call("webhook", route.method, route.path, route.url, payload, params, at=time.monotonic())
        self.calls.append(call)
        call.response = self._webhook_answer(route, payload)
        return call.response

    def _webhook_answer(self, route: Route, payload: Any) -> Any:
        bot = user_payload(BOT_ID, "citebot", bot=True)
        if route.path.endswith("/callback"):
            return self._callback_answer(route, payload, bot)
        return _sent_message(payload or {}, CHANNEL_ID, bot, webhook_id=str(route.webhook_id))

    def _scripted_answer(
        self, kind: str, route: Route, payload: Any, params: Any
    ) -> tuple[Failure | None, Any]:
        """One attempt at a scripted request: recorded, then a failure or the usual answer."""
        failure = self._next_failure(route.method, route.path)
        call = Call(kind, route.method, route.path, route.url, payload, params, at=time.monotonic())
        call.status = failure.status if failure is not None else 200
        self.calls.append(call)
        if failure is None:
            answer = (
                self._rest_answer(route, payload) if kind == "rest" else self._webhook_answer(route, payload)
            )
            call.response = answer
            return None, answer
        return failure, None

    @staticmethod
    def _callback_answer(route: Route, payload: dict[str, Any], bot: dict[str, Any]) -> dict[str, Any]:
        kind = payload["type"]
        data = payload.get("data") or {}
        answer: dict[str, Any] = {
            "interaction": {
                "id": str(route.webhook_id),
                "type": 2,
                "response_message_loading": kind == 5,
                "response_message_ephemeral": bool(int(data.get("flags", 0) or 0) & EPHEMERAL),
            }
        }
        if kind in (4, 5):
            message = _sent_message(data if kind == 4 else {}, CHANNEL_ID, bot)
            answer["interaction"]["response_message_id"] = message["id"]
            answer["resource"] = {"type": kind, "message": message}
        return answer


_scripted_route: contextvars.ContextVar[tuple[Any, ...]] = contextvars.ContextVar("scripted_route")


def _breakable(path: str) -> bool:
    """What an outage takes down: messages, DMs, typing and interactions, not the login calls."""
    return path.startswith(("/channels/", "/interactions/", "/webhooks/", "/users/@me/channels"))


class _FakeResponse:
    """Just enough of an aiohttp.ClientResponse for discord.py's request loops and HTTPException."""

    def __init__(self, status: int, body: Any, headers: dict[str, str]) -> None:
        self.status = status
        self.reason = {200: "OK", 403: "Forbidden", 429: "Too Many Requests"}.get(status, "Error")
        self.headers = {"content-type": "application/json", **headers}
        self._text = json.dumps(body)

    async def text(self, encoding: str = "utf-8") -> str:
        return self._text

    async def __aenter__(self) -> _FakeResponse:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        return None


class _FakeSession:
    """An aiohttp session stand-in: each request is the next scripted answer for the route being sent."""

    def __init__(self, real: Any = None) -> None:
        self.real = real

    @property
    def closed(self) -> bool:
        return False if self.real is None else self.real.closed

    async def close(self) -> None:
        if self.real is not None:
            await self.real.close()

    def request(self, method: str, url: str, **kwargs: Any) -> _FakeResponse:
        harness, kind, route, payload, params = _scripted_route.get()
        failure, answer = harness._scripted_answer(kind, route, payload, params)
        if failure is None:
            return _FakeResponse(200, answer, {})
        if failure.status == 0:
            raise ConnectionRefusedError(111, failure.message)
        body: dict[str, Any] = {"message": failure.message, "code": failure.code}
        headers: dict[str, str] = {}
        if failure.status == 429:
            body.update(retry_after=failure.retry_after, **{"global": False})
            headers = {
                "Retry-After": str(failure.retry_after),
                "Via": "1.1 google",
                "X-RateLimit-Scope": "user",
            }
        return _FakeResponse(failure.status, body, headers)


class _Unauthorized:
    """Just enough of an aiohttp response for discord.HTTPException."""

    status = 401
    reason = "Unauthorized"


def webhook_recording_active() -> bool:
    """Whether some harness still has the webhook adapter patched (it must not leak past a test)."""
    return webhook_async.AsyncWebhookAdapter.request.__name__ == "webhook_request"


def _payload_json(parts: list[dict[str, Any]]) -> Any:
    for part in parts:
        if part.get("name") == "payload_json":
            return json.loads(part["value"])
    return None


def _sent_message(
    payload: dict[str, Any], channel_id: Any, author: dict[str, Any], **extra: Any
) -> dict[str, Any]:
    """What Discord answers to a message create: the message object, echoing what was sent."""
    message = message_payload(
        payload.get("content") or "",
        author=author,
        channel_id=int(channel_id or CHANNEL_ID),
        guild_id=None,
        embeds=payload.get("embeds") or [],
        components=payload.get("components") or [],
        flags=int(payload.get("flags", 0) or 0),
    )
    if "message_reference" in payload:
        message["message_reference"] = payload["message_reference"]
    return {**message, **extra}


def assert_sent_safely(harness: DiscordHarness) -> None:
    """The bot sent something, and every message it sent pings nobody and fits Discord's limits."""
    payloads = harness.message_payloads()
    assert payloads, "the bot sent nothing"
    for payload in payloads:
        assert payload["allowed_mentions"] == {"parse": []}
        assert limit_problems(payload) == []


def limit_problems(message: dict[str, Any]) -> list[str]:
    """What real Discord would reject in a message payload (content, embed and custom_id limits)."""
    problems: list[str] = []
    content = message.get("content") or ""
    embeds = message.get("embeds") or []
    if not content and not embeds:
        problems.append("empty message")
    if len(content) > 2000:
        problems.append(f"content has {len(content)} characters")
    if len(embeds) > 10:
        problems.append(f"{len(embeds)} embeds")
    total = 0
    for embed in embeds:
        fields = embed.get("fields", [])
        sizes = {
            "title": (len(embed.get("title", "")), 256),
            "description": (len(embed.get("description", "")), 4096),
            "footer": (len(embed.get("footer", {}).get("text", "")), 2048),
            "fields": (len(fields), 25),
        }
        problems += [
            f"embed {key} is {size} (limit {limit})" for key, (size, limit) in sizes.items() if size > limit
        ]
        for field in fields:
            if not 0 < len(field["name"]) <= 256 or not 0 < len(field["value"]) <= 1024:
                problems.append(f"field sizes {len(field['name'])}/{len(field['value'])}")
        total += sizes["title"][0] + sizes["description"][0] + sizes["footer"][0]
        total += sum(len(f["name"]) + len(f["value"]) for f in fields)
    if total > 6000:
        problems.append(f"embeds total {total} characters")
    for row in message.get("components") or []:
        problems += [
            f"custom_id {c['custom_id']!r} too long"
            for c in row.get("components", [])
            if len(c.get("custom_id", "")) > 100
        ]
    return problems
