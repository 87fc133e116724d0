"""``kitgen translations update`` and ``status``: keeping catalogs in step with the English.

``update`` extracts a POT per kind from ``documents/<kind>/en.md`` and merges it into every
supported language's PO (created when missing). Editing the English is all a writer does; the
catalogs follow, and only changed segments need a translator again.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path

import polib

from kitgen.content.documents import document_path
from kitgen.content.strings import REFERENCE_LANGUAGE
from kitgen.locales import load_catalog as load_locales
from kitgen.models import KINDS
from kitgen.settings import Settings
from kitgen.translations.apply import display_path, usable
from kitgen.translations.catalogs import (
    WEB_CATALOG,
    EntryState,
    MergeResult,
    catalog_path,
    english_segments,
    load_catalog,
    load_web_catalog,
    make_template,
    merge,
    new_catalog,
    template_ids,
    template_path,
    word_count,
)
from kitgen.translations.policy import TranslationPolicy
from kitgen.translations.webstrings import make_web_template

#: Every catalog a language has: the four documents, then the web pages' own text.
CATALOGS = (*KINDS, WEB_CATALOG)


def catalog_languages(content_dir: Path) -> list[str]:
    """Every supported language that translates through catalogs (all but English itself and
    languages that keep a whole-file document of their own for every kind)."""
    languages = load_locales(content_dir).languages
    return [code for code in languages if code != REFERENCE_LANGUAGE]


@dataclass
class UpdateReport:
    templates: list[str] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    changes: dict[str, MergeResult] = field(default_factory=dict)


def _same_entries(a: polib.POFile, b: polib.POFile) -> bool:
    """Same entries, comments compared without their line wrapping (polib re-wraps a
    wrapped comment differently, which must not count as a change)."""

    def flat(text: str | None) -> str:
        return " ".join((text or "").split())

    def content(po: polib.POFile) -> list[tuple[object, ...]]:
        return [
            (
                e.msgid,
                e.msgstr,
                flat(e.comment),
                flat(e.tcomment),
                tuple(e.flags),
                tuple(e.occurrences),
                e.previous_msgid,
                e.obsolete,
            )
            for e in po
        ]

    return content(a) == content(b) and a.metadata == b.metadata


def update_catalogs(settings: Settings, languages: list[str] | None = None) -> UpdateReport:
    """Write the POTs and merge them into each language's PO; files change only when their
    content does (so unchanged catalogs keep their digests and kits stay cached)."""
    content_dir = settings.content_dir
    locales = load_locales(content_dir).languages
    report = UpdateReport()
    for kind in CATALOGS:
        pot = make_web_template() if kind == WEB_CATALOG else make_template(content_dir, kind)
        pot_file = template_path(content_dir, kind)
        pot_file.parent.mkdir(parents=True, exist_ok=True)
        if not pot_file.exists() or not _same_entries(polib.pofile(str(pot_file)), pot):
            pot.save(str(pot_file))
            report.templates.append(display_path(pot_file, content_dir))
        for language in languages or catalog_languages(content_dir):
            path = catalog_path(content_dir, language, kind)
            if path.exists():
                po = polib.pofile(str(path), wrapwidth=79)
                before = polib.pofile(str(path), wrapwidth=79)
            else:
                po = new_catalog(language, str(locales[language].locale), kind)
                before = None
                report.created.append(display_path(path, content_dir))
            result = merge(po, pot)
            if before is None or not _same_entries(before, po):
                path.parent.mkdir(parents=True, exist_ok=True)
                po.save(str(path))
            if result.outdated or result.obsoleted or result.added:
                report.changes[display_path(path, content_dir)] = result
    return report


# -- status ------------------------------------------------------------------------------


@dataclass
class DocumentStatus:
    """Words of one document in one language by the state of their segments."""

    language: str
    kind: str
    catalog: str
    reviewed: int = 0
    draft: int = 0
    outdated: int = 0
    untranslated: int = 0
    invalid: int = 0
    prints_fully: bool = False
    whole_file: bool = False
    problems: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.reviewed + self.draft + self.outdated + self.untranslated + self.invalid

    def to_dict(self) -> dict[str, object]:
        return asdict(self) | {"total": self.total}


def document_status(
    settings: Settings, language: str, kind: str, policy: TranslationPolicy
) -> DocumentStatus:
    content_dir = settings.content_dir
    path = catalog_path(content_dir, language, kind)
    status = DocumentStatus(language, kind, display_path(path, content_dir))
    if kind != WEB_CATALOG and document_path(content_dir, kind, language).exists():
        status.whole_file = status.prints_fully = True
        status.catalog = display_path(document_path(content_dir, kind, language), content_dir)
        return status
    if kind == WEB_CATALOG:
        pot = template_path(content_dir, kind)
        sources = template_ids(pot) if pot.exists() else []
        catalog = load_web_catalog(path)[0] if path.exists() else None
    else:
        sources = [s.text for s in english_segments(content_dir, kind)[1]]
        catalog = load_catalog(path)[0] if path.exists() else None
    prints_fully = True
    for source in sources:
        words = word_count(source)
        entry = catalog.entry(source) if catalog else None
        state = entry.state if entry else EntryState.UNTRANSLATED
        setattr(status, str(state), getattr(status, str(state)) + words)
        if entry is not None and state is EntryState.INVALID:
            status.problems.append(
                f"{status.catalog}:{entry.line}: invalid: {'; '.join(entry.problems)}"
            )
        if not usable(state, policy):
            prints_fully = False
    status.prints_fully = prints_fully
    return status


def translation_status(
    settings: Settings, languages: list[str] | None = None
) -> list[DocumentStatus]:
    """Per language and catalog (the four documents and the web pages): words reviewed,
    draft, outdated, untranslated, invalid."""
    wanted = languages or catalog_languages(settings.content_dir)
    return [
        document_status(settings, language, kind, settings.translation_policy)
        for language in wanted
        for kind in CATALOGS
    ]
