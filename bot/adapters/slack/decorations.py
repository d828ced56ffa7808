"""The 👀 reaction while a question is answered, off the answer path: a small pool of its own, a bounded
backlog, no rate-limit retries (a 429 pauses reactions for its Retry-After instead), never an error."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

WORKING_REACTION = "eyes"


@dataclass
class Ticket:
    """One message's reaction: `added` resolves to True once the reaction is on the message."""

    channel: str
    ts: str
    added: Future[bool] | None


class Decorations:
    """Best-effort reactions: `working` puts 👀 on a message, `done` takes it off; neither ever blocks.

    At most `backlog` calls wait at once (more are skipped); after HTTP 429 no reaction is tried until
    its Retry-After has passed, so a rate-limited reactions API costs answers nothing.
    """

    def __init__(
        self,
        client: WebClient,
        workers: int = 2,
        backlog: int = 64,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        # A client of its own: the app's client waits out 429s, which is right for answers, not for 👀.
        self.client = WebClient(token=client.token, base_url=client.base_url, timeout=10)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="slack-reactions")
        self._slots = threading.BoundedSemaphore(backlog)
        self._clock = clock
        self._paused_until = 0.0
        self._lock = threading.Lock()

    def working(self, channel: str, ts: str) -> Ticket:
        """Add 👀 in the background; the ticket is for `done`."""
        return Ticket(channel, ts, self._submit(self.client.reactions_add, channel, ts))

    def done(self, ticket: Ticket) -> None:
        """Remove 👀 in the background once (and only if) adding it went through."""
        if ticket.added is None:
            return

        def remove_if_added(added: Future[bool]) -> None:
            if not added.cancelled() and added.exception() is None and added.result():
                self._submit(self.client.reactions_remove, ticket.channel, ticket.ts)

        ticket.added.add_done_callback(remove_if_added)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _submit(self, call: Callable[..., object], channel: str, ts: str) -> Future[bool] | None:
        if self._clock() < self._paused_until:
            return None
        if not self._slots.acquire(blocking=False):
            log.debug("reaction on %s skipped: %s", channel, "backlog full")
            return None
        try:
            future = self._pool.submit(self._call, call, channel, ts)
        except RuntimeError:  # shut down
            self._slots.release()
            return None
        future.add_done_callback(lambda _: self._slots.release())
        return future

    def _call(self, call: Callable[..., object], channel: str, ts: str) -> bool:
        if self._clock() < self._paused_until:
            return False
        try:
            call(channel=channel, timestamp=ts, name=WORKING_REACTION)
            return True
        except SlackApiError as error:
            if error.response.status_code == 429:
                self._pause(_retry_after(error.response.headers))
            else:  # already_reacted, no_reaction, missing_scope: not worth more than a debug line
                log.debug("reaction on %s failed: %s", channel, error.response.get("error"))
        except Exception as error:  # noqa: BLE001 - unreachable API: the answer path reports outages
            log.debug("reaction on %s failed: %s", channel, error.__class__.__name__)
        return False

    def _pause(self, seconds: float) -> None:
        with self._lock:
            first = self._clock() >= self._paused_until
            self._paused_until = max(self._paused_until, self._clock() + seconds)
        if first:
            log.info("reactions are rate limited; none for %.0f s (answers are not held up)", seconds)


def _retry_after(headers: dict) -> float:
    for name, value in (headers or {}).items():
        if name.lower() == "retry-after":
            values = value if isinstance(value, list) else [value]
            try:
                return max(0.0, float(values[0]))
            except (TypeError, ValueError, IndexError):
                break
    return 1.0
