"""The deployment's kecamatan and kelurahan/desa, and tolerant matching of what owners type."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache, cached_property

from rapidfuzz import fuzz, process, utils

# Words owners put in front of a region name ("Kec. Mengwi", "kelurahan yosomulyo").
_PREFIXES = re.compile(
    r"^(?:kecamatan|kec\.?|kel\.?|kelurahan|desa|ds\.?|dusun|kampung|kp\.?|di|daerah|wilayah)\s+",
    re.IGNORECASE,
)

_PREFIXES_ALL = re.compile(rf"^(?:{_PREFIXES.pattern[1:]})+", re.IGNORECASE)  # "di kec. Sakra": every one
_ADDRESS_AFTER = re.compile(r"[\s,]+(?:bu|pak|nak|kak|mas|mbak|min|ya|bang|dik)$", re.IGNORECASE)
SURE_SCORE = 92.0  # at or above: a typo we accept with a confirmation question
MAYBE_SCORE = 70.0  # at or above: worth suggesting


LEVELS = ("regency", "kecamatan", "kelurahan")  # from the widest to the narrowest
_REGENCY_KIND = re.compile(r"^(?:kabupaten|kota)\s+")


@dataclass(frozen=True)
class Area:
    """A regency or city (kabupaten/kota), a kecamatan or a kelurahan/desa."""

    code: str
    name: str
    level: str  # regency/kecamatan/kelurahan
    parent_code: str | None = None
    kind: str | None = None  # kelurahan/desa; kabupaten/kota
    timezone: str = "Asia/Jakarta"
    regency_name: str = ""
    regency_code: str = ""


class MatchKind(StrEnum):
    """How well typed text matched the list."""

    EXACT = "exact"
    CLOSE = "close"  # one clear candidate: confirm it
    SEVERAL = "several"  # a few candidates: let the owner pick
    NONE = "none"


@dataclass(frozen=True)
class Match:
    """The result of matching a name: the areas it may mean and how close the best one came (100: exact)."""

    kind: MatchKind
    areas: tuple[Area, ...] = ()
    score: float = 0.0


def clean_name(text: str, typed: bool = True) -> str:
    """Lower-case a region name and drop prefixes like "Kec." and punctuation; what an owner `typed` also loses
    trailing forms of address ("metro pusat bu"), which a region's own name keeps ("Kandang Mas")."""
    return typed_forms(text)[-1] if typed else typed_forms(text)[0]


def typed_forms(text: str) -> list[str]:
    """The cleaned name, then the same without one, two... trailing forms of address ("kandang mas bu" is
    "kandang mas bu", "kandang mas", "kandang"): the first that names a place exactly is the one meant."""
    text = _PREFIXES_ALL.sub("", text.strip().lower()).strip()
    forms = [text]
    while (shorter := _ADDRESS_AFTER.sub("", forms[-1], count=1).strip()) != forms[-1]:
        forms.append(_PREFIXES_ALL.sub("", shorter).strip())
    return list(dict.fromkeys(" ".join(utils.default_process(form).split()) for form in forms))


def named_level(text: str) -> str | None:
    """The level an owner named in front of a place ("desa Sukamaju", "kec. Sakra", "kab. Bima"), if any."""
    first = utils.default_process(text).split(" ", 1)[0]
    if first in ("desa", "ds", "kel", "kelurahan"):  # not "kampung": many places are named "Kampung ..."
        return "kelurahan"
    if first in ("kec", "kecamatan"):
        return "kecamatan"
    if first in ("kab", "kabupaten", "kota"):
        return "regency"
    return None


# Most villages need no index beyond a list: above this many names (an owner typing a village name alone, against a
# province's or the nation's 83,762) a C-speed edit ratio shortlists before the typo-tolerant score.
SHORTLIST_ABOVE = 2000
SHORTLIST = 50
MOST_CHOICES = 10  # villages sharing one name: at most this many offered to choose from


class NameIndex:
    """Areas by their cleaned names (several areas may share one), for matching what an owner typed."""

    def __init__(self, areas: Iterable[Area]) -> None:
        self.by_name: dict[str, list[Area]] = {}
        for area in areas:
            for name in _names_of(area):
                found = self.by_name.setdefault(name, [])
                if area not in found:
                    found.append(area)
        self.names = list(self.by_name)
        self.squashed = {name.replace(" ", ""): name for name in self.names}
        self.words: dict[str, list[str]] = {}
        if len(self.names) > SHORTLIST_ABOVE:
            for name in self.names:
                for word in set(name.split()):
                    if len(word) >= 4:
                        self.words.setdefault(word, []).append(name)

    def match(self, text: str) -> Match:
        """Which of the indexed areas `text` means."""
        forms = typed_forms(text)
        if not forms[-1] or not self.names:
            return Match(MatchKind.NONE)
        for form in forms:  # "kandang mas bu": "Kandang Mas" before "Kandang"
            exact = self.by_name.get(form) or self.by_name.get(self.squashed.get(form.replace(" ", ""), ""))
            if exact:
                kind = MatchKind.EXACT if len(exact) == 1 else MatchKind.SEVERAL
                return Match(kind, tuple(exact[:MOST_CHOICES]), 100.0)
        matches = [self._resemblance(form) for form in forms if len(form) >= 3]  # "ya" is in "Praya": too short
        return max(matches, key=lambda match: match.score, default=Match(MatchKind.NONE))

    def _resemblance(self, wanted: str) -> Match:
        """The areas whose names resemble `wanted` (a typo, a name cut short)."""
        names = self.names
        if len(names) > SHORTLIST_ABOVE:
            first = process.extract(
                wanted, names, scorer=fuzz.ratio, processor=None, limit=SHORTLIST, score_cutoff=MAYBE_SCORE - 10
            )
            names = list(
                dict.fromkeys([name for name, _score_, _index in first] + self.words.get(wanted, [])[:SHORTLIST])
            )
        scored = process.extract(wanted, names, scorer=_score, processor=None, limit=5, score_cutoff=MAYBE_SCORE)
        if not scored:
            return Match(MatchKind.NONE)
        best_score = scored[0][1]
        if best_score >= SURE_SCORE and (len(scored) == 1 or scored[1][1] < best_score - 5):
            close = self.by_name[scored[0][0]]
        else:
            close = [area for name, score, _ in scored if score >= best_score - 10 for area in self.by_name[name]]
        close = list(dict.fromkeys(close))[:MOST_CHOICES]
        return Match(MatchKind.CLOSE if len(close) == 1 else MatchKind.SEVERAL, tuple(close), best_score)


