"""One pool policy: `database.pool_size` sizes the library's pool and the bot state's pool alike."""

from __future__ import annotations

import psycopg_pool
import pytest

from bot import backends
from bot.settings import Settings
from retrieval import Engine, PoolParams
from retrieval.config import DEFAULTS


def postgres_settings(url: str, pool_size: int) -> Settings:
    return Settings.model_validate({"backend": "postgres", "database": {"url": url, "pool_size": pool_size}})


def test_pool_size_reaches_the_engine_config():
    config = postgres_settings("postgresql://u@127.0.0.1/db", 3).engine_config()
    assert config.pool == PoolParams(max_size=3, wait_s=DEFAULTS.pool.wait_s)


def test_the_default_policy_is_eight_connections_and_a_five_second_wait():
    assert DEFAULTS.pool == PoolParams(max_size=8, wait_s=5.0)
    assert Settings().engine_config().pool == DEFAULTS.pool


def test_pool_size_three_sizes_both_pools(database_url):
    from retrieval.libraries.postgres import library

    settings = postgres_settings(database_url, 3)
    engine = Engine(settings.engine_config())
    assert engine.generation is None  # a migrated, empty database: the library's pool is open now
    opened = [pool for (url, _), pool in library._pools.items() if url == database_url]
    assert [(pool.max_size, pool.timeout) for pool in opened] == [(3, 5.0)]
    state = backends.database_pool(settings)
    assert (state.max_size, state.timeout) == (3, 5.0)


def test_the_library_never_opens_more_than_pool_size_connections(database_url):
    """Three connections taken from a pool of three: a fourth request waits, then fails."""
    from retrieval.libraries.postgres.library import pool_for

    pool = pool_for(database_url, PoolParams(max_size=3, wait_s=0.2))
    held = [pool.getconn() for _ in range(3)]
    try:
        with pytest.raises(psycopg_pool.PoolTimeout):
            pool.getconn()
    finally:
        for connection in held:
            pool.putconn(connection)
