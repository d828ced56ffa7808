"""Builds the Bolt app for citebot and runs it in Socket Mode (the default) or HTTP mode."""

from __future__ import annotations

import logging
from pathlib import Path

from slack_bolt import App
from slack_bolt.error import BoltError
from slack_bolt.logger.messages import warning_client_prioritized_and_token_skipped
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot import backends, messages
from bot.adapters.slack import server
from bot.adapters.slack.decorations import Decorations
from bot.adapters.slack.delivery import SlackDelivery, quiet_sdk_outage_noise, stop_deliveries
from bot.adapters.slack.handlers import Commands, SlackHandlers
from bot.ops import CachedCheck, serve_in_background
from bot.settings import ConfigError, Settings
from bot.state.claims import SqliteEventClaims
from bot.state.outbox import Outbox

log = logging.getLogger(__name__)

RATE_LIMIT_RETRIES = 3


class _SameTokenWarning(logging.Filter):
    """Bolt warns that $SLACK_BOT_TOKEN goes unused when given a client; ours carries that very token."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != warning_client_prioritized_and_token_skipped()


_SAME_TOKEN_WARNING = _SameTokenWarning()


def required_secrets(settings: Settings) -> tuple[str, ...]:
    """The settings a mode cannot start without (each names its environment variable when missing)."""
    if settings.slack.mode == "socket":
        return ("slack.bot_token", "slack.app_token")
    return ("slack.bot_token", "slack.signing_secret")


def make_client(settings: Settings) -> WebClient:
    """The Web API client: bot token, `slack.api_url` as base URL, and rate-limit retries."""
    base_url = (
        settings.slack.api_url if settings.slack.api_url.endswith("/") else settings.slack.api_url + "/"
    )
    return with_rate_limit_retries(WebClient(token=settings.slack.bot_token, base_url=base_url))


def with_rate_limit_retries(client: WebClient) -> WebClient:
    """On HTTP 429 wait Retry-After and try again (slack_sdk's own handler), unless already attached."""
    if not any(isinstance(h, RateLimitErrorRetryHandler) for h in client.retry_handlers):
        client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=RATE_LIMIT_RETRIES))
    return client


def build_app(settings: Settings, table: Commands, client: WebClient | None = None) -> App:
    """The Bolt app with citebot's listeners; checks the bot token with auth.test right away."""
    settings.require("slack.bot_token")
    client = with_rate_limit_retries(client or make_client(settings))
    logging.getLogger("slack_bolt.App").addFilter(_SAME_TOKEN_WARNING)  # adding it twice is a no-op
    quiet_sdk_outage_noise()
    try:
        app = App(
            client=client,
            signing_secret=settings.slack.signing_secret or "",
            # Listeners run in Bolt's thread pool after ack(), in both modes: Slack gets its reply in time.
            process_before_response=False,
        )
    except (BoltError, SlackApiError) as error:
        raise ConfigError(messages.slack_token_rejected(_reason(error))) from None
    except OSError as error:  # unreachable api_url: say so in one line rather than a traceback
        raise ConfigError(messages.slack_unreachable(settings.slack.api_url, str(error))) from None
    # Replicas sharing a database claim each event there (answered once across them); else the local state
    # file, so a retry that arrives after a restart is still answered once.
    state = Path(settings.feedback.path)
    claims = getattr(table, "claims", None)
    if claims is None:
        claims = SqliteEventClaims(state)
    outbox = held_replies(settings)
    answered = backends.answered_messages(settings)
    delivery = SlackDelivery(client, outbox, answered).start()
    handlers = SlackHandlers(table, settings.slack, claims, delivery, Decorations(client), answered)
    handlers.register(app)
    return app


def held_replies(settings: Settings) -> Outbox:
    """Where replies wait while Slack is down, bounded and expiring by the `slack.held_replies_*` settings."""
    size, expiry_s = settings.slack.held_replies_max, settings.slack.held_replies_expiry_minutes * 60
    return backends.held_reply_store(settings, size, expiry_s)


class SlackAdapter:
    """The Slack front end as an `Adapter`: Socket Mode or the Events API over HTTP."""

    def __init__(self, settings: Settings, table: Commands) -> None:
        self.settings = settings
        self.table = table
        self._socket = None

    @classmethod
    def from_settings(cls, settings: Settings, table: Commands) -> SlackAdapter:
        return cls(settings, table)

    def run(self) -> None:
        run_slack(self.settings, self.table, self)

    def stop(self) -> None:
        """Close the Socket Mode connection (the HTTP server stops on Ctrl-C or SIGTERM) and stop sending
        held replies (they stay held for the next start)."""
        if self._socket is not None:
            self._socket.close()
        stop_deliveries()


def from_settings(settings: Settings, table: Commands) -> SlackAdapter:
    """The adapter registry's entry point."""
    return SlackAdapter(settings, table)


def run_slack(settings: Settings, table: Commands, adapter: SlackAdapter | None = None) -> None:
    """Connect and answer until interrupted: Socket Mode, or an HTTP server for the Events API."""
    settings.require(*required_secrets(settings))
    app = build_app(settings, table)
    reachable = CachedCheck(lambda: bool(app.client.auth_test().get("ok")))
    if settings.slack.mode == "socket":
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        if settings.health.port:
            serve_in_background(settings.health.host, settings.health.port, table, reachable)
        log.info("connecting to Slack in Socket Mode")
        handler = SocketModeHandler(app, app_token=settings.slack.app_token)
        if adapter is not None:
            adapter._socket = handler
        handler.start()
    else:
        server.serve(app, settings.slack.host, settings.slack.port, table=table, platform_check=reachable)


def _reason(error: Exception) -> str:
    response = getattr(error, "response", None)
    if response is not None and hasattr(response, "get"):
        return str(response.get("error"))
    return str(error).splitlines()[0]
