"""Memory of one render process after a kit in every language (what a pool process holds
after a whole campaign), with what Python itself holds and where.

    .venv/bin/python benchmarks/memory.py [--kinds agenda] [--trim] [--trace]

Prints VmRSS after warming up and every ten languages; ``--trim`` calls glibc's
``malloc_trim`` after each kit (what freed heap memory returns); ``--trace`` also measures
the share Python holds (tracemalloc, top files; it inflates the resident figure itself), so
the rest is native (Pango, FreeType, HarfBuzz). Goal (issue 14): ≤ 500 MiB after a full
campaign. Measured 2026-11-30: 1,005 MiB after the whole kit in 57 languages (939 with
--trim); Python ~270 MiB of it (pyphen 77, WeasyPrint css 57, Babel 52, cffi 34).
"""

from __future__ import annotations

import argparse
import ctypes
import os
import time
import tracemalloc

from kitgen.locales import load_catalog
from kitgen.models import KINDS, KitRequest
from kitgen.pipeline import build_kit, renderer_for
from kitgen.settings import Settings
from kitgen.storage.memory import MemoryStorage


def rss_mib() -> float:
    with open(f"/proc/{os.getpid()}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--kinds", default=",".join(KINDS))
    parser.add_argument("--trim", action="store_true")
    parser.add_argument("--trace", action="store_true")
    args = parser.parse_args()
    kinds = tuple(k for k in args.kinds.split(",") if k)
    settings = Settings()
    catalog = load_catalog(settings.content_dir)
    renderer_for(settings).warm_up()
    print(f"after warm-up: {rss_mib():.0f} MiB")
    if args.trace:
        tracemalloc.start()
    started = time.monotonic()
    languages = sorted(catalog.languages)
    for n, language in enumerate(languages, start=1):
        country = next(
            (c for c, x in catalog.countries.items() if x.languages[:1] == (language,)), "us"
        )
        request = KitRequest(country, language, kinds=kinds)
        build_kit(request, settings=settings, storage=MemoryStorage())  # PDFs are not measured
        if args.trim:
            ctypes.CDLL("libc.so.6").malloc_trim(0)
        if n % 10 == 0:
            print(f"  {n:2} languages (to {language}): {rss_mib():.0f} MiB", flush=True)
    snapshot = tracemalloc.take_snapshot()
    stats = snapshot.statistics("filename")
    python = sum(s.size for s in stats) / 2**20
    print(
        f"after {len(languages)} languages ({time.monotonic() - started:.0f} s): "
        f"{rss_mib():.0f} MiB resident, of which Python ~{python:.0f} MiB "
        "(tracemalloc adds its own)"
    )
    for stat in stats[:6]:
        name = stat.traceback[0].filename.split("site-packages/")[-1]
        print(f"  {stat.size / 2**20:6.1f} MiB  {name}")


if __name__ == "__main__":
    main()
