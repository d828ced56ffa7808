"""Build progress: tqdm's bar on a terminal; elsewhere (cron, CI, a pipe) a log line every ~10 seconds.

tqdm draws nothing when stderr is not a terminal, so a long build under cron printed nothing until it
ended. `progress()` returns an object with tqdm's `update(n)` / `set_postfix_str(s)` / context-manager
surface either way; the log variant writes "Embedding passages: 12,345/40,000 texts (31%), 2m05s left"
through `logging` (logger `retrieval.ingest.progress`, level INFO), at most one line per `interval` seconds
plus one when it finishes.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

LOG_INTERVAL_S = 10.0


def progress(
    total: int,
    description: str,
    unit: str,
    enabled: bool = True,
    leave: bool = True,
    is_terminal: Callable[[], bool] | None = None,
):
    """A progress reporter for `total` steps: None-like when disabled, tqdm on a terminal, else LogProgress."""
    if not enabled:
        return _Silent()
    terminal = is_terminal() if is_terminal is not None else sys.stderr.isatty()
    if terminal:
        from tqdm import tqdm

        return tqdm(total=total, desc=description, unit=unit, leave=leave)
    return LogProgress(total, description, unit)


class LogProgress:
    """Logs done/total, the share done and the time left (from the rate so far) every `interval` s."""

    def __init__(
        self,
        total: int,
        description: str,
        unit: str,
        interval: float = LOG_INTERVAL_S,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = total
        self.description = description
        self.unit = unit
        self.interval = interval
        self.done = 0
        self.postfix = ""
        self._clock = clock
        self._started = clock()
        self._last = self._started
        self._logged = 0  # `done` when the last line was logged

    def update(self, steps: int = 1) -> None:
        self.done += steps
        now = self._clock()
        if now - self._last >= self.interval:
            self._last, self._logged = now, self.done
            log.info("%s", self.line(now))

    def set_postfix_str(self, text: str) -> None:
        """Extra words after the count ("1,234 passages"), as tqdm shows them."""
        self.postfix = text

    def line(self, now: float | None = None) -> str:
        """ "Embedding passages: 1,234/40,000 texts (3%), 5m10s left" (no time left before any step)."""
        now = self._clock() if now is None else now
        share = f" ({100 * self.done // self.total}%)" if self.total else ""
        text = f"{self.description}: {self.done:,}/{self.total:,} {self.unit}{share}"
        if self.postfix:
            text += f", {self.postfix}"
        elapsed = now - self._started
        if self.done and self.done < self.total and elapsed > 0:
            text += f", {_duration((self.total - self.done) * elapsed / self.done)} left"
        return text

    def close(self) -> None:
        """A last line, unless the step was short (under `interval`) or its last line said it all."""
        if self.done != self._logged and self._clock() - self._started >= self.interval:
            log.info("%s", self.line())

    def __enter__(self) -> LogProgress:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class _Silent:
    """The reporter of a quiet build."""

    def update(self, steps: int = 1) -> None:
        pass

    def set_postfix_str(self, text: str) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> _Silent:
        return self

    def __exit__(self, *exc) -> None:
        pass


def _duration(seconds: float) -> str:
    """ "45s", "2m05s", "1h03m"."""
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
