"""PostgreSQL helpers for tests that need to see inside the server."""

from __future__ import annotations

from sqlalchemy.engine import Engine


def lock_waits(engine: Engine) -> bool:
    """Whether a connection to the engine's database is waiting for a lock now."""
    with engine.connect() as connection:  # a transaction of its own: the activity view is read once per transaction
        query = "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        return bool(connection.exec_driver_sql(query).scalar_one())
