"""Planning a kit: validate the request, pin its campaign, plan its documents and their keys,
compose each document's HTML. No store, no fonts: the web tier, ``check``, ``report`` and the
golden tests use it alone; kitgen.pipeline renders what it plans.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from markupsafe import Markup

from kitgen import cache
from kitgen.brand import Brand, brand_dir, load_brand
from kitgen.campaign_dates import Campaign, load_campaigns
from kitgen.compose import compose_page
from kitgen.content.files import digest, digest_tree
from kitgen.content.render import LocaleView
from kitgen.content.source import ContentSource, LocatedDocument, SourcedContent, open_source
from kitgen.content.strings import load_strings
from kitgen.kinds import REGISTRY
from kitgen.locales import Catalog, Country, Language, bcp47, load_catalog, pair_locale
from kitgen.models import KitRequest, Personalization
from kitgen.settings import Settings
from kitgen.templating import PageTemplates

CODE_DIR = Path(__file__).resolve().parent
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
    "queues.py",
    "flight.py",
    "metrics.py",
    "metricsdir.py",
    "objects.py",
    "webhooks.py",
    "after_kit.py",
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


@dataclass(frozen=True)
class KitLocale:
    """A validated request locale: what every document of the kit is rendered for."""

    catalog: Catalog
    country: Country
    language: Language
    campaign: Campaign

    @property
    def lang(self) -> str:
        """The kit's BCP 47 tag (``fr-FR``, ``zh-Hant-HK``…)."""
        return bcp47(pair_locale(self.language, self.country.territory))


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


class KitPlanner:
    """Holds what is cheap to keep per process and needs no fonts: templates, the source."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.templates = PageTemplates(settings.templates_dir)
        self.source: ContentSource = open_source(settings)

    def resolve(self, request: KitRequest) -> tuple[KitRequest, KitLocale]:
        """Validate the locale and pin the campaign year (so the key does not drift)."""
        content_dir = self.settings.content_dir
        catalog = load_catalog(content_dir)
        country = catalog.country(request.country)
        language = catalog.language(request.language)
        campaign = load_campaigns(content_dir).get(request.campaign, country.region)
        request = replace(request, campaign=campaign.year)
        return request, KitLocale(catalog, country, language, campaign)

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

    # -- composing -----------------------------------------------------------------------
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

    def kit_title(self, kit: PreparedKit, document_titles: list[str]) -> str:
        """A one-document kit is called after its document; a kit of several after the kit."""
        if len(document_titles) == 1:
            return document_titles[0]
        view = self.view_for(kit.locale, Personalization())
        return f"{view.t('kit.title')} · {view.country_name} · {view.language_name}"

    def brand(self) -> Brand:
        return load_brand(self.settings.content_dir)

    def stylesheets(self, kind: str) -> list[Path]:
        return [self.settings.styles_dir / "base.css", self.settings.styles_dir / f"{kind}.css"]

    def compose(
        self, plan: DocumentPlan, kit: PreparedKit, brand: Brand, fit: int = 0
    ) -> ComposedDocument:
        """One document's HTML and what the manifest says of it: all before the PDF.
        ``fit`` > 0 sets it tighter (copyfitting a document over its page budget)."""
        view = self.view_for(kit.locale, plan.personalization)
        sourced = self.source.render(plan.located, view)
        content = sourced.content
        partly_english = bool(sourced.translation and sourced.translation["printed"] == "partial")
        html = compose_page(
            self.templates,
            content,
            view,
            brand,
            print_ready=kit.request.print_ready,
            agenda=sourced.agenda,
            brand_href=self._logo_href(brand),
            partly_english=partly_english,
            fit=fit,
        )
        fallbacks = set(view.fallbacks) | sourced.fallbacks
        if content.content_language != kit.locale.language.code:
            fallbacks.add(f"document:{plan.kind}:{content.content_language}")
        return ComposedDocument(
            html,
            Markup(content.title).striptags(),
            content.content_language,
            fallbacks,
            sourced.diagnostics,
            sourced.translation,
        )

    def compose_page_file(self, path: Path, request: KitRequest) -> tuple[str, SourcedContent]:
        """One legacy page file as guide HTML: ``kitgen render-page``."""
        from kitgen.content.pegasus.source import render_page_file

        request, locale = self.resolve(request)
        view = self.view_for(locale, request.personalization)
        sourced = render_page_file(path, view, self.settings)
        brand = self.brand()
        html = compose_page(
            self.templates,
            sourced.content,
            view,
            brand,
            print_ready=request.print_ready,
            agenda=[],
            brand_href=self._logo_href(brand),
        )
        return html, sourced

    def _logo_href(self, brand: Brand) -> str:
        return brand.logo.relative_to(self.settings.content_dir.resolve()).as_posix()


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


_planners: dict[Settings, KitPlanner] = {}


def planner_for(settings: Settings) -> KitPlanner:
    """One planner per process and settings: templates and the source load once."""
    planner = _planners.get(settings)
    if planner is None:
        planner = _planners[settings] = KitPlanner(settings)
    return planner
