"""`PhotoIntake`: what the bot read on an owner's photo or PDF, for the conversation (`Inbound.reading`).

The channel fetches the file (`fetch(platform, media_ref)` gives a local path), the `DocumentReader` reads it in its
worker process, and the judged numbers become a `PermitReading`. Blocking: the inbox calls it in its own threads,
before the step and outside any transaction.
"""

from __future__ import annotations

import hashlib
import logging
import re
import shutil
from collections.abc import Callable
from pathlib import Path

from bot.documents.reader import DocumentReader
from conversations.events import Inbound, PermitReading
from conversations.understanding.document_numbers import as_permit_reading

log = logging.getLogger(__name__)

# Larger files are not read (a phone photo is 0.1-5 MB; Telegram's bots get files up to 20 MB).
MAX_BYTES = 15_000_000
_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


class PhotoIntake:
    """Reads owners' photos and documents with one supervised `DocumentReader` (started on the first photo)."""

    def __init__(self, reader: DocumentReader, fetch: Callable[[str, str], Path | None]) -> None:
        self.reader = reader
        self.fetch = fetch

    def read(self, platform: str, inbound: Inbound) -> PermitReading | None:
        """The reading of the inbound photo or document; None when its file could not be had."""
        if not inbound.media_ref:
            return None
        path = self.fetch(platform, inbound.media_ref)
        if path is None or not path.is_file():
            return None
        if path.stat().st_size > MAX_BYTES:
            log.info("not reading %s: %d bytes", inbound.media_ref, path.stat().st_size)
            return None
        result = self.reader.read_blocking(path)
        if result.failure:
            log.warning("could not read %s: %s", inbound.media_ref, result.failure)
        return as_permit_reading(result.reading, read=result.failure is None)

    def close(self) -> None:
        """Stop the reader's worker processes."""
        self.reader.close()


def media_suffix(data: bytes) -> str:
    """The file suffix for a photo or document by its first bytes."""
    if data.startswith(b"%PDF-"):
        return ".pdf"
    if data.startswith(b"\x89PNG"):
        return ".png"
    if data[8:12] == b"WEBP":
        return ".webp"
    return ".jpg"


def keep_media(media_dir: Path, platform: str, media_id: str, data: bytes) -> Path:
    """Write a copy of an owner's photo or document to `media_dir/<platform>/<id><suffix>` (officers see it)."""
    path = media_dir / platform / (_SAFE.sub("_", media_id) + media_suffix(data))
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def kept_media(media_dir: Path, platform: str, media_id: str) -> Path | None:
    """The copy `keep_media` (or the WhatsApp transport) wrote, if there is one."""
    folder = media_dir / platform
    if not folder.is_dir():
        return None
    return next(iter(sorted(folder.glob(_SAFE.sub("_", media_id) + ".*"))), None)


def keep_console_file(media_dir: Path, source: Path) -> Path:
    """Copy a file named on the console (`/foto PATH`) into the media folder, named by its content."""
    data = source.read_bytes()
    name = hashlib.sha256(data).hexdigest()[:32]
    path = media_dir / "console" / (name + media_suffix(data))
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, path)
    return path
