"""The legacy site as a kit content source: pages → documents, strings → ``hoc_s``."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from markupsafe import Markup

from kitgen.compose import AgendaRow
from kitgen.content.agenda import AgendaStep, format_time_range, shift_steps
from kitgen.content.pegasus.diagnostics import Diagnostics
from kitgen.content.pegasus.frontmatter import split_front_matter
from kitgen.content.pegasus.page import PageContent, inline_html, render_legacy_page
from kitgen.content.pegasus.repairs import RepairContext
from kitgen.content.pegasus.site import (
    REFERENCE,
    PageFiles,
    PegasusSite,
    SourceConfig,
    load_source_config,
)
from kitgen.content.render import LocaleView, RenderedContent
from kitgen.content.source import LocatedDocument, SourcedContent
from kitgen.kinds import REGISTRY
from kitgen.locales import site_url
from kitgen.settings import Settings
from kitgen.translations.legacy import english_share

CONFIG_NAME = Path("sources") / "pegasus.yaml"
_TIME = r"(\d{1,2})\s*[:hH.]\s*(\d{2})\s*(am|pm|a\.m\.|p\.m\.)?"
_TIME_RANGE = re.compile(_TIME + r"\s*[-–—~à]+\s*" + _TIME, re.I)
_DATE_FORMATS = {"start-short", "start-long", "short", "full", "year", "full-year"}


class LoosePages:
    """A page file outside any site tree (``render-page`` on a lone file): no strings, no
    images; every ``hoc_s`` key is missing and reported."""

    root = None

    def __init__(self, config: SourceConfig):
        self.config = config

    def strings(self, language: str) -> dict[str, str]:
        return {}

    def find_image(self, src: str) -> str | None:
        return None


@dataclass
class PageContext:
    """The dialect's view of one locale; remembers which strings fell back to English."""

    site: PegasusSite | LoosePages
    view: LocaleView
    fallbacks: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        # Read once per document, not once per hoc_s call.
        self.own = self.site.strings(self.language)
        self.english = self.site.strings(REFERENCE)

    @property
    def country(self) -> str:
        return self.view.country.code

    @property
    def language(self) -> str:
        return self.view.language.code

    def string(self, key: str, params: dict[str, str]) -> str | None:
        own = self.own.get(key)
        if own is None:
            own = self.english.get(key)
            if own is None:
                return None
            if self.language != REFERENCE:
                self.fallbacks.add(f"site-string:{key}")
        return re.sub(r"%\{(\w+)\}", lambda m: params.get(m[1], m[0]), own)

    def url(self, target: str, helper: str = "resolve_url") -> str:
        return absolute_url(target, self.view, helper)

    def date(self, fmt: str) -> str:
        fmt = fmt.replace("_", "-").strip()
        return self.view.date(fmt if fmt in _DATE_FORMATS else "full")

    def partial(self, name: str) -> str | None:
        rule = self.site.config.partials.get(name)
        if rule is None:
            for prefix, kind in self.site.config.partial_prefixes.items():
                if name.startswith(prefix):
                    rule = (kind, name[len(prefix) :])
                    break
        if rule is None:
            return None
        kind, value = rule
        if kind == "drop":
            return ""
        if kind in ("country", "language"):
            return self.country if kind == "country" else self.language
        if kind == "url":
            return self.url(value)
        return self.date(value)


def read_page(
    path: Path, english: Path | None, shown_as: Path, context: PageContext
) -> tuple[PageContent, RepairContext]:
    """Read one page (a translation is compared with its ``english`` page's front matter)."""
    repair = RepairContext(context.site.find_image, context.site.config.placeholders)
    english_meta = None
    if english is not None:
        english_meta = split_front_matter(english.read_text("utf-8"), Diagnostics(english)).meta
    view = context.view
    page = render_legacy_page(
        path.read_text("utf-8"),
        shown_as,
        context,
        repair,
        english_meta=english_meta,
        absolute_url=lambda href: absolute_url(href, view),
    )
    return page, repair


def render_page_file(path: Path, view: LocaleView, settings: Settings) -> SourcedContent:
    """One legacy page as a guide-styled document: how staff check a single translation.

    Strings come from the site tree the file sits in, when it sits in one."""
    config = load_source_config(settings.content_dir / CONFIG_NAME)
    root = PegasusSite.find_root(path)
    site: PegasusSite | LoosePages = PegasusSite(root, config) if root else LoosePages(config)
    context = PageContext(site, view)
    page, _ = read_page(path, None, path, context)
    content = RenderedContent(
        "guide",
        page.title or Markup.escape(path.name),
        page.subtitle,
        view.expand_fields(page.body),
        view.language.code,
        None,
        None,
    )
    diagnostics = tuple(str(d) for d in sorted(page.diagnostics, key=lambda d: d.line))
    return SourcedContent(content, [], frozenset(context.fallbacks), diagnostics)


def absolute_url(target: str, view: LocaleView, helper: str = "resolve_url") -> str:
    """Where a page link points in print: always absolute (site links per locale)."""
    target = target.strip()
    if target.startswith(("http://", "https://", "mailto:")):
        return target
    if target.startswith("//"):
        return "https:" + target
    if target.startswith("#"):
        return site_url(view.site, view.country, view.language, "/") + target
    if helper == "codeorg_url":
        return "https://code.org/" + target.lstrip("/")
    if "code.org" in target:
        return "https://" + target.lstrip("/")
    return site_url(view.site, view.country, view.language, target)


