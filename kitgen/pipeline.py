"""build_kit: the one function that turns a kit request into stored PDFs and a manifest.

The CLI, the web app, the worker and the batch job only parse input, call it and format the
result. A kit is published in order (document PDFs, their metadata, the combined PDF, the
manifest last), so a reader that finds the manifest finds the whole kit.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

from markupsafe import Markup

from kitgen import cache
from kitgen.brand import Brand, brand_dir, load_brand
from kitgen.campaign_dates import Campaign, load_campaigns
from kitgen.compose import compose_page
from kitgen.content.files import digest, digest_tree
from kitgen.content.render import LocaleView
from kitgen.content.source import LocatedDocument, SourcedContent, open_source
from kitgen.content.strings import load_strings
from kitgen.kinds import REGISTRY
from kitgen.locales import Catalog, Country, Language, bcp47, load_catalog, pair_locale
from kitgen.models import KINDS, DocumentResult, KitRequest, KitResult, Personalization
from kitgen.pdf import PdfRenderer, RenderedPdf
from kitgen.publish import (
    KitPublisher,
    manifest_for,
    result_from_manifest,
)
from kitgen.settings import Settings
from kitgen.storage import Storage
from kitgen.templating import PageTemplates

#: How much tighter a kind over its page budget (kitgen.kinds) may be set (``fit-1``,
#: ``fit-2``… in the kind's stylesheet) until it fits; text is never cut.
FIT_LEVELS = 3
CODE_DIR = Path(__file__).resolve().parent
log = logging.getLogger("kitgen.pipeline")
#: kitgen's code that cannot change a PDF: the edges around the pipeline. Every other file of
#: the package is in a document's key, so a module new to the render path re-renders kits
#: (the safe side) until it is listed here; tests/test_pipeline.py proves the split.
NOT_RENDER_CODE = (
    "web/",
    "batch/",
    "dispatch/",
    "storage/",
    "cli.py",
    "tasks.py",
    "jobs.py",
    "flight.py",
    "metrics.py",
    "metricsdir.py",
    "objects.py",
    "webhooks.py",
    "site_health.py",
    "check.py",
    "suggest.py",
    "uitext.py",
    "errors.py",
    "translations/commands.py",
    "translations/workflow.py",
    "translations/webstrings.py",
    "translations/notes.py",
    "translations/legacy.py",
)

Progress = Callable[[str, dict[str, Any]], None]


def _quiet(event: str, info: dict[str, Any]) -> None:
    """The default progress listener: says nothing."""


@dataclass(frozen=True)
class KitLocale:
    """A validated request locale: what every document of the kit is rendered for."""

    catalog: Catalog
    country: Country
    language: Language
    campaign: Campaign


@dataclass(frozen=True)
class DocumentPlan:
    kind: str
    located: LocatedDocument
    personalization: Personalization
    key: str

    @property
    def content_language(self) -> str:
        return self.located.content_language


@dataclass(frozen=True)
class ComposedDocument:
    """One document's page HTML and what the manifest says of it, before any PDF."""

    html: str
    title: str  # plain text
    content_language: str
    fallbacks: set[str]
    diagnostics: tuple[str, ...]
    translation: dict[str, Any] | None


@dataclass(frozen=True)
class PreparedKit:
    """A validated request with its campaign pinned, its documents planned and its key."""

    request: KitRequest
    locale: KitLocale
    plans: list[DocumentPlan]
    key: str


