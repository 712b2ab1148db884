"""Benchmark: claim and queue 100,000 due reminders (issue: under 30 s on 2 cores, flat memory).

Usage: python bench/reminders.py [--count 100000] [--database-url URL]
Without --database-url a fresh PostgreSQL database is created on 127.0.0.1 (and dropped), or SQLite if none answers.
Prints the time, the rate and the peak memory of the dispatch.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bench.benchdb import bench_database, seed_owners  # noqa: E402
from bot.messaging.sending_window import SendingWindow  # noqa: E402
from bot.scheduling.reminders import dispatch_due  # noqa: E402
from bot.storage.db import make_engine  # noqa: E402
from bot.storage.models import Reminder  # noqa: E402


def seed(url: str, count: int, now: datetime) -> None:
    """`count` consenting owners with a Telegram account and one due reminder each."""
    engine = make_engine(url)
    owners = max(1, count // 2)  # two reminders per owner, like a follow-up and a report request
    with Session(engine) as db:
        ids = seed_owners(db, owners, now)
        rows = [
            {
                "owner_id": ids[i % len(ids)],
                "kind": "report_request" if i % 2 else "permit_followup",
                "ref": f"r{i}",
                "due_at": now - timedelta(minutes=5),
                "status": "pending",
                "created_at": now,
            }
            for i in range(count)
        ]
        for start in range(0, count, 20_000):
            db.execute(insert(Reminder), rows[start : start + 20_000])
        db.commit()
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    args = parser.parse_args()
    now = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)  # Wednesday 10:00 WIB: inside the sending window
    with bench_database(args.database) as url:
        seed(url, args.count, now)
        engine = make_engine(url)
        tracemalloc.start()
        started = time.perf_counter()
        result = dispatch_due(engine, now, SendingWindow(), batch=5000)
        elapsed = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        engine.dispose()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"database: {args.database}")
    print(f"reminders queued: {result.queued} (deferred {result.deferred}, skipped {result.skipped})")
    print(f"dispatch time: {elapsed:.2f} s  ({result.queued / elapsed:,.0f} reminders/s)")
    print(f"peak Python allocations during dispatch: {peak / 1e6:.1f} MB; process max RSS: {rss:.0f} MB")


if __name__ == "__main__":
    main()
