"""JSON values as PostgreSQL `jsonb` parameters for the PostgreSQL stores.

psycopg is loaded on the first call, by a PostgreSQL store writing, so the files backend (and the console)
never load the database driver just because a store module was imported.
"""

from __future__ import annotations

from typing import Any


def jsonb(value: Any) -> Any:
    """`value` (any JSON-serialisable data) wrapped as psycopg's Jsonb, for a `jsonb` column."""
    from psycopg.types.json import Jsonb

    return Jsonb(value)
