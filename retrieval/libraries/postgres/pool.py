"""How the postgres library pools its connections: the policy, a frozen value the EngineConfig carries.

No psycopg here, so the config can name the policy without loading the database driver.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PoolParams:
    """One process's connection pool for the library (the bot's state pool follows the same setting).

    `max_size`: most connections the pool opens (the `database.pool_size` setting), at least 1.
    `wait_s`: seconds a request waits for a free connection before it fails (and is apologised for).
    """

    max_size: int = 8
    wait_s: float = 5.0


DEFAULT_POOL = PoolParams()
