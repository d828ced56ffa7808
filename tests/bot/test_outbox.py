"""The held-replies store and the redelivery loop (chat-neutral): bounded, expiring, surviving a restart,
backing off while the platform is down and honouring its Retry-After; and the SQLite event claims."""

from __future__ import annotations

import logging

import pytest

from bot.core.redelivery import SENT, Attempt, OutageLog, Outcome, Redelivery
from bot.state.claims import SqliteEventClaims
from bot.state.outbox import SqliteOutbox
from tests.harness.clock import Clock


@pytest.fixture
def clock() -> Clock:
    return Clock(1_000.0)


def test_held_replies_survive_a_restart_in_order(tmp_path, clock):
    first = SqliteOutbox(tmp_path / "state.sqlite3", clock=clock)
    for n in range(3):
        first.hold("slack", "post", {"text": f"answer {n}"}, f"ref{n}", "U1", "C1")
    again = SqliteOutbox(tmp_path / "state.sqlite3", clock=clock)  # a new process, same state folder
    assert [h.payload["text"] for h in again.due("slack")] == ["answer 0", "answer 1", "answer 2"]
    assert again.due("discord") == []


def test_the_store_is_bounded_and_says_what_it_dropped(tmp_path, clock, caplog):
    outbox = SqliteOutbox(tmp_path / "state.sqlite3", capacity=2, clock=clock)
    for n in range(3):
        outbox.hold("slack", "post", {}, f"ref{n}", f"U{n}", "C1")
    assert [h.reference for h in outbox.due("slack")] == ["ref1", "ref2"]
    (line,) = [r.getMessage() for r in caplog.records if "dropped" in r.getMessage()]
    assert "ref0" in line and "U0" in line


def test_retry_after_and_expiry(tmp_path, clock):
    outbox = SqliteOutbox(tmp_path / "state.sqlite3", expiry_s=60, clock=clock)
    outbox.hold("slack", "post", {}, "ref", "U1", "C1", not_before=clock.now + 30)
    assert outbox.due("slack") == []
    clock.now += 30
    assert [h.reference for h in outbox.due("slack")] == ["ref"]
    clock.now += 30
    assert outbox.due("slack") == [] and [h.reference for h in outbox.take_expired("slack")] == ["ref"]
    assert outbox.count("slack") == 0


def test_the_loop_backs_off_while_down_and_logs_the_outage_once(tmp_path, clock, caplog):
    caplog.set_level(logging.INFO)
    outbox = SqliteOutbox(tmp_path / "state.sqlite3", clock=clock)
    for n in range(3):
        outbox.hold("slack", "post", {"n": n}, f"ref{n}", "U1", "C1")
    sent: list[int] = []
    platform_up = False

    def send(held):
        if not platform_up:
            return Attempt(Outcome.DOWN, detail="HTTP 503")
        sent.append(held.payload["n"])
        return SENT

    loop = Redelivery("slack", outbox, send, lambda held: SENT, OutageLog("Slack"), clock=clock)
    waits = []
    for _ in range(4):
        waits.append(loop.run_once())
        clock.now += waits[-1]
    assert waits == [1.0, 2.0, 4.0, 8.0]  # one try per round, doubling
    platform_up = True
    loop.run_once()
    assert sent == [0, 1, 2] and outbox.count("slack") == 0
    loud = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(loud) == 2 and "unavailable" in loud[0] and "available again" in loud[1]


def test_the_loop_honours_the_platforms_retry_after(tmp_path, clock):
    outbox = SqliteOutbox(tmp_path / "state.sqlite3", clock=clock)
    outbox.hold("slack", "post", {}, "ref", "U1", "C1")
    loop = Redelivery(
        "slack",
        outbox,
        lambda h: Attempt(Outcome.DOWN, 30.0, "429"),
        lambda h: SENT,
        OutageLog("Slack"),
        clock=clock,
    )
    assert loop.run_once() == 30.0
    clock.now += 29
    assert outbox.due("slack") == []
    clock.now += 1
    assert [h.reference for h in outbox.due("slack")] == ["ref"]


def test_expired_replies_are_told_not_sent(tmp_path, clock):
    outbox = SqliteOutbox(tmp_path / "state.sqlite3", expiry_s=10, clock=clock)
    outbox.hold("slack", "post", {}, "ref", "U1", "C1")
    told, sent = [], []
    loop = Redelivery(
        "slack",
        outbox,
        lambda h: sent.append(h) or SENT,
        lambda h: told.append(h) or SENT,
        OutageLog("S"),
        clock=clock,
    )
    clock.now += 11
    loop.run_once()
    assert [h.asker for h in told] == ["U1"] and sent == []


def test_event_claims_survive_a_restart_and_are_pruned(tmp_path, clock):
    path = tmp_path / "state.sqlite3"
    assert SqliteEventClaims(path, clock=clock).first_time("event:Ev1")
    restarted = SqliteEventClaims(path, keep_s=60, clock=clock)
    assert not restarted.first_time("event:Ev1")
    assert restarted.first_time("event:Ev2")
    clock.now += 120
    fresh = SqliteEventClaims(path, keep_s=60, clock=clock)
    fresh.first_time("event:Ev3")  # the first claim of a process prunes old ones
    assert fresh.first_time("event:Ev1") and len(fresh) == 2
