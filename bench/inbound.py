"""Benchmark: owners registering and reporting their permits through the real POST /telegram/webhook.

The bot runs as `python -m bot run` (its own process, PostgreSQL by default); the fake Bot API runs in this process,
so the moment a reply reaches it is known exactly. Each simulated owner posts one update, waits for the whole answer
(the number of messages a calibration owner got for that step), then posts the next.

1. calibration: one owner, step by step, to learn how many messages answer each step;
2. paced: owners with think time so that together they send `--rate` steps per second: p50/p99 latency (each owner
   waits a random, exponentially distributed time between steps, so that their steps form a Poisson stream, or, with
   `--lockstep`, exactly the mean time, so that all owners take the same step at once; a finished owner is replaced
   by a new one; the first 5 s are not counted);
3. flat out: `--owners` owners at once with no think time: steps per second;
4. the same updates against a bare python-telegram-bot echo bot (bench/echo_bot.py): its steps per second.

Targets (issue "Proof under load", 2-core machine): >= 300 steps/s on PostgreSQL, p99 < 100 ms at 100 steps/s, and at
least half of the echo bot's throughput. Sending limits are lifted (the fake API has none): this measures the code.
Usage: python bench/inbound.py [--owners 1000] [--rate 100] [--paced-seconds 40] [--lockstep] [--processes 2]
       [--database sqlite] [--no-echo]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import uvicorn  # noqa: E402

from bench.benchdb import bench_database  # noqa: E402
from tests.fakes import updates as tg  # noqa: E402
from tests.fakes.telegram import TOKEN, Call, FakeTelegram  # noqa: E402
from tests.servers import free_port  # noqa: E402
from tests.telegram_harness import SECRET, RunProcess  # noqa: E402

# The whole registration (consent, name, verified phone, business, place, product with photo, six permits, needs)
# and then a report: what changed, workers, turnover, the food permits, the trademark's expected date, needs.
SCRIPT: list[tuple[str, str]] = [
    ("say", "/start"),
    ("press", "setuju"),
    ("say", "Sri Wahyuni"),
    ("contact", ""),
    ("say", "Keripik Pisang Bu Sri"),
    ("press", "18.72.01"),
    ("press", "18.72.01.1005"),
    ("location", ""),
    ("press", "makanan"),
    ("say", "3"),
    ("say", "5 jt"),
    ("press", "no"),
    ("say", "Keripik pisang balado"),
    ("press", "berlabel"),  # a food business: the product is food, no category question
    ("photo", "AgACProductPhoto"),
    ("press", "no"),
    ("press", "terbit"),
    ("say", "0220 0098 61929"),
    ("photo", "AgACnibPhoto"),
    ("press", "belum"),
    ("press", "diurus"),
    ("press", "lewati"),
    ("press", "tidak_perlu"),
    ("press", "belum"),
    ("press", "tidak_ada"),
    ("say", "lapor"),
    ("press", "ada"),
    ("say", "4"),
    ("say", "7 jt"),
    ("press", "belum"),
    ("say", "sdh"),
    ("say", "ID32110000474710722"),
    ("press", "lewati"),
    ("press", "tidak_perlu"),
    ("say", "lg diurus"),
    ("say", "bulan depan"),
    ("say", "1,3"),
]
FIRST_REPLY = "UU No. 27 Tahun 2022"
# The paced phase's first seconds are not counted: every owner starts with /start within the first interval, on
# connections not opened yet, a burst that the steady stream of independent owners does not have.
PACED_WARM_UP_SECONDS = 5.0
# A paced owner's mean time between two steps (the number of owners follows from it and the rate).
PACED_THINK_SECONDS = 1.0
LAST_REPLY = "laporan Bapak/Ibu sudah diperbarui"
MESSAGES = ("sendMessage", "sendPhoto")


def update_for(user_id: int, kind: str, value: str) -> dict[str, Any]:
    """The Bot API update an owner's step produces."""
    if kind == "say":
        return tg.text_update(user_id, value)
    if kind == "press":
        return tg.callback_update(user_id, value)
    if kind == "contact":
        phone = f"628123{user_id:07d}"
        return tg.message_update(user_id, contact={"phone_number": phone, "first_name": "Sri", "user_id": user_id})
    if kind == "location":
        return tg.message_update(user_id, location={"latitude": -5.1136, "longitude": 105.3067})
    return tg.photo_update(user_id, f"{value}{user_id}")