class KitBuilder:
    """Holds what is expensive to make once per process: fonts, templates, parsed styles."""

    def __init__(self, settings: Settings, storage: Storage, renderer: PdfRenderer | None = None):
        self.settings = settings
        self.storage = storage
        self.publisher = KitPublisher(storage)
        self.templates = PageTemplates(settings.templates_dir)
        self.source = open_source(settings)
        self._renderer = renderer

    @property
    def renderer(self) -> PdfRenderer:
        """Made on first render: the web tier only plans kits and never loads fonts."""
        if self._renderer is None:
            self._renderer = PdfRenderer(
                [
                    brand_dir(self.settings.content_dir),
                    self.settings.styles_dir,
                    *self.source.asset_roots,
                ]
            )
        return self._renderer

    def warm_up(self) -> None:
        """Load fonts and parse every stylesheet now: a worker does it before its first kit,
        not while a person waits."""
        for kind in KINDS:
            for path in self.stylesheets(kind):
                self.renderer.stylesheet(path)

    # -- resolving -----------------------------------------------------------------------
    def resolve(self, request: KitRequest) -> tuple[KitRequest, KitLocale]:
        """Validate the locale and pin the campaign year (so the key does not drift)."""
        content_dir = self.settings.content_dir
        catalog = load_catalog(content_dir)
        country = catalog.country(request.country)
        language = catalog.language(request.language)
        campaigns = load_campaigns(content_dir)
        campaign = campaigns.get(request.campaign, country.region)
        request = replace(request, campaign=campaign.year)
        return request, KitLocale(catalog, country, language, campaign)

    def _shared_inputs(self) -> dict[str, str]:
        s = self.settings
        return {
            "catalog": digest_tree_files(s.content_dir, ["languages.yaml", "countries.yaml"]),
            "campaigns": digest(s.content_dir / "campaigns.yaml"),
            "brand": digest_tree(brand_dir(s.content_dir)),
            "templates": digest_tree(s.templates_dir),
            "styles": digest_tree(s.styles_dir),
            "code": render_code_digest(CODE_DIR),
        }

    def plan(self, request: KitRequest, locale: KitLocale) -> list[DocumentPlan]:
        """Each document's source and key, computed from the files it will read."""
        content_dir = self.settings.content_dir
        shared = self._shared_inputs()
        strings = load_strings(content_dir, locale.language.code)
        strings_inputs = {f"strings/{p.name}": digest(p) for p in strings.paths}
        plans = []
        for kind in request.kinds:
            located = self.source.locate(kind, locale.language.code)
            personalization = (
                request.personalization
                if REGISTRY[kind].personalised  # the others are shared by every kit
                else Personalization()
            )
            inputs = {**shared, **strings_inputs, **located.inputs, "source": self.source.name}
            request_part = {
                "kind": kind,
                "country": request.country,
                "language": request.language,
                "campaign": request.campaign,
                "personalization": personalization.to_dict(),
                "print_ready": request.print_ready,
                "variant": request.variant,
            }
            plans.append(
                DocumentPlan(
                    kind, located, personalization, cache.document_key(request_part, inputs)
                )
            )
        return plans

    def prepare(self, request: KitRequest) -> PreparedKit:
        """Validate and key a kit without rendering: what the web tier needs to find or queue it."""
        request, locale = self.resolve(request)
        plans = self.plan(request, locale)
        return PreparedKit(
            request, locale, plans, cache.kit_key(request.to_dict(), [p.key for p in plans])
        )

    def lookup(self, kit_key: str) -> KitResult | None:
        """The published kit under this key, or None (its manifest is written last)."""
        return self.publisher.lookup(kit_key)

    # -- building ------------------------------------------------------------------------
    def build(
        self, request: KitRequest, *, force: bool = False, progress: Progress = _quiet
    ) -> KitResult:
        prepared = self.prepare(request)
        request, locale, plans, kit_key = (
            prepared.request,
            prepared.locale,
            prepared.plans,
            prepared.key,
        )
        if not force:
            found = self.lookup(kit_key)
            if found is not None:
                progress("cached", {"key": kit_key})
                return found

        brand = load_brand(self.settings.content_dir)
        # Compose every document first: broken content fails before any render or write.
        pending = [(plan, self.publisher.cached_document(plan.key, force)) for plan in plans]
        composed = {
            plan.key: self.compose(plan, request, locale, brand)
            for plan, hit in pending
            if hit is None
        }
        documents: list[DocumentResult] = []
        parts: list[tuple[str, bytes]] = []
        to_store: list[tuple[DocumentResult, bytes]] = []
        for index, (plan, hit) in enumerate(pending, start=1):
            progress("document", {"kind": plan.kind, "index": index, "total": len(plans)})
            if hit is None:
                hit = self._render(
                    plan,
                    request,
                    composed[plan.key],
                    partial(self._recompose, plan, request, locale, brand),
                )
                to_store.append(hit)
            result, pdf = hit
            progress(
                "document-done", {"kind": plan.kind, "cached": result.cached, "pages": result.pages}
            )
            documents.append(result)
            parts.append((result.title, pdf))
        # Only a kit whose every document rendered is written, manifest last.
        for result, pdf in to_store:
            self.publisher.store_document(result, pdf)
        title = documents[0].title if len(documents) == 1 else self._kit_title(locale)
        lang = bcp47(pair_locale(locale.language, locale.country.territory))
        manifest = manifest_for(kit_key, request, documents, title, lang)
        self.publisher.publish(manifest)
        progress("stored", {"key": kit_key})
        return result_from_manifest(
            manifest, cached=False, rendered={d.key for d in documents if not d.cached}
        )

    def _kit_title(self, locale: KitLocale) -> str:
        view = self.view_for(locale, Personalization())
        return f"{view.t('kit.title')} · {view.country_name} · {view.language_name}"

    def view_for(self, locale: KitLocale, personalization: Personalization) -> LocaleView:
        return LocaleView(
            locale.catalog,
            locale.country,
            locale.language,
            locale.campaign,
            load_strings(self.settings.content_dir, locale.language.code),
            personalization,
            self.settings.site_url,
        )

    def _render(
        self,
        plan: DocumentPlan,
        request: KitRequest,
        composed: ComposedDocument,
        refit: Callable[[int], ComposedDocument],
    ) -> tuple[DocumentResult, bytes]:
        """Render; a document over its page budget is composed tighter and rendered again."""
        budget = REGISTRY[plan.kind].page_budget
        rendered = self._pdf(plan, request, composed)
        fit = 0
        while budget and rendered.pages > budget and fit < FIT_LEVELS:
            fit += 1
            composed = refit(fit)
            rendered = self._pdf(plan, request, composed)
        if budget and rendered.pages > budget:
            composed = replace(
                composed,
                diagnostics=(
                    *composed.diagnostics,
                    f"{plan.kind}: warning: {rendered.pages} pages even "
                    f"set at its tightest; the layout allows {budget}",
                ),
            )
        result = DocumentResult(
            kind=plan.kind,
            title=composed.title,
            key=plan.key,
            content_language=composed.content_language,
            pages=rendered.pages,
            bytes=len(rendered.data),
            sha256=hashlib.sha256(rendered.data).hexdigest(),
            fallbacks=tuple(sorted(composed.fallbacks)),
            diagnostics=composed.diagnostics,
            translation=composed.translation,
            fit=fit,
        )
        return result, rendered.data

    def _pdf(
        self, plan: DocumentPlan, request: KitRequest, composed: ComposedDocument
    ) -> RenderedPdf:
        """A document whose whole text fell back to English declares English (``/Lang``),
        its localized frame (masthead, dates, labels) tagged in the kit's language."""
        from kitgen.metrics import RENDER_SECONDS  # lazily: see kitgen.metricsdir

        english = composed.content_language != plan.located.language
        with RENDER_SECONDS.labels(plan.kind).time():
            return self.renderer.render(
                composed.html,
                base_url=self.settings.content_dir,
                stylesheets=self.stylesheets(plan.kind),
                variant=request.variant,
                lang="en" if english else None,
            )

    def render_page(self, path: Path, request: KitRequest) -> tuple[bytes, int, SourcedContent]:
        """One legacy page file as a guide-styled PDF, not stored: ``kitgen render-page``."""
        from kitgen.content.pegasus.source import render_page_file

        request, locale = self.resolve(request)
        view = self.view_for(locale, request.personalization)
        sourced = render_page_file(path, view, self.settings)
        brand = load_brand(self.settings.content_dir)
        logo = brand.logo.relative_to(self.settings.content_dir.resolve()).as_posix()
        html = compose_page(
            self.templates,
            sourced.content,
            view,
            brand,
            print_ready=request.print_ready,
            agenda=[],
            brand_href=logo,
        )
        rendered = self.renderer.render(
            html,
            base_url=self.settings.content_dir,
            stylesheets=self.stylesheets("guide"),
            variant=request.variant,
        )
        return rendered.data, rendered.pages, sourced

    def stylesheets(self, kind: str) -> list[Path]:
        return [self.settings.styles_dir / "base.css", self.settings.styles_dir / f"{kind}.css"]

    def _recompose(
        self, plan: DocumentPlan, request: KitRequest, locale: KitLocale, brand: Brand, fit: int
    ) -> ComposedDocument:
        """The document again, set tighter (copyfitting)."""
        return self.compose(plan, request, locale, brand, fit=fit)

    def compose(
        self,
        plan: DocumentPlan,
        request: KitRequest,
        locale: KitLocale,
        brand: Brand,
        *,
        fit: int = 0,
    ) -> ComposedDocument:
        """One document's HTML and what the manifest says of it: all before the PDF."""
        view = self.view_for(locale, plan.personalization)
        sourced = self.source.render(plan.located, view)
        content = sourced.content
        logo = brand.logo.relative_to(self.settings.content_dir.resolve()).as_posix()
        partly_english = bool(sourced.translation and sourced.translation["printed"] == "partial")
        html = compose_page(
            self.templates,
            content,
            view,
            brand,
            print_ready=request.print_ready,
            agenda=sourced.agenda,
            brand_href=logo,
            partly_english=partly_english,
            fit=fit,
        )
        fallbacks = set(view.fallbacks) | sourced.fallbacks
        if content.content_language != locale.language.code:
            fallbacks.add(f"document:{plan.kind}:{content.content_language}")
        return ComposedDocument(
            html,
            Markup(content.title).striptags(),
            content.content_language,
            fallbacks,
            sourced.diagnostics,
            sourced.translation,
        )


