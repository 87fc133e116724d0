""" "Did you mean": the country or language somebody meant when they typed a name, a locale
tag or a near miss instead of kitgen's code (``france`` → ``fr``, ``fr-FR`` → ``fr``)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

from babel import Locale, UnknownLocaleError

from kitgen.locales import Catalog, site_language


def suggest_country(catalog: Catalog, typed: str) -> str | None:
    text = typed.strip().replace("_", "-")
    if "-" in text:  # a locale tag: its region
        region = text.rsplit("-", 1)[1].lower()
        if region in catalog.countries:
            return region
    names = _country_names(catalog)
    return _closest(text, names, catalog.countries)


def suggest_language(catalog: Catalog, typed: str) -> str | None:
    text = typed.strip().replace("_", "-")
    try:
        locale = Locale.parse(text, sep="-")
    except (ValueError, UnknownLocaleError, TypeError):
        locale = None
    if locale is not None:
        found = site_language(catalog, locale.language, locale.script, locale.territory)
        if found:
            return found
    return _closest(text, _language_names(catalog), catalog.languages)


def _closest(text: str, names: dict[str, str], codes: Iterable[str]) -> str | None:
    key = text.casefold()
    if key in names:
        return names[key]
    close = difflib.get_close_matches(key, [*names, *codes], n=1, cutoff=0.75)
    if not close:
        return None
    return names.get(close[0], close[0])


_NAMES: dict[tuple[str, str], dict[str, str]] = {}  # (what, catalog digest) → name → code


def _country_names(catalog: Catalog) -> dict[str, str]:
    found = _NAMES.get(("country", catalog.digest))
    if found is not None:
        return found
    names: dict[str, str] = {}
    english = Locale("en")
    for code, country in catalog.countries.items():
        for locale in [
            english,
            *(catalog.languages[x].locale for x in country.languages if x in catalog.languages),
        ]:
            name = locale.territories.get(country.territory)
            if name:
                names.setdefault(name.casefold(), code)
    _NAMES[("country", catalog.digest)] = names
    return names


def _language_names(catalog: Catalog) -> dict[str, str]:
    found = _NAMES.get(("language", catalog.digest))
    if found is not None:
        return found
    names: dict[str, str] = {}
    # "Spanish" is es, not la (Latin-American Spanish): plain codes claim plain names first.
    plain_first = sorted(catalog.languages.items(), key=lambda kv: kv[0] != kv[1].locale.language)
    for code, language in plain_first:
        for shown in (
            language.locale.get_display_name("en"),
            language.locale.get_language_name("en"),
            language.locale.get_display_name(language.locale),
            language.locale.get_language_name(language.locale),
        ):
            if shown:
                names.setdefault(shown.casefold(), code)
    _NAMES[("language", catalog.digest)] = names
    return names
