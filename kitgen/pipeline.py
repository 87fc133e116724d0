"""build_kit: the one function that turns a kit request into stored PDFs and a manifest.

The CLI, the worker, the local pool and the batch job only parse input, call it and format
the result. It is a short sequence: plan (kitgen.planner), look the kit up, compose what is
not stored, render (this module: fonts and WeasyPrint), publish (kitgen.publish: documents
first, the manifest last, so a reader that finds the manifest finds the whole kit).
"""

from __future__ import annotations

import gc
import hashlib
import logging
from collections.abc import Callable
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from kitgen.brand import brand_dir
from kitgen.content.source import SourcedContent
from kitgen.kinds import REGISTRY
from kitgen.language_caches import RecentLanguages
from kitgen.models import KINDS, DocumentResult, KitRequest, KitResult
from kitgen.pdf import PdfRenderer, RenderedPdf
from kitgen.planner import ComposedDocument, DocumentPlan, KitPlanner, PreparedKit, planner_for
from kitgen.publish import KitPublisher
from kitgen.settings import Settings
from kitgen.storage import Storage

#: How much tighter a kind over its page budget (kitgen.kinds) may be set (``fit-1``,
#: ``fit-2``… in the kind's stylesheet) until it fits; text is never cut.
FIT_LEVELS = 3
#: Scripts whose fonts are collections of tens of MiB (Noto CJK). Each face Pango opens maps a
#: whole collection and WeasyPrint reads it through to embed it: a process that had rendered
#: all four kept ~350 MiB of them resident, and ~950 MiB in all (benchmarks/memory.py).
BIG_FONT_SCRIPTS = frozenset({"han-hans", "han-hant", "japanese", "hangul"})
log = logging.getLogger("kitgen.pipeline")

Progress = Callable[[str, dict[str, Any]], None]


def _quiet(event: str, info: dict[str, Any]) -> None:
    """The default progress listener: says nothing."""


class DocumentRenderer:
    """Holds what is expensive to make once per process: fonts and parsed styles."""

    def __init__(self, planner: KitPlanner):
        self.planner = planner
        self.settings = planner.settings
        self._renderer: PdfRenderer | None = None
        self._script = ""
        self.recent_languages = RecentLanguages()
        self.fonts_dropped_after = BIG_FONT_SCRIPTS

    @property
    def renderer(self) -> PdfRenderer:
        """Made on first render: a process that only plans never loads fonts."""
        if self._renderer is None:
            self._renderer = PdfRenderer(
                [
                    brand_dir(self.settings.content_dir),
                    self.settings.styles_dir,
                    *self.planner.source.asset_roots,
                ]
            )
        return self._renderer

    def fonts_for(self, script: str) -> None:
        """Before a kit in ``script``: after kits in a CJK script, a kit in another script
        gets a new font configuration, and the CJK collections leave memory with the old one
        (the next render loads its fonts again, once). Kits of one script keep their fonts."""
        if (
            self._renderer is not None
            and self._script in self.fonts_dropped_after
            and script != self._script
        ):
            log.info("new font configuration after %s kits", self._script)
            self._renderer = None
            gc.collect()  # the font map goes with the last reference; cycles hold some
        self._script = script

    def warm_up(self) -> None:
        """Load fonts and parse every stylesheet now: a worker does it before its first kit,
        not while a person waits."""
        for kind in KINDS:
            for path in self.planner.stylesheets(kind):
                self.renderer.stylesheet(path)

    def render(
        self,
        plan: DocumentPlan,
        kit: PreparedKit,
        composed: ComposedDocument,
        refit: Callable[[int], ComposedDocument],
    ) -> tuple[DocumentResult, bytes]:
        """Render; a document over its page budget is composed tighter and rendered again."""
        budget = REGISTRY[plan.kind].page_budget
        rendered = self.pdf(plan, kit.request, composed)
        fit = 0
        while budget and rendered.pages > budget and fit < FIT_LEVELS:
            fit += 1
            composed = refit(fit)
            rendered = self.pdf(plan, kit.request, composed)
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

    def pdf(
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
                stylesheets=self.planner.stylesheets(plan.kind),
                variant=request.variant,
                lang="en" if english else None,
            )

    def render_page(self, path: Path, request: KitRequest) -> tuple[bytes, int, SourcedContent]:
        """One legacy page file as a guide-styled PDF, not stored: ``kitgen render-page``."""
        html, sourced = self.planner.compose_page_file(path, request)
        rendered = self.renderer.render(
            html,
            base_url=self.settings.content_dir,
            stylesheets=self.planner.stylesheets("guide"),
            variant=request.variant,
        )
        return rendered.data, rendered.pages, sourced


_renderers: dict[Settings, DocumentRenderer] = {}


def renderer_for(settings: Settings) -> DocumentRenderer:
    """One renderer per process and settings, so fonts and styles load once."""
    renderer = _renderers.get(settings)
    if renderer is None:
        renderer = _renderers[settings] = DocumentRenderer(planner_for(settings))
    return renderer


def build_kit(
    request: KitRequest,
    *,
    settings: Settings,
    storage: Storage,
    force: bool = False,
    progress: Progress = _quiet,
) -> KitResult:
    """Build (or find) a kit: the one core function every edge calls."""
    planner, renderer = planner_for(settings), renderer_for(settings)
    publisher = KitPublisher(storage)
    kit = planner.prepare(request)
    if not force:
        found = publisher.lookup(kit.key)
        if found is not None:
            progress("cached", {"key": kit.key})
            return found
    renderer.fonts_for(kit.locale.language.script)
    with renderer.recent_languages.using(kit.locale.language.code):
        return _render_and_publish(kit, planner, renderer, publisher, force, progress)


def _render_and_publish(
    kit: PreparedKit,
    planner: KitPlanner,
    renderer: DocumentRenderer,
    publisher: KitPublisher,
    force: bool,
    progress: Progress,
) -> KitResult:
    """Compose what the store lacks, render it, store it, publish the manifest last."""
    stored = [(plan, publisher.cached_document(plan.key, force)) for plan in kit.plans]
    # Compose every missing document first: broken content fails before any render or write.
    brand = planner.brand()
    composed = {plan.key: planner.compose(plan, kit, brand) for plan, hit in stored if hit is None}
    documents: list[DocumentResult] = []
    rendered: list[tuple[DocumentResult, bytes]] = []
    for index, (plan, hit) in enumerate(stored, start=1):
        progress("document", {"kind": plan.kind, "index": index, "total": len(kit.plans)})
        if hit is None:
            hit = renderer.render(
                plan, kit, composed[plan.key], partial(planner.compose, plan, kit, brand)
            )
            rendered.append(hit)
        result = hit[0]
        progress(
            "document-done", {"kind": plan.kind, "cached": result.cached, "pages": result.pages}
        )
        documents.append(result)
    # Only a kit whose every document rendered is written, manifest last.
    for result, pdf in rendered:
        publisher.store_document(result, pdf)
    title = planner.kit_title(kit, [d.title for d in documents])
    built = publisher.publish_kit(kit.key, kit.request, documents, title, kit.locale.lang)
    progress("stored", {"key": kit.key})
    return built
