"""Text as owners type it: normalised case, spacing and repeated letters, and what carries no meaning."""

from __future__ import annotations

import re
import unicodedata

SPACE_RE = re.compile(r"\s+")
_EDGE_RE = re.compile(r"^[\W_]+|[\W_]+$")
_REPEAT3_RE = re.compile(r"([^\W\d_])\1{2,}")
REPEAT2_RE = re.compile(r"([^\W\d_])\1+")
WORD_RE = re.compile(r"[^\W_]+")


def normalize(text: str) -> str:
    """Lower-case, strip emoji/punctuation at the ends, collapse whitespace, squeeze letters repeated 3+ times ("yaaa" -> "ya", "sudahhh" -> "sudah")."""  # noqa: E501
    text = unicodedata.normalize("NFKC", text).lower()
    text = _EDGE_RE.sub("", SPACE_RE.sub(" ", text))
    return _REPEAT3_RE.sub(r"\1", text)


def is_meaningless(text: str) -> bool:
    """True for input with no letters or digits at all (empty, whitespace, emoji only, punctuation only)."""
    return not any(char.isalnum() for char in text)
