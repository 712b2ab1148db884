"""Find which permit a photographed or printed document is, and its number, from the text an OCR engine read.

Pure and standard-library only: the OCR engine runs elsewhere (in a worker process) and hands over its lines, each a
string or an `OcrLine` with a box and a score.  `read_document(lines)` returns a `DocumentReading`: the permit the
page is (from its title words), the numbers of that permit found on it (`candidates`, best first; two or more when
the page holds two, so the owner chooses) and the numbers of other permits on the same page (`others`, e.g. the NIB
printed on an SPP-IRT certificate).  Nothing found means "could not read": a number is never guessed.

How a page is read
    * Boxes on one row (by their vertical centres) are joined left to right into one row of text; a wide gap
      between two digit boxes keeps them apart, so two numbers on a row never glue.
    * Known OCR misreadings are repaired before judging: "O"/"o" for 0, "I"/"l"/"|" for 1 and "S"/"s" for 5 inside
      a run of digits; "10", "1D", "lD", "I0" for "ID" before exactly 17 digits that start with a province code;
      "M0"/"MO" for "MD" and "M1"/"MI"/"Ml" for "ML" before 12 or 15 digits; "_" or "~" between a P-IRT body and
      its year for "-".
    * Each row is judged by `permit_numbers.parse_permit_number`, the typed path's rules, for every permit; what is
      valid there is only a candidate.  It is kept when the number has a shape no other printed number has (ID + 17
      digits written with "ID", MD/ML + 12 or 15 digits, a P-IRT body with a province code and "-YY"), or when the
      label right before it names that permit ("NIB", "Nomor Induk Berusaha", "P-IRT", "Sertifikat Halal",
      "Izin Edar"...; on the same row, or alone on the row above), or when the page is that permit's document and
      no other label stands before the number (not for a legacy shape, a 12-digit P-IRT body or 14 halal digits:
      the end of a modern number whose start a thumb or glare hides has it too; those need their label).
      14 halal digits are kept only when they start with "00", as MUI certificate numbers do.
    * Distractors are refused: a number after a phone, KBLI, NPWP, NIP, NIK, date or production-code label; a
      fatwa "KH" number (set aside by the typed rules); letter numbers like "503/123/SPP-IRT/2024" (no valid
      shape); rows whose OCR score is below `min_score`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from conversations.events import PermitReading
from conversations.understanding.permit_numbers import (
    NumberError,
    PermitNumber,
    PermitType,
    parse_permit_number,
)

__all__ = [
    "DocumentReading",
    "Found",
    "OcrLine",
    "as_permit_reading",
    "page_permit",
    "page_rows",
    "read_document",
    "repair_ocr_text",
]

_PROVINCES = frozenset(
    "11 12 13 14 15 16 17 18 19 21 31 32 33 34 35 36 51 52 53 61 62 63 64 65 71 72 73 74 75 76 81 82 "
    "91 92 93 94 95 96".split()
)
_DOCUMENT_PERMITS = (PermitType.NIB, PermitType.PIRT, PermitType.HALAL, PermitType.BPOM)


@dataclass(frozen=True)
class OcrLine:
    """One piece of text an OCR engine read: its box (x0, y0, x1, y1) in pixels and its confidence 0-1."""

    text: str
    box: tuple[float, float, float, float] | None = None
    score: float = 1.0


@dataclass(frozen=True)
class Found:
    """A permit number read on the page, with the row it was read from."""

    number: PermitNumber
    row: int
    text: str  # the row as the OCR engine read it
    repaired: bool  # an OCR misreading had to be repaired


@dataclass(frozen=True)
class DocumentReading:
    """What the page is and the numbers on it."""

    permit: PermitType | None
    candidates: tuple[Found, ...]
    others: tuple[Found, ...] = ()

    @property
    def number(self) -> PermitNumber | None:
        """The number read when exactly one was found for the page's permit."""
        return self.candidates[0].number if len(self.candidates) == 1 else None


# --- rows ----------------------------------------------------------------------------------------------------
def _as_line(item: str | OcrLine | Sequence) -> OcrLine:
    if isinstance(item, OcrLine):
        return item
    if isinstance(item, str):
        return OcrLine(item)
    text, box, *rest = item  # (text, box[, score]); box as 4 points or (x0, y0, x1, y1)
    return OcrLine(str(text), _flat_box(box), float(rest[0]) if rest else 1.0)


def _flat_box(box) -> tuple[float, float, float, float] | None:
    if box is None:
        return None
    values = list(box)
    if len(values) == 4 and all(isinstance(v, int | float) for v in values):
        return tuple(float(v) for v in values)  # type: ignore[return-value]
    xs = [float(p[0]) for p in values]
    ys = [float(p[1]) for p in values]
    return min(xs), min(ys), max(xs), max(ys)


