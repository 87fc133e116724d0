"""Content sources: where a kit's documents come from (kitgen's own files or a legacy site).

The pipeline asks a source two things per document: which files it reads (for the cache key)
and what it says for a locale (title, body, agenda rows). Everything else (chrome strings,
countries, campaigns, brand, page templates) stays kitgen's own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from kitgen.compose import AgendaRow, agenda_rows
from kitgen.content.agenda import agenda_path, load_agenda
from kitgen.content.documents import load_document, resolve_document_path
from kitgen.content.files import digest
from kitgen.content.render import ContentRenderer, LocaleView, RenderedContent
from kitgen.errors import ContentError
from kitgen.settings import Settings


@dataclass(frozen=True)
class LocatedDocument:
    """A document's source for one (kind, language): its language and the files it reads."""

    kind: str
    language: str  # the requested language
    content_language: str  # the language the text is in (English when untranslated)
    inputs: dict[str, str]  # input name → sha256, what the cache key is made of


@dataclass(frozen=True)
class SourcedContent:
    """What a source says for one document in one locale."""

    content: RenderedContent
    agenda: list[AgendaRow] = field(default_factory=list)
    fallbacks: frozenset[str] = frozenset()
    diagnostics: tuple[str, ...] = ()  # "file:line: severity: message"


class ContentSource(Protocol):
    name: str
    asset_roots: tuple[Path, ...]

    def locate(self, kind: str, language: str) -> LocatedDocument: ...
    def render(self, located: LocatedDocument, view: LocaleView) -> SourcedContent: ...


class NativeSource:
    """kitgen's own documents: ``content/documents/<kind>/<lang>.md`` and ``agenda.yaml``."""

    name = "native"
    asset_roots: tuple[Path, ...] = ()

    def __init__(self, content_dir: Path):
        self.content_dir = content_dir
        self.renderer = ContentRenderer()

    def locate(self, kind: str, language: str) -> LocatedDocument:
        path, content_language = resolve_document_path(self.content_dir, kind, language)
        inputs = {f"documents/{kind}/{path.name}": digest(path)}
        if kind == "agenda":
            inputs["agenda"] = digest(agenda_path(self.content_dir))
        return LocatedDocument(kind, language, content_language, inputs)

    def render(self, located: LocatedDocument, view: LocaleView) -> SourcedContent:
        path, _ = resolve_document_path(self.content_dir, located.kind, located.language)
        source = load_document(path, located.kind, located.content_language)
        content = self.renderer.render(source, view)
        rows = (agenda_rows(load_agenda(self.content_dir, view.country.code), view)
                if located.kind == "agenda" else [])
        return SourcedContent(content, rows)


def open_source(settings: Settings) -> ContentSource:
    """The source ``settings.content_source`` names: ``native`` or ``pegasus:<site root>``."""
    spec = settings.content_source
    if spec in ("", "native"):
        return NativeSource(settings.content_dir)
    kind, _, location = spec.partition(":")
    if kind == "pegasus" and location:
        from kitgen.content.pegasus.source import PegasusSource

        return PegasusSource(Path(location).expanduser(), settings)
    raise ContentError(f"unknown content source {spec!r}; use 'native' or 'pegasus:<site root>'")
