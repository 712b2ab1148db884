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
       [--database sqlite] [--no-echo] [--read-documents on|off|both]
       [--photo-owners 2 --photo-interval 2 [--rounds 2] [--ocr-nice 0] [--ocr-threads 1] [--ocr-no-spin]
       [--document-readers 2]]

Reading (READ_DOCUMENTS, on by default): the script's two photos carry fake bytes (not a JPEG): with reading on they
go through the inbox and the OCR worker (which fails fast on them) instead of the fast path. `--read-documents both`
measures the bot with reading off, then on (each its own bot process and fresh database), against one echo bot.

Photos while others talk (`--photo-owners N`): N more owners, registered up to the NIB number question, each send a
real NIB certificate photo (tests/documents/make_photos.py, served by the fake API under a new file_id each time)
every `--photo-interval` seconds (the next one once the previous is answered), and the bot answers each with the
confirmation "Nomor NIB di foto: ... Benar?" (it replaces the question, so the owner stays there). The paced and
flat-out phases then run twice, without the photo owners (the reference) and with them, in the same bot process
(`--rounds 2`: reference, photos, photos, reference); reported for the ordinary owners: p50/p99 (also apart for
their own photo steps: the NIB photo, at a permit question, waits its turn for the reader; the product photo is read
only if a reader is free at once; and apart for the steps taken on schedule: an owner whose answer came late takes
its next steps at once, one after the other, until it has caught up, a burst of its own making), steps/s and the
ratio to the echo bot; for the photo owners: photos read and the latency from the photo's POST to the confirmation.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import os
import random
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import aiohttp  # noqa: E402
import psycopg  # noqa: E402
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
# A photo owner is registered through these first steps of SCRIPT: the NIB is "terbit", the bot asks its number.
PHOTO_OWNER_STEPS = 17
CONFIRMATION = "di foto"  # "Nomor NIB di foto: 0220 0098 61929. Benar?"
UNCLEAR = "kurang jelas"  # "Fotonya kurang jelas ..."
SLOW = 2.0  # seconds: steps slower than this are counted by their place in the script (where the waiting is)


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
        self.photo_steps: list[float] = []  # the counted latencies of the script's own (fake) photo steps
        # Paced: the counted latencies of the other steps an owner took on schedule, not late after a slow answer (an
        # owner behind its schedule takes its next steps at once, one after the other, until it has caught up).
        self.on_time: list[float] = []
        self.slow: dict[int, int] = defaultdict(int)  # counted steps over SLOW seconds, by their place in SCRIPT

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
            for index, ((kind, value), count) in enumerate(zip(SCRIPT, expected, strict=True)):
                if until is not None and max(next_step, time.perf_counter()) >= until:
                    return
                late = False
                if every:
                    late = next_step < time.perf_counter()
                    await asyncio.sleep(max(0.0, next_step - time.perf_counter()))
                    next_step += every if self.lockstep else random.expovariate(1 / every)
                total += count
                started = time.perf_counter()
                await self.post(update_for(user_id, kind, value))
                latency = await self.replies.reach(chat, total) - started
                (latencies if started >= count_after else self.warm_up_latencies).append(latency)
                if kind == "photo" and started >= count_after:
                    self.photo_steps.append(latency)
                elif every and not late and started >= count_after:
                    self.on_time.append(latency)
                if latency > SLOW and started >= count_after:
                    self.slow[index] += 1
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
        self.warm_up_latencies, self.photo_steps, self.on_time, self.slow = [], [], [], defaultdict(int)
        count_after = time.perf_counter() + warm_up
        until = None if seconds is None else count_after + seconds
        places = range(first_id, first_id + owners)
        await asyncio.gather(*(self.owner(place, expected, every, latencies, until, count_after) for place in places))
        return time.perf_counter() - count_after, latencies

    async def register(self, user_id: int, expected: list[int], steps: int) -> None:
        """The first `steps` steps of the script for one owner, each as soon as the last is answered."""
        chat, total = str(user_id), 0
        for (kind, value), count in list(zip(SCRIPT, expected, strict=True))[:steps]:
            total += count
            await self.post(update_for(user_id, kind, value))
            await self.replies.reach(chat, total)

    async def send_photo(self, user_id: int, file_id: str, count: int = 1) -> tuple[float, list[str]]:
        """Post a photo (its bytes already in the fake API's files); the time until the `count`-th message of the
        answer arrived, and the answer's texts."""
        chat = str(user_id)
        before = self.replies.count(chat)
        started = time.perf_counter()
        await self.post(tg.photo_update(user_id, file_id))
        arrived = await self.replies.reach(chat, before + count)
        return arrived - started, self.replies.texts[chat][before : before + count]

    async def close(self) -> None:
        """Close the HTTP client."""
        await self.http.close()


