"""``kitgen check``: validate all content without rendering PDFs."""

from __future__ import annotations

from dataclasses import dataclass, field

from kitgen.content.strings import REFERENCE_LANGUAGE, load_strings
from kitgen.errors import KitgenError
from kitgen.locales import load_catalog
from kitgen.models import KINDS, KitRequest
from kitgen.settings import Settings
from kitgen.translations.policy import TranslationPolicy
from kitgen.translations.workflow import document_status


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
    found |= {p.parent.name for p in (content / "translations").glob("*/*.po")}
    return sorted(found)


def check_content(settings: Settings) -> CheckReport:
    """Compose every kind in every language with content (all page templates, all strings)."""
    from kitgen.brand import load_brand
    from kitgen.planner import KitPlanner

    report = CheckReport()
    try:
        catalog = load_catalog(settings.content_dir)
        brand = load_brand(settings.content_dir)
    except KitgenError as exc:
        report.errors.append(str(exc))
        return report
    planner = KitPlanner(settings)
    for language in content_languages(settings):
        if language not in catalog.languages:
            report.errors.append(
                f"content for unknown language {language!r} (not in languages.yaml)"
            )
            continue
        report.languages.append(language)
        country = next(
            (c.code for c in catalog.countries.values() if c.default_language == language), "us"
        )
        try:
            missing = load_strings(settings.content_dir, language).missing_keys()
        except KitgenError as exc:
            report.errors.append(str(exc))
            continue
        if missing:
            report.warnings.append(
                f"{language}: {len(missing)} string(s) missing, English used: {', '.join(missing)}"
            )
        for kind in KINDS:
            report.documents += 1
            try:
                kit = planner.prepare(KitRequest(country, language, kinds=(kind,)))
                composed = planner.compose(kit.plans[0], kit, brand)
                if composed.content_language != language:
                    report.warnings.append(f"{language}: no {kind} translation, English used")
                report.errors.extend(d for d in composed.diagnostics if ": error: " in d)
                if language != REFERENCE_LANGUAGE:
                    _check_catalog(settings, language, kind, report)
            except KitgenError as exc:
                report.errors.append(f"{language}/{kind}: {exc}")
    return report


def _check_catalog(settings: Settings, language: str, kind: str, report: CheckReport) -> None:
    """Untranslated and outdated segments are warnings (English prints); invalid ones were
    reported by the compose as errors, with their ``po:line``."""
    status = document_status(settings, language, kind, settings.translation_policy)
    if status.whole_file:
        return
    waiting = {"untranslated": status.untranslated, "outdated (English changed)": status.outdated}
    if settings.translation_policy is TranslationPolicy.REVIEWED:
        waiting["draft (not reviewed)"] = status.draft
    parts = [f"{words} word(s) {name}" for name, words in waiting.items() if words]
    if parts:
        report.warnings.append(f"{status.catalog}: {', '.join(parts)}; English prints there")