class Replies:
    """Counts the messages each chat received at the fake API and wakes whoever waits for a count."""

    def __init__(self) -> None:
        self.texts: dict[str, list[str]] = defaultdict(list)
        self.arrived: dict[str, list[float]] = defaultdict(list)  # when each message of a chat arrived
        self.waiters: dict[str, tuple[int, asyncio.Future[float]]] = {}

    def on_call(self, call: Call) -> None:
        """FakeTelegram's hook: runs in the event loop as each request arrives."""
        if call.method not in MESSAGES:
            return
        chat = str(call.params.get("chat_id"))
        now = time.perf_counter()
        self.arrived[chat].append(now)
        self.texts[chat].append(str(call.params.get("text") or call.params.get("caption") or ""))
        waiting = self.waiters.get(chat)
        if waiting is not None and self.count(chat) >= waiting[0] and not waiting[1].done():
            waiting[1].set_result(now)

    def count(self, chat: str) -> int:
        """Messages `chat` has received so far."""
        return len(self.arrived[chat])

    async def reach(self, chat: str, count: int, timeout: float = 60.0) -> float:
        """Wait until `chat` has received `count` messages; the time the `count`-th one arrived (which may be before
        the webhook's 200 reached the owner: an owner sees the reply, not the 200)."""
        if self.count(chat) >= count:
            return self.arrived[chat][count - 1]
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waiters[chat] = (count, future)
        try:
            return await asyncio.wait_for(future, timeout)
        finally:
            self.waiters.pop(chat, None)


class Driver:
    """Simulated owners posting to one webhook."""

    def __init__(self, webhooks: list[str], replies: Replies, lockstep: bool = False) -> None:
        self.lockstep = lockstep
        self.webhooks = webhooks  # several bot processes: each owner's updates go to one (as a proxy would)
        self.replies = replies
        self.http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=256))
        self.reconnects = 0  # posts sent again after a refused or reset connection
        self.warm_up_latencies: list[float] = []  # of steps started during a crowd's warm-up (not counted)

    async def post(self, update: dict[str, Any]) -> None:
        """POST one update as Telegram does; anything but 200 is a failed run."""
        headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        user = (update.get("message") or update.get("callback_query") or {}).get("from", {}).get("id", 0)
        webhook = self.webhooks[user % len(self.webhooks)]
        for attempt in range(10):  # Telegram, too, delivers an update again when the connection fails
            try:
                async with self.http.post(webhook, json=update, headers=headers) as response:
                    if response.status != 200:
                        raise RuntimeError(f"webhook answered {response.status}: {await response.text()}")
                    return
            except aiohttp.ClientConnectionError:
                self.reconnects += 1
                await asyncio.sleep(0.05 * (attempt + 1))
        raise RuntimeError("the webhook kept refusing connections")

    async def calibrate(self, user_id: int) -> list[int]:
        """One owner, waiting for quiet after each step: how many messages answer each step."""
        chat, expected = str(user_id), []
        for kind, value in SCRIPT:
            before = self.replies.count(chat)
            await self.post(update_for(user_id, kind, value))
            await self.replies.reach(chat, before + 1)
            while True:  # more messages may follow the first one
                seen = self.replies.count(chat)
                await asyncio.sleep(0.4)
                if self.replies.count(chat) == seen:
                    break
            expected.append(self.replies.count(chat) - before)
        texts = self.replies.texts[chat]
        if FIRST_REPLY not in texts[0] or LAST_REPLY not in "\n".join(texts[-expected[-1] :]):
            raise RuntimeError("the script no longer follows the conversation:\n" + "\n---\n".join(texts))
        return expected

    async def owner(
        self,
        user_id: int,
        expected: list[int],
        every: float,
        latencies: list[float],
        until: float | None,
        count_after: float,
    ) -> None:
        """One owner through the whole script, a step every `every` seconds on average (at once after the reply when
        0); with `until`, a new owner takes over the same place until then. Steps started before `count_after` are
        not counted. Owners act independently: the time
        between two steps is drawn from an exponential distribution (the steps of many owners form a Poisson
        stream), or is exactly `every` in lockstep mode, where all owners take the same step within the same
        interval (a synchronised worst case: the heavy steps coincide)."""
        next_step = time.perf_counter() + random.uniform(0, every)  # owners start spread over one interval
        while True:
            chat, total = str(user_id), 0
            for (kind, value), count in zip(SCRIPT, expected, strict=True):
                if until is not None and max(next_step, time.perf_counter()) >= until:
                    return
                if every:
                    await asyncio.sleep(max(0.0, next_step - time.perf_counter()))
                    next_step += every if self.lockstep else random.expovariate(1 / every)
                total += count
                started = time.perf_counter()
                await self.post(update_for(user_id, kind, value))
                latency = await self.replies.reach(chat, total) - started
                (latencies if started >= count_after else self.warm_up_latencies).append(latency)
            if until is None:
                return
            user_id += 1_000_000  # the next owner in this place

    async def crowd(
        self,
        first_id: int,
        owners: int,
        expected: list[int],
        every: float,
        seconds: float | None = None,
        warm_up: float = 0.0,
    ) -> tuple[float, list[float]]:
        """`owners` owners at once (for `warm_up` + `seconds`, or through the script once); returns the time and the
        latencies of the steps after the warm-up."""
        latencies: list[float] = []
        count_after = time.perf_counter() + warm_up
        until = None if seconds is None else count_after + seconds
        places = range(first_id, first_id + owners)
        await asyncio.gather(*(self.owner(place, expected, every, latencies, until, count_after) for place in places))
        return time.perf_counter() - count_after, latencies

    async def close(self) -> None:
        """Close the HTTP client."""
        await self.http.close()


