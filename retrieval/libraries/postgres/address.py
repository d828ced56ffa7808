"""Where a PostgreSQL database is, for messages: host:port/dbname of its URL, never the password.

The one copy shared by the library (its errors) and the bot (its database messages), exported from
retrieval/__init__.py as `database_address`.
"""

from __future__ import annotations

import psycopg
from psycopg.conninfo import conninfo_to_dict


def database_address(url: str) -> str:
    """host:port/dbname of a libpq URL or conninfo string; the user's name stands for a missing dbname,
    as libpq connects to it. "(an unparsable CITEBOT_DATABASE_URL)" when it cannot be parsed. Never raises."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "(an unparsable CITEBOT_DATABASE_URL)"
    host = parts.get("host") or "localhost"
    port = parts.get("port") or "5432"
    return f"{host}:{port}/{parts.get('dbname') or parts.get('user') or ''}"
