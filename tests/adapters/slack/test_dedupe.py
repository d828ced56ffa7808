"""The bounded memory of seen event ids: remembers recent ones, forgets the oldest past its capacity."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from bot.adapters.slack.dedupe import RecentKeys


def test_first_time_then_remembered():
    seen = RecentKeys(capacity=3)
    assert seen.first_time("a") is True
    assert seen.first_time("a") is False


def test_oldest_key_is_forgotten_past_capacity():
    seen = RecentKeys(capacity=2)
    for key in ("a", "b", "c"):
        seen.first_time(key)
    assert len(seen) == 2
    assert seen.first_time("a") is True  # fell out
    assert seen.first_time("c") is False


def test_a_repeat_keeps_a_key_fresh():
    seen = RecentKeys(capacity=2)
    seen.first_time("a")
    seen.first_time("b")
    seen.first_time("a")  # a is now the most recent
    seen.first_time("c")  # so b falls out
    assert seen.first_time("a") is False
    assert seen.first_time("b") is True


def test_only_one_of_many_concurrent_deliveries_wins():
    seen = RecentKeys()
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: seen.first_time("Ev1"), range(200)))
    assert results.count(True) == 1


def test_capacity_must_be_positive():
    with pytest.raises(ValueError):
        RecentKeys(capacity=0)
