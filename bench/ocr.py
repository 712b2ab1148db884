"""Benchmark: permit numbers read from synthetic phone photos of permit documents (issue 21).

Generates the test set (`tests/documents/make_photos.py`: 35 normal and 5 hard photos, and an NIB PDF with a text
layer), reads every photo with RapidOCR (the wheel's default PP-OCR models on onnxruntime) in one worker process of
its own (multiprocessing, spawn: the bot's process never loads the model), judges the text with
`conversations.understanding.document_numbers.read_document`, and prints for normal and hard photos: right number /
could not read / wrong number offered, seconds per photo once the worker is warm, the worker's peak RSS, and the
parent's RSS before and after.  Then reads the PDF from its text layer (pypdf), in the parent, without OCR.

`--set realistic` reads the realistic family instead (`make_realistic_set`: 48 photos with folds, glare, fingers,
shadows, WhatsApp compression, a tilted page on a patterned table, stamps and signatures, motion blur) and prints
right / could not read / WRONG per document kind, per degradation (every photo counts under each of its
degradations; "alone" for photos with only that one, "on number" for those where it covers part of the number's
row) and for one degradation or several, then the OCR rows of every photo given a wrong number.
`--set occlusion` reads the occlusion probe (`make_occlusion_set`: the number's row partly hidden from its start or
its end by a thumb or glare, 80 photos), with the same report.
`--lines FILE` keeps every photo's OCR lines (JSON), to judge them again without the engine.
Usage: python bench/ocr.py [--set standard|realistic|occlusion] [--out DIR] [--threads N] [--seed N] [--count N]
       [--lines FILE]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import multiprocessing
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.documents.worker import DET_LIMIT  # noqa: E402  (the bot's setting: 960 px, see bench/RESULTS.md)
from conversations.understanding.document_numbers import OcrLine, read_document  # noqa: E402
from tests.documents.make_photos import (  # noqa: E402
    DEGRADATIONS,
    make_occlusion_set,
    make_pdf,
    make_realistic_set,
    make_set,
)

_ENGINE = None


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident memory (VmRSS) or its peak (VmHWM), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def start_engine(threads: int = 0, det_limit: int = DET_LIMIT) -> None:
    """Load RapidOCR in this (worker) process, as the bot's worker does (bot/documents/worker.py)."""
    global _ENGINE
    from bot.documents.worker import rapidocr_engine

    _ENGINE = rapidocr_engine(threads, det_limit)


def ocr_lines(path: str) -> tuple[list[tuple[str, tuple[float, float, float, float], float]], float, float]:
    """(lines as (text, box, score), seconds, peak RSS in MB) for one photo, in the worker."""
    if _ENGINE is None:
        start_engine()
    started = time.perf_counter()
    lines = _ENGINE(path)
    seconds = time.perf_counter() - started
    return lines, seconds, rss_mb("VmHWM")


def pdf_lines(path: str | Path) -> list[str]:
    """The text layer of every page of a PDF, line by line (pages without text give nothing: those need OCR)."""
    from pypdf import PdfReader

    return [line for page in PdfReader(str(path)).pages for line in (page.extract_text() or "").splitlines()]


def verdict(lines: list[tuple[str, tuple[float, float, float, float], float]], permit: str, number: str) -> str:
    """'right', 'unread' or 'wrong' (a number offered that is not the true one, or the wrong permit)."""
    reading = read_document([OcrLine(text, box, score) for text, box, score in lines])
    values = [found.number.value for found in reading.candidates]
    if not values:
        return "unread"
    return "right" if values == [number] and reading.permit == permit else "wrong"


def read_in_worker(paths, threads: int = 0, det_limit: int = DET_LIMIT, before_first=None):
    """Read every photo in one spawned worker: yields (lines, seconds, worker peak RSS MB) per path, in order.

    The worker starts (and loads the model) at once; `before_first()`, when given, runs in this process meanwhile
    (e.g. to generate the photos) and may return the paths instead of `paths`."""
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(
        1, mp_context=context, initializer=start_engine, initargs=(threads, det_limit)
    ) as pool:
        ready = pool.submit(rss_mb)  # starts the worker: the model loads while `before_first` runs
        if before_first is not None:
            paths = before_first() or paths
        ready.result(timeout=180)
        for path in paths:
            yield pool.submit(ocr_lines, str(path)).result(timeout=180)


