"""The deployment's kecamatan and kelurahan/desa, and tolerant matching of what owners type."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, cached_property

from rapidfuzz import fuzz, process, utils

# Words owners put in front of a region name ("Kec. Mengwi", "kelurahan yosomulyo").
_PREFIXES = re.compile(
    r"^(?:kecamatan|kec\.?|kel\.?|kelurahan|desa|ds\.?|dusun|kampung|kp\.?|di|daerah|wilayah)\s+",
    re.IGNORECASE,
)

_ADDRESS_AFTER = re.compile(r"[\s,]+(?:bu|pak|nak|kak|mas|mbak|min|ya|bang|dik)$", re.IGNORECASE)
SURE_SCORE = 92.0  # at or above: a typo we accept with a confirmation question
MAYBE_SCORE = 70.0  # at or above: worth suggesting


@dataclass(frozen=True)
class Area:
    """A kecamatan or a kelurahan/desa."""

    code: str
    name: str
    level: str  # kecamatan/kelurahan
    parent_code: str | None = None
    kind: str | None = None  # kelurahan/desa
    timezone: str = "Asia/Jakarta"
    regency_name: str = ""


class MatchKind(StrEnum):
    """How well typed text matched the list."""

    EXACT = "exact"
    CLOSE = "close"  # one clear candidate: confirm it
    SEVERAL = "several"  # a few candidates: let the owner pick
    NONE = "none"


@dataclass(frozen=True)
class Match:
    """The result of matching a name."""

    kind: MatchKind
    areas: tuple[Area, ...] = ()


def clean_name(text: str) -> str:
    """Lower-case a region name and drop prefixes like "Kec." and punctuation."""
    text = text.strip().lower()
    previous = None
    while previous != text:
        previous = text
        text = _PREFIXES.sub("", text).strip()
        text = _ADDRESS_AFTER.sub("", text).strip()  # "metro pusat bu"
    return utils.default_process(text)


@dataclass
class RegionDirectory:
    """All areas of one deployment, indexed for lookups."""

    regency_name: str = ""
    areas: dict[str, Area] = field(default_factory=dict)

    @classmethod
    def from_areas(cls, areas: list[Area], regency_name: str = "") -> RegionDirectory:
        """Build a directory from a flat list of areas."""
        return cls(regency_name=regency_name, areas={a.code: a for a in areas})

    def get(self, code: str | None) -> Area | None:
        """The area with `code`, if known."""
        return self.areas.get(code) if code else None

    def kecamatan(self) -> list[Area]:
        """Every kecamatan, by name."""
        return sorted((a for a in self.areas.values() if a.level == "kecamatan"), key=lambda a: a.name)

    def kelurahan(self, kecamatan_code: str) -> list[Area]:
        """The kelurahan/desa of one kecamatan, by name."""
        return list(self._villages.get(kecamatan_code, ()))

    @cached_property
    def _villages(self) -> dict[str, list[Area]]:
        """Each kecamatan's kelurahan/desa by name, built once (a national list holds 83,762)."""
        index: dict[str, list[Area]] = {}
        for area in self.areas.values():
            if area.level == "kelurahan" and area.parent_code:
                index.setdefault(area.parent_code, []).append(area)
        return {code: sorted(found, key=lambda a: a.name) for code, found in index.items()}

    def match(self, text: str, candidates: list[Area]) -> Match:
        """Find which of `candidates` the owner meant by `text`."""
        wanted = clean_name(text)
        if not wanted or not candidates:
            return Match(MatchKind.NONE)
        by_clean = {_clean_area_name(a.name): a for a in candidates}
        if wanted in by_clean:
            return Match(MatchKind.EXACT, (by_clean[wanted],))
        squashed = wanted.replace(" ", "")
        for name, area in by_clean.items():
            if name.replace(" ", "") == squashed:
                return Match(MatchKind.EXACT, (area,))
        names = list(by_clean)
        if len(names) > SHORTLIST_ABOVE:  # thousands of villages: C-speed first pass, then the careful score
            first = process.extract(wanted, names, scorer=fuzz.WRatio, limit=SHORTLIST, score_cutoff=MAYBE_SCORE - 10)
            names = [name for name, _score_, _index in first]
        scored = process.extract(wanted, names, scorer=_score, limit=5, score_cutoff=MAYBE_SCORE)
        if not scored:
            return Match(MatchKind.NONE)
        best_score = scored[0][1]
        if best_score >= SURE_SCORE and (len(scored) == 1 or scored[1][1] < best_score - 5):
            return Match(MatchKind.CLOSE, (by_clean[scored[0][0]],))
        close = [by_clean[name] for name, score, _ in scored if score >= best_score - 10]
        if len(close) == 1:
            return Match(MatchKind.CLOSE, tuple(close))
        return Match(MatchKind.SEVERAL, tuple(close))


@cache
def _clean_area_name(name: str) -> str:
    """`clean_name` of a region's own name, computed once per name (a national list holds 90,000)."""
    return clean_name(name)


# Above this many candidates (an owner typing a village name alone, against a province's or the nation's list) the
# typo-tolerant score runs on a shortlist from rapidfuzz's own WRatio instead of on every name.
SHORTLIST_ABOVE = 2000
SHORTLIST = 50


def _score(query: str, choice: str, **kwargs: object) -> float:
    """Typo-tolerant similarity that also credits a query naming only part of a long name."""
    whole = fuzz.WRatio(query, choice)
    if len(query) >= 4 and query in choice.split():
        whole = max(whole, 93.0)
    return whole


# Indonesia from Sabang to Merauke and from Miangas to Rote, with a margin for its seas: a point outside is not an
# owner's place of business (a phone's location switched off and guessed, or a test device).
_INDONESIA_LATITUDE = (-11.5, 6.5)
_INDONESIA_LONGITUDE = (94.5, 141.5)


def in_indonesia(latitude: float, longitude: float) -> bool:
    """Whether a shared location can be a business in Indonesia."""
    return (
        _INDONESIA_LATITUDE[0] <= latitude <= _INDONESIA_LATITUDE[1]
        and _INDONESIA_LONGITUDE[0] <= longitude <= _INDONESIA_LONGITUDE[1]
    )
