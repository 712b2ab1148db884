"""Benchmark: the inbox worker alone - the inbound script's 38 steps per owner, stored and processed one by one.

No HTTP and no sender: what one conversation step costs in the database layer and the engine. Prints wall time and
CPU (user, system) per step for storing an update (`store_event`) and for processing it (`InboxWorker.process_next`),
PostgreSQL's CPU per step, and the five script steps that take longest to process. With `--at-once`, each update is
stored and processed in one transaction (`InboxWorker.answer_new`, as the Telegram webhook does when the chat has
nothing waiting), counted as processing.
Usage: python bench/worker_step.py [--owners 30] [--database sqlite] [--at-once] [--profile cumulative]
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlmodel import Session  # noqa: E402

from bench.benchdb import bench_database  # noqa: E402
from bench.inbound import SCRIPT, postgres_cpu, postgres_cpu_since, update_for  # noqa: E402
from bot.channels.telegram import TelegramAdapter, chat_key  # noqa: E402
from bot.clock import utcnow  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.messaging.inbox import InboxWorker, store_event  # noqa: E402
from bot.service import ConversationService  # noqa: E402
from bot.storage.db import make_engine  # noqa: E402
from bot.storage.regions import ensure_regions  # noqa: E402

WARM_UP_OWNERS = 2  # not counted: statement caches and prepared statements fill during the first owners


def cpu() -> tuple[float, float]:
    """User and system CPU seconds of this process so far."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime, usage.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--owners", type=int, default=30)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--profile", help="print a cProfile of processing, sorted by this key (e.g. cumulative)")
    parser.add_argument("--at-once", action="store_true", help="store and process each update in one transaction")
    args = parser.parse_args()
    profile = cProfile.Profile()
    with bench_database(args.database) as url:
        engine = make_engine(url)
        with Session(engine) as db:
            ensure_regions(db, None)
        service = ConversationService(engine, Settings(database_url=url))
        worker = InboxWorker(engine, service, {"telegram": TelegramAdapter()})
        totals = {"store": [0.0, 0.0, 0.0], "process": [0.0, 0.0, 0.0]}  # wall, user, system
        counted, update_id = 0, 0
        by_step = [0.0] * len(SCRIPT)  # processing wall time per script step, summed over the measured owners
        pg_before = 0.0
        for owner in range(WARM_UP_OWNERS + args.owners):
            if owner == WARM_UP_OWNERS:
                pg_before = postgres_cpu()
            for index, (kind, value) in enumerate(SCRIPT):
                update_id += 1
                update = {**update_for(500 + owner, kind, value), "update_id": update_id}
                key = chat_key(update)
                marks = [(time.perf_counter(), *cpu())]
                if not args.at_once:
                    store_event(engine, "telegram", str(update_id), key, update, utcnow())
                marks.append((time.perf_counter(), *cpu()))
                measured = owner >= WARM_UP_OWNERS
                if measured and args.profile:
                    profile.enable()
                if args.at_once:
                    status = worker.answer_new("telegram", str(update_id), key, update)
                else:
                    status = worker.process_next("telegram", key)
                if status != "done":
                    raise RuntimeError(f"step {kind} {value!r} was not processed (see the log)")
                if measured and args.profile:
                    profile.disable()
                marks.append((time.perf_counter(), *cpu()))
                if measured:
                    counted += 1
                    by_step[index] += marks[2][0] - marks[1][0]
                    for name, (before, after) in zip(totals, zip(marks, marks[1:], strict=False), strict=True):
                        for i in range(3):
                            totals[name][i] += after[i] - before[i]
        pg_seconds = postgres_cpu_since(pg_before) if args.database == "postgresql" else 0.0
        engine.dispose()
    for name, (wall, user, system) in totals.items():
        print(
            f"{name}: {1000 * wall / counted:.2f} ms wall, CPU {1000 * user / counted:.2f} ms user "
            f"+ {1000 * system / counted:.2f} ms system per step ({counted} steps, {args.database})"
        )
    if pg_seconds:
        print(f"PostgreSQL: CPU {1000 * pg_seconds / counted:.2f} ms per step (storing and processing)")
    measured_owners = counted // len(SCRIPT)
    slowest = sorted(range(len(SCRIPT)), key=lambda i: -by_step[i])[:5]
    print(
        "slowest steps (processing wall): "
        + ", ".join(f"{SCRIPT[i][0]} {SCRIPT[i][1]!r} {1000 * by_step[i] / measured_owners:.1f} ms" for i in slowest)
    )
    if args.profile:
        pstats.Stats(profile).sort_stats(args.profile).print_stats(40)


if __name__ == "__main__":
    main()
