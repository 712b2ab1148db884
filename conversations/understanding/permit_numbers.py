"""Read, check and normalise the permit numbers owners type: NIB, P-IRT, halal, BPOM MD/ML and merek.

Pure and standard-library only.  `parse_permit_number` returns a `PermitNumber` or a `NumberError`.

Number formats (canonical value -> display)
    NIB     13 digits                     "0220009861929" -> "0220 0098 61929"
    P-IRT   13-digit body + "-" + year    "2113212010651-29" -> "P-IRT No. 2113212010651-29" (expiry 2029)
            The body is packaging (1) + food type (2) + kab/kota (4) + product (2) + producer (4) = 13
            digits, so the printed number has 15 digits in all.  Legacy: 12-digit body (producer has 3
            digits), kind "legacy".
    Halal   "ID" + 17 digits (BPJPH), or 14 digits (old MUI certificate, kind "legacy").
    BPOM    "MD"/"ML" + 12 or 15 digits   "MD224510107115" -> "BPOM RI MD 224510107115" (kind "md"/"ml")
    Merek   "IDM" + 9 digits (registration, kind None); "DID"/"JID" + 10 digits (kind "application").

How the text is read
    * NFKC, lower case, every dash-like character becomes "-".  A "KH ..." fatwa number is set aside first.
    * Digit runs form a chain when separated only by spaces (a soft link) or by one ".", "-" or "/" with
      optional spaces around it (a hard link).  Letters, commas, colons, newlines and other punctuation
      end a chain, so "nib 0220009861929, hp 0812..." never glues two numbers.
    * Hard-linked runs always stay together.  A chain may be cut at a soft link only where both sides have
      at least 4 digits: "0220009861929 081234567890" is two numbers, but in "0220 0098 61929 1" the
      trailing "1" is not silently dropped (the number is too long).
    * A code right before the first run (optionally followed by a space, ".", ":" or "-") is its prefix:
      id, idm, did, jid, md, ml; not when glued to a word or a number ("250ml", "botol 250 ml").
      Labels ("NIB:", "No.", "nomor", "P-IRT", "PIRT", "SPP-IRT", "BPOM RI", "Sertifikat Halal",
      "no halal") hold no digits and are simply skipped.
    * Look-alike letters (o, i, l, s, z, b) touching a run of 3+ digits, 1-2 letters inside a run
      ("10a07115") or a gap made only of look-alikes ("0220 OO98 61929") make the chain unusable:
      NOT_DIGITS, with digits_found = all digits of that chain.
    * Pieces without a prefix and with fewer than 4 digits are not numbers ("usaha 2 tahun", a menu
      answer "1"): if nothing else is found the result is EMPTY with digits_found 0.
    * Several numbers in one message: the first one valid for the asked permit wins, unless it is only part
      of a longer piece that clearly is another permit (e.g. the NIB-length body of "2113212010651 29").
      Without a valid one, the most telling problem is reported: WRONG_PERMIT, then NOT_DIGITS, then
      MISSING_YEAR/MISSING_PREFIX, then the length error closest to a valid length.

Decisions on ambiguous input
    * P-IRT expiry year: separated by "-", en/em dash, " - ", ".", "/" or a space; 2 digits (20YY) or
      4 digits from 2000 to 2099 (stored as 2 digits).  A year after a plain space is accepted only if the
      body is plausible (see below), so an MUI number "0015 0099 9912 20" is not split.
    * P-IRT without any separator (15 digits, or 14 for legacy) is split before the last 2 digits only if
      the body is plausible: first digit (packaging) 1-9 and digits 4-5 a province code (11-19, 21, 31-36,
      51-53, 61-65, 71-76, 81-82, 91-96).  Otherwise MISSING_YEAR.
    * For P-IRT, digits_found counts the body only when a year was recognised ("21132120106-29": TOO_SHORT,
      11); a 12-15 digit number without a readable year is MISSING_YEAR with all its digits.
    * NIB typed for P-IRT (13 digits, no year): MISSING_YEAR if the 13 digits could be a P-IRT body,
      otherwise WRONG_PERMIT looks_like NIB ("0220 0098 61929" starts with 0, never a P-IRT packaging code).
    * P-IRT typed for NIB/halal/BPOM/merek: WRONG_PERMIT looks_like PIRT when the digits end in "-YY" (or in
      " YY" after a plausible body), or are a plausible glued P-IRT.
    * Any other permit's prefix (MD/ML, ID, IDM/DID/JID) gives WRONG_PERMIT, whatever the length.  A bare
      13-digit number typed for halal/BPOM/merek is WRONG_PERMIT looks_like NIB; a bare 17-digit number
      starting with a province code, or a 14-digit one starting with "00" (MUI), looks like HALAL.
    * Halal: 17 digits without "ID" are accepted and "ID" is added; 14 digits are an MUI certificate (even
      if they could be a glued P-IRT, since halal was asked); "ID" + wrong length is TOO_SHORT/TOO_LONG
      against 17.  A "KH" number (fatwa) gives FATWA_NUMBER, also when other digits are present but none is
      a certificate number; typed for another permit it is WRONG_PERMIT looks_like HALAL.
    * BPOM: 12 or 15 digits without MD/ML give MISSING_PREFIX (a plausible glued P-IRT of 15 digits too).
    * Merek (lenient): 9 digits without a prefix, or "ID" + 9 digits, are taken as "IDM" + 9 digits;
      10 digits without DID/JID give MISSING_PREFIX.
    * Length errors compare with the nearest valid length: BPOM 13 digits is TOO_LONG (12), 14 TOO_SHORT (15).
"""

