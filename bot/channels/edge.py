"""What the two platforms' edge readers share: saying why a part was left out, without its values."""

from __future__ import annotations

from pydantic import ValidationError


def why_invalid(error: ValidationError) -> str:
    """Where and why, without the values (they may hold personal data): "message.chat.id: int_type"."""
    return "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['type']}" for e in error.errors()[:5])
