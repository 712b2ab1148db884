"""Names of needs, shared by the needs question and the report summary."""

from __future__ import annotations

from conversations.i18n import N_
from conversations.turn import Turn

NEEDS = (
    ("kemasan", N_("Packaging & label")),
    ("pemasaran", N_("Marketing/promotion")),
    ("modal", N_("Capital / KUR loan")),
    ("peralatan", N_("Equipment/machines")),
    ("pelatihan", N_("Training")),
    ("izin", N_("Help with permits")),
    ("lainnya", N_("Other")),
    ("tidak_ada", N_("Nothing for now")),
)


def need_label(turn: Turn, kind: str) -> str:
    """Translated name of a need."""
    return next((turn._(label) for key, label in NEEDS if key == kind), kind)