import enum
import re
import unicodedata
from dataclasses import dataclass


class PermitType(enum.StrEnum):
    """The permits whose numbers owners report."""

    NIB = "nib"
    PIRT = "pirt"
    HALAL = "halal"
    BPOM = "bpom"
    MEREK = "merek"


@dataclass(frozen=True)
class PermitNumber:
    """A valid permit number: canonical value, display form and extracted details."""

    permit: PermitType
    value: str
    display: str
    expiry_year: int | None = None
    kind: str | None = None


class NumberProblem(enum.StrEnum):
    """Why a typed text is not a valid number for the asked permit."""

    EMPTY = "empty"
    TOO_SHORT = "too_short"
    TOO_LONG = "too_long"
    NOT_DIGITS = "not_digits"
    MISSING_YEAR = "missing_year"
    MISSING_PREFIX = "missing_prefix"
    FATWA_NUMBER = "fatwa_number"
    WRONG_PERMIT = "wrong_permit"


@dataclass(frozen=True)
class NumberError:
    """What is wrong with a typed number, with the digit count and, if known, the permit it looks like."""

    permit: PermitType
    problem: NumberProblem
    digits_found: int = 0
    looks_like: PermitType | None = None


_EXAMPLES = {
    PermitType.NIB: "0220 0098 61929",
    PermitType.PIRT: "P-IRT No. 2113212010651-29",
    PermitType.HALAL: "ID32110000474710722",
    PermitType.BPOM: "BPOM RI MD 224510107115",
    PermitType.MEREK: "IDM000123456",
}

# Province codes (first two digits of a kab/kota code, Kemendagri).
_PROVINCES = frozenset(
    "11 12 13 14 15 16 17 18 19 21 31 32 33 34 35 36 51 52 53 61 62 63 64 65 71 72 73 74 75 76 81 82 "
    "91 92 93 94 95 96".split()
)

_PREFIX_PERMIT = {
    "id": PermitType.HALAL,
    "idm": PermitType.MEREK,
    "did": PermitType.MEREK,
    "jid": PermitType.MEREK,
    "md": PermitType.BPOM,
    "ml": PermitType.BPOM,
}

