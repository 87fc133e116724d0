"""Content sources: where a kit's documents come from (kitgen's own files or a legacy site).

The pipeline asks a source two things per document: which files it reads (for the cache key)
and what it says for a locale (title, body, agenda rows). Everything else (chrome strings,
countries, campaigns, brand, page templates) stays kitgen's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

from kitgen.compose import AgendaRow, agenda_rows
from kitgen.content.agenda import agenda_path, load_agenda
from kitgen.content.documents import document_path, load_document
from kitgen.content.files import digest
from kitgen.content.render import ContentRenderer, LocaleView, RenderedContent
from kitgen.content.strings import REFERENCE_LANGUAGE
from kitgen.errors import ContentError
from kitgen.settings import Settings
from kitgen.translations.apply import translate_document
from kitgen.translations.catalogs import catalog_path, load_catalog
from kitgen.translations.policy import TranslationPolicy


@dataclass(frozen=True)
class LocatedDocument:
    """A document's source for one (kind, language): its language and the files it reads."""

    kind: str
    language: str  # the requested language
    content_language: str  # the language the text is in (English when untranslated)
    inputs: dict[str, str]  # input name → sha256, what the cache key is made of
    catalog: Path | None = None  # the segment catalog the English is translated through


@dataclass(frozen=True)
class SourcedContent:
    """What a source says for one document in one locale."""

    content: RenderedContent
    agenda: list[AgendaRow] = field(default_factory=list)
    fallbacks: frozenset[str] = frozenset()
    diagnostics: tuple[str, ...] = ()  # "file:line: severity: message"
    #: how the text printed: {"printed": reviewed|draft|partial|english, "words": {…}}
    translation: dict[str, Any] | None = None


class ContentSource(Protocol):
    name: str
    asset_roots: tuple[Path, ...]

    def locate(self, kind: str, language: str) -> LocatedDocument: ...
    def render(self, located: LocatedDocument, view: LocaleView) -> SourcedContent: ...


class NativeSource:
    """kitgen's own documents: the English ``documents/<kind>/en.md`` translated through
    ``translations/<lang>/<kind>.po``, or a language's own whole file
    ``documents/<kind>/<lang>.md`` where one exists (a language that wants to diverge)."""

    name = "native"
    asset_roots: tuple[Path, ...] = ()

    def __init__(self, content_dir: Path, policy: TranslationPolicy = TranslationPolicy.DRAFT):
        self.content_dir = content_dir
        self.policy = policy
        self.renderer = ContentRenderer()

    def locate(self, kind: str, language: str) -> LocatedDocument:
        own = document_path(self.content_dir, kind, language)
        if own.exists():
            inputs = {f"documents/{kind}/{own.name}": digest(own)}
            located = LocatedDocument(kind, language, language, inputs)
        else:
            english = document_path(self.content_dir, kind, REFERENCE_LANGUAGE)
            if not english.exists():
                raise ContentError(f"no {kind} document, not even in English", english)
            inputs = {f"documents/{kind}/{english.name}": digest(english)}
            po = catalog_path(self.content_dir, language, kind)
            if language != REFERENCE_LANGUAGE and po.exists():
                inputs[f"translations/{language}/{po.name}"] = digest(po)
                inputs["translations"] = str(self.policy)
                located = LocatedDocument(kind, language, language, inputs, po)
            else:
                located = LocatedDocument(kind, language, REFERENCE_LANGUAGE, inputs)
        if kind == "agenda":
            located.inputs["agenda"] = digest(agenda_path(self.content_dir))
        return located

    def render(self, located: LocatedDocument, view: LocaleView) -> SourcedContent:
        own = located.content_language == located.language and located.catalog is None
        language = located.language if own else REFERENCE_LANGUAGE
        source = load_document(
            document_path(self.content_dir, located.kind, language), located.kind, language
        )
        translation: dict[str, Any] | None = None
        diagnostics: tuple[str, ...] = ()
        fallbacks: frozenset[str] = frozenset()
        if located.catalog is not None:
            catalog = load_catalog(located.catalog)[0]
            source, summary, diagnostics = translate_document(
                source, catalog, self.policy, self.content_dir
            )
            translation = summary.to_dict()
            if summary.english and (summary.reviewed or summary.draft):
                fallbacks = frozenset({f"segments:{located.kind}:{REFERENCE_LANGUAGE}"})
            in_language = summary.reviewed or summary.draft or not summary.total
            source = replace(
                source, language=located.language if in_language else REFERENCE_LANGUAGE
            )
        content = self.renderer.render(source, view)
        rows = (
            agenda_rows(load_agenda(self.content_dir, view.country.code), view)
            if located.kind == "agenda"
            else []
        )
        return SourcedContent(content, rows, fallbacks, diagnostics, translation)


def open_source(settings: Settings) -> ContentSource:
    """The source ``settings.content_source`` names: ``native`` or ``pegasus:<site root>``."""
    spec = settings.content_source
    if spec in ("", "native"):
        return NativeSource(settings.content_dir, settings.translation_policy)
    kind, _, location = spec.partition(":")
    if kind == "pegasus" and location:
        from kitgen.content.pegasus.source import PegasusSource

        return PegasusSource(Path(location).expanduser(), settings)
    raise ContentError(f"unknown content source {spec!r}; use 'native' or 'pegasus:<site root>'")
