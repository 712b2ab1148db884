"""Benchmark: a broadcast delivered by the real sender to a fake Bot API (in its own process) at a set rate.

Targets (issue "Proof under load"): 20,000 recipients at 1,000 messages/s -> at least 90% of the rate; 30/s for 60 s
-> at least 95%; peak memory for 100,000 recipients under 200 MB.
Usage: python bench/broadcast.py [--count 20000] [--rate 1000]
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402
from sqlmodel import Session  # noqa: E402

from bench.benchdb import bench_database, seed_owners  # noqa: E402
from bot.channels.telegram import TelegramTransport  # noqa: E402
from bot.messaging.ratelimit import RateLimiter  # noqa: E402
from bot.messaging.sender import Sender  # noqa: E402
from bot.officers.broadcasts import create_broadcast  # noqa: E402
from bot.storage.db import make_engine  # noqa: E402
from bot.storage.models import Business, OutboxMessage  # noqa: E402
from bot.storage.segments import Segment  # noqa: E402
from tests.fakes.telegram import TOKEN  # noqa: E402
from tests.servers import free_port  # noqa: E402

NOW = datetime(2026, 11, 25, 3, 0, tzinfo=UTC)
FAKE = """
import sys, uvicorn
sys.path.insert(0, {root!r})
from tests.fakes.telegram import FakeTelegram
uvicorn.run(FakeTelegram().app(), host="127.0.0.1", port={port}, log_level="warning")
"""


def seed(url: str, count: int) -> None:
    engine = make_engine(url)
    with Session(engine) as db:
        ids = seed_owners(db, count, NOW)
        for start in range(0, count, 10_000):
            db.execute(
                insert(Business),
                [
                    {"owner_id": i, "name": f"Usaha {i}", "created_at": NOW, "updated_at": NOW}
                    for i in ids[start : start + 10_000]
                ],
            )
        db.commit()
    engine.dispose()


async def deliver(url: str, fake_url: str, rate: float, count: int) -> float:
    engine = make_engine(url)
    transport = TelegramTransport(TOKEN, fake_url)
    await transport.start()
    sender = Sender(engine, {"telegram": transport}, {"telegram": RateLimiter(rate, 1.0)}, concurrency=64)
    stop = asyncio.Event()
    started = time.perf_counter()
    task = asyncio.create_task(sender.run(stop))

    def sent() -> int:
        with Session(engine) as db:
            return int(db.execute(select(func.count()).where(OutboxMessage.status == "sent")).scalar_one())

    while sent() < count:
        await asyncio.sleep(0.5)
    elapsed = time.perf_counter() - started
    stop.set()
    await task
    await transport.stop()
    engine.dispose()
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=20_000)
    parser.add_argument("--rate", type=float, default=1000.0)
    args = parser.parse_args()
    port = free_port()
    fake = subprocess.Popen([sys.executable, "-c", FAKE.format(root=str(ROOT), port=port)])
    try:
        with bench_database() as url:
            elapsed, recipients = run(url, port, args)
    finally:
        fake.terminate()
    report(recipients, elapsed, args.rate)


def run(url: str, port: int, args: argparse.Namespace) -> tuple[float, int]:
    """Seed, queue the broadcast and deliver it; returns the time taken and the number of recipients."""
    seed(url, args.count)
    engine = make_engine(url)
    with Session(engine) as db:
        broadcast = create_broadcast(db, None, "Dinas", "Info pelatihan", Segment(), None, NOW, NOW)
        db.commit()
        recipients = broadcast.recipients
    engine.dispose()
    for _ in range(100):  # the fake server is starting in its own process
        try:
            httpx.get(f"http://127.0.0.1:{port}/bot{TOKEN}/getMe", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    return asyncio.run(deliver(url, f"http://127.0.0.1:{port}", args.rate, recipients)), recipients


def report(recipients: int, elapsed: float, rate: float) -> None:
    """Print the achieved rate and memory."""
    achieved = recipients / elapsed
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"recipients: {recipients}, limit {rate:.0f}/s")
    print(f"delivered in {elapsed:.1f} s: {achieved:.0f} messages/s = {100 * achieved / rate:.0f}% of the limit")
    print(f"max RSS of the sending process: {rss:.0f} MB")


if __name__ == "__main__":
    main()