class PhotoOwners:
    """Owners parked at the NIB number question, each sending a real NIB photo every `interval` seconds."""

    def __init__(self, driver: Driver, fake: FakeTelegram, ids: list[int], photos: list[bytes], interval: float):
        self.driver, self.fake, self.ids, self.photos, self.interval = driver, fake, ids, photos, interval
        self.answer_count = 1  # messages in the answer to a photo (set by `setup`)
        self.sent = 0
        self.latencies: list[float] = []
        self.outcomes: dict[str, int] = defaultdict(int)  # "read", "unclear", "other"
        self.first_answer: list[str] = []

    def _file(self, user_id: int) -> str:
        file_id = f"AgACcert{user_id}n{self.sent}"
        self.fake.files[file_id] = self.photos[self.sent % len(self.photos)]
        self.sent += 1
        return file_id

    async def setup(self, expected: list[int]) -> None:
        """Register the owners up to the NIB number question and send each a first photo (not counted)."""
        await asyncio.gather(*(self.driver.register(i, expected, PHOTO_OWNER_STEPS) for i in self.ids))
        chat = str(self.ids[0])
        before = self.driver.replies.count(chat)
        await self.driver.send_photo(self.ids[0], self._file(self.ids[0]))
        while True:  # more messages may follow the first one
            seen = self.driver.replies.count(chat)
            await asyncio.sleep(0.5)
            if self.driver.replies.count(chat) == seen:
                break
        self.answer_count = self.driver.replies.count(chat) - before
        self.first_answer = self.driver.replies.texts[chat][before:]
        await asyncio.gather(*(self.driver.send_photo(i, self._file(i), self.answer_count) for i in self.ids[1:]))

    def reset(self) -> None:
        self.latencies, self.outcomes = [], defaultdict(int)

    async def run(self, stop: asyncio.Event) -> None:
        """Every owner sends photos until `stop` (the answer to the one in flight is still awaited and counted)."""
        await asyncio.gather(*(self._owner(user_id, stop) for user_id in self.ids))

    async def _owner(self, user_id: int, stop: asyncio.Event) -> None:
        next_at = time.perf_counter() + random.uniform(0, self.interval)  # the owners spread over one interval
        while not stop.is_set():
            delay = next_at - time.perf_counter()
            if delay > 0:
                try:
                    await asyncio.wait_for(stop.wait(), delay)
                    return
                except TimeoutError:
                    pass
            latency, texts = await self.driver.send_photo(user_id, self._file(user_id), self.answer_count)
            self.latencies.append(latency)
            answer = "\n".join(texts)
            self.outcomes["read" if CONFIRMATION in answer else "unclear" if UNCLEAR in answer else "other"] += 1
            next_at = max(next_at + self.interval, time.perf_counter())  # late: the next at once, no catching up


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


def ocr_workers_cpu(pid: int) -> float:
    """CPU seconds used so far by the OCR workers of the bot process `pid` (its spawned children; Linux)."""
    used = 0.0
    tick = os.sysconf("SC_CLK_TCK")
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and b"spawn_main" in (entry / "cmdline").read_bytes():
                used += (int(fields[11]) + int(fields[12])) / tick
        except OSError:  # the process ended meanwhile
            continue
    return used


def ms(values: list[float], share: float) -> str:
    """A percentile in milliseconds, "-" for no values."""
    return f"{1000 * percentile(values, share):.0f}" if values else "-"


