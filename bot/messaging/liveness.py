"""Which running process holds which outbox rows, so that the rows of a process that died go back at once.

Every `lapor-ikm run` on PostgreSQL takes a session-level advisory lock under a random key of its own and holds it on a
connection kept for that purpose until it stops; the rows it claims for sending carry that key (`claimed_by`). When a
process dies, even by kill -9, PostgreSQL drops its connection and with it the lock. Any process can then take the
lock for a moment: if it can, the holder is gone, and its rows in flight are queued again at once, instead of waiting
for the 60-second lease (which stays as the fallback for rows without a key and for a stuck but living process).
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

from bot.storage.db import is_sqlite

log = logging.getLogger(__name__)

LOCK_CLASS = 0x4C49  # "LI": the first key of the two-key advisory lock, so that other applications' locks differ


class ProcessLock:
    """This process's liveness lock (PostgreSQL); on SQLite, one process owns the database and nothing is locked."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.key = secrets.randbelow(2**31 - 2) + 1
        self.enabled = not is_sqlite(engine)
        self._connection: Connection | None = None
        self._held = False  # the lock is held on `_connection`
        self._mutex = threading.Lock()  # the connection is used from the sender's threads one at a time

    def acquire(self) -> None:
        """Take the lock on a connection of its own (blocking; call from a thread)."""
        if not self.enabled:
            return
        with self._mutex:
            self._connect()

    def _connect(self) -> None:
        """A new connection for the lock, which takes it without waiting: if the session of a connection this
        process lost still holds it (the server has not noticed the loss yet), waiting would stop the sender until
        it does, hours after a network cut; the process counts as alive meanwhile all the same, and each later look
        tries again."""
        self._drop()
        self._connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        self._take()
        if not self._held:
            log.warning("the liveness lock is still held by a lost connection of this process; trying again later")

    def _take(self) -> None:
        assert self._connection is not None
        params = {"c": LOCK_CLASS, "k": self.key}
        self._held = bool(self._connection.execute(text("SELECT pg_try_advisory_lock(:c, :k)"), params).scalar())

    def _drop(self) -> None:
        """Close the lock's connection for good: back in the pool, its session would keep holding the lock."""
        if self._connection is not None:
            try:
                self._connection.invalidate()
            except Exception:  # noqa: BLE001  (a broken connection: it is gone all the same)
                log.debug("closing the liveness connection failed", exc_info=True)
            self._connection = None
        self._held = False

    def dead_among(self, keys: Iterable[int]) -> list[int]:
        """The keys whose process no longer holds its lock (each checked by taking and giving back the lock)."""
        if not self.enabled:
            return []
        dead = []
        with self._mutex:
            if self._connection is None or self._connection.closed:
                self._connect()  # the database restarted: hold our own lock again before judging others
            assert self._connection is not None
            try:
                self._connection.execute(text("SELECT 1"))
            except Exception:  # noqa: BLE001
                log.warning("the liveness connection was lost; taking the lock again")
                self._connect()
            if not self._held:  # a lost connection's session held it at the last look
                self._take()
            for key in keys:
                if key == self.key:
                    continue
                params = {"c": LOCK_CLASS, "k": key}
                taken = self._connection.execute(text("SELECT pg_try_advisory_lock(:c, :k)"), params).scalar()
                if taken:
                    self._connection.execute(text("SELECT pg_advisory_unlock(:c, :k)"), params)
                    dead.append(key)
        return dead

    def release(self) -> None:
        """Give the lock back (closing its connection)."""
        with self._mutex:
            self._drop()
