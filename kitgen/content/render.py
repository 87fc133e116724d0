"""Resolving a document's dynamic parts for one locale: sandboxed Jinja2, then Markdown.

Content is Markdown whose expressions (``t``, ``date``, ``url``, ``field`` …) run in a sandboxed,
autoescaping Jinja2 environment with StrictUndefined. Personalised values never pass through
Markdown: ``field()`` leaves a token that is replaced by escaped HTML after conversion.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date, format_time
from jinja2 import StrictUndefined, Template, TemplateError, TemplateSyntaxError
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup

from kitgen import markers
from kitgen.campaign_dates import Campaign
from kitgen.content.documents import SourceDocument
from kitgen.content.strings import Strings
from kitgen.errors import ContentError
from kitgen.locales import Catalog, Country, Language, bcp47, native_digits, pair_locale, site_url
from kitgen.markup import markdown_to_html
from kitgen.models import FIELD_LIMITS, Personalization
from kitgen.templating import template_frame

_FIELD_TOKEN = markers.FIELD_TOKEN
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
_TEMPLATE_NAME = "<template>"


@dataclass
class LocaleView:
    """Everything dynamic a document may print, for one request; collects what fell back."""

    catalog: Catalog
    country: Country
    language: Language
    campaign: Campaign
    strings: Strings
    personalization: Personalization
    site: str
    fallbacks: set[str] = field(default_factory=set)
    field_uses: dict[str, int] = field(default_factory=dict)  # form field names given out

    @property
    def locale(self) -> Locale:
        """The CLDR locale of the (language, country) pair: dates, times, names, ``lang``."""
        return pair_locale(self.language, self.country.territory)

    @property
    def bcp47(self) -> str:
        return bcp47(self.locale)

    @property
    def country_name(self) -> str:
        return self.catalog.country_name(self.country, self.locale)

    @property
    def language_name(self) -> str:
        return self.catalog.printed_language_name(self.language, self.locale)

    def digits(self, text: str) -> str:
        """Computed numbers (dates, times) in the locale's own digits."""
        return native_digits(text, self.locale)

    def t(self, key: str, **params: Any) -> str:
        text, fell_back = self.strings.lookup(key)
        if fell_back:
            self.fallbacks.add(f"string:{key}")
        return _PLACEHOLDER.sub(lambda m: str(params.get(m[1], m[0])), text)

    def date(self, fmt: str = "full") -> str:
        return self.digits(self.campaign.format(fmt, self.locale))

    def url(self, path: str) -> str:
        return site_url(self.site, self.country, self.language, path)

    def field_token(self, name: str) -> Markup:
        if name not in FIELD_LIMITS:
            raise ContentError(
                f"unknown field {name!r}; fields: {', '.join(FIELD_LIMITS)}", key=name
            )
        return Markup(markers.FIELD.format(name))

    def field_value(self, name: str) -> str:
        """The personalised value as printed (dates and times in the locale's format)."""
        p, locale = self.personalization, self.locale
        if name == "event_date" and p.date:
            return self.digits(format_date(p.date, "long", locale=locale))
        if name == "start_time" and p.time:
            return self.digits(format_time(p.time, "short", locale=locale))
        return str(getattr(p, name))

    def field_html(self, name: str) -> Markup:
        """A filled-in value, or a blank line with its label: what ``field()`` prints."""
        value = self.field_value(name)
        if value:
            # dir=auto + isolate (base.css): a value in another script never reorders the
            # sentence around it.
            return Markup('<span class="filled" data-field="{}" dir="auto">{}</span>').format(
                name, value
            )
        label = self.t(f"field.{name}")
        if self.personalization.to_dict():  # a personalised kit: blanks stay printed lines
            return Markup(
                '<span class="blank" data-field="{}"><span class="blank-line"></span>'
                '<span class="blank-label">{}</span></span>'
            ).format(name, label)
        # An unpersonalised kit is fillable: each blank is a PDF form field (WeasyPrint's
        # pdf_forms), drawn as the same line; its tooltip (/TU) is the label in the kit's
        # language; a field printed twice gets a second name (AcroForm names are unique).
        uses = self.field_uses[name] = self.field_uses.get(name, 0) + 1
        field_name = name if uses == 1 else f"{name}_{uses}"
        return Markup(
            '<span class="blank" data-field="{}"><input class="blank-line" '
            'type="text" name="{}" title="{}" maxlength="{}">'
            '<span class="blank-label" aria-hidden="true">{}</span></span>'
        ).format(name, field_name, label, FIELD_LIMITS[name], label)

    def expand_fields(self, html: str) -> Markup:
        return Markup(_FIELD_TOKEN.sub(lambda m: str(self.field_html(m[1])), html))

    def jinja_globals(self) -> dict[str, Any]:
        return {
            "t": self.t,
            "date": self.date,
            "url": self.url,
            "field": self.field_token,
            "country": self.country_name,
            "language": self.language_name,
            "country_code": self.country.code,
            "language_code": self.language.code,
            "year": self.digits(self.campaign.year),
        }


@dataclass(frozen=True)
class RenderedContent:
    """A document resolved for a locale: title, body HTML and its call to action."""

    kind: str
    title: Markup
    subtitle: Markup | None
    body: Markup
    content_language: str
    cta_url: str | None
    cta_label: str | None


class ContentRenderer:
    """Turns :class:`SourceDocument` into :class:`RenderedContent`; compiled templates are kept."""

    def __init__(self) -> None:
        self.env = SandboxedEnvironment(
            autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True
        )
        self._compiled: dict[str, Template] = {}

    def _compile(self, text: str, path: Path, first_line: int) -> Template:
        template = self._compiled.get(text)
        if template is None:
            try:
                template = self.env.from_string(text)
            except TemplateSyntaxError as exc:
                raise ContentError(
                    f"template syntax error: {exc.message}",
                    path,
                    first_line + (exc.lineno or 1) - 1,
                ) from None
            if len(self._compiled) > 512:
                self._compiled.clear()
            self._compiled[text] = template
        return template

    def expand(self, text: str, view: LocaleView, path: Path, first_line: int) -> Markup:
        """Resolve the expressions of ``text``; any failure names file:line and the key."""
        template = self._compile(text, path, first_line)
        try:
            return Markup(template.render(**view.jinja_globals()))
        except ContentError as exc:
            line = _template_line(exc)
            raise ContentError(
                exc.detail, path, first_line + line - 1 if line else None, exc.key
            ) from None
        except (TemplateError, TypeError, ValueError) as exc:
            line = _template_line(exc)
            raise ContentError(
                f"{type(exc).__name__}: {exc}", path, first_line + line - 1 if line else None
            ) from None

    def render(self, source: SourceDocument, view: LocaleView) -> RenderedContent:
        meta = source.meta

        def meta_text(key: str) -> Markup | None:
            if not meta.get(key):
                return None
            return self.expand(str(meta[key]), view, source.path, source.meta_lines.get(key, 2))

        title = meta_text("title") or Markup()
        body = self.expand(source.body, view, source.path, source.body_line)
        html = view.expand_fields(markdown_to_html(body))
        cta = meta.get("cta")
        cta_label = view.t(str(meta.get("cta_label", "cta.resources"))) if cta else None
        return RenderedContent(
            source.kind,
            title,
            meta_text("subtitle"),
            html,
            source.language,
            view.url(str(cta)) if cta else None,
            cta_label,
        )


def _template_line(exc: BaseException) -> int | None:
    found = template_frame(exc, lambda name: name == _TEMPLATE_NAME)
    return found[1] if found else None
