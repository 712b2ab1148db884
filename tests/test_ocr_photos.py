"""Permit numbers read from generated phone photos by the real OCR engine, in a worker process (issue 21).

Slow but bounded: six photos (NIB, SPP-IRT, halal, BPOM label, NIB, SPP-IRT) through RapidOCR with the wheel's own
models, about 2 s each once the worker has loaded them.  Skipped only when the engine is not installed, and then a
failure if LAPOR_REQUIRE_OCR=1.  The bot's process must not load the model: the test checks that it did not.
"""

import concurrent.futures
import multiprocessing
import sys

import pytest

from conversations.understanding.document_numbers import OcrLine, read_document
from tests.documents.make_photos import make_pdf, make_set


def test_six_photos_read_in_a_worker_give_the_right_numbers(engine_present, tmp_path):
    from bench.ocr import ocr_lines, start_engine

    photos = make_set(tmp_path, normal=6, hard=0)
    context = multiprocessing.get_context("spawn")
    results = {}
    with concurrent.futures.ProcessPoolExecutor(1, mp_context=context, initializer=start_engine) as pool:
        for photo in photos:
            lines, _seconds, _peak = pool.submit(ocr_lines, str(tmp_path / photo.name)).result(timeout=180)
            reading = read_document([OcrLine(text, box, score) for text, box, score in lines])
            results[photo.name] = (str(reading.permit), [found.number.value for found in reading.candidates])
    assert results == {photo.name: (photo.permit, [photo.number]) for photo in photos}
    assert "rapidocr" not in sys.modules and "onnxruntime" not in sys.modules


def test_an_nib_pdf_is_read_from_its_text_layer(tmp_path):
    pytest.importorskip("fpdf", reason="fpdf2 (a dev dependency) makes the PDF")
    from bench.ocr import pdf_lines

    pdf = make_pdf(tmp_path)
    reading = read_document(pdf_lines(tmp_path / pdf.name))
    assert str(reading.permit) == "nib"
    assert [found.number.value for found in reading.candidates] == [pdf.number]
