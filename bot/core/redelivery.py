"""Sending held replies once their platform is back: a background loop with back-off, and the outage log
(one warning when a platform goes down, one line when it is back, however many calls failed between)."""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from bot.state.outbox import HeldReply, Outbox

log = logging.getLogger(__name__)


class Outcome(enum.Enum):
    SENT = "sent"
    DOWN = "down"  # the platform is unreachable or overloaded: keep it and try later
    GONE = "gone"  # it can never be sent (channel deleted, bot removed): the sender logged why; drop it


@dataclass(frozen=True)
class Attempt:
    """What one try to send gave; `retry_after` in seconds when the platform said when to come back."""

    outcome: Outcome
    retry_after: float | None = None
    detail: str = ""
    receipt: dict[str, str] | None = None  # where the platform put what was sent (Slack: channel, ts)


SENT = Attempt(Outcome.SENT)


class OutageLog:
    """Up/down state of one platform's API, logged once per change (thread-safe)."""

    def __init__(
        self, platform: str, logger: logging.Logger = log, clock: Callable[[], float] = time.monotonic
    ):
        self.platform = platform
        self._log = logger
        self._clock = clock
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._failed_calls = 0

    @property
    def down(self) -> bool:
        return self._down_since is not None

    def failed(self, detail: str) -> None:
        """A call failed because the platform is down: a warning the first time, a count after that."""
        with self._lock:
            self._failed_calls += 1
            if self._down_since is not None:
                return
            self._down_since = self._clock()
        self._log.warning("%s is unavailable (%s); holding replies until it is back", self.platform, detail)

    def succeeded(self, held: int = 0) -> None:
        """A call went through: if the platform was down, say once that it is back."""
        with self._lock:
            if self._down_since is None:
                return
            seconds, failed = self._clock() - self._down_since, self._failed_calls
            self._down_since, self._failed_calls = None, 0
        self._log.warning(
            "%s is available again after %.0f s (%d calls failed meanwhile; %d held replies to deliver)",
            self.platform,
            seconds,
            failed,
            held,
        )


class Redelivery:
    """A daemon thread that sends `outbox`'s replies for `platform` with `send`, backing off while it is
    down (from `min_backoff_s`, doubling to `max_backoff_s`, or the platform's Retry-After), and tells
    askers with `tell_expired` when their reply expired undelivered."""

    def __init__(
        self,
        platform: str,
        outbox: Outbox,
        send: Callable[[HeldReply], Attempt],
        tell_expired: Callable[[HeldReply], Attempt],
        outage: OutageLog,
        min_backoff_s: float = 1.0,
        max_backoff_s: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.platform = platform
        self.outbox = outbox
        self.send = send
        self.tell_expired = tell_expired
        self.outage = outage
        self.min_backoff_s = min_backoff_s
        self.max_backoff_s = max_backoff_s
        self._clock = clock
        self._backoff = min_backoff_s
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> Redelivery:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=f"{self.platform}-redelivery", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def wake(self) -> None:
        """A reply was just held: look at the outbox now rather than at the next tick."""
        self._wake.set()

    def _run(self) -> None:
        while not self._stopping.is_set():
            if self.outbox.closed:  # shutting down: nothing can be held or sent any more
                log.debug("%s held replies: the store is closed; redelivery stops", self.platform)
                return
            try:
                wait = self.run_once()
            except Exception:  # the loop must outlive anything one reply does
                if self.outbox.closed:
                    continue  # closed while this round ran: the check above ends the loop quietly
                log.exception("redelivering %s replies failed", self.platform)
                wait = self.max_backoff_s
            self._wake.wait(wait)
            self._wake.clear()

    def run_once(self) -> float:
        """Tell expired askers, send what is due; seconds to wait before the next round."""
        for held in self.outbox.take_expired(self.platform):
            self._expire(held)
        due = self.outbox.due(self.platform)
        for position, held in enumerate(due):
            attempt = self.send(held)
            if attempt.outcome is Outcome.DOWN:
                self.outage.failed(attempt.detail)
                wait = max(attempt.retry_after or 0.0, self._backoff)
                for waiting in due[position:]:  # this one and the rest of the batch: one try per round
                    self.outbox.postpone(waiting.id, self._clock() + wait)
                self._backoff = min(self._backoff * 2, self.max_backoff_s)
                return wait
            self.outbox.delivered(held.id)
            if attempt.outcome is Outcome.SENT:
                self.outage.succeeded(self.outbox.count(self.platform))
                log.info(
                    "delivered held reply (reference %s, asker %s in %s) %.0f s late",
                    held.reference,
                    held.asker,
                    held.channel,
                    self._clock() - held.held_at,
                )
        self._backoff = self.min_backoff_s
        return self.min_backoff_s if self.outbox.count(self.platform) else self.max_backoff_s

    def _expire(self, held: HeldReply) -> None:
        told = self.tell_expired(held).outcome is Outcome.SENT
        log.warning(
            "held reply expired undelivered (reference %s, asker %s in %s); %s",
            held.reference,
            held.asker,
            held.channel,
            "the asker was told" if told else "the asker could not be told",
        )
