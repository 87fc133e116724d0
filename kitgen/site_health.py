"""``kitgen report``: translation health of a legacy site tree, per language.

For each language: which kit pages are translated or fall back to English, how many site
strings are missing or still English, and what reading its pages repaired, dropped or warned
about (the same diagnostics a build records in its manifest).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from markupsafe import Markup

from kitgen.content.pegasus.diagnostics import Severity, severity_of
from kitgen.errors import ContentError, KitgenError
from kitgen.locales import Catalog, load_catalog
from kitgen.models import KINDS, KitRequest
from kitgen.settings import Settings

_WORDS = re.compile(r"[^\W\d_]{3,}")


@dataclass
class LanguageHealth:
    language: str
    country: str
    pages_translated: list[str] = field(default_factory=list)
    pages_english: list[str] = field(default_factory=list)
    strings_total: int = 0
    strings_missing: int = 0
    strings_english: int = 0
    repairs: int = 0
    dropped: int = 0
    warnings: int = 0
    errors: list[str] = field(default_factory=list)
    diagnostics: list[str] = field(default_factory=list)
    fallbacks: list[str] = field(default_factory=list)
    #: per translated page: segments, how many are still the English page's text, and %
    english_share: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def mostly_english(self) -> list[str]:
        """Translated pages that are a worklist rather than a translation (≥ 50 % English)."""
        return sorted(
            p for p, share in self.english_share.items() if share["english_percent"] >= 50
        )

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _country_for(catalog: Catalog, language: str) -> str:
    """A country that speaks ``language``: its default language first, else any, else us."""
    countries = list(catalog.countries.values())
    for country in countries:
        if country.default_language == language:
            return country.code
    return next((c.code for c in countries if language in c.languages), "us")


def translation_report(
    settings: Settings, languages: list[str] | None = None
) -> list[LanguageHealth]:
    """Health of every language with a translation in the site (or of ``languages``)."""
    from kitgen.content.pegasus.site import REFERENCE
    from kitgen.content.pegasus.source import PegasusSource
    from kitgen.planner import KitPlanner

    planner = KitPlanner(settings)
    source = planner.source
    if not isinstance(source, PegasusSource):
        raise ContentError(
            "the report reads a legacy site tree: pass --content "
            "pegasus:<site root> or set KITGEN_CONTENT"
        )
    catalog = load_catalog(settings.content_dir)
    wanted = languages or [REFERENCE, *source.site.languages()]
    english = source.site.strings(REFERENCE)
    report = []
    for language in wanted:
        health = LanguageHealth(
            language, _country_for(catalog, language) if language in catalog.languages else ""
        )
        report.append(health)
        if language not in catalog.languages:
            health.errors.append(f"{language!r} is not a supported language")
            continue
        own = source.site.strings(language)
        health.strings_total = len(english)
        health.strings_missing = len(set(english) - set(own)) if language != REFERENCE else 0
        health.strings_english = (
            0
            if language == REFERENCE
            else sum(1 for k, v in own.items() if english.get(k) == v and _WORDS.search(v))
        )
        pages: dict[str, bool] = {}
        for kind in KINDS:
            try:
                kit = planner.prepare(KitRequest(health.country, language, kinds=(kind,)))
                plan = kit.plans[0]
                sourced = source.render(
                    plan.located, planner.view_for(kit.locale, plan.personalization)
                )
            except KitgenError as exc:
                health.errors.append(f"{kind}: {exc}")
                continue
            page = source.config.kinds[kind].page
            pages[page] = plan.content_language == language
            if sourced.translation is not None:
                part = source.config.kinds[kind].part
                health.english_share[f"{page} ({part})" if part else page] = {
                    "segments": sourced.translation["segments"]["total"],
                    "english_segments": sourced.translation["segments"]["english"],
                    "english_words": sourced.translation["words"]["english"],
                    "english_percent": sourced.translation["english_percent"],
                }
            health.fallbacks.extend(
                f for f in sorted(sourced.fallbacks) if f not in health.fallbacks
            )
            health.diagnostics.extend(d for d in sourced.diagnostics if d not in health.diagnostics)
        health.pages_translated = sorted(p for p, done in pages.items() if done)
        health.pages_english = sorted(p for p, done in pages.items() if not done)
        counts = Counter(severity_of(d) for d in health.diagnostics)
        health.repairs = counts[Severity.REPAIR]
        health.dropped = counts[Severity.DROPPED]
        health.warnings = counts[Severity.WARNING]
    return report


def format_table(report: list[LanguageHealth]) -> str:
    header = (
        f"{'lang':5} {'country':7} {'pages':>7} {'strings':>8} {'missing':>8} "
        f"{'english':>8} {'repairs':>8} {'dropped':>8} {'warn':>5}  notes"
    )
    lines = [header, "-" * len(header)]
    for h in report:
        total_pages = len(h.pages_translated) + len(h.pages_english)
        notes = "; ".join(h.errors) or "; ".join(_page_notes(h))
        lines.append(
            f"{h.language:5} {h.country:7} {len(h.pages_translated)}/{total_pages:<5} "
            f"{h.strings_total:>8} {h.strings_missing:>8} {h.strings_english:>8} "
            f"{h.repairs:>8} {h.dropped:>8} {h.warnings:>5}  {notes}"
        )
    return "\n".join(lines)


def _page_notes(h: LanguageHealth) -> list[str]:
    notes = []
    if h.pages_english and h.language != "en":
        notes.append(f"English page: {', '.join(h.pages_english)}")
    shares = [
        f"{page} {share['english_percent']} % English"
        for page, share in sorted(h.english_share.items())
        if share["english_segments"]
    ]
    if shares:
        notes.append("still English: " + ", ".join(shares))
    return notes


def format_html(report: list[LanguageHealth]) -> str:
    """A self-contained page staff can share: the table, then each language's diagnostics."""
    rows, details = [], []
    for h in report:
        total = len(h.pages_translated) + len(h.pages_english)
        rows.append(
            Markup(
                "<tr><th>{}</th><td>{}</td><td>{}/{}</td><td>{}</td><td>{}</td><td>{}</td>"
                "<td>{}</td><td>{}</td><td>{}</td></tr>"
            ).format(
                h.language,
                h.country,
                len(h.pages_translated),
                total,
                h.strings_total,
                h.strings_missing,
                h.strings_english,
                h.repairs,
                h.dropped,
                h.warnings,
            )
        )
        items = [*h.errors, *_page_notes(h), *h.fallbacks, *h.diagnostics]
        if items:
            details.append(
                Markup("<h2>{}</h2><ul>{}</ul>").format(
                    h.language, Markup("").join(Markup("<li>{}</li>").format(i) for i in items)
                )
            )
    return (
        str(
            Markup(
                '<!DOCTYPE html><html lang="en"><meta charset="utf-8"><title>Translation health'
                "</title><style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:"
                "collapse}}td,th{{border:1px solid #ccc;padding:.2em .6em;text-align:end}}</style>"
                "<h1>Translation health</h1><table><tr><th>language</th><th>country</th><th>pages"
                "</th><th>strings</th><th>missing</th><th>still English</th><th>repairs</th>"
                "<th>dropped</th><th>warnings</th></tr>{}</table>{}</html>"
            ).format(Markup("").join(rows), Markup("").join(details))
        )
        + "\n"
    )
