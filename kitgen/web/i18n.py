"""The web pages in the visitor's language: negotiation, the page catalog, gettext.

The pages' own text is a gettext catalog like the documents' (``translations/<lang>/web.po``,
extracted from the templates and the web code by ``kitgen translations update``), with the
same states and policy: drafts show by default, an entry missing or invalid shows English.

The language comes from, in order: ``?lang=`` (the picker), the ``kitgen_lang`` cookie it
sets, then Accept-Language matched by language *and* region to the site's codes
(zh-HK → zh, zh-CN → cn, es-MX/es-419 → la, pt-PT → po, en-GB → gb, fa-AF → af, …).
"""

from __future__ import annotations

import re
from pathlib import Path

from kitgen.locales import Catalog, Language, site_language
from kitgen.translations.catalogs import WEB_CATALOG, EntryState, catalog_path, load_web_catalog
from kitgen.translations.policy import TranslationPolicy
from kitgen.uitext import N_, WebTranslations, _, gettext, translating

__all__ = [
    "COOKIE",
    "N_",
    "WebTranslations",
    "_",
    "browser_country",
    "gettext",
    "load_translations",
    "negotiate",
    "site_language",
    "translating",
]

COOKIE = "kitgen_lang"
_TAG = re.compile(r"^([a-zA-Z]{2,3})(?:[-_]([a-zA-Z]{4}))?(?:[-_]([a-zA-Z]{2}|\d{3}))?")


def load_translations(
    content_dir: Path, language: Language, policy: TranslationPolicy
) -> WebTranslations:
    path = catalog_path(content_dir, language.code, WEB_CATALOG)
    if not path.exists():
        return WebTranslations(language, {})
    catalog = load_web_catalog(path)[0]
    usable = {EntryState.REVIEWED} | (
        {EntryState.DRAFT} if policy is TranslationPolicy.DRAFT else set()
    )
    return WebTranslations(
        language,
        {
            msgid: entry.translation
            for msgid, entry in catalog.entries.items()
            if entry.state in usable
        },
    )


def _parse_tags(header: str | None) -> list[tuple[str, str | None, str | None]]:
    """Accept-Language as (language, script, region) in preference order."""
    weighted = []
    for position, part in enumerate((header or "").split(",")):
        tag, _, params = part.strip().partition(";")
        match = _TAG.match(tag.strip())
        if not match:
            continue
        quality = 1.0
        found = re.search(r"q=([0-9.]+)", params)
        if found:
            try:
                quality = float(found[1])
            except ValueError:
                quality = 0.0
        if quality <= 0:
            continue
        language, script, region = match.groups()
        weighted.append(
            (
                -quality,
                position,
                (
                    language.lower(),
                    script.title() if script else None,
                    region.upper() if region else None,
                ),
            )
        )
    return [tag for *_, tag in sorted(weighted)]


def negotiate(catalog: Catalog, accept_language: str | None) -> str:
    """The site language that best matches the browser's preferences; English else."""
    for language, script, region in _parse_tags(accept_language):
        found = site_language(catalog, language, script, region)
        if found:
            return found
    return "en"


def browser_country(catalog: Catalog, accept_language: str | None) -> str:
    """The country of the browser's first language tag with a region (GB → uk), or ''."""
    by_territory = {c.territory: code for code, c in catalog.countries.items()}
    for _language, _script, region in _parse_tags(accept_language):
        if region and region in by_territory:
            return by_territory[region]
    return ""
