"""Benchmark: rekap, export and broadcast creation over 100,000 businesses.

Targets (issue "Officers"): rekap under 0.5 s on SQLite and PostgreSQL; export of 100,000 rows under 10 s;
a broadcast to 100,000 owners with flat memory.
Usage: python bench/officers.py [--count 100000] [--database postgresql|sqlite]
"""

from __future__ import annotations

import argparse
import io
import random
import sys
import time
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import insert, text  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bench.benchdb import bench_database  # noqa: E402
from bot.officers.broadcasts import create_broadcast  # noqa: E402
from bot.officers.export import write_export  # noqa: E402
from bot.officers.rekap import rekap  # noqa: E402
from bot.storage.db import make_engine  # noqa: E402
from bot.storage.models import Business, ChannelAccount, Need, Owner, Permit, Product  # noqa: E402
from bot.storage.regions import DEMO_REGION_FILES, load_region_files  # noqa: E402
from bot.storage.segments import Segment  # noqa: E402

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
KECAMATAN = ["18.72.01", "18.72.02", "18.72.03", "18.72.04", "18.72.05", "17.71.01", "17.71.02", "17.71.03"]
COMMODITIES = ["makanan", "minuman", "batik_tenun", "konveksi", "kerajinan"]
STATUSES = ["belum", "diurus", "terbit"]


def seed(url: str, count: int) -> None:
    """`count` owners, each with a business, an NIB status, and a food product with P-IRT/halal for food trades."""
    rng = random.Random(7)
    engine = make_engine(url)
    with Session(engine) as db:
        load_region_files(db, DEMO_REGION_FILES)
        step = 10_000
        for start in range(0, count, step):
            size = min(step, count - start)
            db.execute(
                insert(Owner),
                [
                    {
                        "name": f"Pemilik {start + i}",
                        "phone": f"+62812{start + i:08d}",
                        "consent_status": "given",
                        "locale": "id",
                        "timezone": "Asia/Jakarta",
                        "phone_verified": False,
                        "created_at": NOW,
                        "registered_at": NOW,
                        "last_report_at": NOW,
                    }
                    for i in range(size)
                ],
            )
        db.commit()
        owners = [r[0] for r in db.execute(text("SELECT id FROM owner ORDER BY id")).all()]
        for start in range(0, count, step):
            chunk = owners[start : start + step]
            db.execute(
                insert(Business),
                [
                    {
                        "owner_id": o,
                        "name": f"Usaha {o}",
                        "kecamatan_code": rng.choice(KECAMATAN),
                        "commodity": rng.choice(COMMODITIES),
                        "workers": 3,
                        "created_at": NOW,
                        "updated_at": NOW,
                    }
                    for o in chunk
                ],
            )
            db.execute(
                insert(ChannelAccount),
                [
                    {"platform": "telegram", "external_id": str(o), "owner_id": o, "blocked": False, "created_at": NOW}
                    for o in chunk
                ],
            )
        db.commit()
        businesses = db.execute(text("SELECT id, commodity FROM business ORDER BY id")).all()
        for start in range(0, count, step):
            chunk = businesses[start : start + step]
            db.execute(
                insert(Permit),
                [
                    {
                        "business_id": b,
                        "product_key": "",
                        "type": "nib",
                        "status": rng.choice(STATUSES),
                        "reported_at": NOW,
                    }
                    for b, _c in chunk
                ],
            )
            food = [b for b, c in chunk if c in ("makanan", "minuman")]
            if food:
                db.execute(
                    insert(Product),
                    [
                        {"business_id": b, "key": "p1", "name": "Keripik", "category": "makanan", "created_at": NOW}
                        for b in food
                    ],
                )
                db.execute(
                    insert(Permit),
                    [
                        {
                            "business_id": b,
                            "product_key": "p1",
                            "type": kind,
                            "status": rng.choice(STATUSES),
                            "reported_at": NOW,
                        }
                        for b in food
                        for kind in ("pirt", "halal")
                    ],
                )
            db.execute(
                insert(Need),
                [
                    {
                        "business_id": b,
                        "kind": rng.choice(["kemasan", "modal", "pemasaran"]),
                        "status": "open",
                        "created_at": NOW,
                    }
                    for b, _c in chunk
                ],
            )
        db.commit()
        db.execute(text("ANALYZE"))  # statistics, as a deployment's maintenance would have them
        db.commit()
    engine.dispose()


def timed(label: str, fn, memory: bool = True):  # type: ignore[no-untyped-def]
    """Time `fn`; with `memory`, run it a second time under tracemalloc (which slows Python down) for the peak."""
    started = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - started
    peak_text = ""
    if memory:
        tracemalloc.start()
        fn()
        _now, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peak_text = f", peak Python allocations {peak / 1e6:.1f} MB"
    print(f"{label}: {elapsed:.3f} s{peak_text}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    args = parser.parse_args()
    with bench_database(args.database) as url:
        seed(url, args.count)
        engine = make_engine(url)
        print(f"database: {args.database}, businesses: {args.count}")
        with Session(engine) as db:
            rekap(db, "kecamatan")  # warm the connection and caches once
            timed("rekap by kecamatan", lambda: rekap(db, "kecamatan"))
            timed("rekap by commodity", lambda: rekap(db, "commodity"))
            timed("rekap, one officer's kecamatan", lambda: rekap(db, "kecamatan", ("18.72.01",)))
            rows = timed("export CSV (all rows)", lambda: write_export(db, io.BytesIO(), "csv"))
            timed("export XLSX (all rows)", lambda: write_export(db, io.BytesIO(), "xlsx"), memory=False)
            print(f"  exported {rows} rows")
            broadcast = timed(
                "broadcast to everyone (queue the outbox rows)",
                lambda: create_broadcast(db, None, "Dinas", "Info", Segment(), None, NOW, NOW),
                memory=False,
            )
            db.commit()
            print(f"  recipients queued: {broadcast.recipients}")
        engine.dispose()


if __name__ == "__main__":
    main()
