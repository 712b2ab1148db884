"""The expiry date printed on a permit document ("Berlaku sampai : 12 Maret 2029"), from the rows an OCR engine read.

Only a date that follows a validity label is taken ("berlaku sampai/hingga/s.d.", "masa berlaku", "valid until"),
on the label's row or alone on the next one, with its year written in full: issue dates, "berlaku 5 (lima) tahun" and
"berlaku selama ..." are not expiry dates.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date

from conversations.understanding.dates import parse_date

_VALID_UNTIL = re.compile(
    r"\b(?:berlaku\s*(?:sampa[il1|!]|hingga|s\s*[./]?\s*d\b\.?)(?:\s*dengan)?(?:\s*tanggal)?"
    r"|masa\s*berlaku(?:\s*(?:sampai|hingga))?"
    r"|valid\s*(?:until|thru|through)"
    r"|tanggal\s*(?:kedaluwarsa|kadaluarsa|berakhir))\s*[:.]?\s*",
    re.IGNORECASE,
)
_FULL_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


def printed_expiry(rows: Sequence[str], today: date) -> date | None:
    """The date after the page's validity label, or None when the page prints none (`today` reads the date)."""
    for index, row in enumerate(rows):
        label = _VALID_UNTIL.search(row)
        if label is None:
            continue
        after = row[label.end() :]
        for text in (after, rows[index + 1] if index + 1 < len(rows) and not after.strip() else ""):
            if _FULL_YEAR.search(text):
                found = parse_date(text, today)
                if found is not None:
                    return found
    return None
