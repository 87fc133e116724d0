"""Composing a document's page HTML: content + locale + brand + QR code in a kind's template."""

from __future__ import annotations

from dataclasses import dataclass

from kitgen import __version__
from kitgen.brand import Brand
from kitgen.content.agenda import AgendaStep, format_time_range, shift_steps
from kitgen.content.render import LocaleView, RenderedContent
from kitgen.locales import PAPER_SIZES, counter_style
from kitgen.qr import qr_data_uri
from kitgen.templating import PageTemplates


@dataclass(frozen=True)
class AgendaRow:
    time: str
    action: str  # plain text, or Markup from a legacy page's table cell


def agenda_rows(steps: list[AgendaStep], view: LocaleView) -> list[AgendaRow]:
    """The run of show for the page: shifted to the organizer's start time, localized."""
    return [
        AgendaRow(view.digits(format_time_range(s.start, s.end, view.locale)), view.t(s.action_key))
        for s in shift_steps(steps, view.personalization.time)
    ]


def compose_page(
    templates: PageTemplates,
    content: RenderedContent,
    view: LocaleView,
    brand: Brand,
    *,
    print_ready: bool,
    agenda: list[AgendaRow],
    brand_href: str,
    partly_english: bool = False,
    fit: int = 0,
) -> str:
    """The HTML of one document, ready for the PDF engine.

    ``partly_english``: some segments printed in English (each marked ``lang="en"``); the
    page says so under the masthead, as it does when the whole text is English.
    ``fit``: how much tighter to set the page (0 = as designed; page budgets: kitgen.kinds).
    """
    fell_back = content.content_language != view.language.code
    kit = {
        "lang": view.bcp47,
        "content_lang": "en" if fell_back else view.bcp47,
        "counter_style": counter_style(view.locale),
        "dir": view.language.direction,
        "content_dir": "ltr" if fell_back else view.language.direction,
        "script": view.language.script,
        "paper": PAPER_SIZES[view.country.paper],
        "print_ready": print_ready,
        "country_name": view.country_name,
        "language_name": view.language_name,
        "title": view.t("kit.title"),
        "campaign_label": view.t("kit.campaign", year=view.digits(view.campaign.year)),
        "dates": view.date("full-year"),
        "kind_label": view.t(f"kind.{content.kind}"),
        "version": __version__,
        "fit": fit,
    }
    context = {
        "kit": kit,
        "doc": content,
        "brand": brand,
        "logo": brand_href,
        "t": view.t,
        "field": view.field_html,
        "qr": qr_data_uri(content.cta_url) if content.cta_url else None,
        "fallback_notice": _fallback_notice(view, fell_back, partly_english),
        "agenda": agenda,
        "brand_css": brand.css_variables(),
    }
    return templates.render(content.kind, context)


def _fallback_notice(view: LocaleView, fell_back: bool, partly_english: bool) -> str | None:
    if fell_back:
        return view.t("fallback.notice", language=view.language_name)
    if partly_english:
        return view.t("fallback.partial", language=view.language_name)
    return None