def _names_of(area: Area) -> tuple[str, ...]:
    """The cleaned names an area is known by: a regency also without "Kabupaten"/"Kota" and as "kab X"."""
    name = _clean_area_name(area.name)
    if area.level != "regency":
        return (name,)
    bare = _REGENCY_KIND.sub("", name)
    return (name, bare, f"kab {bare}") if area.kind != "kota" else (name, bare)


@dataclass
class RegionDirectory:
    """All areas of one deployment, indexed for lookups."""

    regency_name: str = ""
    areas: dict[str, Area] = field(default_factory=dict)
    _indexes: dict[tuple[str, str], NameIndex] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_areas(cls, areas: list[Area], regency_name: str = "") -> RegionDirectory:
        """Build a directory from a flat list of areas; the regencies come from their kecamatan."""
        by_code = {a.code: a for a in areas}
        for area in areas:
            if area.level == "kecamatan" and area.regency_code and area.regency_code not in by_code:
                by_code[area.regency_code] = Area(
                    code=area.regency_code,
                    name=area.regency_name or area.regency_code,
                    level="regency",
                    kind="kota" if area.regency_name.lower().startswith("kota") else "kabupaten",
                    timezone=area.timezone,
                    regency_name=area.regency_name,
                    regency_code=area.regency_code,
                )
        return cls(regency_name=regency_name, areas=by_code)

    def get(self, code: str | None) -> Area | None:
        """The area with `code`, if known."""
        return self.areas.get(code) if code else None

    def regencies(self) -> list[Area]:
        """Every regency and city of the deployment, in Kemendagri order (kabupaten first, then kota)."""
        return list(self._regencies)

    @cached_property
    def _regencies(self) -> tuple[Area, ...]:
        """The regencies, found once (several questions of a step ask whether there are several)."""
        return tuple(sorted((a for a in self.areas.values() if a.level == "regency"), key=lambda a: a.code))

    def several_regencies(self) -> bool:
        """Whether the deployment covers more than one regency or city (a province, or several named)."""
        return len(self._regencies) > 1

    def kecamatan(self, regency_code: str | None = None) -> list[Area]:
        """Every kecamatan (of one regency, when given), by name."""
        return sorted(
            (
                a
                for a in self.areas.values()
                if a.level == "kecamatan" and (regency_code is None or a.regency_code == regency_code)
            ),
            key=lambda a: a.name,
        )

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

    def find(self, text: str, level: str, within: str | None = None) -> Match:
        """Which area of `level` (regency, kecamatan, kelurahan) `text` names, in the whole deployment or `within`
        one regency or kecamatan; the index for each such list is built once."""
        key = (level, within or "")
        index = self._indexes.get(key)
        if index is None:
            index = self._indexes[key] = NameIndex(
                a
                for a in self.areas.values()
                if a.level == level and (within is None or a.code.startswith(within + "."))
            )
        return index.match(text)

    def match(self, text: str, candidates: list[Area]) -> Match:
        """Find which of `candidates` the owner meant by `text`."""
        return NameIndex(candidates).match(text)

    def label(self, area: Area) -> str:
        """How an area is shown among others that may share its name: "Sukamaju (Sakra, Lombok Timur)"."""
        parts = []
        if area.level == "kelurahan":
            kecamatan = self.get(area.parent_code)
            parts.append(kecamatan.name if kecamatan else "")
        if area.level != "regency" and self.several_regencies():
            parts.append(short_regency(area.regency_name))
        where = ", ".join(p for p in parts if p)
        return f"{area.name} ({where})" if where else area.name


def short_regency(name: str) -> str:
    """The name "Kabupaten Lombok Timur" as "Kab. Lombok Timur" (a city keeps "Kota"): lists on a phone have little
    room."""
    return re.sub(r"^Kabupaten\s+", "Kab. ", name)


@cache
def _clean_area_name(name: str) -> str:
    """`clean_name` of a region's own name, computed once per name (a national list holds 90,000)."""
    return clean_name(name, typed=False)


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
