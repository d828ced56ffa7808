"""Where the bot's state lives, by the `backend` setting: files (SQLite beside the index) or postgres
(one database shared by every replica): which of bot/state's stores to open. One pool per process for the
postgres backend."""

from __future__ import annotations

import threading
from pathlib import Path

from bot.settings import Settings

_pools: dict[str, object] = {}
_lock = threading.Lock()


def database_pool(settings: Settings, configure=None):
    """The process's pool for `database.url` (opened once: reachable, and at this code's schema version)."""
    key = settings.database.url or ""
    with _lock:
        pool = _pools.get(key)
        if pool is None:
            pool = _pools[key] = open_checked_pool(settings, configure)
        return pool


def open_checked_pool(settings: Settings, configure=None):
    """The pool for `backend: postgres`, once the database is reachable and its schema is this code's;
    DatabaseError otherwise. Sized by `database.pool_size`, as the library's pool is (EngineConfig.pool)."""
    from bot.state import database, migrations

    url = settings.database.url or ""
    connection = database.first_connection(url, settings.database.wait_seconds)
    try:
        migrations.check(connection, url)
    finally:
        connection.close()
    policy = settings.database.pool_params()
    return database.open_pool(
        url, settings.database.wait_seconds, policy.max_size, configure, request_wait_s=policy.wait_s
    )


def close_pools() -> None:
    with _lock:
        for pool in _pools.values():
            pool.close()
        _pools.clear()


def check_ready(settings: Settings) -> None:
    """Backend postgres: the database is reachable (retried with back-off) and at this code's schema;
    DatabaseError with one clear line otherwise. Nothing to check for files."""
    if settings.backend == "postgres":
        settings.require("database.url")
        database_pool(settings)


def index_location(settings: Settings) -> str:
    """Where the index is, for people: the folder, or the database without its password."""
    if settings.backend == "postgres":
        from retrieval import database_address

        return f"postgresql://{database_address(settings.database.url or '')}"
    return str(settings.index)


def state_folder(settings: Settings) -> Path:
    """The bot's state folder (the folder of `feedback.path`): git clones and website copies live in its
    sources/ folder, each source's last refresh outcome in its sources.json."""
    return Path(settings.feedback.path).expanduser().parent


def state_counts(settings: Settings) -> tuple[dict[str, int] | None, int]:
    """(feedback counts, conversation turns held), for `citebot status`; None when nothing is recorded yet."""
    if settings.backend == "postgres":
        return feedback_store(settings).counts(), conversation_store(settings).count()
    from bot.state.conversations import SqliteConversationStore
    from bot.state.feedback import SqliteFeedbackStore

    path = Path(settings.feedback.path).expanduser()
    if not path.exists():
        return None, 0
    return SqliteFeedbackStore(path).counts(), SqliteConversationStore(path).count()


def held_reply_store(settings: Settings, capacity: int = 500, expiry_s: float = 3600):
    """Where replies wait while a chat platform's API is down (bot/state/outbox.py): the database for
    backend postgres (shared by replicas), else the local state file; at most `capacity` a platform, each
    kept `expiry_s` seconds."""
    if settings.backend == "postgres":
        from bot.state.outbox import PostgresOutbox

        return PostgresOutbox(database_pool(settings), capacity, expiry_s)
    from bot.state.outbox import SqliteOutbox

    return SqliteOutbox(Path(settings.feedback.path).expanduser(), capacity, expiry_s)


def answered_messages(settings: Settings):
    """Which reply answered which question, for edits (bot/state/answered.py): the database for backend
    postgres, else the local state file."""
    if settings.backend == "postgres":
        from bot.state.answered import PostgresAnsweredMessages

        return PostgresAnsweredMessages(database_pool(settings))
    from bot.state.answered import SqliteAnsweredMessages

    return SqliteAnsweredMessages(Path(settings.feedback.path).expanduser())


def held_reply_counts(settings: Settings) -> dict[str, int]:
    """Replies held for delivery while a platform's API was down, per platform with any; {} when none (or
    no state yet: the state file is not made just to count). For `citebot status`."""
    # The platforms whose adapters hold replies in the shared outbox (Discord: backend postgres only, its
    # answers on their way; backend files keeps them in its own state file, discord.sqlite3, through the
    # same SqliteOutbox: bot/adapters/discord/ledger.py).
    platforms = ("slack", "discord")
    if settings.backend != "postgres" and not Path(settings.feedback.path).expanduser().exists():
        return {}
    outbox = held_reply_store(settings)
    counts = {platform: outbox.count(platform) for platform in platforms}
    return {platform: count for platform, count in counts.items() if count}


def feedback_store(settings: Settings):
    if settings.backend == "postgres":
        from bot.state.feedback import PostgresFeedbackStore

        return PostgresFeedbackStore(database_pool(settings))
    from bot.state.feedback import SqliteFeedbackStore

    return SqliteFeedbackStore(Path(settings.feedback.path))


def conversation_store(settings: Settings):
    max_turns, expiry_s = settings.conversation.max_turns, settings.conversation.expiry_minutes * 60
    if settings.backend == "postgres":
        from bot.state.conversations import PostgresConversationStore

        return PostgresConversationStore(database_pool(settings), max_turns, expiry_s)
    from bot.state.conversations import SqliteConversationStore

    return SqliteConversationStore(Path(settings.feedback.path), max_turns, expiry_s)


def event_claims(settings: Settings):
    """Shared claims for backend postgres; None (each adapter's in-process memory) for files."""
    if settings.backend != "postgres":
        return None
    from bot.state.claims import PostgresEventClaims

    return PostgresEventClaims(database_pool(settings))


def migrate(settings: Settings) -> str:
    """`citebot db migrate`: apply what is missing; the line to print."""
    from bot.state import database, migrations

    url = settings.database.url or ""
    connection = database.first_connection(url, settings.database.wait_seconds)
    try:
        applied, version = migrations.migrate(connection, url)
    finally:
        connection.close()
    from bot import messages
    from retrieval import database_address

    return messages.migrated(database_address(url), applied, version)