def _tally_line(label: str, t: dict[str, int]) -> str:
    total = sum(t.values())
    return f"{label:<22} right {t['right']:>2}/{total:<2}  could not read {t['unread']:>2}  WRONG {t['wrong']}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--set", choices=("standard", "realistic", "occlusion"), default="standard", dest="which")
    parser.add_argument("--out", default=None, help="default artifacts/documents (others: ...-realistic, ...)")
    parser.add_argument("--threads", type=int, default=0, help="onnxruntime threads in the worker (0: all cores)")
    parser.add_argument("--seed", type=int, default=21, help="another seed gives another set of photos")
    parser.add_argument("--count", type=int, default=None, help="realistic set: how many photos (default 48)")
    parser.add_argument("--det-limit", type=int, default=DET_LIMIT, help="long side for detection (0: the wheel's)")
    parser.add_argument("--lines", default=None, help="write every photo's OCR lines to this JSON file")
    args = parser.parse_args()
    out = Path(args.out or ("artifacts/documents" + ("" if args.which == "standard" else "-" + args.which)))
    pdf = None
    if args.which == "realistic":
        photos = make_realistic_set(out, seed=args.seed, **({"count": args.count} if args.count else {}))
    elif args.which == "occlusion":
        photos = make_occlusion_set(out, seed=args.seed)
    else:
        photos = make_set(out, seed=args.seed)
        pdf = make_pdf(out, seed=args.seed)
    print(
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {len(photos)} {args.which} photos in "
        f"{out}; seed {args.seed}, threads {args.threads or 'all'}, detection limit {args.det_limit or 'default'}"
    )

    parent_before = rss_mb()
    seconds: list[float] = []
    peak = 0.0
    results = []  # (photo, lines, verdict)
    started = time.perf_counter()
    reads = read_in_worker([out / photo.name for photo in photos], args.threads, args.det_limit)
    for index, (photo, (lines, took, peak_now)) in enumerate(zip(photos, reads, strict=True)):
        if index == 0:
            first = time.perf_counter() - started
        else:
            seconds.append(took)
        peak = max(peak, peak_now)
        results.append((photo, lines, verdict(lines, photo.permit, photo.number)))
        if index == 0:
            parent_during = rss_mb()
    parent_after = rss_mb()
    if args.lines:
        dump = [{"name": p.name, "number": p.number, "verdict": v, "lines": lines} for p, lines, v in results]
        Path(args.lines).write_text(json.dumps(dump, indent=0), encoding="utf-8")

    if args.which != "standard":
        _report_realistic(results)
    else:
        tally = {False: {"right": 0, "unread": 0, "wrong": 0}, True: {"right": 0, "unread": 0, "wrong": 0}}
        for photo, _lines, result in results:
            tally[photo.hard][result] += 1
        for hard in (False, True):
            t = tally[hard]
            total = sum(t.values())
            print(
                f"{'hard  ' if hard else 'normal'}: right {t['right']}/{total}, could not read {t['unread']}, "
                f"wrong {t['wrong']}"
            )
    print(f"first photo (worker start + model load + read): {first:.2f} s")
    print(
        f"per photo once warm: mean {statistics.mean(seconds):.2f} s, median {statistics.median(seconds):.2f} s, "
        f"max {max(seconds):.2f} s"
    )
    print(f"worker peak RSS: {peak:.0f} MB")
    print(
        f"parent RSS: before {parent_before:.0f} MB, while the worker read {parent_during:.0f} MB, "
        f"after {parent_after:.0f} MB"
    )
    for photo, lines, result in results:
        if result != "right":
            reading = read_document([OcrLine(*line) for line in lines])
            detail = (photo.name, result, photo.number, [f.number.value for f in reading.candidates])
            print("  not right:", json.dumps(detail))
    if pdf is None:
        return
    started = time.perf_counter()
    reading = read_document(pdf_lines(out / pdf.name))
    took = time.perf_counter() - started
    values = [f.number.value for f in reading.candidates]
    print(
        f"PDF text layer: {'right' if values == [pdf.number] else 'NOT RIGHT ' + str(values)} "
        f"({reading.permit}, {took * 1000:.0f} ms)"
    )


LOCAL = ("fold", "glare", "finger", "shadow", "stamp")  # degradations that may or may not lie over the number


def _report_realistic(results) -> None:
    """Right / could not read / WRONG per document kind, per degradation and by how many; the rows of wrong ones."""

    def tally(rows) -> dict[str, int]:
        counts = {"right": 0, "unread": 0, "wrong": 0}
        for _photo, _lines, result in rows:
            counts[result] += 1
        return counts

    realistic = bool(results) and results[0][0].family == "realistic"  # else the occlusion probe
    print(_tally_line("all", tally(results)))
    print("per document kind:")
    for kind in ("nib", "pirt", "halal", "bpom"):
        print("  " + _tally_line(kind, tally(r for r in results if r[0].permit == kind)))
    print("per degradation (a photo counts under each of its degradations):")
    present = {name for photo, _lines, _result in results for name in photo.degradations}
    for name in [name for name in DEGRADATIONS if name in present] + sorted(present - set(DEGRADATIONS)):
        having = [r for r in results if name in r[0].degradations]
        alone = tally(r for r in having if len(r[0].degradations) == 1)
        on_number = tally(r for r in having if name in r[0].on_number)
        where = (
            f", on number {on_number['right']}/{sum(on_number.values())} right"
            f" ({on_number['unread']} unread, {on_number['wrong']} wrong)"
            if name in LOCAL
            else ""  # the whole photo
        )
        more = f"   | alone {alone['right']}/{sum(alone.values())} right{where}" if realistic else ""
        print("  " + _tally_line(name, tally(having)) + more)
    if realistic:
        print("  " + _tally_line("one degradation", tally(r for r in results if not r[0].hard)))
        print("  " + _tally_line("two or three", tally(r for r in results if r[0].hard)))
    for photo, lines, result in results:
        if result == "wrong":
            print(f"WRONG {photo.name} (true {photo.number}, {photo.degradations}, on number {photo.on_number}):")
            for text, box, score in lines:
                print(f"    {score:.2f} {[round(v) for v in box]} {text}")


if __name__ == "__main__":
    main()
