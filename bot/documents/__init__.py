"""Photos and PDFs of permit documents read by OCR in a worker process of their own (issue 21).

`reader.DocumentReader` lives in the bot's process and supervises the worker (`worker.serve`), which alone loads the
OCR engine: the bot's process never imports rapidocr or onnxruntime.
"""
