"""A throwaway, migrated database for a benchmark run: PostgreSQL on 127.0.0.1 (dropped afterwards) or SQLite."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from bot.db import upgrade

ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


@contextmanager
def bench_database(kind: str = "postgresql") -> Iterator[str]:
    """Yield the URL of a fresh database with the current schema; remove it when done."""
    if kind != "postgresql":
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            upgrade(url)
            yield url
        return
    name = f"lapor_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        url = f"postgresql://postgres@127.0.0.1:5432/{name}"
        upgrade(url)
        yield url
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
