"""Re-reads named sources on their `refresh_minutes` schedule and publishes a new generation only when a
file changed. Runs in a background thread of the bot (or in the foreground for `citebot index --watch`);
answering never waits for it: the engine switches to a new generation at its next request."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from retrieval.config import EngineConfig
from retrieval.embedders.runtimes import indexing_embedder
from retrieval.ingest.build import BuildReport
from retrieval.parts import Embedder
from retrieval.sources import state
from retrieval.sources.base import SourceSpec, utc_now
from retrieval.sources.build import build_sources

log = logging.getLogger(__name__)

BUSY_RETRY_SECONDS = 60.0  # another process is building the index: try again this much later


class Refresher:
    """Keeps the sources that have `refresh_minutes` fresh: each is read when due (its last success,
    from the state file, plus its interval; at once when it was never read), all due ones in one build.

    `lock_path`: a file lock also held by `citebot index` (files backend), so that two builds never
    overlap; a busy lock postpones the round. `on_built(report)` is called after each publication.
    A failure is logged with the source's name and recorded in the state file; the live generation
    keeps serving. `clock` (seconds, time.time's epoch) is for tests.
    """

    def __init__(
        self,
        config: EngineConfig,
        sources: Sequence[SourceSpec],
        state_dir: Path,
        *,
        embedder: Embedder | None = None,
        lock_path: Path | None = None,
        on_built: Callable[[BuildReport], None] | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.sources = list(sources)
        self.state_dir = Path(state_dir)
        self.lock_path = lock_path
        self.on_built = on_built
        self.clock = clock
        self._embedder = embedder
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.intervals = {s.name: s.refresh_minutes * 60 for s in sources if s.refresh_minutes}
        self.next_due = self._first_due()

    def _first_due(self) -> dict[str, float]:
        """When each scheduled source is first due: its interval after its last success (now if never)."""
        states = state.source_states(self.state_dir)
        now = self.clock()
        due = {}
        for name, interval in self.intervals.items():
            last = states.get(name, state.SourceState()).last_success
            due[name] = _epoch(last) + interval if last else now
        return due

    def due(self) -> list[str]:
        """The scheduled sources due now, in config order."""
        now = self.clock()
        return [name for name, at in self.next_due.items() if at <= now]

    def refresh(self, names: Sequence[str]) -> BuildReport | None:
        """Read `names` now (the other sources keep their documents) and publish when a file changed;
        the report, or None when the round was postponed (busy) or failed (logged, recorded)."""
        started = self.clock()
        try:
            report = self._locked_build(names)
        except Exception as error:  # anything: the last good generation keeps serving
            log.error("refreshing %s failed: %s", ", ".join(names), error)
            log.debug("refresh failure", exc_info=True)
            for name in names:
                state.record_error(self.state_dir, name, utc_now(), f"refresh failed: {error}")
            self._reschedule(names, started)
            return None
        if report is None:
            log.info("the index is being built by another process; refreshing %s later", ", ".join(names))
            for name in names:
                self.next_due[name] = started + BUSY_RETRY_SECONDS
            return None
        for name, error in report.source_errors.items():
            log.error("%s", error if error.startswith("source ") else f"source {name}: {error}")
        if report.published:
            log.info("sources %s refreshed: generation %s published", ", ".join(names), report.generation)
            if self.on_built:
                self.on_built(report)
        else:
            log.debug("sources %s refreshed: nothing changed", ", ".join(names))
        self._reschedule(names, started)
        return report

    def _locked_build(self, names: Sequence[str]) -> BuildReport | None:
        if self.lock_path is None:
            return self._build(names)
        from filelock import FileLock, Timeout

        lock = FileLock(str(self.lock_path))
        try:
            lock.acquire(timeout=0)
        except Timeout:
            return None
        try:
            return self._build(names)
        finally:
            lock.release()

    def _build(self, names: Sequence[str]) -> BuildReport:
        if self._embedder is None:
            c = self.config
            self._embedder = indexing_embedder(c.encoder, c.model, c.device, c.index_runtime)
        return build_sources(
            self.config,
            self.sources,
            self.state_dir,
            read=set(names),
            embedder=self._embedder,
            show_progress=False,
            publish_unchanged=False,
        )

    def _reschedule(self, names: Sequence[str], started: float) -> None:
        for name in names:
            self.next_due[name] = started + self.intervals[name]

    # -- the loop --------------------------------------------------------------------------------------
    def run(self) -> None:
        """Refresh whatever is due until `stop()`; returns at once when nothing is scheduled."""
        while self.next_due and not self._stop.is_set():
            wait = min(self.next_due.values()) - self.clock()
            if wait > 0 and self._stop.wait(wait):
                return
            names = self.due()
            if names:
                self.refresh(names)

    def start(self) -> threading.Thread:
        """Run the loop in a daemon thread (the bot's); `stop()` ends it."""
        self._thread = threading.Thread(target=self.run, name="citebot-refresh", daemon=True)
        self._thread.start()
        return self._thread

    def stop(self, timeout: float | None = 5.0) -> None:
        """End the loop (a build under way finishes first, up to `timeout` seconds of waiting)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)


def _epoch(iso: str) -> float:
    try:
        return datetime.fromisoformat(iso).timestamp()
    except ValueError:
        return 0.0