def _rows(lines: Iterable[str | OcrLine | Sequence]) -> list[tuple[str, float]]:
    """(text, lowest score) per row: boxes whose vertical centres are close are joined left to right."""
    items = [_as_line(item) for item in lines]
    if not items or any(line.box is None for line in items):
        return [(line.text, line.score) for line in items]
    items.sort(key=lambda line: (line.box[1] + line.box[3]) / 2)
    rows: list[list[OcrLine]] = []
    for line in items:
        x0, y0, x1, y1 = line.box
        centre, height = (y0 + y1) / 2, y1 - y0
        if rows:
            last = rows[-1][-1].box
            last_centre, last_height = (last[1] + last[3]) / 2, last[3] - last[1]
            if abs(centre - last_centre) < 0.5 * min(height, last_height):
                rows[-1].append(line)
                continue
        rows.append([line])
    result = []
    for row in rows:
        row.sort(key=lambda line: line.box[0])
        text = row[0].text
        for previous, line in zip(row, row[1:], strict=False):
            gap = line.box[0] - previous.box[2]
            height = line.box[3] - line.box[1]
            digits_meet = previous.text.rstrip()[-1:].isdigit() and line.text.lstrip()[:1].isdigit()
            text += " ; " if digits_meet and gap > 1.5 * height else " "
            text += line.text
        result.append((text, min(line.score for line in row)))
    return result


# --- repairs -------------------------------------------------------------------------------------------------
_LOOKALIKES = str.maketrans({"o": "0", "i": "1", "l": "1", "|": "1", "s": "5"})
_TOKEN_RE = re.compile(r"(?:(?<=\bid)|(?<=\bmd)|(?<=\bml)|(?<![a-z0-9]))[0-9oils|]+(?![a-z0-9])")
_ID_RE = re.compile(r"(?<![a-z0-9])(?:[i1l|][d0o]|[i1l|] [d0o])[ \t]?(?=(\d{17})(?!\d))")
_MD_RE = re.compile(r"(?<![a-z0-9])m[ \t]?([0o]|[1il|])[ \t]?(?=(\d{12}|\d{15})(?!\d))")
_YEAR_LINK_RE = re.compile(r"(?<=\d{12})[_~](?=\d{2}(?!\d))")


def _repair_token(match: re.Match[str]) -> str:
    token = match.group()
    digits = sum(ch.isdigit() for ch in token)
    letters = len(token) - digits
    if letters and digits >= 2 and digits >= letters:
        return token.translate(_LOOKALIKES)
    return token


def _repair_id(match: re.Match[str]) -> str:
    return "id" if match.group(1)[:2] in _PROVINCES else match.group()


def _repair_md(match: re.Match[str]) -> str:
    return "md " if match.group(1) in "0o" else "ml "


def repair_ocr_text(text: str) -> str:
    """The row in lower case with the known OCR misreadings repaired (see the module's docstring)."""
    s = unicodedata.normalize("NFKC", text).lower()
    s = _TOKEN_RE.sub(_repair_token, s)
    s = _ID_RE.sub(_repair_id, s)
    s = _MD_RE.sub(_repair_md, s)
    return _YEAR_LINK_RE.sub("-", s)


# --- what the page is ------------------------------------------------------------------------------------------
_TITLE_WORDS = {
    PermitType.NIB: (("nomorindukberusaha", 3), ("berbasisrisiko", 1), ("nib", 1)),
    PermitType.PIRT: (("panganindustrirumahtangga", 3), ("industrirumahtangga", 1), ("spp-irt", 2), ("p-irt", 2)),
    PermitType.HALAL: (("sertifikathalal", 3), ("jaminanprodukhalal", 3), ("bpjph", 3), ("halal", 1)),
    PermitType.BPOM: (("pengawasobat", 3), ("izinedar", 3), ("bpomri", 2), ("panganolahan", 1)),
}


def page_permit(rows: Iterable[str]) -> PermitType | None:
    """The permit whose document the page is, from its title words; None when they do not tell."""
    compact = re.sub(r"\s+", "", " ".join(rows).lower()).replace("pirt", "p-irt").replace("—", "-")
    scores = {permit: sum(w for word, w in words if word in compact) for permit, words in _TITLE_WORDS.items()}
    best = max(scores.values())
    winners = [permit for permit, score in scores.items() if score == best]
    return winners[0] if best >= 2 and len(winners) == 1 else None


# --- labels ------------------------------------------------------------------------------------------------
_LABELS = (
    (PermitType.NIB, re.compile(r"\bn[i1l]b\b|induk\s*berusaha")),
    (PermitType.PIRT, re.compile(r"\bp\s*-?\s*[i1l]rt\b")),
    (PermitType.HALAL, re.compile(r"halal|bpjph|\bmui\b")),
    (PermitType.BPOM, re.compile(r"bpom|izin\s*edar|\bm[dl]\b")),
    (None, re.compile(r"\b(?:telp|tlp|telepon|telpon|hp|wa|whatsapp|fax|faks|ponsel|kbli|npwp|nip|nik|kode|rt|rw)\b")),
    (None, re.compile(r"\b(?:tanggal|tgl|berlaku|sampai|produksi|netto|berat|kh)\b")),
)