def render_code_digest(code_dir: Path) -> str:
    """One digest over the package's files that can change what a PDF looks like (names and
    contents; see NOT_RENDER_CODE), so a fix in the web tier or the CLI re-renders nothing."""
    h = hashlib.sha256()
    for path in sorted(p for p in code_dir.rglob("*") if p.is_file()):
        name = path.relative_to(code_dir).as_posix()
        if "__pycache__" in name or name.startswith(NOT_RENDER_CODE):
            continue
        h.update(name.encode() + b"\0" + digest(path).encode() + b"\n")
    return h.hexdigest()


def digest_tree_files(root: Path, names: list[str]) -> str:
    return hashlib.sha256("".join(digest(root / n) for n in names).encode()).hexdigest()


_builders: dict[tuple[Settings, int], KitBuilder] = {}


def builder_for(settings: Settings, storage: Storage) -> KitBuilder:
    """One builder per process, settings and store, so fonts, templates and styles load once."""
    key = (settings, id(storage))
    builder = _builders.get(key)
    if builder is None or builder.storage is not storage:
        builder = _builders[key] = KitBuilder(settings, storage)
    return builder


def build_kit(
    request: KitRequest,
    *,
    settings: Settings,
    storage: Storage,
    force: bool = False,
    progress: Progress = _quiet,
) -> KitResult:
    """Build (or find) a kit: the one core function every edge calls."""
    return builder_for(settings, storage).build(request, force=force, progress=progress)
