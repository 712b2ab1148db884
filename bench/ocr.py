"""Benchmark: permit numbers read from synthetic phone photos of permit documents (issue 21).

Generates the test set (`tests/documents/make_photos.py`: 35 normal and 5 hard photos, and an NIB PDF with a text
layer), reads every photo with RapidOCR (the wheel's default PP-OCR models on onnxruntime) in one worker process of
its own (multiprocessing, spawn: the bot's process never loads the model), judges the text with
`conversations.understanding.document_numbers.read_document`, and prints for normal and hard photos: right number /
could not read / wrong number offered, seconds per photo once the worker is warm, the worker's peak RSS, and the
parent's RSS before and after.  Then reads the PDF from its text layer (pypdf), in the parent, without OCR.
Usage: python bench/ocr.py [--out artifacts/documents] [--threads N]
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
from tests.documents.make_photos import make_pdf, make_set  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default="artifacts/documents")
    parser.add_argument("--threads", type=int, default=0, help="onnxruntime threads in the worker (0: all cores)")
    parser.add_argument("--seed", type=int, default=21, help="another seed gives another set of 40 photos")
    parser.add_argument("--det-limit", type=int, default=DET_LIMIT, help="long side for detection (0: the wheel's)")
    args = parser.parse_args()
    out = Path(args.out)
    photos = make_set(out, seed=args.seed)
    pdf = make_pdf(out, seed=args.seed)
    print(
        f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores; {len(photos)} photos in {out}; "
        f"seed {args.seed}, threads {args.threads or 'all'}, detection limit {args.det_limit or 'default'}"
    )

    parent_before = rss_mb()
    context = multiprocessing.get_context("spawn")
    tally = {False: {"right": 0, "unread": 0, "wrong": 0}, True: {"right": 0, "unread": 0, "wrong": 0}}
    seconds: list[float] = []
    peak = 0.0
    details = []
    with concurrent.futures.ProcessPoolExecutor(
        1, mp_context=context, initializer=start_engine, initargs=(args.threads, args.det_limit)
    ) as pool:
        started = time.perf_counter()
        for index, photo in enumerate(photos):
            lines, took, peak_now = pool.submit(ocr_lines, str(out / photo.name)).result(timeout=120)
            if index == 0:
                first = time.perf_counter() - started
            else:
                seconds.append(took)
            peak = max(peak, peak_now)
            result = verdict(lines, photo.permit, photo.number)
            tally[photo.hard][result] += 1
            if result != "right":
                reading = read_document([OcrLine(*line) for line in lines])
                details.append((photo.name, result, photo.number, [f.number.value for f in reading.candidates]))
        parent_during = rss_mb()
    parent_after = rss_mb()

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
    for detail in details:
        print("  not right:", json.dumps(detail))

    started = time.perf_counter()
    reading = read_document(pdf_lines(out / pdf.name))
    took = time.perf_counter() - started
    values = [f.number.value for f in reading.candidates]
    print(
        f"PDF text layer: {'right' if values == [pdf.number] else 'NOT RIGHT ' + str(values)} "
        f"({reading.permit}, {took * 1000:.0f} ms)"
    )


if __name__ == "__main__":
    main()
