"""The deployment's regencies and kecamatan as officers see them: scopes by regency, and labels that name the
regency where an officer's view spans several (a province's Dinas; a regency's officer needs no such suffix)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session, select

from bot.storage.models import Region
from bot.storage.regions import area_of
from conversations.understanding.places import Area, RegionDirectory, short_regency


def officer_regions(db: Session) -> RegionDirectory:
    """The deployment's kecamatan, and their regencies (no villages: officers filter and count no deeper)."""
    rows = db.exec(select(Region).where(Region.level == "kecamatan")).all()
    return RegionDirectory.from_areas([area_of(r) for r in rows])


def regencies_in_view(regions: RegionDirectory, scope: Iterable[str] | None) -> list[Area]:
    """The regencies an officer sees some kecamatan of (all of them without a scope), in Kemendagri order."""
    if scope is None:
        return regions.regencies()
    seen = {area.regency_code for code in scope if (area := regions.get(code)) is not None}
    return [r for r in regions.regencies() if r.code in seen]


def several_in_view(regions: RegionDirectory, scope: Iterable[str] | None) -> bool:
    """Whether an officer's view spans more than one regency: only then are regencies named and offered."""
    return len(regencies_in_view(regions, scope)) > 1


def kecamatan_label(regions: RegionDirectory, code: str, several: bool) -> str:
    """A kecamatan's name, with its regency when `several` are in view: "Sakra (Kab. Lombok Timur)"."""
    area = regions.get(code)
    if area is None:
        return code
    return f"{area.name} ({short_regency(area.regency_name)})" if several and area.regency_name else area.name


def kecamatan_of(regions: RegionDirectory, regency_codes: Iterable[str]) -> tuple[str, ...]:
    """Every kecamatan code of these regencies, in order."""
    return tuple(a.code for code in dict.fromkeys(regency_codes) for a in sorted_kecamatan(regions, code))


def sorted_kecamatan(regions: RegionDirectory, regency_code: str) -> list[Area]:
    """One regency's kecamatan, by code (the order Kemendagri lists them in)."""
    return sorted(regions.kecamatan(regency_code), key=lambda a: a.code)


def whole_regencies(regions: RegionDirectory, scope: Iterable[str]) -> list[Area]:
    """The regencies every kecamatan of which lies in `scope`."""
    inside = set(scope)
    return [r for r in regions.regencies() if (codes := kecamatan_of(regions, [r.code])) and set(codes) <= inside]


def scope_parts(regions: RegionDirectory, scope: Iterable[str], whole: str) -> list[str]:
    """A scope as an officer reads it: each regency it covers whole as `whole` (formatted with `name` and `count`,
    e.g. "Kab. Lombok Timur (21 kecamatan)"), then the codes of any other kecamatan, as stored."""
    codes = list(dict.fromkeys(scope))
    parts, covered = [], set()
    for regency in whole_regencies(regions, codes):
        members = kecamatan_of(regions, [regency.code])
        covered.update(members)
        parts.append(whole.format(name=short_regency(regency.name), count=len(members)))
    return parts + [code for code in codes if code not in covered]
