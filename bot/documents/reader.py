"""`DocumentReader`: the bot's process hands photos and PDFs to the OCR worker and judges what it read.

    reader = DocumentReader()                 # starts nothing
    result = await reader.read(path)          # starts the worker on the first call; never blocks the event loop
    result.reading.number                     # judged by conversations.understanding.document_numbers
    reader.close()

* The worker (`worker.serve`) is a spawned process that alone loads the OCR engine (about 700 MB at peak, see
  bench/RESULTS.md); it starts on the first read, not at import or construction.
* At most `concurrency` documents are read at a time (1 by default, 2 allowed): each slot is one worker process, and
  reads beyond that wait their turn in the reader's own threads' queue, not in the event loop.
* A read that may not wait (`wait=False`: a photo sent where a product's photo was asked) is made only when a worker
  is free and no other read waits for one; else it gives `failure=BUSY` at once, so that a crowd of product photos
  never makes certificates, or the photos' owners, wait (bench/RESULTS.md).
* The worker runs at `niceness` 19: it reads with the CPU the bot's answers leave over, so other owners are not kept
  waiting while photos are read.
* Each read has a time limit (`time_limit`, 20 s) counted in the worker's CPU time where the system tells it (Linux):
  a worker kept waiting for the CPU by busy owners is not stopped for being slow; a read also ends after
  `WALL_FACTOR` times the limit on the clock.  When it is hit the worker is killed and the caller gets a result that
  could not be read (`failure="time limit"`); the next read starts a new worker.  Loading the engine has its own
  limit (`start_limit`), so a cold start does not eat a read's time.
* A worker that died (killed, out of memory) is noticed and restarted on the next read; one that dies during a read
  gives "could not read" for that read (a file that kills the worker is not retried).
* The blocking wait on the worker's pipe runs in the reader's threads (`loop.run_in_executor`).
* The lines come back to the bot's process, where `read_document` judges them: what reaches the conversation is the
  judged result, by the same rules as a typed number.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import queue
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from bot.documents import worker as worker_module
from conversations.understanding.document_dates import printed_expiry
from conversations.understanding.document_numbers import DocumentReading, OcrLine, page_rows, read_document

log = logging.getLogger(__name__)

BUSY = "every reader busy"  # the failure of a read that may not wait
TIME_LIMIT = 20.0
START_LIMIT = 90.0
NICENESS = 19
# A read stops after this many times its time limit on the clock, even if the worker got little CPU meanwhile: its
# owner is better off typing the number than waiting longer.
WALL_FACTOR = 5
POLL_SECONDS = 0.25  # how often a read's CPU time is looked at (an answer is taken at once, not at the next look)
_NOTHING = DocumentReading(permit=None, candidates=())


@dataclass(frozen=True)
class DocumentResult:
    """What was read from one document and how it was judged.

    `reading` is always a `DocumentReading` (empty when nothing could be read); `failure` names why the worker gave
    nothing ("time limit", "worker died", "engine did not load...", an error), `notes` what was left unread (PDF pages
    without text that could not be rendered).  `readable` is False when no number can be offered: the conversation
    then says "could not read" and the typed path goes on.
    """

    reading: DocumentReading
    lines: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()  # per page: "photo", "text", "ocr", "unread"
    notes: tuple[str, ...] = ()
    failure: str | None = None
    seconds: float = 0.0
    expires: date | None = None  # the expiry date printed after a validity label ("Berlaku sampai : ...")

    @property
    def readable(self) -> bool:
        return self.failure is None and bool(self.reading.candidates)


@dataclass
class _Slot:
    """One worker process and its end of the pipe (used by one reader thread at a time)."""

    index: int
    process: multiprocessing.process.BaseProcess | None = None
    conn: object = None
    starts: int = 0
    pids: list[int] = field(default_factory=list)


class DocumentReader:
    """Supervises the OCR worker processes; see the module's docstring."""

    def __init__(
        self,
        concurrency: int = 1,
        time_limit: float = TIME_LIMIT,
        start_limit: float = START_LIMIT,
        engine: str = worker_module.RAPIDOCR,
        niceness: int = NICENESS,
    ) -> None:
        if concurrency not in (1, 2):
            raise ValueError("concurrency is 1 or 2 (each worker holds the OCR model, about 700 MB)")
        self.concurrency = concurrency
        self.time_limit = time_limit
        self.start_limit = start_limit
        self.engine = engine
        self.niceness = niceness
        self._context = multiprocessing.get_context("spawn")
        self._slots: queue.Queue[_Slot] = queue.Queue()
        self._all = [_Slot(index) for index in range(concurrency)]
        for slot in self._all:
            self._slots.put(slot)
        self._executor = ThreadPoolExecutor(concurrency, thread_name_prefix="document-reader")
        self._lock = threading.Lock()
        self._waiting = 0  # reads waiting for a worker (guarded by _lock)
        self._closed = False

    # --- the API ---------------------------------------------------------------------------------------------
    async def read(self, path: str | Path) -> DocumentResult:
        """Read one photo or PDF without blocking the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, self.read_blocking, Path(path))

    def read_blocking(self, path: Path, wait: bool = True) -> DocumentResult:
        """The same, blocking the calling thread; `wait=False`: only if a worker is free now (else `failure=BUSY`)."""
        if self._closed:
            raise RuntimeError("the document reader is closed")
        slot = self._take_slot(wait)
        if slot is None:
            return DocumentResult(_NOTHING, failure=BUSY)
        try:
            return self._read_in(slot, Path(path))
        finally:
            self._slots.put(slot)

    def free(self) -> bool:
        """Whether a read that may not wait would be made now."""
        with self._lock:
            return self._waiting == 0 and not self._slots.empty()

    def _take_slot(self, wait: bool) -> _Slot | None:
        """A worker's slot: waiting for one in turn, or only one free now that no waiting read is owed."""
        with self._lock:
            if not wait:
                if self._waiting:
                    return None
                try:
                    return self._slots.get_nowait()
                except queue.Empty:
                    return None
            self._waiting += 1
        try:
            return self._slots.get()
        finally:
            with self._lock:
                self._waiting -= 1

    def worker_pids(self) -> list[int | None]:
        """The live workers' process ids (None for a slot not started or dead), for supervision and tests."""
        return [
            slot.process.pid if slot.process is not None and slot.process.is_alive() else None for slot in self._all
        ]

    def starts(self) -> int:
        """How many worker processes were started so far."""
        return sum(slot.starts for slot in self._all)

    def close(self) -> None:
        """Stop the workers (politely, then by force) and the reader's threads."""
        self._closed = True
        self._executor.shutdown(wait=True, cancel_futures=True)
        for slot in self._all:
            self._stop(slot)

    def __enter__(self) -> DocumentReader:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # --- the worker ------------------------------------------------------------------------------------------
    def _read_in(self, slot: _Slot, path: Path) -> DocumentResult:
        started = time.perf_counter()
        failure = self._ensure_started(slot)
        if failure:
            return DocumentResult(_NOTHING, failure=failure, seconds=time.perf_counter() - started)
        try:
            slot.conn.send(("read", str(path.resolve())))
            over = self._wait(slot)
            if over:
                log.warning("document read over %s, worker %s killed: %s", over, slot.process.pid, path)
                self._kill(slot)
                return DocumentResult(_NOTHING, failure="time limit", seconds=time.perf_counter() - started)
            answer = slot.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            log.warning("document worker %s died while reading %s", slot.process.pid, path)
            self._kill(slot)
            return DocumentResult(_NOTHING, failure="worker died", seconds=time.perf_counter() - started)
        if answer[0] != "done":
            return DocumentResult(_NOTHING, failure=str(answer[1]), seconds=time.perf_counter() - started)
        return judge(answer[1], seconds=time.perf_counter() - started)

    def _wait(self, slot: _Slot) -> str | None:
        """Wait for the worker's answer: None once it is there, else which limit the read went over."""
        pid = slot.process.pid
        began, cpu_began = time.monotonic(), cpu_seconds(pid)
        while not slot.conn.poll(POLL_SECONDS):
            waited = time.monotonic() - began
            if waited > self.time_limit * WALL_FACTOR:
                return f"{waited:.0f} s on the clock"
            cpu = cpu_seconds(pid)
            used = waited if cpu is None or cpu_began is None else cpu - cpu_began
            if used > self.time_limit:
                return f"{self.time_limit:.0f} s" if cpu is None else f"{used:.0f} s of CPU"
        return None

    def _ensure_started(self, slot: _Slot) -> str | None:
        """Start the slot's worker unless it is alive; a message when it could not start."""
        if slot.process is not None and slot.process.is_alive():
            return None
        if slot.process is not None:
            log.warning(
                "document worker %s is gone (exit code %s): starting another", slot.process.pid, slot.process.exitcode
            )
            self._kill(slot)
        parent, child = self._context.Pipe()
        process = self._context.Process(
            target=worker_module.serve,
            args=(child, self.engine, self.niceness),
            name=f"lapor-ocr-{slot.index}",
            daemon=True,
        )
        process.start()
        child.close()
        slot.process, slot.conn = process, parent
        slot.starts += 1
        slot.pids.append(process.pid)
        try:
            if not parent.poll(self.start_limit):
                self._kill(slot)
                return f"engine did not load within {self.start_limit:.0f} s"
            answer = parent.recv()
        except (EOFError, OSError):
            self._kill(slot)
            return "worker died while loading the engine"
        if answer[0] != "ready":
            self._kill(slot)
            return str(answer[1])
        log.info("document worker %s ready", process.pid)
        return None

    def _kill(self, slot: _Slot) -> None:
        if slot.process is not None:
            slot.process.kill()
            slot.process.join(5)
            slot.process.close()
        if slot.conn is not None:
            slot.conn.close()
        slot.process = slot.conn = None

    def _stop(self, slot: _Slot) -> None:
        if slot.process is None:
            return
        try:
            if slot.process.is_alive():
                slot.conn.send(("stop",))
                slot.process.join(5)
        except (OSError, ValueError):
            pass
        self._kill(slot)


