"""Photos and documents owners sent, as kept in the media folder: where a stored reference's local copy is, and what
kind of file it is (by its bytes, never by its name).

References are "whatsapp:<media id>" and "telegram:<file id>" (a copy kept as
`<media_dir>/<platform>/<safe name>.<ext>`, the safe name as WhatsApp's `media_path` makes it), or
"file:<absolute path>" (the console's photos).
"""

from __future__ import annotations

import hashlib
import re
import shutil
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from bot.storage.models import Permit, Product

PDF, PNG, JPEG, WEBP = "application/pdf", "image/png", "image/jpeg", "image/webp"
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]")
_HEAD = 12  # bytes enough to tell the kinds apart
# A kept copy's extension by its media type (WhatsApp's copies: the type the Cloud API gives, OTHER for another one).
SUFFIXES = {PDF: ".pdf", PNG: ".png", WEBP: ".webp", JPEG: ".jpg"}
OTHER = ".bin"
# Every extension a kept copy can have, in the order they are looked for.
KEPT_SUFFIXES = (OTHER, *sorted(SUFFIXES.values()))


def safe_name(media_id: str) -> str:
    """A platform's media id as a file name (the rule of bot.channels.whatsapp.media_path)."""
    return _UNSAFE.sub("_", media_id)


def _inside(path: Path, folder: Path) -> bool:
    return path.is_relative_to(folder) and path.is_file()


def kept_media_file(media_dir: Path, ref: str) -> Path | None:
    """The local file of a stored photo or document reference, or None when there is none (or it may not be served).

    A "file:" reference counts only when its resolved path lies inside the media folder: a reference is served to
    any officer who may see the business, so it must never reach a file elsewhere on the machine (a forged or old
    path, "..", a symbolic link out). The console copies the photos owners send into the media folder.
    """
    folder = Path(media_dir).resolve()
    platform, _sep, media_id = ref.partition(":")
    if platform == "file":
        path = Path(media_id)
        return path.resolve() if path.is_absolute() and _inside(path.resolve(), folder) else None
    if platform not in ("whatsapp", "telegram") or not media_id:
        return None
    kept = folder / platform
    stem = safe_name(media_id)
    if not kept.is_dir() or stem in (".", ".."):
        return None
    # The copy's extension follows its type: each possible name is looked up, not the folder listed (it holds every
    # photo owners ever sent, and this runs for every photo read and every photo an officer opens).
    for suffix in KEPT_SUFFIXES:
        path = kept / (stem + suffix)
        if _inside(path.resolve(), folder):
            return path
    return None


def media_type(head: bytes) -> str:
    """The media type of a kept file from its first bytes: PDF, PNG, WebP, else JPEG (what phones send)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return JPEG


def kept_media_type(path: Path) -> str | None:
    """The media type of a kept file, from its first bytes (None when it cannot be read)."""
    try:
        with path.open("rb") as file:
            return media_type(file.read(_HEAD))
    except OSError:
        return None


def keep_media(media_dir: Path, platform: str, media_id: str, data: bytes) -> Path:
    """Write a copy of an owner's photo or document to `<media_dir>/<platform>/<safe name><suffix>`."""
    path = media_dir / platform / (safe_name(media_id) + SUFFIXES[media_type(data[:_HEAD])])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def keep_console_file(media_dir: Path, source: Path) -> Path:
    """Copy a file named on the console (`/foto PATH`) into `<media_dir>/console/`, named by its content."""
    data = source.read_bytes()
    path = media_dir / "console" / (hashlib.sha256(data).hexdigest()[:32] + SUFFIXES[media_type(data[:_HEAD])])
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, path)
    return path


# Owners' copies live here (the officers' broadcast photos and charts have folders of their own, never swept).
OWNER_FOLDERS = ("whatsapp", "telegram", "console")
# A photo no row refers to (a product photo sent where text was asked, a certificate whose reading was refused and
# never typed) is deleted this long after it came: an owner may come back to a confirmation days later.
KEEP_UNUSED = timedelta(days=30)


def forget_media(media_dir: Path, refs: Iterable[str | None]) -> int:
    """Delete the kept copies of these references (an owner's data is deleted); returns how many files went."""
    gone = 0
    for ref in refs:
        path = kept_media_file(media_dir, ref) if ref else None
        if path is not None:
            path.unlink(missing_ok=True)
            gone += 1
    return gone


def referenced_media(db: Session) -> set[str]:
    """Every photo or document reference a stored row keeps (product photos, permit evidence)."""
    products = db.exec(select(Product.photo).where(col(Product.photo).is_not(None))).all()
    permits = db.exec(select(Permit.evidence_photo).where(col(Permit.evidence_photo).is_not(None))).all()
    return {ref for ref in (*products, *permits) if ref}


def sweep_media(
    engine: Engine, media_dir: Path, now: datetime | None = None, keep_unused: timedelta = KEEP_UNUSED
) -> int:
    """Delete owners' photo copies no row refers to any more, once older than `keep_unused`; returns how many.

    Ages are the files' own times, so `now` is the wall clock (a deployment's test clock does not move them)."""
    folder = Path(media_dir)
    if not any((folder / name).is_dir() for name in OWNER_FOLDERS):
        return 0
    with Session(engine) as db:
        refs = referenced_media(db)
    names = {(platform, safe_name(media_id)) for platform, _sep, media_id in (ref.partition(":") for ref in refs)}
    files = {str(Path(ref.removeprefix("file:")).resolve()) for ref in refs if ref.startswith("file:")}
    cutoff = (now or datetime.now(UTC)).timestamp() - keep_unused.total_seconds()
    gone = 0
    for platform in OWNER_FOLDERS:
        kept = folder / platform
        if not kept.is_dir():
            continue
        for path in kept.iterdir():
            used = str(path.resolve()) in files if platform == "console" else (platform, path.stem) in names
            if not used and path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                gone += 1
    return gone