def nib_photos(folder: Path) -> list[bytes]:
    """Real NIB certificate photos (tests/documents/make_photos.py, seed 21, the normal ones: all read right in
    bench/ocr.py)."""
    from tests.documents.make_photos import make_set

    made = make_set(folder, normal=17, hard=0)  # the first 17 of the default set: 5 NIB print-outs
    return [(folder / photo.name).read_bytes() for photo in made if photo.permit == "nib"]


# How the ordinary owners' updates of a phase were answered, from the stored events: at once (the fast path: taken
# when stored, processed_at = received_at) or stored for the inbox (processed later, after any reading).
_PATHS = """
SELECT (payload->'message'->'photo') IS NOT NULL AS photo, count(*),
       count(*) FILTER (WHERE processed_at > received_at),
       percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at))
           FILTER (WHERE processed_at > received_at),
       percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at))
           FILTER (WHERE processed_at > received_at)
FROM inboxevent
WHERE received_at >= %(start)s AND received_at < %(end)s AND NOT chat_key = ANY(%(skip)s)
GROUP BY 1 ORDER BY 1
"""


def answer_paths(db_url: str, start: datetime, end: datetime, skip: list[str]) -> str:
    """The share of the phase's updates (but the photo owners') answered at once, and how long the others waited
    in the inbox (PostgreSQL only)."""
    if not db_url.startswith("postgresql"):
        return ""
    with psycopg.connect(db_url) as connection:
        rows = connection.execute(_PATHS, {"start": start, "end": end, "skip": skip}).fetchall()
    parts = []
    for photo, total, queued, p50, p99 in rows:
        waited = f", they waited p50 {1000 * p50:.0f} ms, p99 {1000 * p99:.0f} ms" if queued else ""
        parts.append(f"{'photo' if photo else 'other'} updates {total}: {queued} through the inbox{waited}")
    return "; ".join(parts)


class Usage:
    """CPU used by the bot processes, their OCR workers, PostgreSQL and this process between two moments."""

    def __init__(self, bots: list[RunProcess], database: str) -> None:
        self.bots, self.database = bots, database
        self.start = self._read()

    def _read(self) -> dict[str, float]:
        pids = [bot.process.pid for bot in self.bots]
        return {
            "wall": time.perf_counter(),
            "user": sum(cpu_seconds(pid)[0] for pid in pids),
            "system": sum(cpu_seconds(pid)[1] for pid in pids),
            "ocr": sum(ocr_workers_cpu(pid) for pid in pids),
            "pg": postgres_cpu() if self.database == "postgresql" else 0.0,
            "own": sum(cpu_seconds(os.getpid())),
        }

    def since(self) -> dict[str, float]:
        now = self._read()
        used = {key: now[key] - self.start[key] for key in now}
        used["load"] = os.getloadavg()[0]
        return used


