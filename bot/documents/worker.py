"""The OCR worker: a process of its own (multiprocessing, spawn) that loads the engine once and reads documents.

Only this module's `serve` runs in the worker; the bot's process imports this module (to name `serve` as the target)
but none of the engine's libraries, which are imported inside the functions below.

The worker runs at a low CPU priority (`niceness`, 19 by default in the reader): on a machine busy answering owners
it reads with the CPU left over (bench/RESULTS.md, "Photos read while others talk").

Protocol over one `multiprocessing.Pipe` end:
    worker -> ("ready", pid) once the engine is loaded, or ("failed", message) and the worker ends;
    parent -> ("read", path) ; worker -> ("done", pages, seconds) or ("failed", message);
    parent -> ("stop",) or closing its end: the worker ends.
`pages` is a list of (source, lines, note): source "photo", "text" (a PDF page's text layer), "ocr" (a PDF page
rendered and read) or "unread" (a PDF page with no text that could not be rendered, `note` says why); lines are
(text, box, score) for OCR and plain strings for a text layer.

The engine is named by a "module:factory" string; the factory returns a callable taking an image (a path or PNG
bytes) and returning (text, (x0, y0, x1, y1), score) tuples.  Tests name a fake engine this way.
"""

from __future__ import annotations

import importlib
import io
import os
import signal
import time
from collections.abc import Callable
from pathlib import Path

Line = tuple[str, tuple[float, float, float, float], float]
Engine = Callable[[str | bytes], list[Line]]

RAPIDOCR = "bot.documents.worker:rapidocr_engine"
# Text detection on at most 960 pixels (long side): as right as full size on the test set, faster and lighter
# (bench/RESULTS.md, "OCR of permit photos").  A setting of the wheel's models, not another model: nothing is fetched.
DET_LIMIT = 960
# PDF pages without a text layer are rendered at this scale (72 dpi * 2.5 = 180 dpi) before OCR.
RENDER_SCALE = 2.5
MAX_PAGES = 10


def rapidocr_engine(threads: int = 0, det_limit: int = DET_LIMIT) -> Engine:
    """RapidOCR with only the models its wheel ships (see bench/ocr.py `start_engine`)."""
    from rapidocr import RapidOCR

    params: dict[str, object] = {"Global.log_level": "warning"}
    if threads:
        params["EngineConfig.onnxruntime.intra_op_num_threads"] = threads
    if det_limit:
        params["Det.limit_type"] = "max"
        params["Det.limit_side_len"] = det_limit
    ocr = RapidOCR(params=params)

    def read(image: str | bytes) -> list[Line]:
        result = ocr(image)
        boxes = result.boxes if result.boxes is not None else ()
        lines = []
        for text, score, box in zip(result.txts or (), result.scores or (), boxes, strict=True):
            xs, ys = [float(p[0]) for p in box], [float(p[1]) for p in box]
            lines.append((str(text), (min(xs), min(ys), max(xs), max(ys)), float(score)))
        return lines

    return read


def load_engine(spec: str) -> Engine:
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)()


def _pdf_pages(path: Path, engine: Engine) -> list[tuple[str, list, str]]:
    """Text layer first (pypdf); OCR only for pages without text, rendered by pypdfium2 when it is installed."""
    from pypdf import PdfReader

    pages: list[tuple[str, list, str]] = []
    reader = PdfReader(str(path))
    for index, page in enumerate(reader.pages[:MAX_PAGES]):
        lines = [line for line in (page.extract_text() or "").splitlines() if line.strip()]
        if lines:
            pages.append(("text", lines, ""))
            continue
        png = _render(path, index)
        if png is None:
            pages.append(("unread", [], "page without text; pypdfium2 is not installed to render it"))
        else:
            pages.append(("ocr", engine(png), ""))
    return pages


def _render(path: Path, index: int) -> bytes | None:
    try:
        import pypdfium2
    except ImportError:
        return None
    document = pypdfium2.PdfDocument(str(path))
    try:
        image = document[index].render(scale=RENDER_SCALE).to_pil()
    finally:
        document.close()
    buffer = io.BytesIO()
    image.convert("RGB").save(buffer, format="PNG")
    return buffer.getvalue()


def read_path(path: Path, engine: Engine) -> list[tuple[str, list, str]]:
    with path.open("rb") as handle:
        is_pdf = handle.read(5) == b"%PDF-"
    if is_pdf:
        return _pdf_pages(path, engine)
    return [("photo", engine(str(path)), "")]


def serve(conn, engine_spec: str = RAPIDOCR, niceness: int = 0) -> None:
    """The worker's main loop (the target of the spawned process)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the bot, which stops the worker
    if niceness and hasattr(os, "nice"):
        # Before the engine loads: onnxruntime's threads, made then, take this thread's niceness (on Linux each
        # thread has its own), so all of the reading yields the CPU to the bot's answers.
        os.nice(niceness)
    try:
        engine = load_engine(engine_spec)
    except Exception as error:  # noqa: BLE001 - reported to the parent, which says "could not read"
        conn.send(("failed", f"engine did not load: {type(error).__name__}: {error}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            message = conn.recv()
        except (EOFError, OSError):
            return  # the bot's process is gone
        if message[0] != "read":
            return
        started = time.perf_counter()
        try:
            pages = read_path(Path(message[1]), engine)
        except Exception as error:  # noqa: BLE001 - one bad file must not end the worker
            conn.send(("failed", f"{type(error).__name__}: {error}"))
            continue
        conn.send(("done", pages, time.perf_counter() - started))
