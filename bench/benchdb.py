"""A throwaway, migrated database for a benchmark run: PostgreSQL on 127.0.0.1 (dropped afterwards) or SQLite."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import psycopg
from sqlalchemy import insert, text
from sqlmodel import Session

from bot.storage.db import upgrade
from bot.storage.models import ChannelAccount, Owner

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


def seed_owners(db: Session, count: int, now: datetime) -> list[int]:
    """`count` consenting owners, each with a Telegram account (chat id 1,000,000 + owner id); their ids, in order."""
    for start in range(0, count, 10_000):
        size = min(10_000, count - start)
        row = {"consent_status": "given", "locale": "id", "timezone": "Asia/Jakarta", "phone_verified": False}
        db.execute(insert(Owner), [{**row, "created_at": now} for _ in range(size)])
    db.commit()
    ids = [r[0] for r in db.execute(text("SELECT id FROM owner ORDER BY id")).all()]
    account = {"platform": "telegram", "blocked": False, "created_at": now}
    for start in range(0, count, 10_000):
        db.execute(
            insert(ChannelAccount),
            [{**account, "external_id": str(1_000_000 + i), "owner_id": i} for i in ids[start : start + 10_000]],
        )
    db.commit()
    return ids
