"""Database engines, sessions and migrations (SQLite by default, PostgreSQL in production)."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlmodel import create_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"

log = logging.getLogger(__name__)
# A loop that failed (the database restarting, say) waits before trying again, at most this long.
MAX_RETRY_SECONDS = 5.0
# What a database that is down, restarting or out of connections raises: worth trying again in a moment.
DATABASE_UNAVAILABLE: tuple[type[Exception], ...] = (OperationalError, InterfaceError, PoolTimeoutError)
# A pooled PostgreSQL connection idle this long is pinged before use. One in steady use is not: the ping is a round
# trip per checkout, and a server that went away meanwhile fails the statement, which invalidates the whole pool and
# is retried like any outage.
PING_AFTER_IDLE_SECONDS = 1.0


def normalise_url(url: str) -> str:
    """Use the psycopg 3 driver for plain postgresql:// URLs."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def make_engine(url: str, pool_size: int = 10) -> Engine:
    """Create an engine with the settings each backend needs (`pool_size`: connections kept open, PostgreSQL)."""
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()
            # We issue BEGIN ourselves (below): pysqlite's deferred BEGIN lets a transaction that read
            # first fail with "database is locked" when it later writes after another writer committed.
            dbapi_connection.isolation_level = None

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection) -> None:  # type: ignore[no-untyped-def]
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    engine = create_engine(url, pool_size=pool_size, max_overflow=10)
    _ping_idle_connections(engine)
    return engine


def _ping_idle_connections(engine: Engine) -> None:
    """SQLAlchemy's pessimistic disconnect handling (pre-ping), for connections that sat idle in the pool only."""

    @event.listens_for(engine, "checkin")
    def _idle_since(_dbapi_connection, record) -> None:  # type: ignore[no-untyped-def]
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:  # type: ignore[no-untyped-def]
        idle_since = record.info.get("idle_since")  # none on a fresh connection
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise DisconnectionError() from error  # the pool replaces the connection and checks out again
            raise


def open_pool(engine: Engine) -> None:
    """Open the pool's connections now, so that the first answers after a start do not wait for them."""
    if is_sqlite(engine):
        return
    connections = [engine.connect() for _ in range(engine.pool.size())]  # type: ignore[attr-defined]
    for connection in connections:
        connection.close()


def autovacuum_is_off(engine: Engine) -> bool:
    """True when the engine's PostgreSQL server does not vacuum and analyse tables by itself."""
    if is_sqlite(engine):
        return False
    with engine.connect() as connection:
        return connection.exec_driver_sql("SHOW autovacuum").scalar_one() == "off"


def describe_error(error: BaseException) -> str:
    """One line for the log: the driver error's class and the first line of its message (no SQL, no traceback)."""
    inner = getattr(error, "orig", None) or error  # SQLAlchemy wraps the driver's exception
    lines = str(inner).strip().splitlines()
    return f"{type(inner).__name__}: {lines[0] if lines else ''}"[:300]


def retry_delay(failures: int) -> float:
    """How long a loop pauses after its `failures`-th failure in a row: 0.5, 1, 2 ... seconds, at most five."""
    return min(MAX_RETRY_SECONDS, 0.25 * 2.0**failures)


def log_loop_error(loop: str, error: Exception, delay: float) -> None:
    """A database outage is one warning line per try; anything else keeps its traceback."""
    if isinstance(error, DATABASE_UNAVAILABLE):
        log.warning("%s: database unavailable (%s); retrying in %.1f s", loop, describe_error(error), delay)
    else:
        log.exception("%s failed; retrying in %.1f s", loop, delay)


def is_sqlite(engine: Engine) -> bool:
    """True when the engine talks to SQLite (no row locks there)."""
    return engine.dialect.name == "sqlite"


def alembic_config(url: str) -> Config:
    """An Alembic configuration pointing at our migrations and the given database."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", normalise_url(url).replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Bring the database schema up to `revision`."""
    command.upgrade(alembic_config(url), revision)
