"""Event claims shared by replicas through PostgreSQL: a key is answered by exactly one of them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from bot.state.claims import PostgresEventClaims


def test_first_claim_wins_then_remembered(replica_pools):
    replica = PostgresEventClaims(replica_pools[0], "r1")
    assert replica.first_time("event:Ev1") is True
    assert replica.first_time("event:Ev1") is False
    assert replica.first_time("event:Ev2") is True


def test_only_one_of_two_replicas_wins_each_of_many_concurrent_deliveries(replica_pools):
    replicas = [PostgresEventClaims(pool, f"r{i}") for i, pool in enumerate(replica_pools)]
    keys = [f"event:Ev{n}" for n in range(50)]
    deliveries = [(replica, key) for key in keys for replica in replicas for _ in range(2)]
    with ThreadPoolExecutor(8) as workers:
        results = list(workers.map(lambda pair: (pair[1], pair[0].first_time(pair[1])), deliveries))
    winners = [key for key, won in results if won]
    assert sorted(winners) == sorted(keys)


def test_database_gone_answers_rather_than_drops(replica_pools, caplog):
    claims = PostgresEventClaims(replica_pools[0])
    replica_pools[0].close()
    assert claims.first_time("event:Ev9") is True
    assert "could not claim event" in caplog.text