def _last_label(text: str) -> tuple[bool, PermitType | None]:
    """(a label was found, the permit it names or None for a distractor label) for the end of `text`."""
    best: tuple[int, PermitType | None] | None = None
    for permit, pattern in _LABELS:
        for match in pattern.finditer(text):
            if best is None or match.end() > best[0] or (match.end() == best[0] and permit is not None):
                best = (match.end(), permit)
    return (False, None) if best is None else (True, best[1])


def _position(text: str, number: PermitNumber) -> int | None:
    """Where the number's digits start in the repaired row."""
    digits = re.sub(r"\D", "", number.value)
    pattern = r"[ \t.\-/]*".join(re.escape(d) for d in digits)
    match = re.search(r"(?<!\d)" + pattern + r"(?!\d)", text)
    return match.start() if match else None


def _strong(permit: PermitType, text: str, start: int, number: PermitNumber) -> bool:
    """The number has a shape no distractor has."""
    before = text[max(0, start - 6) : start]
    if permit is PermitType.HALAL:
        return number.kind is None and re.search(r"(?<![a-z])id[ \t.:\-]*$", before) is not None
    if permit is PermitType.BPOM:
        return True  # MD/ML + 12 or 15 digits
    if permit is PermitType.PIRT:
        return number.kind is None and "-" in text[start:] and _pirt_plausible(number.value.split("-")[0])
    return False


def _pirt_plausible(body: str) -> bool:
    return len(body) in (12, 13) and body[0] != "0" and body[3:5] in _PROVINCES


def _accept(permit: PermitType, number: PermitNumber, text: str, above: str | None, page: PermitType | None) -> bool:
    start = _position(text, number)
    if start is None:
        return False
    if permit is PermitType.PIRT and not _pirt_plausible(number.value.split("-")[0]):
        return False
    if permit is PermitType.PIRT and number.expiry_year is not None and not 2000 <= number.expiry_year <= 2050:
        return False
    if permit is PermitType.HALAL and number.kind == "legacy" and not number.value.startswith("00"):
        return False  # 14 digits but no MUI number: the end of an "ID" number whose start a finger or glare hides
    labelled, label = _last_label(text[:start])
    if not labelled and above is not None:
        labelled, label = _last_label(above)
    if labelled:
        if label is permit:
            return True
        if label is None:
            return False
        # Another permit's label: only a number of a shape no other permit has.
        return _strong(permit, text, start, number)
    # The page alone does not vouch for a legacy shape: a modern number whose start is hidden has it too.
    return _strong(permit, text, start, number) or (page is permit and number.kind != "legacy")


def page_rows(lines: Iterable[str | OcrLine | Sequence]) -> list[str]:
    """The page's text as rows (boxes joined left to right), known misreadings repaired: for reading dates."""
    return [repair_ocr_text(text) for text, _score in _rows(lines)]


def read_document(lines: Iterable[str | OcrLine | Sequence], min_score: float = 0.5) -> DocumentReading:
    """Which permit the page is and the numbers on it (see the module's docstring)."""
    rows = _rows(lines)
    texts = [repair_ocr_text(text) for text, _ in rows]
    page = page_permit(texts)
    found: list[tuple[int, Found]] = []
    seen: set[tuple[PermitType, str]] = set()
    for index, ((original, score), text) in enumerate(zip(rows, texts, strict=True)):
        if score < min_score or not any(ch.isdigit() for ch in text):
            continue
        above = texts[index - 1] if index and not any(ch.isdigit() for ch in texts[index - 1]) else None
        plain = unicodedata.normalize("NFKC", original).lower()
        for segment in text.split(" ; "):
            for permit in _DOCUMENT_PERMITS:
                result = parse_permit_number(permit, segment)
                if isinstance(result, NumberError) or (permit, result.value) in seen:
                    continue
                if _accept(permit, result, segment, above, page):
                    seen.add((permit, result.value))
                    found.append((index, Found(result, index, original, plain != text)))
    if page is None:
        kinds = {f.number.permit for _, f in found}
        page = kinds.pop() if len(kinds) == 1 else None
    candidates = tuple(f for _, f in found if f.number.permit is page)
    others = tuple(f for _, f in found if f.number.permit is not page)
    return DocumentReading(page, candidates, others)


def as_permit_reading(reading: DocumentReading, read: bool = True, expires: date | None = None) -> PermitReading:
    """The reading as the conversation takes it on an inbound photo or document (`read`: the worker read it;
    `expires`: the expiry date printed on the page)."""
    found = (*reading.candidates, *reading.others)
    return PermitReading(
        read=read,
        page=reading.permit.value if reading.permit else None,
        numbers=tuple((f.number.permit.value, f.number.value) for f in found),
        expires=expires.isoformat() if expires and reading.permit else None,
    )
