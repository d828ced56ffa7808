"""The refresh schedule: a source is read when its `refresh_minutes` are up (at once when never read),
a new generation is published only when a file changed, a failure is logged with the source's name,
and a build held by another process postpones the round. A fake clock; real git; no model load."""

from __future__ import annotations

import logging
import threading

from filelock import FileLock

from retrieval.engine import Engine
from retrieval.libraries.files.library import live_generation
from retrieval.sources.refresher import BUSY_RETRY_SECONDS, Refresher
from retrieval.sources.state import record_success
from tests.retrieval.sources_helpers import HANDBOOK, WORDS, commit, engine_config, make_repository, source


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def refresher(tmp_path, sources, clock, **options) -> Refresher:
    return Refresher(
        engine_config(tmp_path / "index"), sources, tmp_path / "state", embedder=WORDS, clock=clock, **options
    )


def test_due_sources_are_refreshed_and_a_new_commit_is_served(tmp_path, caplog):
    upstream = tmp_path / "upstream"
    make_repository(upstream, HANDBOOK)
    sources = [source("handbook", git=str(upstream), refresh_minutes=30), source("notes", path=str(tmp_path))]
    (tmp_path / "todo.md").write_text("# Todo\n\nWater the office plants.\n")
    clock = Clock()
    built = []
    scheduler = refresher(tmp_path, sources, clock, on_built=built.append)
    assert scheduler.due() == ["handbook"]  # never read: due at once; `notes` has no schedule
    first = scheduler.refresh(["handbook"])
    assert first.published and [r.generation for r in built] == [first.generation]
    engine = Engine(engine_config(tmp_path / "index"), embedder=WORDS)
    assert engine.document("handbook/docs/deploy.md") is not None
    assert engine.document("notes/todo.md") is not None  # no index to keep `notes` from: read too
    assert scheduler.due() == []
    clock.now += 30 * 60
    assert scheduler.due() == ["handbook"]
    with caplog.at_level(logging.DEBUG, logger="retrieval.sources.refresher"):
        assert not scheduler.refresh(["handbook"]).published  # nothing changed
    assert "nothing changed" in caplog.text and len(built) == 1
    second = commit(upstream, {"docs/deploy.md": "# Deploying\n\nDeploys happen every Thursday.\n"}, "b")
    clock.now += 30 * 60
    report = scheduler.refresh(scheduler.due())
    assert report.published and len(built) == 2
    assert "Thursday" in engine.passages_of("handbook/docs/deploy.md")[0].text
    assert engine.manifest()[1].sources["handbook"].revision == second


def test_a_failure_is_logged_with_the_source_name_and_the_old_generation_serves(tmp_path, caplog):
    sources = [source("handbook", git=str(tmp_path / "gone"), refresh_minutes=5)]
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# A\n\nThe answer is forty-two.\n")
    good = refresher(tmp_path, [source("handbook", path=str(tmp_path / "docs"), refresh_minutes=5)], Clock())
    good.refresh(["handbook"])
    generation = live_generation(tmp_path / "index")
    scheduler = refresher(tmp_path, sources, Clock())
    with caplog.at_level(logging.ERROR, logger="retrieval.sources.refresher"):
        report = scheduler.refresh(["handbook"])
    assert "source handbook: git clone failed" in caplog.text
    assert not report.published and live_generation(tmp_path / "index") == generation
    # /healthz reads the loaded generation: the last good one serves, so the bot stays healthy.
    from types import SimpleNamespace

    from bot.ops import health

    engine = Engine(engine_config(tmp_path / "index"), embedder=WORDS)
    healthy, body = health(SimpleNamespace(service=engine))
    assert healthy and body["index"]["generation"] == generation


def test_a_source_read_recently_waits_for_its_interval(tmp_path):
    clock = Clock()
    from datetime import UTC, datetime

    read_at = datetime.fromtimestamp(clock.now - 10 * 60, UTC).isoformat(timespec="seconds")
    record_success(tmp_path / "state", "docs", read_at, None, None)
    scheduler = refresher(tmp_path, [source("docs", path=str(tmp_path), refresh_minutes=30)], clock)
    assert scheduler.due() == [] and scheduler.next_due["docs"] == clock.now + 20 * 60


def test_a_build_held_by_another_process_postpones_the_round(tmp_path):
    clock = Clock()
    lock_path = tmp_path / "build.lock"
    scheduler = refresher(
        tmp_path, [source("docs", path=str(tmp_path), refresh_minutes=30)], clock, lock_path=lock_path
    )
    with FileLock(str(lock_path)):
        held = threading.Thread(target=lambda: setattr(scheduler, "result", scheduler.refresh(["docs"])))
        held.start()
        held.join()
    assert scheduler.result is None and scheduler.next_due["docs"] == clock.now + BUSY_RETRY_SECONDS


def test_the_loop_stops_when_asked(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.md").write_text("# A\n\nThe answer is forty-two.\n")
    scheduler = Refresher(
        engine_config(tmp_path / "index"),
        [source("docs", path=str(tmp_path / "docs"), refresh_minutes=60)],
        tmp_path / "state",
        embedder=WORDS,
    )
    thread = scheduler.start()
    for _ in range(200):
        if live_generation(tmp_path / "index"):
            break
        thread.join(0.05)
    assert live_generation(tmp_path / "index")  # the first round ran at once
    scheduler.stop()
    assert not thread.is_alive()
