"""Benchmark: how well the bot understands whole owner conversations (issue "Owners talk, the bot understands").

Every profile of `tests/owners/profiles.py` registers in every typing style through the pure engine; the simulated
owner (`tests/owners/simulated.py`) answers from the open question id. Targets: every registration completes;
at least 95% of the facts stored correctly; no chatter stored; no question asked again after a correct answer
(nor one the owner had already told); at most 1.5x the messages of the same owner answering plainly.

Usage: python bench/owners.py [--style messy] [--profile m01] [--problems] [--misread] [--show m01:messy] [--xfail]
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
import time
from collections import Counter, defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conversations.turn import parse_question_id  # noqa: E402
from tests.owners.profiles import PROFILES, PROFILES_BY_ID  # noqa: E402
from tests.owners.simulated import (  # noqa: E402
    MAX_RATIO,
    MIN_FIELDS_CORRECT,
    STYLES,
    RunResult,
    Style,
    load_regions,
    run_corpus,
    run_owner,
)

HEADER = (
    f"{'style':<11} {'runs':>4} {'complete':>8} {'facts ok':>9} {'chatter':>9} {'repeats':>7} {'told':>5} "
    f"{'back ok':>7} {'misread':>7} {'msgs':>5} {'ratio':>5} {'max':>5} {'>1.5x':>5} {'all ok':>6} {'after end':>9}"
)


def row(label: str, results: list[RunResult]) -> str:
    """One line of the table: the metrics of `results`."""
    runs = len(results)
    completed = sum(r.completed for r in results)
    correct = sum(r.fields_correct for r in results)
    total = sum(len(r.fields) for r in results)
    chatter_runs = sum(bool(r.chatter) for r in results)
    chatter_items = sum(len(r.chatter) for r in results)
    repeats = sum(len(r.repeats) for r in results)
    told = sum(len(r.already_told) for r in results)
    back = [q for r in results for q in r.questions_back]
    back_ok = f"{sum(q.answered for q in back)}/{len(back)}" if back else "-"
    misread = sum(r.not_understood for r in results)
    messages = sum(r.messages for r in results)
    baseline = sum(r.baseline or r.messages for r in results)
    ratios = [r.ratio for r in results if r.ratio is not None]
    over = sum(ratio > MAX_RATIO for ratio in ratios)
    meeting = sum(r.ok for r in results)
    after_end = sum(r.after_end is not None for r in results)
    return (
        f"{label:<11} {runs:>4} {completed:>4}/{runs:<3} {100 * correct / max(total, 1):>8.1f}% "
        f"{chatter_runs:>3}/{chatter_items:<5} {repeats:>7} {told:>5} {back_ok:>7} {misread:>7} {messages:>5} "
        f"{messages / max(baseline, 1):>5.2f} {max(ratios, default=0):>5.2f} {over:>5} {meeting:>3}/{runs:<2} "
        f"{after_end:>9}"
    )


def table(results: list[RunResult]) -> str:
    """The metrics per style, then all runs together."""
    by_style: dict[Style, list[RunResult]] = defaultdict(list)
    for result in results:
        by_style[result.style].append(result)
    lines = [HEADER, "-" * len(HEADER)]
    lines += [row(str(style), by_style[style]) for style in STYLES if by_style[style]]
    lines += ["-" * len(HEADER), row("all", results)]
    return "\n".join(lines)


def pattern(problem: str) -> str:
    """A problem without its values, so that the same failure in different profiles counts together."""
    problem = re.sub(r"\[\d+\]", "[n]", problem)
    problem = re.sub(r"\|\d+\b", "|n", problem)
    if problem.startswith("wrong "):
        return problem.split(":")[0]
    if problem.startswith("chatter stored: product "):
        return "chatter stored: a product the owner does not make"
    if problem.startswith("chatter stored: "):
        return problem.split(" = ")[0]
    if problem.startswith("question back not answered"):
        return "question back not answered"
    if "messages," in problem:
        return f"more than {MAX_RATIO}x the plain owner's messages"
    return problem


def problems(results: list[RunResult], top: int) -> str:
    """The most frequent failure patterns per style, with how many runs show each and one example."""
    lines = []
    for style in STYLES:
        counts: Counter[str] = Counter()
        example: dict[str, str] = {}
        for result in (r for r in results if r.style is style):
            seen = set()
            for problem in result.problems():
                key = pattern(problem)
                if key not in seen:
                    counts[key] += 1
                    seen.add(key)
                    example.setdefault(key, f"{result.profile_id}: {problem}")
        if not counts:
            continue
        lines.append(f"\n{style}:")
        for key, count in counts.most_common(top):
            lines.append(f"  {count:>3} runs  {key}\n             e.g. {example[key][:150]}")
    after = Counter(r.after_end for r in results if r.after_end and r.style is Style.PLAIN)
    if after:
        lines.append("\nafter the closing summary (plain runs): " + ", ".join(f"{q} x{n}" for q, n in after.items()))
    return "\n".join(lines)


def misread(results: list[RunResult], top: int) -> str:
    """The owner texts the bot only asked again about, grouped by style and question (questions back left out)."""
    groups: dict[tuple[Style, str], list[str]] = defaultdict(list)
    for result in results:
        back = {q.said for q in result.questions_back}
        for exchange in result.transcript:
            if exchange.asked and exchange.asked == exchange.next and exchange.said not in back:
                groups[(result.style, parse_question_id(exchange.asked)[0])].append(exchange.said)
    lines = ["\nasked again (the owner's text was not understood):"]
    for (style, question), texts in sorted(groups.items(), key=lambda item: -len(item[1]))[:top]:
        examples = ", ".join(repr(t) for t in sorted(set(texts))[:4])
        lines.append(f"  {len(texts):>3}x {style:<10} {question:<17} e.g. {examples}")
    return "\n".join(lines)


def _ids_literal(name: str, ids: list[str]) -> list[str]:
    chunks = textwrap.wrap(" ".join(ids), 96)
    if len(chunks) <= 1:
        return [f'    {name}: ids("{chunks[0] if chunks else ""}"),']
    return [f"    {name}: ids(", *[f'        "{c} "' for c in chunks[:-1]], f'        "{chunks[-1]}"', "    ),"]


def xfail_table(results: list[RunResult]) -> str:
    """The runs failing today, as the literals of tests/test_owner_corpus.py (KNOWN_FAILURES, ENDS_BADLY)."""
    lines = ["KNOWN_FAILURES: dict[Style, frozenset[str]] = {"]
    for style in STYLES:
        ids = [r.profile_id for r in results if r.style is style and style is not Style.PLAIN and not r.ok]
        if ids:
            lines += _ids_literal(f"Style.{style.name}", ids)
    lines.append("}")
    ends_badly = [r.profile_id for r in results if r.style is Style.PLAIN and r.after_end]
    lines += [
        line.replace("    ENDS_BADLY: ", "ENDS_BADLY = ").rstrip(",") for line in _ids_literal("ENDS_BADLY", ends_badly)
    ]
    return "\n".join(lines)


def main() -> None:
    """Run the corpus and print the table (and, on request, failure patterns, a transcript, the xfail table)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--style", action="append", choices=[str(s) for s in STYLES], help="only these styles")
    parser.add_argument("--profile", action="append", help="only these profile ids")
    parser.add_argument("--problems", action="store_true", help="print the most frequent failure patterns")
    parser.add_argument("--misread", action="store_true", help="print the texts the bot only asked again about")
    parser.add_argument("--top", type=int, default=10, help="patterns per style with --problems, groups with --misread")
    parser.add_argument("--show", help="print one run's transcript, e.g. m01:messy")
    parser.add_argument("--xfail", action="store_true", help="print the failing profiles per style for the tests")
    args = parser.parse_args()

    regions = load_regions()
    if args.show:
        profile_id, _, style = args.show.partition(":")
        profile = PROFILES_BY_ID[profile_id]
        baseline = run_owner(profile, Style.PLAIN, regions).messages
        result = run_owner(profile, Style(style or "plain"), regions, baseline)
        print(result.show())
        print("\n".join(["problems:", *result.problems()] if result.problems() else ["meets every target"]))
        if result.after_end:
            print(f"after the summary the bot asks: {result.after_end}")
        return
    profiles = [PROFILES_BY_ID[p] for p in args.profile] if args.profile else list(PROFILES)
    styles = [Style(s) for s in args.style] if args.style else list(STYLES)
    if Style.PLAIN not in styles:
        styles.insert(0, Style.PLAIN)  # the baseline of every ratio
    started = time.perf_counter()
    results = run_corpus(profiles, styles, regions)
    elapsed = time.perf_counter() - started
    print(f"{len(profiles)} profiles x {len(styles)} styles = {len(results)} conversations in {elapsed:.1f} s")
    print(
        f"targets: all complete, facts ok >= {100 * MIN_FIELDS_CORRECT:.0f}%, chatter 0, repeats 0, told 0, "
        f"ratio <= {MAX_RATIO}\n"
    )
    print(table(results))
    unknown = Counter(q for r in results for q in r.unknown_questions)
    if unknown:
        listed = ", ".join(f"{q} ({n} runs)" for q, n in unknown.most_common())
        print(
            f"\nWARNING: the simulated owner met questions it cannot answer: {listed}; teach tests/owners/simulated.py"
        )
    print(
        "\nchatter: runs/items stored that are not the profile's facts; told: questions about facts already "
        "volunteered;\nback ok: questions back the reply explained; misread: messages the bot only asked again; "
        "ratio: messages\nagainst the plain owner's; all ok: runs meeting every target; after end: runs where the bot "
        "asks on after its summary"
    )
    if args.problems:
        print(problems(results, args.top))
    if args.misread:
        print(misread(results, args.top))
    if args.xfail:
        print(xfail_table(results))


if __name__ == "__main__":
    main()
