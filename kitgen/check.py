"""``kitgen check``: validate all content without rendering PDFs."""

from __future__ import annotations

from dataclasses import dataclass, field

from kitgen.content.strings import load_strings
from kitgen.errors import KitgenError
from kitgen.locales import load_catalog
from kitgen.models import KINDS, KitRequest
from kitgen.settings import Settings


@dataclass
class CheckReport:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    documents: int = 0


def content_languages(settings: Settings) -> list[str]:
    """Languages with any content of their own: a string table or a document."""
    content = settings.content_dir
    found = {p.stem for p in (content / "strings").glob("*.yaml")}
    found |= {p.stem for p in (content / "documents").glob("*/*.md")}
    return sorted(found)


def check_content(settings: Settings) -> CheckReport:
    """Compose every kind in every language with content (all page templates, all strings)."""
    from kitgen.brand import load_brand
    from kitgen.pipeline import KitBuilder
    from kitgen.storage import FilesystemStorage

    report = CheckReport()
    try:
        catalog = load_catalog(settings.content_dir)
        brand = load_brand(settings.content_dir)
    except KitgenError as exc:
        report.errors.append(str(exc))
        return report
    builder = KitBuilder(settings, FilesystemStorage(settings.store_dir))
    for language in content_languages(settings):
        if language not in catalog.languages:
            report.errors.append(f"content for unknown language {language!r} "
                                 "(not in languages.yaml)")
            continue
        report.languages.append(language)
        country = next((c.code for c in catalog.countries.values()
                        if c.default_language == language), "us")
        try:
            missing = load_strings(settings.content_dir, language).missing_keys()
        except KitgenError as exc:
            report.errors.append(str(exc))
            continue
        if missing:
            report.warnings.append(f"{language}: {len(missing)} string(s) missing, English "
                                   f"used: {', '.join(missing)}")
        for kind in KINDS:
            report.documents += 1
            try:
                request, locale = builder.resolve(KitRequest(country, language, kinds=(kind,)))
                plan = builder.plan(request, locale)[0]
                if plan.content_language != language:
                    report.warnings.append(f"{language}: no {kind} document, English used")
                builder.compose(plan, request, locale, brand)
            except KitgenError as exc:
                report.errors.append(f"{language}/{kind}: {exc}")
    return report