async def measure(
    args: argparse.Namespace,
    config: str,
    driver: Driver,
    bots: list[RunProcess],
    expected: list[int],
    kind: str,
    label: str,
    phase: int,
    photo_owners: PhotoOwners | None,
    db_url: str,
) -> dict[str, Any]:
    """One paced or flat-out phase, with or without the photo owners sending photos meanwhile; prints it."""
    stop = asyncio.Event()
    sending = None
    if label == "with photos" and photo_owners is not None:
        photo_owners.reset()
        sending = asyncio.create_task(photo_owners.run(stop))
    usage = Usage(bots, args.database)
    began = datetime.now(UTC)
    if kind == "paced":
        owners = max(1, round(args.rate * PACED_THINK_SECONDS))
        elapsed, latencies = await driver.crowd(
            10_000 + 1000 * phase, owners, expected, owners / args.rate, args.paced_seconds, PACED_WARM_UP_SECONDS
        )
    else:
        owners = args.owners
        elapsed, latencies = await driver.crowd(100_000 + args.owners * phase, owners, expected, 0.0)
    used = usage.since()
    ended = datetime.now(UTC)
    stop.set()
    if sending is not None:
        await sending
    skip = [str(user_id) for user_id in (photo_owners.ids if photo_owners is not None else [])]
    paths = await asyncio.to_thread(answer_paths, db_url, began, ended, skip)
    photo_steps = driver.photo_steps
    others = sorted(latencies)
    for latency in photo_steps:  # the other steps: all counted ones but the photo steps
        del others[bisect.bisect_left(others, latency)]
    row: dict[str, Any] = {
        "config": config,
        "label": label,
        "kind": kind,
        "steps_per_s": len(latencies) / elapsed,
        "p50": percentile(latencies, 0.5),
        "p99": percentile(latencies, 0.99),
        "others_p99": percentile(others, 0.99) if others else 0.0,
        "photo_steps": photo_steps,
        "cpu": used,
        "steps": len(latencies),
    }
    wall = used["wall"]
    print(
        f"{config}, {label}, {kind}{' in lockstep' if kind == 'paced' and args.lockstep else ''}: {owners} owners, "
        f"{len(latencies)} steps in {elapsed:.1f} s = {row['steps_per_s']:.0f} steps/s"
        + (f" (offered {args.rate:.0f}/s, after {PACED_WARM_UP_SECONDS:.0f} s of warm-up)" if kind == "paced" else "")
        + f": p50 {ms(latencies, 0.5)} ms, p99 {ms(latencies, 0.99)} ms; steps but photos p99 {ms(others, 0.99)} ms;"
        f" the script's photo steps ({len(photo_steps)}): p50 {ms(photo_steps, 0.5)} ms, "
        f"p99 {ms(photo_steps, 0.99)} ms" + (f" ({driver.reconnects} reconnects so far)" if kind == "flat out" else "")
    )
    if kind == "paced":
        warm, on_time = driver.warm_up_latencies, driver.on_time
        print(f"  the warm-up's {len(warm)} steps: p50 {ms(warm, 0.5)} ms, p99 {ms(warm, 0.99)} ms")
        print(
            f"  steps but photos taken on schedule ({len(on_time)} of {len(others)}; the rest came at once after a "
            f"late answer): p50 {ms(on_time, 0.5)} ms, p99 {ms(on_time, 0.99)} ms"
        )
    per_step = 1000 / max(1, len(latencies))
    print(
        f"  CPU over the phase's {wall:.0f} s, in cores: bot processes {(used['user'] + used['system']) / wall:.2f}, "
        f"OCR worker {used['ocr'] / wall:.2f}, PostgreSQL {used['pg'] / wall:.2f}, load generator and fake API "
        f"{used['own'] / wall:.2f} (machine load average {used['load']:.1f})"
        + (
            f"; per step: bot {per_step * (used['user'] + used['system']):.1f} ms, PostgreSQL "
            f"{per_step * used['pg']:.1f} ms"
            if kind == "flat out"
            else ""
        )
    )
    if paths:
        print(f"  {paths}")
    if driver.slow:
        slow = ", ".join(f"{index} {SCRIPT[index][0]}: {n}" for index, n in sorted(driver.slow.items()))
        print(f"  steps over {SLOW:.0f} s by their place in the script (0-{len(SCRIPT) - 1}): {slow}")
    if sending is not None and photo_owners is not None:
        done = photo_owners.latencies
        row["photos"] = dict(photo_owners.outcomes)
        row["photo_latencies"] = list(done)
        print(
            f"  photo owners: {len(done)} photos answered ({photo_owners.outcomes['read']} read and confirmed, "
            f"{photo_owners.outcomes['unclear']} 'not clear', {photo_owners.outcomes['other']} other) = "
            f"{len(done) / wall:.2f}/s; POST to confirmation p50 {ms(done, 0.5)} ms, p99 {ms(done, 0.99)} ms, "
            f"min {ms(done, 0.0)} ms, max {ms(done, 1.0)} ms"
        )
    return row


