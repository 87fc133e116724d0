"""Locale benchmark: what one whole kit costs in each supported language, same process.

    .venv/bin/python benchmarks/locales.py [--runs 3] [--languages ar,ja,fr]

Builds every document of a kit (uncached: forced, into a throw-away store) for each language
in a country that speaks it, ``--runs`` times, languages interleaved so drift hits them all.
Prints the median ms per language sorted by cost, the median of the Latin-script languages,
each language's ratio to it (goal from the issue: the worst ≤ 2×), the CJK languages' cost,
and the first (cold) build per language, which also loads that script's fonts.
Timings are wall clock on a shared machine: read medians and ratios, not single runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from kitgen.locales import Catalog, load_catalog
from kitgen.models import KitRequest
from kitgen.pipeline import build_kit
from kitgen.settings import Settings
from kitgen.storage import FilesystemStorage

CJK_SCRIPTS = {"han-hans", "han-hant", "japanese", "hangul"}
GOAL = 2.0


def country_for(catalog: Catalog, language: str) -> str:
    """The country of the same code if it speaks it first (de → de, not ch), else a country
    whose default language it is, else one that speaks it, else the US."""
    speaking = [c for c in catalog.countries.values() if language in c.languages]
    defaults = sorted(
        (c for c in speaking if c.default_language == language), key=lambda c: c.code != language
    )
    return (defaults or speaking or [catalog.country("us")])[0].code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument(
        "--languages",
        default="",
        help="comma-separated site codes (default: every supported language)",
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(Settings(), store_dir=Path(tmp) / "store")
        storage = FilesystemStorage(settings.store_dir)
        catalog = load_catalog(settings.content_dir)
        languages = [c.strip() for c in args.languages.split(",") if c.strip()] or list(
            catalog.languages
        )
        for code in languages:
            catalog.language(code)  # an unknown code fails here, listing the valid ones
        requests = {code: KitRequest(country_for(catalog, code), code) for code in languages}

        build_kit(
            KitRequest("us", "en"), settings=settings, storage=storage, force=True
        )  # warm the process (not timed)
        times: dict[str, list[float]] = {code: [] for code in languages}
        failed: dict[str, str] = {}
        for _ in range(args.runs):
            for code in languages:
                if code in failed:
                    continue
                start = time.perf_counter()
                try:
                    build_kit(requests[code], settings=settings, storage=storage, force=True)
                except Exception as exc:  # report it, measure the others
                    failed[code] = f"{type(exc).__name__}: {exc}"
                    continue
                times[code].append((time.perf_counter() - start) * 1000)

    med = statistics.median
    medians = {code: med(t) for code, t in times.items() if t}
    latin = [medians[c] for c in medians if catalog.language(c).script == "latin"]
    base = med(latin) if latin else med(medians.values())
    print(f"one whole kit (4 documents, uncached), median of {args.runs} runs, ms")
    print(f"  {'lang':5} {'country':7} {'script':11} {'median':>8} {'cold':>8} {'ratio':>6}")
    for code in sorted(medians, key=medians.get, reverse=True):
        lang = catalog.language(code)
        ratio = medians[code] / base
        flag = f"  > {GOAL:g}x Latin" if ratio > GOAL else ""
        print(
            f"  {code:5} {requests[code].country:7} {lang.script:11} {medians[code]:8.1f} "
            f"{times[code][0]:8.1f} {ratio:6.2f}{flag}"
        )
    label = "Latin median" if latin else "median (no Latin language measured)"
    print(f"  {label}: {base:.1f} ms over {len(latin) or len(medians)} language(s)")
    cjk = {c: m for c, m in medians.items() if catalog.language(c).script in CJK_SCRIPTS}
    if cjk:
        print("  CJK: " + ", ".join(f"{c} {m:.1f} ms ({m / base:.2f}x)" for c, m in cjk.items()))
    if medians:
        worst = max(medians, key=medians.get)
        verdict = "within" if medians[worst] / base <= GOAL else "NOT within"
        print(
            f"  worst: {worst} at {medians[worst] / base:.2f}x the Latin median "
            f"({verdict} the {GOAL:g}x goal)"
        )
    for code, error in failed.items():
        print(f"  FAILED {code}: {error}")


if __name__ == "__main__":
    main()
