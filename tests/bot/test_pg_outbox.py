"""Held replies in PostgreSQL (backend: postgres): the same behaviour as the SQLite store, and two
replicas never take the same reply."""

from __future__ import annotations

from bot.state.database import open_pool
from bot.state.outbox import LEASE_S, PostgresOutbox
from tests.harness.clock import Clock


def test_held_in_order_leased_and_delivered(replica_pools):
    clock = Clock(1_000.0)
    first, second = (PostgresOutbox(pool, clock=clock) for pool in replica_pools)
    for n in range(3):
        first.hold("slack", "post", {"text": f"answer {n}"}, f"ref{n}", "U1", "C1")
    taken = first.due("slack")
    assert [h.payload["text"] for h in taken] == ["answer 0", "answer 1", "answer 2"]
    assert second.due("slack") == []  # leased by the first replica
    first.delivered(taken[0].id)
    clock.now += LEASE_S  # the first replica died holding the lease: the second takes what is left
    assert [h.reference for h in second.due("slack")] == ["ref1", "ref2"]
    assert second.count("slack") == 2 and second.count("discord") == 0


def test_bounded_postponed_and_expired(replica_pools, caplog):
    clock = Clock(1_000.0)
    outbox = PostgresOutbox(replica_pools[0], capacity=2, expiry_s=60, clock=clock)
    for n in range(3):
        outbox.hold("slack", "post", {}, f"ref{n}", f"U{n}", "C1")
    assert any("ref0" in r.getMessage() and "U0" in r.getMessage() for r in caplog.records)
    (held, _) = outbox.due("slack")
    outbox.postpone(held.id, clock.now + 30)
    clock.now += 61
    assert outbox.due("slack") == []
    assert sorted(h.reference for h in outbox.take_expired("slack")) == ["ref1", "ref2"]
    assert outbox.count("slack") == 0


def test_the_redelivery_loop_ends_quietly_when_the_pool_is_closed(database_url, caplog):
    """At shutdown the process closes its pool (bot.backends.close_pools); a redelivery loop still running
    must end, not log a traceback every minute for the rest of the process."""
    import logging

    from bot.core.redelivery import SENT, OutageLog, Redelivery

    pool = open_pool(database_url, wait_s=10, max_size=2)
    loop = Redelivery("slack", PostgresOutbox(pool), lambda held: SENT, lambda held: SENT, OutageLog("Slack"))
    loop.start()
    pool.close()
    loop.wake()
    loop._thread.join(timeout=10)
    assert not loop._thread.is_alive()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
