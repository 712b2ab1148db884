"""PostgreSQL connections whose server session ended while pooled: replaced before use, or failing once."""

from __future__ import annotations

import psycopg
import pytest
from sqlalchemy.exc import OperationalError

from bot.storage import db
from bot.storage.db import make_engine
from tests.servers import wait_until


def _end_session(url: str, pid: int) -> None:
    """What a PostgreSQL restart or an idle timeout does to one connection."""
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
        gone = "SELECT count(*) FROM pg_stat_activity WHERE pid = %s"
        wait_until(lambda: admin.execute(gone, [pid]).fetchone() == (0,), what="the session to end")


def _backend_pid(engine) -> int:  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def test_a_connection_that_sat_idle_is_pinged_and_replaced(pg_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 0.0)
    engine = make_engine(pg_url, pool_size=1)
    try:
        first = _backend_pid(engine)
        _end_session(pg_url, first)
        assert _backend_pid(engine) != first  # no error reached the caller
    finally:
        engine.dispose()


def test_a_connection_in_steady_use_is_not_pinged_and_a_failure_renews_the_pool(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(db, "PING_AFTER_IDLE_SECONDS", 3600.0)
    engine = make_engine(pg_url, pool_size=1)
    try:
        first = _backend_pid(engine)
        _end_session(pg_url, first)
        with pytest.raises(OperationalError):  # the statement finds out (and is retried by its loop)
            _backend_pid(engine)
        assert _backend_pid(engine) != first
    finally:
        engine.dispose()
