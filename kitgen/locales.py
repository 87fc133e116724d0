"""Countries and languages: codes, CLDR locales, direction, paper size and site URLs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from babel import Locale, UnknownLocaleError

from kitgen.content.files import load_yaml_mapping
from kitgen.errors import ContentError, InvalidRequest

PAPER_SIZES = {"letter": "letter", "a4": "A4"}


@dataclass(frozen=True)
class Language:
    code: str  # the site's code (la, po, cn…), not always ISO
    locale: Locale
    direction: str
    script: str

    @property
    def bcp47(self) -> str:
        """The tag for HTML ``lang`` and PDF /Lang, e.g. ``fr-FR``, ``zh-Hans-CN``.

        The print depends on it: HarfBuzz picks simplified or traditional Han forms from the
        script subtag (zh-Hans / zh-Hant), and WeasyPrint finds the hyphenation dictionary
        with ``pyphen.language_fallback`` (pt-BR → pt_BR, pt-PT → pt_PT, nb-NO → nb_NO).
        """
        parts = [self.locale.language, self.locale.script, self.locale.territory]
        return "-".join(p for p in parts if p)


@dataclass(frozen=True)
class Country:
    code: str
    territory: str
    languages: tuple[str, ...]
    paper: str
    region: str

    @property
    def default_language(self) -> str:
        return self.languages[0]


@dataclass(frozen=True)
class Catalog:
    """Every country and language kitgen knows, with the digest of the files they came from."""

    countries: dict[str, Country]
    languages: dict[str, Language]
    digest: str

    def country(self, code: str) -> Country:
        try:
            return self.countries[code]
        except KeyError:
            raise InvalidRequest("country", code, self.countries) from None

    def language(self, code: str) -> Language:
        try:
            return self.languages[code]
        except KeyError:
            raise InvalidRequest("language", code, self.languages) from None

    def country_name(self, country: Country, language: Language) -> str:
        return language.locale.territories.get(country.territory, country.code.upper())

    def language_name(self, language: Language, in_language: Language) -> str:
        name = language.locale.get_display_name(in_language.locale) or language.code
        # Titlecase, not uppercase: Georgian Mkhedruli titlecases to itself (no capitals).
        return name[:1].title() + name[1:] if in_language.locale.language != "en" else name


def load_catalog(content_dir: Path) -> Catalog:
    """Read languages.yaml and countries.yaml; a bad entry is a content error naming the file."""
    lang_path, country_path = content_dir / "languages.yaml", content_dir / "countries.yaml"
    raw_languages, lang_digest = load_yaml_mapping(lang_path)
    raw_countries, country_digest = load_yaml_mapping(country_path)
    languages: dict[str, Language] = {}
    for code, entry in raw_languages.items():
        try:
            locale = Locale.parse(entry["locale"])
        except (KeyError, TypeError, ValueError, UnknownLocaleError) as exc:
            raise ContentError(f"language {code!r}: bad or missing locale ({exc})",
                               lang_path, key=str(code)) from None
        languages[str(code)] = Language(str(code), locale, entry.get("direction", "ltr"),
                                        entry.get("script", "latin"))
    countries: dict[str, Country] = {}
    for code, entry in raw_countries.items():
        code = str(code)
        try:
            langs = tuple(str(x) for x in entry["languages"])
            paper = entry["paper"]
            country = Country(code, str(entry["territory"]), langs, paper, entry["region"])
        except (KeyError, TypeError) as exc:
            raise ContentError(f"country {code!r}: missing {exc}", country_path, key=code) from None
        unknown = [x for x in langs if x not in languages]
        if unknown or paper not in PAPER_SIZES or not langs:
            raise ContentError(f"country {code!r}: unknown language(s) {unknown} or paper "
                               f"{paper!r}", country_path, key=code)
        countries[code] = country
    return Catalog(countries, languages, lang_digest + country_digest)


def site_url(base: str, country: Country, language: Language, path: str) -> str:
    """Absolute link to a page of the site for a locale, as the site's resolve_url does.

    Links to code.org stay as they are; otherwise ``/<country>[/<language>]/<path>``, the
    language dropped when it is the country's default.
    """
    if "code.org" in path or path.startswith(("http://", "https://")):
        return path
    prefix = f"/{country.code}"
    if language.code != country.default_language:
        prefix += f"/{language.code}"
    path = "/" + path.lstrip("/")
    return base + prefix + quote(path if path != "/" else "", safe="/#?=&-._~%")