def cpu_seconds(pid: int) -> float | None:
    """The CPU time (user and system, all threads) a process has used so far; None where /proc does not tell."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    # After the command's name: field 3 (state) is fields[0], so utime (14) and stime (15) are fields[11] and [12].
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def judge(pages: list[tuple[str, list, str]], seconds: float = 0.0) -> DocumentResult:
    """Judge each page's lines with `read_document` and put the pages' findings together (first page first)."""
    readings = []
    lines: list[str] = []
    expires = None
    for _source, page_lines, _note in pages:
        items = [line if isinstance(line, str) else OcrLine(line[0], tuple(line[1]), line[2]) for line in page_lines]
        lines.extend(item if isinstance(item, str) else item.text for item in items)
        if items:
            readings.append(read_document(items))
            expires = expires or printed_expiry(page_rows(items), date.today())
    candidates, others, seen = [], [], set()
    for reading in readings:
        for found in reading.candidates:
            if found.number.value not in seen:
                seen.add(found.number.value)
                candidates.append(found)
        others.extend(reading.others)
    with_numbers = [reading.permit for reading in readings if reading.candidates]
    permits = with_numbers or [reading.permit for reading in readings if reading.permit is not None]
    reading = DocumentReading(
        permit=permits[0] if permits else None, candidates=tuple(candidates), others=tuple(others)
    )
    return DocumentResult(
        reading,
        lines=tuple(lines),
        sources=tuple(source for source, _, _ in pages),
        notes=tuple(note for _, _, note in pages if note),
        seconds=seconds,
        expires=expires,
    )