async def run_bot(
    args: argparse.Namespace,
    reading: bool,
    db_url: str,
    tmp: Path,
    fake: FakeTelegram,
    fake_url: str,
    photos: asyncio.Task[list[bytes]] | None,
    rows: list[dict[str, Any]],
) -> None:
    """Start the bot processes (reading documents or not), calibrate, and measure every phase; rows for the
    summary."""
    replies = Replies()
    fake.on_call = replies.on_call  # a new count per bot: the chats of two bots are the same numbers
    env = {"TELEGRAM_RATE_PER_SECOND": "100000", "TELEGRAM_RATE_PER_CHAT": "1000", "LOG_LEVEL": "WARNING"}
    env["READ_DOCUMENTS"] = "true" if reading else "false"
    if args.inbox_concurrency:
        env["INBOX_CONCURRENCY"] = str(args.inbox_concurrency)
    if args.document_readers:
        env["DOCUMENT_READERS"] = str(args.document_readers)
    if args.ocr_nice is not None:
        env["DOCUMENT_NICENESS"] = str(args.ocr_nice)
    if args.ocr_threads or args.ocr_no_spin:  # bench-only: the same engine, tuned
        env["DOCUMENT_ENGINE"] = "bench.ocr_engine:rapidocr"
        env["BENCH_OCR_THREADS"] = str(args.ocr_threads)
        env["BENCH_OCR_SPIN"] = "0" if args.ocr_no_spin else "1"
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    config = "reading " + ("on" if reading else "off")
    bots = [await asyncio.to_thread(RunProcess, fake_url, db_url, tmp, **env) for _ in range(args.processes)]
    driver = Driver([f"{bot.url}/telegram/webhook" for bot in bots], replies, args.lockstep)
    try:
        expected = await driver.calibrate(1)
        print(
            f"{config}: script: {len(SCRIPT)} steps, {sum(expected)} messages in answer; database: {args.database}, "
            f"bot processes: {args.processes}"
        )
        photo_owners = None
        if photos is not None and reading and args.photo_owners > 0:
            ids = list(range(50_000, 50_000 + args.photo_owners))
            photo_owners = PhotoOwners(driver, fake, ids, await photos, args.photo_interval)
            await photo_owners.setup(expected)
            print(
                f"photo owners: {args.photo_owners} at the NIB number question, a photo each every "
                f"{args.photo_interval:g} s ({len(photo_owners.photos)} different NIB photos); the answer to one: "
                f"{photo_owners.answer_count} message(s): {photo_owners.first_answer!r}"
            )
        elif photos is not None:
            await photos  # made before anything is measured
        labels = ["reference", "with photos"] if photo_owners is not None else ["reference"]
        phase = 0
        for round_ in range(args.rounds):
            order = labels if round_ % 2 == 0 else labels[::-1]
            kinds = (["paced"] if args.paced_seconds > 0 else []) + (["flat out"] if args.owners > 0 else [])
            for kind in kinds:
                for label in order:
                    row = await measure(args, config, driver, bots, expected, kind, label, phase, photo_owners, db_url)
                    rows.append({**row, "round": round_ + 1})
                    phase += 1
    finally:
        await driver.close()
        for bot in bots:
            await asyncio.to_thread(bot.stop)
            lines = [line for line in bot.output().splitlines() if " WARNING " in line or " ERROR " in line]
            unreadable = [line for line in lines if "could not read" in line]  # the script's fake photos
            complaints = [line for line in lines if "could not read" not in line]
            if unreadable:
                print(f"{config}: {len(unreadable)} photos could not be read (the script's fake bytes, expected)")
            if complaints:  # a benchmark that hides errors measures the wrong thing
                print(f"{config}: bot process logged {len(complaints)} other warnings or errors, the first ones:")
                print("\n".join(complaints[:10]))


