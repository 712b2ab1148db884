"""A fake OCR engine for the document reader's supervision tests (named as "tests.fakes.ocr_engine:make").

It runs in the spawned worker like the real one, loads in no time and "reads" a text file: one line of text per
line, except `sleep SECONDS` (waits without using the CPU: the time limit on the clock, or reads queueing),
`spin SECONDS` (uses that much CPU: the time limit in CPU time) and `crash` (the worker exits at once, as if
killed).  Every reading adds a line "read by PID from T0 to T1" (monotonic clock) so tests can tell which process
read and whether two reads overlapped (with a score so low that no number is taken from it).
"""

import os
import time


def make():
    def read(image):
        started = time.monotonic()
        lines = []
        text = image.decode() if isinstance(image, bytes) else open(image, encoding="utf-8").read()
        for y, row in enumerate(text.splitlines()):
            if row.startswith("sleep "):
                time.sleep(float(row.split()[1]))
            elif row.startswith("spin "):
                until = time.thread_time() + float(row.split()[1])
                while time.thread_time() < until:
                    pass
            elif row == "crash":
                os._exit(3)
            else:
                lines.append((row, (0.0, 40.0 * y, 600.0, 40.0 * y + 30), 0.99))
        lines.append((f"read by {os.getpid()} from {started} to {time.monotonic()}", (0.0, 9000.0, 10.0, 9030.0), 0.01))
        return lines

    return read
