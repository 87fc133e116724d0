"""Render benchmark: kitgen vs raw WeasyPrint on the same HTML and stylesheets, same process.

    .venv/bin/python benchmarks/render.py [--runs 10] [--country fr --language fr]
                                          [--catalog-languages en,fr,ja,ar,hi]

Prints the cold first build, median ms per kit and per document (warm), the ratio to raw
WeasyPrint (goal ≤ 1.10), and a cached build against an uncached one (goal ≤ 10 %).
Then, per language, what composing from segment catalogs costs (segmenting the English,
looking every segment up, rebuilding the Markdown) against that language's uncached kit
(goal ≤ 5 %); the catalogs' first parse (with placeholder checks) is shown apart, since a
process does it once per file change.
Timings are wall clock on a shared machine: read medians and ratios, not single runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from pathlib import Path

from weasyprint import CSS, HTML

from kitgen.brand import load_brand
from kitgen.models import KitRequest
from kitgen.pipeline import KitBuilder
from kitgen.settings import Settings
from kitgen.storage import FilesystemStorage


def timed(fn):
    start = time.perf_counter()
    value = fn()
    return (time.perf_counter() - start) * 1000, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--country", default="fr")
    parser.add_argument("--language", default="fr")
    parser.add_argument("--catalog-languages", default="en,fr,ja,ar,hi")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(Settings(), store_dir=Path(tmp) / "store")
        builder = KitBuilder(settings, FilesystemStorage(settings.store_dir))
        request = KitRequest(args.country, args.language)

        cold_ms, _ = timed(lambda: builder.build(request, force=True))

        # The exact HTML kitgen hands WeasyPrint, per document, for the raw baseline.
        resolved, locale = builder.resolve(request)
        brand = load_brand(settings.content_dir)
        plans = builder.plan(resolved, locale)
        pages = {p.kind: builder.compose(p, resolved, locale, brand).html for p in plans}
        raw_font_config = builder.renderer.font_config  # same process, same fonts: fair
        raw_css = {
            kind: [
                CSS(filename=str(path), font_config=raw_font_config)
                for path in builder.stylesheets(kind)
            ]
            for kind in pages
        }
        base_url = settings.content_dir.as_uri() + "/"

        def raw_kit() -> dict[str, float]:
            per_doc = {}
            for kind, html in pages.items():
                per_doc[kind], _ = timed(
                    lambda k=kind, h=html: HTML(string=h, base_url=base_url).write_pdf(
                        stylesheets=raw_css[k], font_config=raw_font_config
                    )
                )
            return per_doc

        def kitgen_kit() -> dict[str, float]:
            per_doc: dict[str, float] = {}
            started: dict[str, float] = {}

            def progress(event, info):
                now = time.perf_counter()
                if event == "document":
                    started[info["kind"]] = now
                elif event == "document-done":
                    per_doc[info["kind"]] = (now - started[info["kind"]]) * 1000

            builder.build(request, force=True, progress=progress)
            return per_doc

        raw_kit(), kitgen_kit()  # warm both paths
        raw_totals, kit_totals = [], []
        raw_docs: dict[str, list[float]] = {k: [] for k in pages}
        kit_docs: dict[str, list[float]] = {k: [] for k in pages}
        for _ in range(args.runs):  # interleaved, so drift hits both equally
            ms, docs = timed(raw_kit)
            raw_totals.append(ms)
            for k, v in docs.items():
                raw_docs[k].append(v)
            ms, docs = timed(kitgen_kit)
            kit_totals.append(ms)
            for k, v in docs.items():
                kit_docs[k].append(v)

        builder.build(request)  # make sure it is stored
        cached = [timed(lambda: builder.build(request))[0] for _ in range(args.runs)]

    med = statistics.median
    print(f"kit {args.country}/{args.language}, {args.runs} warm runs (median ms)")
    print(f"  cold first build (fresh builder, fonts loading): {cold_ms:8.1f}")
    print(f"  {'document':14} {'kitgen':>9} {'raw':>9} {'ratio':>7}")
    for kind in pages:
        k, r = med(kit_docs[kind]), med(raw_docs[kind])
        print(f"  {kind:14} {k:9.1f} {r:9.1f} {k / r:7.2f}")
    k, r = med(kit_totals), med(raw_totals)
    print(
        f"  {'whole kit':14} {k:9.1f} {r:9.1f} {k / r:7.2f}   (goal ≤ 1.10; kit includes "
        "keys, combined PDF, storage)"
    )
    c = med(cached)
    print(f"  cached build   {c:9.1f} ms = {c / k:.1%} of an uncached build (goal ≤ 10 %)")
    catalog_cost([x.strip() for x in args.catalog_languages.split(",") if x.strip()], args.runs)


def catalog_cost(languages: list[str], runs: int) -> None:
    """The catalog step of every document of a kit against the whole uncached kit."""
    from kitgen.content.documents import document_path, load_document
    from kitgen.content.files import _memo
    from kitgen.translations.apply import TranslationPolicy, translate_document
    from kitgen.translations.catalogs import catalog_path, load_catalog

    print(f"catalog lookup per kit, {runs} runs (median ms)")
    print(f"  {'language':9} {'kit':>9} {'catalogs':>9} {'share':>7} {'first parse':>12}")
    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(Settings(), store_dir=Path(tmp) / "store")
        builder = KitBuilder(settings, FilesystemStorage(settings.store_dir))
        content = settings.content_dir
        for language in languages:
            request = KitRequest("us", language)
            builder.build(request, force=True)  # warm fonts for this script
            kit = statistics.median(
                timed(lambda r=request: builder.build(r, force=True))[0] for _ in range(runs)
            )
            catalogs = [(kind, catalog_path(content, language, kind)) for kind in request.kinds]
            catalogs = [(kind, path) for kind, path in catalogs if path.exists()]
            if not catalogs:
                print(f"  {language:9} {kit:9.1f} {'-':>9} {'-':>7} {'-':>12}  (no catalog)")
                continue

            def first_parse(paths=catalogs) -> None:
                for key in [k for k in _memo if k[0] in {p for _, p in paths}]:
                    del _memo[key]
                for _, path in paths:
                    load_catalog(path)

            def step(paths=catalogs) -> None:
                for kind, path in paths:
                    english = load_document(document_path(content, kind, "en"), kind, "en")
                    translate_document(
                        english, load_catalog(path)[0], TranslationPolicy.DRAFT, content
                    )

            parse = statistics.median(timed(first_parse)[0] for _ in range(runs))
            cost = statistics.median(timed(step)[0] for _ in range(runs))
            print(f"  {language:9} {kit:9.1f} {cost:9.2f} {cost / kit:7.1%} {parse:12.1f}")


if __name__ == "__main__":
    main()