async def bench(args: argparse.Namespace, tmp: Path) -> None:
    """Every bot configuration's phases, then the echo bot; prints the figures and a summary."""
    fake = FakeTelegram()
    fake_port = free_port()
    server = uvicorn.Server(uvicorn.Config(fake.app(), host="127.0.0.1", port=fake_port, log_level="warning"))
    serving = asyncio.create_task(server.serve())
    fake_url = f"http://127.0.0.1:{fake_port}"
    photos = None
    if args.photo_owners > 0:  # made meanwhile in a thread (CPU: done before anything is measured)
        photos = asyncio.create_task(asyncio.to_thread(nib_photos, tmp / "photos"))
    readings = {"on": [True], "off": [False], "both": [False, True]}[args.read_documents]
    rows: list[dict[str, Any]] = []
    try:
        for reading in readings:
            with bench_database(args.database) as db_url:
                await run_bot(args, reading, db_url, tmp, fake, fake_url, photos, rows)
        flat = [row for row in rows if row["kind"] == "flat out"]
        echo = 0.0
        if flat and not args.no_echo:
            replies = Replies()
            fake.on_call = replies.on_call
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
                f"echo bot: {len(latencies)} steps in {elapsed:.1f} s = {echo:.0f} steps/s ({driver.reconnects} "
                f"reconnects; load generator and fake API {1000 * own / len(latencies):.1f} ms per step, "
                f"{own / elapsed:.0%} of a core)"
            )
            for row in flat:
                print(
                    f"Lapor IKM / echo bot ({row['config']}, {row['label']}, round {row['round']}): "
                    f"{row['steps_per_s'] / echo:.2f}"
                )
        summary(rows, echo)
    finally:
        server.should_exit = True
        await serving


def summary(rows: list[dict[str, Any]], echo: float) -> None:
    """One line per configuration and label: the paced and flat-out figures side by side (a markdown table)."""
    print(
        "\n| reading | round | ordinary owners | paced p50 / p99 (photo steps p99) | flat out | ratio to echo "
        "| photos read (answered) | photo POST to confirmation p50 / p99 | OCR worker CPU (cores) paced / flat |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    keys = sorted(
        {(row["config"], row["round"], row["label"]) for row in rows}, key=lambda key: (key[0], key[1], key[2])
    )
    for config, round_, label in keys:
        paced = next(
            (r for r in rows if (r["config"], r["round"], r["label"], r["kind"]) == (config, round_, label, "paced")),
            None,
        )
        flat = next(
            (
                r
                for r in rows
                if (r["config"], r["round"], r["label"], r["kind"]) == (config, round_, label, "flat out")
            ),
            None,
        )
        photo_latencies = (paced or {}).get("photo_latencies", []) + (flat or {}).get("photo_latencies", [])
        outcomes: dict[str, int] = defaultdict(int)
        for row in (paced, flat):
            for key, value in ((row or {}).get("photos") or {}).items():
                outcomes[key] += value
        cells = [
            config.removeprefix("reading "),
            str(round_),
            label,
            f"{1000 * paced['p50']:.0f} / {1000 * paced['p99']:.0f} ms ({ms(paced['photo_steps'], 0.99)} ms)"
            if paced
            else "-",
            f"{flat['steps_per_s']:.0f} steps/s" if flat else "-",
            f"{flat['steps_per_s'] / echo:.2f}" if flat and echo else "-",
            f"{outcomes['read']} ({sum(outcomes.values())})" if photo_latencies else "-",
            f"{ms(photo_latencies, 0.5)} / {ms(photo_latencies, 0.99)} ms" if photo_latencies else "-",
            " / ".join(f"{row['cpu']['ocr'] / row['cpu']['wall']:.2f}" if row else "-" for row in (paced, flat)),
        ]
        print("| " + " | ".join(cells) + " |")


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
    parser.add_argument(
        "--read-documents",
        choices=["on", "off", "both"],
        default="on",
        help="READ_DOCUMENTS of the bot (both: a bot with reading off, then one with it on, each measured)",
    )
    parser.add_argument("--photo-owners", type=int, default=0, help="owners sending real NIB photos meanwhile")
    parser.add_argument("--photo-interval", type=float, default=2.0, help="seconds between a photo owner's photos")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the phases (reference and photos alternate)")
    parser.add_argument("--document-readers", type=int, choices=[1, 2], help="DOCUMENT_READERS of the bot")
    parser.add_argument("--ocr-nice", type=int, help="DOCUMENT_NICENESS of the bot (the OCR worker's; 19 by default)")
    parser.add_argument("--ocr-threads", type=int, default=0, help="bench-only: onnxruntime's intra-op threads")
    parser.add_argument("--ocr-no-spin", action="store_true", help="bench-only: onnxruntime's threads do not spin")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(bench(args, Path(tmp)))


if __name__ == "__main__":
    main()