def parse_time_range(text: str) -> tuple[dt.time, dt.time] | None:
    """``10:00 - 10:05 am``, ``10h00 – 10h05``, ``11h00 – 11h 05`` → two times, else None."""
    match = _TIME_RANGE.search(text)
    if not match:
        return None
    h1, m1, ap1, h2, m2, ap2 = match.groups()
    ap1 = ap1 or ap2

    def to_time(hour: str, minute: str, meridiem: str | None) -> dt.time | None:
        h, m = int(hour), int(minute)
        if meridiem and meridiem.lower().startswith("p") and h < 12:
            h += 12
        return dt.time(h, m) if h < 24 and m < 60 else None

    start, end = to_time(h1, m1, ap1), to_time(h2, m2, ap2)
    return (start, end) if start and end else None


class PegasusSource:
    """Documents from a legacy site tree, mapped by ``content/sources/pegasus.yaml``."""

    name = "pegasus"

    def __init__(self, root: Path, settings: Settings):
        self.config: SourceConfig = load_source_config(settings.content_dir / CONFIG_NAME)
        self.site = PegasusSite(root, self.config)
        self.asset_roots: tuple[Path, ...] = (
            (self.site.images_dir,) if self.site.images_dir.is_dir() else ()
        )

    def files(self, kind: str, language: str) -> PageFiles:
        return self.site.page(self.config.kinds[kind].page, language)

    def locate(self, kind: str, language: str) -> LocatedDocument:
        files = self.files(kind, language)
        content_language = language if files.translation or language == REFERENCE else REFERENCE
        return LocatedDocument(kind, language, content_language, self.site.inputs(files, language))

    def read_page(
        self, files: PageFiles, view: LocaleView, context: PageContext
    ) -> tuple[PageContent, RepairContext]:
        english = files.english if files.translation is not None else None
        return read_page(files.source, english, self.relative(files.source), context)

    def relative(self, path: Path) -> Path:
        return path.relative_to(self.site.root)

    def render(self, located: LocatedDocument, view: LocaleView) -> SourcedContent:
        mapping = self.config.kinds[located.kind]
        files = self.files(located.kind, located.language)
        context = PageContext(self.site, view)
        page, repair = self.read_page(files, view, context)
        diagnostics = [str(d) for d in sorted(page.diagnostics, key=lambda d: d.line)]
        cta = view.url(mapping.cta) if mapping.cta else None
        cta_label = view.t(REGISTRY[located.kind].legacy_cta_label)
        rows: list[AgendaRow] = []
        if mapping.part == "last-table":
            title, rows = self._agenda(page, repair, view, diagnostics, files)
            body, subtitle = Markup(), None
        else:
            title, body, subtitle = page.title, view.expand_fields(page.body), page.subtitle
        if not str(title).strip():
            title = Markup.escape(view.t(f"kind.{located.kind}"))
        content = RenderedContent(
            located.kind,
            title,
            subtitle,
            body,
            located.content_language,
            cta,
            cta_label if cta else None,
        )
        translation = None
        if files.translation is not None and located.language != REFERENCE:
            translation = self._english_share(files, view, page, rows)
        return SourcedContent(
            content, rows, frozenset(context.fallbacks), tuple(diagnostics), translation
        )

    def _english_share(
        self, files: PageFiles, view: LocaleView, page: PageContent, rows: list[AgendaRow]
    ) -> dict[str, Any]:
        """How much of the translated page is the English page's text (same locale, so the
        same links and dates); the agenda compares its table's actions."""
        english_context = PageContext(self.site, view)
        english, repair = read_page(
            files.english, None, self.relative(files.english), english_context
        )
        if rows:
            url = lambda href: absolute_url(href, view)  # noqa: E731
            translated_html = "".join(f"<td>{r.action}</td>" for r in rows)
            english_html = "".join(
                f"<td>{view.expand_fields(inline_html(' '.join(row.cells[1:]), repair, url))}</td>"
                for table in english.tables[-1:]
                for row in table.rows[1:]
            )
        else:
            translated_html = f"<h1>{page.title}</h1>{page.body}"
            english_html = f"<h1>{english.title}</h1>{english.body}"
        return english_share(translated_html, english_html)

    def _agenda(
        self,
        page: PageContent,
        repair: RepairContext,
        view: LocaleView,
        diagnostics: list[str],
        files: PageFiles,
    ) -> tuple[Markup, list[AgendaRow]]:
        """The page's last table as the run of show, times in the locale's clock."""
        where = self.relative(files.source)
        if not page.tables:
            diagnostics.append(f"{where}:1: warning: no table on the page; the agenda is empty")
            return Markup(), []
        table = page.tables[-1]
        url = lambda href: absolute_url(href, view)  # noqa: E731
        parsed: list[tuple[tuple[dt.time, dt.time] | None, str, Markup]] = []
        for row in table.rows[1:]:
            if len(row.cells) < 2:
                diagnostics.append(f"{where}:{row.line}: dropped: table row without an action")
                continue
            times = parse_time_range(row.cells[0])
            if times is None:
                diagnostics.append(
                    f"{where}:{row.line}: warning: time {row.cells[0]!r} not "
                    "understood; printed as written"
                )
            parsed.append((times, row.cells[0], inline_html(" ".join(row.cells[1:]), repair, url)))
        steps = [AgendaStep(t[0], t[1], "") for t, _, _ in parsed if t]
        shifted = iter(shift_steps(steps, view.personalization.time))
        rows = []
        for times, raw, action in parsed:
            if times:
                step = next(shifted)
                label = view.digits(format_time_range(step.start, step.end, view.locale))
            else:
                label = raw
            rows.append(AgendaRow(label, view.expand_fields(action)))
        title = inline_html(table.heading, repair, url) if table.heading else Markup()
        return title, rows
