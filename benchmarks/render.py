"""Render benchmark: kitgen vs raw WeasyPrint vs a warm headless Chromium on the same HTML.

    .venv/bin/python benchmarks/render.py [--runs 10] [--country fr --language fr]
                                          [--catalog-languages en,fr,ja,ar,hi]
                                          [--browser-locales fr/fr,us/en,jp/ja,eg/ar]

Prints the cold first build, median ms per kit and per document (warm), the ratio to raw
WeasyPrint with the same PDF options (tags, forms, PDF/UA: goal ≤ 1.05), and a cached build
against an uncached one (goal ≤ 10 %).
Then, per language, what composing from segment catalogs costs (segmenting the English,
looking every segment up, rebuilding the Markdown) against that language's uncached kit
(goal ≤ 5 %); the catalogs' first parse (with placeholder checks) is shown apart, since a
process does it once per file change.
Last, per locale and kind, kitgen's render of a document against Chromium printing the same
composed HTML with the same stylesheets (Playwright ``page.pdf`` in Debian's
``/usr/bin/chromium``, one warm page, the HTML loaded from a file with the content folder as
its base), runs interleaved: goal ≤ 1.0× on fr/fr and us/en, ≤ 0.8× on jp/ja and eg/ar
(``--browser-locales ''`` skips it). ``chr+`` is Chromium making a tagged PDF with an outline,
the accessible counterpart of raw+ (Chromium makes no form fields).
Timings are wall clock on a shared machine: read medians and ratios, not single runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from dataclasses import replace
from functools import partial
from pathlib import Path

from weasyprint import CSS, HTML

from kitgen.brand import load_brand
from kitgen.models import KitRequest
from kitgen.pipeline import build_kit, renderer_for
from kitgen.planner import planner_for
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
    parser.add_argument("--browser-locales", default="fr/fr,us/en,jp/ja,eg/ar")
    args = parser.parse_args()
    locales = [tuple(x.split("/")) for x in args.browser_locales.split(",") if x.strip()]
    if args.runs and locales:
        against_chromium(locales, args.runs)

    with tempfile.TemporaryDirectory() as tmp:
        settings = replace(Settings(), store_dir=Path(tmp) / "store")
        storage = FilesystemStorage(settings.store_dir)
        request = KitRequest(args.country, args.language)
        build = partial(build_kit, settings=settings, storage=storage)

        cold_ms, _ = timed(lambda: build(request, force=True))

        # The exact HTML kitgen hands WeasyPrint, per document, for the raw baseline.
        planner = planner_for(settings)
        kit = planner.prepare(request)
        brand = load_brand(settings.content_dir)
        pages = {p.kind: planner.compose(p, kit, brand).html for p in kit.plans}
        raw_font_config = renderer_for(settings).renderer.font_config  # same fonts: fair
        raw_css = {
            kind: [
                CSS(filename=str(path), font_config=raw_font_config)
                for path in planner.stylesheets(kind)
            ]
            for kind in pages
        }
        base_url = settings.content_dir.as_uri() + "/"

        def raw_kit() -> dict[str, float]:
            per_doc = {}
            for kind, html in pages.items():
                per_doc[kind], _ = timed(
                    lambda k=kind, h=html: HTML(string=h, base_url=base_url).write_pdf(
                        stylesheets=raw_css[k],
                        font_config=raw_font_config,
                        pdf_tags=True,  # the same PDF as kitgen's: tagged, forms, PDF/UA
                        pdf_forms=True,
                        pdf_variant=kit.request.variant,
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

            build(request, force=True, progress=progress)
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

        build(request)  # make sure it is stored
        cached = [timed(lambda: build(request))[0] for _ in range(args.runs)]

    med = statistics.median
    print(f"kit {args.country}/{args.language}, {args.runs} warm runs (median ms)")
    print(f"  cold first build (fresh process, fonts loading): {cold_ms:8.1f}")
    print("  raw+: WeasyPrint alone on the same HTML with kitgen's options (tags, forms, PDF/UA)")
    print(f"  {'document':14} {'kitgen':>9} {'raw+':>9} {'ratio':>7}")
    for kind in pages:
        k, r = med(kit_docs[kind]), med(raw_docs[kind])
        print(f"  {kind:14} {k:9.1f} {r:9.1f} {k / r:7.2f}")
    k, r = med(kit_totals), med(raw_totals)
    print(
        f"  {'whole kit':14} {k:9.1f} {r:9.1f} {k / r:7.2f}   (goal ≤ 1.05; kit includes "
        "keys, composing, storage)"
    )
    c = med(cached)
    print(f"  cached build   {c:9.1f} ms = {c / k:.1%} of an uncached build (goal ≤ 10 %)")
    catalog_cost([x.strip() for x in args.catalog_languages.split(",") if x.strip()], args.runs)


CHROMIUM = "/usr/bin/chromium"
GOALS = {"fr": 1.0, "us": 1.0, "jp": 0.8, "eg": 0.8}


def against_chromium(locales: list[tuple[str, ...]], runs: int) -> None:
    """kitgen vs raw WeasyPrint vs warm Chromium per document, on the same composed HTML."""
    import shutil

    if not shutil.which(CHROMIUM):
        print(f"chromium comparison skipped: {CHROMIUM} is not installed")
        return
    from playwright.sync_api import sync_playwright

    print(f"kitgen vs raw WeasyPrint vs warm Chromium (same HTML), {runs} runs (median ms)")
    print("  raw: write_pdf as it comes; raw+: with kitgen's options (tags, forms, PDF/UA)")
    print("  chromium: page.pdf as it comes; chr+: tagged, with an outline (accessible, as raw+)")
    print(
        f"  {'locale':7} {'document':13} {'kitgen':>8} {'raw':>8} {'raw+':>8} {'chromium':>9} "
        f"{'chr+':>8} {'kitgen/chr':>10} {'goal':>5}"
    )
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page()
        settings = replace(Settings(), store_dir=Path(tmp) / "store")
        for country, language in locales:
            compare_locale(settings, page, Path(tmp), country, language, runs)
        browser.close()


def compare_locale(
    settings: Settings, page: object, tmp: Path, country: str, language: str, runs: int
) -> None:
    planner, renderer = planner_for(settings), renderer_for(settings)
    kit = planner.prepare(KitRequest(country, language))
    brand = load_brand(settings.content_dir)
    composed = {p.kind: (p, planner.compose(p, kit, brand)) for p in kit.plans}
    font_config = renderer.renderer.font_config
    base_url = settings.content_dir.as_uri() + "/"
    files = {}
    for kind, (_plan, doc) in composed.items():
        links = "".join(
            f'<link rel="stylesheet" href="{p.as_uri()}">' for p in planner.stylesheets(kind)
        )
        html = doc.html.replace("<head>", f'<head><base href="{base_url}">{links}', 1)
        files[kind] = tmp / f"{country}-{language}-{kind}.html"
        files[kind].write_text(html, encoding="utf-8")
    raw_css = {
        kind: [CSS(filename=str(p), font_config=font_config) for p in planner.stylesheets(kind)]
        for kind in composed
    }

    def kitgen_doc(kind: str) -> None:
        plan, doc = composed[kind]
        renderer.pdf(plan, kit.request, doc)

    def raw_doc(kind: str) -> None:
        HTML(string=composed[kind][1].html, base_url=base_url).write_pdf(
            stylesheets=raw_css[kind], font_config=font_config
        )

    def raw_tagged_doc(kind: str) -> None:
        HTML(string=composed[kind][1].html, base_url=base_url).write_pdf(
            stylesheets=raw_css[kind],
            font_config=font_config,
            pdf_tags=True,
            pdf_forms=True,
            pdf_variant=kit.request.variant,
        )

    def chromium_doc(kind: str) -> None:
        page.goto(files[kind].as_uri(), wait_until="load")  # type: ignore[attr-defined]
        page.pdf(prefer_css_page_size=True, print_background=True)  # type: ignore[attr-defined]

    def chromium_tagged_doc(kind: str) -> None:
        page.goto(files[kind].as_uri(), wait_until="load")  # type: ignore[attr-defined]
        page.pdf(  # type: ignore[attr-defined]
            prefer_css_page_size=True, print_background=True, tagged=True, outline=True
        )

    paths = {
        "kitgen": kitgen_doc,
        "raw": raw_doc,
        "raw+": raw_tagged_doc,
        "chromium": chromium_doc,
        "chr+": chromium_tagged_doc,
    }
    times: dict[str, dict[str, list[float]]] = {k: {n: [] for n in paths} for k in composed}
    for kind in composed:  # warm every path: fonts, caches, the browser's process
        for fn in paths.values():
            fn(kind)
    for _ in range(runs):  # interleaved, so drift hits all three equally
        for kind in composed:
            for name, fn in paths.items():
                times[kind][name].append(timed(lambda f=fn, k=kind: f(k))[0])
    med = statistics.median
    totals = {
        name: med([sum(run) for run in zip(*(times[k][name] for k in composed), strict=True)])
        for name in paths
    }
    goal = GOALS.get(country, 1.0)
    for kind in [*composed, "whole kit"]:
        if kind == "whole kit":
            k, r, rt, c, ct = (totals[n] for n in paths)
        else:
            k, r, rt, c, ct = (med(times[kind][n]) for n in paths)
        verdict = "ok" if k / c <= goal else "MISSED"
        print(
            f"  {country}/{language:4} {kind:13} {k:8.1f} {r:8.1f} {rt:8.1f} {c:9.1f} {ct:8.1f} "
            f"{k / c:10.2f} {goal:5.1f}  {verdict} (kitgen/raw {k / r:.2f}, "
            f"kitgen/raw+ {k / rt:.2f}, kitgen/chr+ {k / ct:.2f}, raw+/chr+ {rt / ct:.2f})"
        )


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
        build = partial(build_kit, settings=settings, storage=FilesystemStorage(settings.store_dir))
        content = settings.content_dir
        for language in languages:
            request = KitRequest("us", language)
            build(request, force=True)  # warm fonts for this script
            kit = statistics.median(
                timed(lambda r=request: build(r, force=True))[0] for _ in range(runs)
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
