"""The bot's PostgreSQL connection for the postgres backend: start-up with retry, safe error messages, pools.

Messages never hold the URL's password: a database is named by `database_address` (host:port/dbname;
retrieval's, the one copy the library uses too). A server that is down or unreachable at start is retried
with back-off for `wait_s` seconds; a wrong password or a missing database is reported at once (retrying
cannot fix them). The tables are bot/state/migrations.py's; the stores beside it read and write them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool

from bot import messages
from bot.settings import ConfigError
from retrieval import PoolParams, database_address

log = logging.getLogger(__name__)

URL_ENV = "CITEBOT_DATABASE_URL"
CONNECT_TIMEOUT_S = 5
_DEFAULT_POOL = PoolParams()  # the pool policy when no settings say otherwise
_FIRST_DELAY_S = 0.5
_MAX_DELAY_S = 8.0
_UNREACHABLE = (
    "connection refused",
    "could not connect",
    "could not translate host name",
    "name or service not known",
    "timeout expired",
    "timed out",
    "server closed the connection",
    "the database system is starting up",
    "the database system is shutting down",
    "the database system is in recovery mode",
    "no route to host",
    "network is unreachable",
    "connection reset",
    "terminating connection",
    "consuming input failed",
    "connection is lost",
    "the connection is closed",
)
_AUTH = ("password authentication failed", "no password supplied", "pg_hba.conf", "authentication failed")


class DatabaseError(ConfigError):
    """A database problem (URL, server, password, schema) whose message is safe to show: no password."""


def user_of(url: str) -> str:
    try:
        return conninfo_to_dict(url).get("user") or ""
    except psycopg.ProgrammingError:
        return ""


def is_unreachable(error: BaseException) -> bool:
    """A server down, restarting or out of reach: worth retrying, unlike a refused password."""
    if isinstance(error, psycopg.errors.AdminShutdown | psycopg.errors.CannotConnectNow):
        return True
    text = str(error).lower()
    return (
        isinstance(error, psycopg.OperationalError)
        and not _is_auth(text)
        and any(marker in text for marker in _UNREACHABLE)
    )


def _is_auth(text: str) -> bool:
    return any(marker in text for marker in _AUTH)


def describe(error: BaseException, url: str) -> str:
    """One safe line for a connection or query error."""
    text = str(error)
    lowered = text.lower()
    place = database_address(url)
    if _is_auth(lowered):
        return messages.database_auth_failed(user_of(url), place)
    if "does not exist" in lowered and "database" in lowered:
        return messages.database_missing(conninfo_to_dict(url).get("dbname", ""), place)
    if "vector" in lowered and ("extension" in lowered or 'type "vector"' in lowered):
        return messages.pgvector_missing(place)
    detail = text.strip().splitlines()[-1] if text.strip() else error.__class__.__name__
    return messages.database_error(place, _without_password(detail, url))


def _without_password(text: str, url: str) -> str:
    try:
        password = conninfo_to_dict(url).get("password")
    except psycopg.ProgrammingError:
        return text
    return text.replace(password, "***") if password else text


def first_connection(
    url: str,
    wait_s: float,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> psycopg.Connection:
    """A connection, retrying with back-off while the server is unreachable; DatabaseError otherwise.

    One warning when the first try fails, one error if it never comes up: not a line per attempt.
    """
    if not url:
        raise DatabaseError(messages.DATABASE_URL_MISSING)
    started = clock()
    delay = _FIRST_DELAY_S
    warned = False
    while True:
        try:
            connection = psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S, autocommit=True)
        except psycopg.Error as error:
            waited = clock() - started
            if not is_unreachable(error):
                raise DatabaseError(describe(error, url)) from None
            detail = _without_password(reason(error), url)
            if waited + delay > wait_s:
                raise DatabaseError(
                    messages.database_unreachable(database_address(url), waited, detail)
                ) from None
            if not warned:
                log.warning(messages.database_retrying(database_address(url), wait_s, detail))
                warned = True
            sleep(delay)
            delay = min(delay * 2, _MAX_DELAY_S)
            continue
        if warned:
            log.info("connected to PostgreSQL at %s", database_address(url))
        return connection


def reason(error: BaseException) -> str:
    """The server's or the network's words: "Connection refused", not libpq's whole paragraph."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    for line in lines:
        if "failed: " in line:
            return line.rsplit("failed: ", 1)[1]
    return lines[0] if lines else error.__class__.__name__


def open_pool(
    url: str,
    wait_s: float = 60.0,
    max_size: int = _DEFAULT_POOL.max_size,
    configure: Callable[[psycopg.Connection], None] | None = None,
    name: str = "citebot",
    request_wait_s: float = _DEFAULT_POOL.wait_s,
) -> ConnectionPool:
    """A pool whose connections are checked when taken, so one lost to a restart is replaced, not used.

    `wait_s`: how long to retry a server that is down at start; `max_size` and `request_wait_s` (how
    long a request waits for a free connection): the pool policy, by default the library's (PoolParams).
    """
    first_connection(url, wait_s).close()
    pool = ConnectionPool(
        url,
        min_size=1,
        max_size=max_size,
        kwargs={"connect_timeout": CONNECT_TIMEOUT_S, "autocommit": True},
        configure=configure,
        check=ConnectionPool.check_connection,
        open=False,
        name=name,
        reconnect_timeout=max(wait_s, 30.0),
        timeout=request_wait_s,  # a request waits this long for a connection, then apologises
    )
    pool.open(wait=True, timeout=max(wait_s, 10.0))
    return pool