_DASHES = str.maketrans({c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d"})
_FATWA_RE = re.compile(r"(?<![a-z0-9])kh(?![a-z])[ \t]*[.:\-/]?[ \t]*[^\s,;]*")
_RUN_RE = re.compile(r"\d+")
# Not after a letter or digit, nor after "250 " ("botol 250 ml"): ml/md there is a unit or a word.
_PREFIX_RE = re.compile(r"(?<![a-z0-9])(?<!\d[ \t])(idm|did|jid|id|md|ml)[ \t]*[.:\-]?[ \t]*$")
_SOFT_GAP_RE = re.compile(r"[ \t]+")
_HARD_GAP_RE = re.compile(r"[ \t]*([.\-/])[ \t]*")
_INNER_LETTERS_RE = re.compile(r"[a-z]{1,2}")
_LOOKALIKE_GAP_RE = re.compile(r"[ \t.\-/]*[oilszb]+(?:[ \t.\-/]+[oilszb]+)*[ \t.\-/]*")
_LEADING_LOOKALIKE_RE = re.compile(r"(?<![a-z0-9])[oilszb]{1,2}$")
_TRAILING_LOOKALIKE_RE = re.compile(r"[oilszb]{1,2}(?![a-z0-9])")

_SOFT = " "
_BAD = "?"
_MIN_BARE_DIGITS = 4
_MIN_CUT_DIGITS = 4
_MAX_CANDIDATE_DIGITS = 40
_MAX_TEXT = 2000

_PROBLEM_RANK = {
    NumberProblem.WRONG_PERMIT: 0,
    NumberProblem.NOT_DIGITS: 1,
    NumberProblem.MISSING_YEAR: 2,
    NumberProblem.MISSING_PREFIX: 2,
    NumberProblem.TOO_SHORT: 3,
    NumberProblem.TOO_LONG: 3,
}


@dataclass
class _Chain:
    prefix: str | None
    groups: list[str]
    links: list[str]  # between groups: " " (soft), ".", "-", "/" (hard) or "?" (look-alike letters)
    tainted: bool = False


@dataclass(frozen=True)
class _Candidate:
    chain: int
    first: int  # first unit (hard-linked groups) of the chain
    last: int
    prefix: str | None
    groups: tuple[str, ...]
    links: tuple[str, ...]

    @property
    def digits(self) -> str:
        return "".join(self.groups)

    @property
    def order(self) -> tuple[int, int, int]:
        return (self.chain, self.first, -self.last)

    def contains(self, other: "_Candidate") -> bool:
        return (
            self.chain == other.chain
            and self.first <= other.first
            and self.last >= other.last
            and (self.first, self.last) != (other.first, other.last)
        )


def example_number(permit: PermitType) -> str:
    """A realistic example of the number as printed, for help messages."""
    return _EXAMPLES[PermitType(permit)]


def parse_permit_number(permit: PermitType, text: str) -> PermitNumber | NumberError:
    """Validate and normalise what an owner typed as the number of `permit`."""
    permit = PermitType(permit)
    s = unicodedata.normalize("NFKC", text or "")[:_MAX_TEXT].translate(_DASHES).lower()
    fatwa_digits: list[int] = []

    def set_fatwa_aside(match: re.Match[str]) -> str:
        digits = sum(ch.isdigit() for ch in match.group())
        if digits:
            fatwa_digits.append(digits)
            return " ; "
        return match.group()

    s = _FATWA_RE.sub(set_fatwa_aside, s)
    chains = _chains(s)

    candidates: list[_Candidate] = []
    errors: list[tuple[tuple[int, int, tuple[int, int, int]], NumberError]] = []
    for index, chain in enumerate(chains):
        if chain.tainted:
            found = sum(len(g) for g in chain.groups)
            if found >= _MIN_BARE_DIGITS:
                error = NumberError(permit, NumberProblem.NOT_DIGITS, found)
                errors.append(((_PROBLEM_RANK[error.problem], 0, (index, 0, 0)), error))
            continue
        candidates.extend(_candidates(index, chain))

    verdicts = [(c, *_assess(permit, c)) for c in candidates]
    signatures = {c: _signature(c) for c in candidates}
    valid_for_asked = {c for c, result, _ in verdicts if isinstance(result, PermitNumber)}
    dominating = [
        c
        for c in candidates
        if (sig := signatures[c]) is not None and sig[1] and sig[0] is not permit and c not in valid_for_asked
    ]

    valid = [
        (c, result)
        for c, result, _ in verdicts
        if isinstance(result, PermitNumber) and not any(b.contains(c) for b in dominating)
    ]
    if valid:
        return min(valid, key=lambda item: item[0].order)[1]

    if fatwa_digits:
        if permit is PermitType.HALAL:
            return NumberError(permit, NumberProblem.FATWA_NUMBER, fatwa_digits[0])
        error = NumberError(permit, NumberProblem.WRONG_PERMIT, fatwa_digits[0], PermitType.HALAL)
        errors.append(((0, 0, (len(chains), 0, 0)), error))

    for c, result, distance in verdicts:
        if isinstance(result, NumberError):
            errors.append(((_PROBLEM_RANK[result.problem], distance, c.order), result))
    if not errors:
        return NumberError(permit, NumberProblem.EMPTY)
    return min(errors, key=lambda item: item[0])[1]


# --- reading the text ------------------------------------------------------------------------------------
def _chains(s: str) -> list[_Chain]:
    chains: list[_Chain] = []
    current: _Chain | None = None
    previous_end = 0
    for match in _RUN_RE.finditer(s):
        run, start, end = match.group(), match.start(), match.end()
        link = _link(s[previous_end:start]) if current is not None else None
        if current is None or link is None:
            prefix = _PREFIX_RE.search(s, max(0, start - 12), start)
            current = _Chain(prefix.group(1) if prefix else None, [], [])
            chains.append(current)
        else:
            current.links.append(link)
            current.tainted |= link == _BAD
        current.groups.append(run)
        if len(run) >= 3 and (
            _LEADING_LOOKALIKE_RE.search(s, max(0, start - 3), start) or _TRAILING_LOOKALIKE_RE.match(s, end)
        ):
            current.tainted = True
        previous_end = end
    return chains


def _link(gap: str) -> str | None:
    """How two digit runs are joined by `gap`, or None if they belong to different numbers."""
    if "\n" in gap:
        return None
    if _SOFT_GAP_RE.fullmatch(gap):
        return _SOFT
    if hard := _HARD_GAP_RE.fullmatch(gap):
        return hard.group(1)
    if _INNER_LETTERS_RE.fullmatch(gap) or _LOOKALIKE_GAP_RE.fullmatch(gap):
        return _BAD
    return None


def _candidates(index: int, chain: _Chain) -> list[_Candidate]:
    """Every run of whole units that may be read as one number (cut only at allowed soft links)."""
    units: list[tuple[int, int]] = []  # (first group, last group)
    start = 0
    for i, link in enumerate(chain.links):
        if link == _SOFT:
            units.append((start, i))
            start = i + 1
    units.append((start, len(chain.groups) - 1))
    sizes = [sum(len(g) for g in chain.groups[a : b + 1]) for a, b in units]

    def can_cut(left: int) -> bool:
        return sizes[left] >= _MIN_CUT_DIGITS and sizes[left + 1] >= _MIN_CUT_DIGITS

    result = []
    for i in range(len(units)):
        if i > 0 and not can_cut(i - 1):
            continue
        total = 0
        for j in range(i, len(units)):
            total += sizes[j]
            if total > _MAX_CANDIDATE_DIGITS and j > i:
                break
            if j < len(units) - 1 and not can_cut(j):
                continue
            prefix = chain.prefix if i == 0 else None
            if prefix is None and total < _MIN_BARE_DIGITS:
                continue
            first_group, last_group = units[i][0], units[j][1]
            result.append(
                _Candidate(
                    index,
                    i,
                    j,
                    prefix,
                    tuple(chain.groups[first_group : last_group + 1]),
                    tuple(chain.links[first_group:last_group]),
                )
            )
    return result


# --- shapes ----------------------------------------------------------------------------------------------
def _pirt_plausible(body: str) -> bool:
    """Packaging code 1-9 and a province code where the kab/kota code starts."""
    return len(body) in (12, 13) and body[0] != "0" and body[3:5] in _PROVINCES


def _year_parts(c: _Candidate) -> tuple[str, str, str] | None:
    """(body, year digits, link) when a 12/13-digit body is followed by a separate 2- or 4-digit group."""
    if len(c.groups) < 2 or len(c.groups[-1]) not in (2, 4):
        return None
    body = c.digits[: -len(c.groups[-1])]
    if len(body) not in (12, 13):
        return None
    return body, c.groups[-1], c.links[-1]


def _year_value(year: str) -> int | None:
    value = int(year)
    if len(year) == 2:
        return 2000 + value
    return value if 2000 <= value <= 2099 else None


def _read_pirt(c: _Candidate) -> tuple[str, int] | None:
    """(body, expiry year) if the candidate reads as a P-IRT number."""
    if c.prefix is not None:
        return None
    parts = _year_parts(c)
    if parts is not None:
        body, year_text, link = parts
        year = _year_value(year_text)
        if year is not None and (link != _SOFT or _pirt_plausible(body)):
            return body, year
    digits = c.digits
    if len(c.groups[-1]) >= 3 and len(digits) in (14, 15) and _pirt_plausible(digits[:-2]):
        return digits[:-2], 2000 + int(digits[-2:])
    return None


def _signature(c: _Candidate) -> tuple[PermitType, bool] | None:
    """The permit the candidate looks like regardless of what was asked, and whether that is a clear sign."""
    if c.prefix is not None:
        return _PREFIX_PERMIT[c.prefix], True
    parts = _year_parts(c)
    if parts is not None and (parts[2] == "-" or (parts[2] == _SOFT and _pirt_plausible(parts[0]))):
        return PermitType.PIRT, True
    digits = c.digits
    if len(digits) == 13:
        return PermitType.NIB, True
    if _read_pirt(c) is not None:
        return PermitType.PIRT, False
    if (len(digits) == 14 and digits.startswith("00")) or (len(digits) == 17 and digits[:2] in _PROVINCES):
        return PermitType.HALAL, False
    return None


# --- judging one candidate ---------------------------------------------------------------------------------
def _length_error(permit: PermitType, found: int, allowed: tuple[int, ...]) -> tuple[NumberError, int]:
    nearest = min(allowed, key=lambda n: (abs(n - found), n))
    problem = NumberProblem.TOO_SHORT if found < nearest else NumberProblem.TOO_LONG
    return NumberError(permit, problem, found), abs(nearest - found)


def _assess(permit: PermitType, c: _Candidate) -> tuple[PermitNumber | NumberError, int]:
    """The reading of one candidate as `permit`, with its distance from a valid length (for ranking)."""
    digits, prefix = c.digits, c.prefix
    found = len(digits)
    signature = _signature(c)
    looks = signature[0] if signature else None
    clear = signature is not None and signature[1]

    def wrong(other: PermitType) -> tuple[NumberError, int]:
        return NumberError(permit, NumberProblem.WRONG_PERMIT, found, other), 0

    def missing(problem: NumberProblem, count: int) -> tuple[NumberError, int]:
        return NumberError(permit, problem, count), 0

    if permit is PermitType.NIB:
        if prefix is None and found == 13:
            return PermitNumber(permit, digits, f"{digits[:4]} {digits[4:8]} {digits[8:]}"), 0
        if looks is not None and looks is not PermitType.NIB:
            return wrong(looks)
        return _length_error(permit, found, (13,))

    if permit is PermitType.PIRT:
        if (pirt := _read_pirt(c)) is not None:
            body, year = pirt
            value = f"{body}-{year % 100:02d}"
            kind = "legacy" if len(body) == 12 else None
            return PermitNumber(permit, value, f"P-IRT No. {value}", year, kind), 0
        if prefix is not None:
            return wrong(_PREFIX_PERMIT[prefix])
        if (parts := _year_parts(c)) is not None and parts[2] == "-":
            return missing(NumberProblem.MISSING_YEAR, len(parts[0]))  # "-2129": not a year
        if len(c.groups) >= 2 and c.links[-1] == "-" and len(c.groups[-1]) == 2:
            return _length_error(permit, found - 2, (12, 13))  # year present, body of the wrong length
        if found == 13:
            if _pirt_plausible(digits):
                return missing(NumberProblem.MISSING_YEAR, found)
            return wrong(PermitType.NIB)
        if looks is not None and looks is not PermitType.PIRT:
            return wrong(looks)
        if 12 <= found <= 15:
            return missing(NumberProblem.MISSING_YEAR, found)
        return _length_error(permit, found, (12, 13))

    if permit is PermitType.HALAL:
        if prefix == "id" and found == 17:
            return PermitNumber(permit, f"ID{digits}", f"ID{digits}"), 0
        if prefix is None and not (clear and looks is PermitType.PIRT):
            if found == 17:
                return PermitNumber(permit, f"ID{digits}", f"ID{digits}"), 0
            if found == 14:
                return PermitNumber(permit, digits, digits, kind="legacy"), 0
        if looks is not None and looks is not PermitType.HALAL:
            return wrong(looks)
        return _length_error(permit, found, (17,) if prefix == "id" else (14, 17))

    if permit is PermitType.BPOM:
        if prefix in ("md", "ml"):
            if found in (12, 15):
                code = prefix.upper()
                return PermitNumber(permit, f"{code}{digits}", f"BPOM RI {code} {digits}", kind=prefix), 0
            return _length_error(permit, found, (12, 15))
        if prefix is None and not clear and found in (12, 15):
            return missing(NumberProblem.MISSING_PREFIX, found)
        if looks is not None:
            return wrong(looks)
        return _length_error(permit, found, (12, 15))

    # merek
    if found == 9 and prefix in (None, "id", "idm"):
        return PermitNumber(permit, f"IDM{digits}", f"IDM{digits}"), 0
    if found == 10 and prefix in ("did", "jid"):
        value = f"{prefix.upper()}{digits}"
        return PermitNumber(permit, value, value, kind="application"), 0
    if prefix == "idm" or (prefix == "id" and found != 17):
        return _length_error(permit, found, (9,))
    if prefix in ("did", "jid"):
        return _length_error(permit, found, (10,))
    if prefix is None and not clear and found == 10:
        return missing(NumberProblem.MISSING_PREFIX, found)
    if looks is not None:
        return wrong(looks)
    return _length_error(permit, found, (9,))
