"""The bot's local SQLite state files (feedback, turns, claims, held replies, answered messages): one way to
create a store's tables and to open a connection, shared by every store.

A connection per call is cheap and safe from any thread (Slack's and Discord's handlers run in threads).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

# Seconds a writer waits for another writer's lock: threads and replicas on one host share the file.
LOCK_TIMEOUT_S = 10


def prepare(path: Path | str, schema: str) -> Path:
    """`path` with `~` expanded, its folder made and `schema` (CREATE ... IF NOT EXISTS) applied; the path.

    Raises sqlite3.Error when the file cannot be opened or is not a database, OSError when its folder
    cannot be made."""
    path = Path(path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    with connect(path) as db:
        db.executescript(schema)
    return path


def connect(path: Path | str) -> sqlite3.Connection:
    """A new connection to the state file at `path` (":memory:" for a private in-memory database)."""
    return sqlite3.connect(path, timeout=LOCK_TIMEOUT_S)
