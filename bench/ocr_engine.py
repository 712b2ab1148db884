"""Bench-only OCR engine for the bot's worker: the real RapidOCR with fewer threads or without spinning.

`bench/inbound.py --ocr-threads T --ocr-no-spin` starts the bot with DOCUMENT_ENGINE=bench.ocr_engine:rapidocr and
BENCH_OCR_THREADS / BENCH_OCR_SPIN: the factory runs inside the spawned OCR worker (bot/documents/worker.py `serve`
-> `load_engine`), before the engine's thread pool exists. Nothing in bot/ changes: this is how to try such a change
before proposing it. (The worker's CPU priority is the bot's own setting, DOCUMENT_NICENESS: `--ocr-nice`.)
"""

from __future__ import annotations

import os

from bot.documents.worker import Engine, rapidocr_engine


def rapidocr() -> Engine:
    """The bot's RapidOCR engine (same detection limit), thread-limited and not spinning, as the environment says."""
    if os.environ.get("BENCH_OCR_SPIN") == "0":
        # onnxruntime's intra-op threads spin while waiting for work by default: CPU taken from the bot on 2 cores.
        from rapidocr.inference_engine.onnxruntime import main as ort_main

        make_options = ort_main.OrtInferSession._init_sess_opts

        def without_spinning(cfg):  # type: ignore[no-untyped-def]
            options = make_options(cfg)
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            options.add_session_config_entry("session.inter_op.allow_spinning", "0")
            return options

        ort_main.OrtInferSession._init_sess_opts = staticmethod(without_spinning)
    threads = int(os.environ.get("BENCH_OCR_THREADS") or 0)
    return rapidocr_engine(threads=threads)