def cpu_seconds(pid: int) -> tuple[float, float]:
    """User and system CPU time a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def postgres_cpu() -> float:
    """CPU seconds used so far by PostgreSQL on this machine (Linux): its live processes' own time, and the time of
    the ones that ended (counted in their parent's, the postmaster's: short-lived connections are not missed)."""
    used = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() == "postgres":
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                used += sum(int(field) for field in fields[11:15]) / tick  # utime, stime, cutime, cstime
        except OSError:  # the process ended meanwhile
            continue
    return used


def postgres_cpu_since(before: float) -> float:
    """CPU seconds PostgreSQL used since `before` (a `postgres_cpu()` reading)."""
    return postgres_cpu() - before


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of the values lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@contextmanager
def echo_bot(fake_url: str) -> Iterator[str]:
    """bench/echo_bot.py in its own process; yields its webhook URL."""
    port = free_port()
    command = [sys.executable, str(ROOT / "bench" / "echo_bot.py"), "--port", str(port), "--api", fake_url]
    process = subprocess.Popen([*command, "--token", TOKEN])
    try:
        yield f"http://127.0.0.1:{port}/telegram/webhook"
    finally:
        process.terminate()
        process.wait(timeout=10)


async def wait_for_port(url: str) -> None:
    """Until something answers HTTP at `url`."""
    async with aiohttp.ClientSession() as http:
        for _ in range(200):
            try:
                async with http.get(url) as response:
                    await response.read()
                    return
            except aiohttp.ClientError:
                await asyncio.sleep(0.1)
    raise RuntimeError(f"nothing answers at {url}")


async def bench(args: argparse.Namespace, db_url: str, tmp: Path) -> None:
    """All four phases; prints the figures."""
    replies = Replies()
    fake = FakeTelegram(on_call=replies.on_call)
    fake_port = free_port()
    server = uvicorn.Server(uvicorn.Config(fake.app(), host="127.0.0.1", port=fake_port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    fake_url = f"http://127.0.0.1:{fake_port}"
    env = {"TELEGRAM_RATE_PER_SECOND": "100000", "TELEGRAM_RATE_PER_CHAT": "1000", "LOG_LEVEL": "WARNING"}
    if args.inbox_concurrency:
        env["INBOX_CONCURRENCY"] = str(args.inbox_concurrency)
    bots = [await asyncio.to_thread(RunProcess, fake_url, db_url, tmp, **env) for _ in range(args.processes)]
    driver = Driver([f"{bot.url}/telegram/webhook" for bot in bots], replies, args.lockstep)
    try:
        expected = await driver.calibrate(1)
        steps = len(SCRIPT)
        print(
            f"script: {steps} steps, {sum(expected)} messages in answer; database: {args.database}, "
            f"bot processes: {args.processes}"
        )

        if args.paced_seconds > 0:
            owners = max(1, round(args.rate * PACED_THINK_SECONDS))
            elapsed, latencies = await driver.crowd(
                10_000, owners, expected, owners / args.rate, args.paced_seconds, PACED_WARM_UP_SECONDS
            )
            warm = driver.warm_up_latencies
            print(
                f"paced{' in lockstep' if args.lockstep else ''}: {owners} owners, {len(latencies) / elapsed:.0f} "
                f"steps/s (offered {args.rate:.0f}/s) after {PACED_WARM_UP_SECONDS:.0f} s of warm-up: "
                f"p50 {1000 * percentile(latencies, 0.5):.0f} ms, p99 {1000 * percentile(latencies, 0.99):.0f} ms "
                f"(the warm-up's {len(warm)} steps: p50 {1000 * percentile(warm, 0.5):.0f} ms, "
                f"p99 {1000 * percentile(warm, 0.99):.0f} ms)"
            )

        ours = 0.0
        if args.owners > 0:  # 0: the paced phase only
            bot_before = [cpu_seconds(bot.process.pid) for bot in bots]
            pg_before = postgres_cpu()
            own_before = sum(cpu_seconds(os.getpid()))
            elapsed, latencies = await driver.crowd(100_000, args.owners, expected, 0.0)
            ours = len(latencies) / elapsed
            pg = postgres_cpu_since(pg_before) if args.database == "postgresql" else 0.0
            own = sum(cpu_seconds(os.getpid())) - own_before
            bot_after = [cpu_seconds(bot.process.pid) for bot in bots]
            user = sum(after[0] - before[0] for before, after in zip(bot_before, bot_after, strict=True))
            system = sum(after[1] - before[1] for before, after in zip(bot_before, bot_after, strict=True))
            per_step = 1000 / len(latencies)
            print(
                f"flat out: {args.owners} owners, {len(latencies)} steps in {elapsed:.1f} s = {ours:.0f} steps/s "
                f"(p50 {1000 * statistics.median(latencies):.0f} ms, p99 {1000 * percentile(latencies, 0.99):.0f} ms; "
                f"{driver.reconnects} reconnects)\n"
                f"CPU per step: bot processes {per_step * (user + system):.1f} ms ({per_step * user:.1f} user, "
                f"{per_step * system:.1f} system), PostgreSQL {per_step * pg:.1f} ms, "
                f"this load generator and fake API {per_step * own:.1f} ms ({own / elapsed:.0%} of a core)"
            )
    finally:
        await driver.close()
        for bot in bots:
            await asyncio.to_thread(bot.stop)
            complaints = [line for line in bot.output().splitlines() if " WARNING " in line or " ERROR " in line]
            if complaints:  # a benchmark that hides errors measures the wrong thing
                print(f"bot process logged {len(complaints)} warnings or errors, the first ones:")
                print("\n".join(complaints[:10]))

    if args.no_echo or not ours:
        server.should_exit = True
        await serving
        return
    with echo_bot(fake_url) as url:
        await wait_for_port(url)
        driver = Driver([url], replies)
        own_before = sum(cpu_seconds(os.getpid()))
        try:
            elapsed, latencies = await driver.crowd(200_000, args.owners, [1] * len(SCRIPT), 0.0)
        finally:
            await driver.close()
        own = sum(cpu_seconds(os.getpid())) - own_before
    echo = len(latencies) / elapsed
    print(
        f"echo bot: {len(latencies)} steps in {elapsed:.1f} s = {echo:.0f} steps/s ({driver.reconnects} reconnects; "
        f"load generator and fake API {1000 * own / len(latencies):.1f} ms per step, {own / elapsed:.0%} of a core)"
    )
    print(f"Lapor IKM / echo bot: {ours / echo:.2f}")
    server.should_exit = True
    await serving


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--owners", type=int, default=1000, help="owners in the flat-out phase (0: skip it)")
    parser.add_argument("--rate", type=float, default=100.0, help="steps per second offered in the paced phase")
    parser.add_argument("--paced-seconds", type=float, default=40.0)
    parser.add_argument("--lockstep", action="store_true", help="paced owners all take the same step together")
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--processes", type=int, default=1, help="bot processes sharing the database")
    parser.add_argument("--inbox-concurrency", type=int, help="INBOX_CONCURRENCY of each bot process")
    parser.add_argument("--no-echo", action="store_true", help="skip the echo bot (quicker runs while tuning)")
    args = parser.parse_args()
    with bench_database(args.database) as url, tempfile.TemporaryDirectory() as tmp:
        asyncio.run(bench(args, url, Path(tmp)))


if __name__ == "__main__":
    main()
