"""`PhotoIntake`: what the bot read on an owner's photo or PDF, for the conversation (`Inbound.reading`).

The channel fetches the file (`fetch(platform, media_ref)` gives a local path), the `DocumentReader` reads it in its
worker process, and the judged numbers become a `PermitReading`. Blocking: the inbox calls it in its own threads,
before the step and outside any transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from bot.documents.reader import BUSY, DocumentReader
from conversations.events import Inbound, PermitReading
from conversations.understanding.document_numbers import as_permit_reading

log = logging.getLogger(__name__)

# Larger files are not read (a phone photo is 0.1-5 MB; Telegram's bots get files up to 20 MB).
MAX_BYTES = 15_000_000


class PhotoIntake:
    """Reads owners' photos and documents with one supervised `DocumentReader` (started on the first photo)."""

    def __init__(self, reader: DocumentReader, fetch: Callable[[str, str], Path | None]) -> None:
        self.reader = reader
        self.fetch = fetch

    def read(self, platform: str, inbound: Inbound, wait: bool = True) -> PermitReading | None:
        """The reading of the inbound photo or document; None when its file could not be had, or (`wait` False)
        when every reader is busy: the photo is then taken as it would be without reading."""
        if not inbound.media_ref or not (wait or self.reader.free()):
            return None
        path = self.fetch(platform, inbound.media_ref)
        if path is None or not path.is_file():
            return None
        if path.stat().st_size > MAX_BYTES:
            log.info("not reading %s: %d bytes", inbound.media_ref, path.stat().st_size)
            return None
        result = self.reader.read_blocking(path, wait=wait)
        if result.failure == BUSY:
            return None
        if result.failure:
            log.warning("could not read %s: %s", inbound.media_ref, result.failure)
        return as_permit_reading(result.reading, read=result.failure is None, expires=result.expires)

    def close(self) -> None:
        """Stop the reader's worker processes."""
        self.reader.close()
