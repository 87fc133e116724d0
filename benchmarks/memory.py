"""Memory of one render process after a kit in every language (what a pool process holds
after a whole campaign), as kitgen runs it against a baseline, in the same run.

    .venv/bin/python benchmarks/memory.py [--kinds agenda] [--trace] [--rounds 2]
    .venv/bin/python benchmarks/memory.py --only kitgen|baseline [--trace]

Each configuration runs in a fresh process that warms up as a worker does, then builds the
kit of every supported language in turn (one store per kit: PDFs are not measured):

- ``baseline``: glibc's allocator as it comes, every cache kept (kitgen before issue 14);
- ``kitgen``: as a worker runs it (kitgen.malloc fixes glibc's thresholds, kitgen.language_caches
  keeps the hyphenation dictionaries and locale data of a few recent languages only, and the
  renderer makes a new font configuration when a kit follows kits in a CJK script).

Prints resident memory (VmRSS; its anonymous part, RssAnon: file pages of mapped fonts are
shared and reclaimable) after warm-up and every ten languages, and the ratio to the
baseline. ``--trace`` adds what Python holds (tracemalloc, top files; it costs memory and
time itself). Goal (issue 14): ≤ 500 MiB after a full campaign. Measured 2026-11-30 (whole
kit, every language twice, --rounds 2): baseline 1,029 MiB (636 anonymous), kitgen 384 MiB
(344), 0.37×; no growth in the second round; 237 s vs 251 s for the 114 kits.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import tracemalloc

from kitgen.locales import load_catalog
from kitgen.models import KINDS, KitRequest
from kitgen.settings import Settings
from kitgen.storage.memory import MemoryStorage

CONFIGS = ("baseline", "kitgen")


def memory_mib() -> tuple[float, float]:
    """(VmRSS, RssAnon) of this process in MiB."""
    found = {}
    with open(f"/proc/{os.getpid()}/status") as status:
        for line in status:
            key, _, value = line.partition(":")
            if key in ("VmRSS", "RssAnon"):
                found[key] = int(value.split()[0]) / 1024
    return found.get("VmRSS", 0.0), found.get("RssAnon", 0.0)


def one_process(config: str, kinds: tuple[str, ...], trace: bool, rounds: int) -> dict[str, object]:
    from kitgen.malloc import return_freed_memory
    from kitgen.pipeline import build_kit, renderer_for

    settings = Settings()
    if config == "kitgen":
        return_freed_memory()  # as the worker and the local pool do on start
    else:
        renderer = renderer_for(settings)  # as before issue 14:
        renderer.recent_languages.kept = 10**6  # every language's data kept
        renderer.fonts_dropped_after = frozenset()  # one font configuration for good
    catalog = load_catalog(settings.content_dir)
    renderer_for(settings).warm_up()
    rows = [("warm-up", *memory_mib())]
    if trace:
        tracemalloc.start()
    started = time.monotonic()
    languages = sorted(catalog.languages) * rounds
    for n, language in enumerate(languages, start=1):
        country = next(
            (c for c, x in catalog.countries.items() if x.languages[:1] == (language,)), "us"
        )
        request = KitRequest(country, language, kinds=kinds)
        build_kit(request, settings=settings, storage=MemoryStorage())
        if n % 10 == 0 or n == len(languages):
            rows.append((f"{n} languages", *memory_mib()))
    result: dict[str, object] = {"rows": rows, "seconds": time.monotonic() - started}
    if trace:
        stats = tracemalloc.take_snapshot().statistics("filename")
        result["python"] = sum(s.size for s in stats) / 2**20
        result["top"] = [
            (s.traceback[0].filename.split("site-packages/")[-1], s.size / 2**20) for s in stats[:6]
        ]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--trace", action="store_true")
    parser.add_argument("--rounds", type=int, default=1, help="every language this many times")
    parser.add_argument("--only", choices=CONFIGS, help="run one configuration here and stop")
    args = parser.parse_args()
    kinds = tuple(k for k in args.kinds.split(",") if k)
    if args.only:
        print(json.dumps(one_process(args.only, kinds, args.trace, args.rounds)))
        return
    results = {}
    for config in CONFIGS:
        command = [sys.executable, __file__, "--only", config, "--kinds", args.kinds]
        command += ["--rounds", str(args.rounds)]
        out = subprocess.run(
            command + (["--trace"] if args.trace else []),
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        results[config] = json.loads(out.strip().splitlines()[-1])
    print(f"one render process, kinds {args.kinds}, MiB resident (anonymous part)")
    print(f"  {'after':14}" + "".join(f"{c:>22}" for c in CONFIGS) + f"{'kitgen/base':>13}")
    base_rows, kit_rows = results["baseline"]["rows"], results["kitgen"]["rows"]
    for (label, base_rss, base_anon), (_, rss, anon) in zip(base_rows, kit_rows, strict=True):
        print(
            f"  {label:14}{base_rss:>12.0f} ({base_anon:>6.0f}){rss:>12.0f} ({anon:>6.0f})"
            f"{rss / base_rss:>13.2f}"
        )
    for config in CONFIGS:
        result = results[config]
        print(f"  {config}: {result['seconds']:.0f} s for the languages")
        if "python" in result:
            print(f"    Python ~{result['python']:.0f} MiB (tracemalloc adds its own):")
            for name, size in result["top"]:
                print(f"      {size:6.1f} MiB  {name}")


if __name__ == "__main__":
    main()
