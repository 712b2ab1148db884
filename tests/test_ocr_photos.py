"""Permit numbers read from generated phone photos by the real OCR engine, in a worker process (issue 21).

Slow but bounded: six photos (NIB, SPP-IRT, halal, BPOM label, NIB, SPP-IRT) through RapidOCR with the wheel's own
models, about 2 s each once the worker has loaded them, then eight photos of the realistic family (folds, glare,
fingers, shadows, WhatsApp compression, a tilted page on a patterned table, stamps, motion blur: each of them first
on one photo, over all four documents), generated while the worker loads the model.  Skipped only when the engine is
not installed, and then a failure if LAPOR_REQUIRE_OCR=1.  The bot's process must not load the model: the test
checks that it did not.
"""

import sys

import pytest

from conversations.understanding.document_numbers import OcrLine, read_document
from tests.documents.make_photos import DEGRADATIONS, make_pdf, make_realistic_set, make_set


def test_six_photos_read_in_a_worker_give_the_right_numbers(engine_present, tmp_path):
    from bench.ocr import read_in_worker

    photos = make_set(tmp_path, normal=6, hard=0)
    results = {}
    for photo, (lines, _seconds, _peak) in zip(
        photos, read_in_worker([tmp_path / photo.name for photo in photos]), strict=True
    ):
        reading = read_document([OcrLine(text, box, score) for text, box, score in lines])
        results[photo.name] = (str(reading.permit), [found.number.value for found in reading.candidates])
    assert results == {photo.name: (photo.permit, [photo.number]) for photo in photos}
    assert "rapidocr" not in sys.modules and "onnxruntime" not in sys.modules


def test_realistic_photos_are_read_right_or_not_at_all(engine_present, tmp_path):
    from bench.ocr import read_in_worker, verdict

    photos = []

    def generate():  # in this process, while the worker loads the model
        photos.extend(make_realistic_set(tmp_path, count=len(DEGRADATIONS)))
        return [tmp_path / photo.name for photo in photos]

    verdicts = {}
    for index, (lines, _seconds, _peak) in enumerate(read_in_worker([], before_first=generate)):
        photo = photos[index]
        verdicts[photo.name] = verdict(lines, photo.permit, photo.number)
    assert len(verdicts) == len(DEGRADATIONS)
    assert {photo.degradations[0] for photo in photos} == set(DEGRADATIONS)
    assert "wrong" not in verdicts.values(), verdicts  # "could not read" is allowed, a wrong number never
    assert list(verdicts.values()).count("right") >= 5, verdicts
    assert "rapidocr" not in sys.modules and "onnxruntime" not in sys.modules


def test_an_nib_pdf_is_read_from_its_text_layer(tmp_path):
    pytest.importorskip("fpdf", reason="fpdf2 (a dev dependency) makes the PDF")
    from bench.ocr import pdf_lines

    pdf = make_pdf(tmp_path)
    reading = read_document(pdf_lines(tmp_path / pdf.name))
    assert str(reading.permit) == "nib"
    assert [found.number.value for found in reading.candidates] == [pdf.number]
