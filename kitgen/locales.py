"""Countries and languages: codes, CLDR locales, direction, paper size and site URLs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from babel import Locale, UnknownLocaleError, localedata

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
        return bcp47(self.locale)


def bcp47(locale: Locale) -> str:
    """``fr-CA``, ``zh-Hant-HK``: the tag for HTML ``lang`` and PDF ``/Lang``."""
    return "-".join(p for p in (locale.language, locale.script, locale.territory) if p)


def pair_locale(language: Language, territory: str) -> Locale:
    """The CLDR locale of a (language, country) pair when CLDR has one (fr-CA, de-CH, en-IN,
    es-AR, ar-EG, zh-Hant-HK …), else the language's own default locale."""
    base = language.locale
    parts = [base.language, base.script, territory] if base.script else [base.language, territory]
    identifier = "_".join(p for p in parts if p)
    if territory and identifier != str(base) and localedata.exists(identifier):
        return Locale.parse(identifier)
    return base


#: The digits of CLDR's native numbering systems: Babel knows which system a locale uses
#: (``Locale.default_numbering_system``) but formats dates and times with Latin digits only.
_ZEROS = {
    "arab": 0x0660,
    "arabext": 0x06F0,
    "beng": 0x09E6,
    "deva": 0x0966,
    "gujr": 0x0AE6,
    "guru": 0x0A66,
    "khmr": 0x17E0,
    "knda": 0x0CE6,
    "laoo": 0x0ED0,
    "mlym": 0x0D66,
    "mymr": 0x1040,
    "orya": 0x0B66,
    "tamldec": 0x0BE6,
    "telu": 0x0C66,
    "thai": 0x0E50,
    "tibt": 0x0F20,
}
#: CSS counter styles (WeasyPrint's predefined ones) for page numbers in those systems.
COUNTER_STYLES = {
    "arab": "arabic-indic",
    "arabext": "persian",
    "beng": "bengali",
    "deva": "devanagari",
    "gujr": "gujarati",
    "guru": "gurmukhi",
    "khmr": "khmer",
    "knda": "kannada",
    "laoo": "lao",
    "mlym": "malayalam",
    "mymr": "myanmar",
    "orya": "oriya",
    "tamldec": "tamil",
    "telu": "telugu",
    "thai": "thai",
    "tibt": "tibetan",
}


def native_digits(text: str, locale: Locale) -> str:
    """``text`` with ASCII digits in the locale's default numbering system (٧–١٣ in ar-EG)."""
    zero = _ZEROS.get(locale.default_numbering_system or "latn")
    if zero is None:
        return text
    return text.translate({ord("0") + n: zero + n for n in range(10)})


def counter_style(locale: Locale) -> str:
    return COUNTER_STYLES.get(locale.default_numbering_system or "latn", "decimal")


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
            from kitgen.suggest import suggest_country

            raise InvalidRequest(
                "country", code, self.countries, suggestion=suggest_country(self, code)
            ) from None

    def language(self, code: str) -> Language:
        try:
            return self.languages[code]
        except KeyError:
            from kitgen.suggest import suggest_language

            raise InvalidRequest(
                "language",
                code,
                self.languages,
                reason=_unsupported(code),
                suggestion=suggest_language(self, code),
            ) from None

    def country_name(self, country: Country, language: Language | Locale) -> str:
        locale = language.locale if isinstance(language, Language) else language
        return str(locale.territories.get(country.territory, country.code.upper()))

    def language_name(self, language: Language, in_language: Language) -> str:
        """The site language's name with its variant (for lists: "español (México)")."""
        name = language.locale.get_display_name(in_language.locale) or language.code
        return _capitalized(name, in_language.locale)

    def list_name(self, language: Language, in_locale: Locale) -> str:
        """The language as a list of the site's languages names it: the language alone, with
        its variant only where the site has two of it ("español (Latinoamérica)" and
        "español (España)", "中文 (简体)", "English (United Kingdom)"; Dari for ``af``)."""
        base = language.locale
        siblings = [x for x in self.languages.values() if x.locale.language == base.language]
        if len(siblings) < 2:
            return self.printed_language_name(language, in_locale)
        if language.code == "af":
            dari = in_locale.languages.get("prs")
            if dari:
                return _capitalized(dari, in_locale)
        variant = (
            Locale(base.language, script=base.script)
            if base.script
            else Locale(base.language, territory="419" if language.code == "la" else base.territory)
        )
        return _capitalized(variant.get_display_name(in_locale) or language.code, in_locale)

    def printed_language_name(self, language: Language, in_locale: Locale) -> str:
        """The language as a kit names it: the language (and script), never a country's
        variant, so a Hong Kong kit in Traditional Chinese does not say "Taiwan"."""
        base = Locale(language.locale.language, script=language.locale.script)
        return _capitalized(base.get_display_name(in_locale) or language.code, in_locale)


def _unsupported(code: str) -> str | None:
    """ "Bengali (bn) is not …" when the code is a real language the campaign lacks."""
    try:
        name = Locale.parse(code).get_display_name("en") if code.isalpha() else None
    except (ValueError, UnknownLocaleError):
        name = None
    if not name:
        return None
    return (
        f"{name} ({code}) is not one of the campaign's languages yet (no translation of "
        "the kit exists)"
    )


def _capitalized(name: str, locale: Locale) -> str:
    # Titlecase, not uppercase: Georgian Mkhedruli titlecases to itself (no capitals).
    return name[:1].title() + name[1:] if locale.language != "en" else name


#: Where a language tag alone is ambiguous between two site codes, the one it means.
_PLAIN = {"es": "es", "pt": "pt", "zh": "cn", "en": "en", "fa": "fa"}
_BRITISH = {"GB", "IE", "GG", "JE", "IM", "GI"}


def _latin_american(region: str) -> bool:
    """Spanish of the Americas: CLDR's es_XX falls back to es_419 there (es_MX, es_AR, es_US)."""
    from babel.core import get_global

    return region == "419" or get_global("parent_exceptions").get(f"es_{region}") == "es_419"


def site_language(
    catalog: Catalog | dict[str, Language], language: str, script: str | None, region: str | None
) -> str | None:
    """The site's code for a BCP 47 language, by language then script and region."""
    languages = catalog.languages if isinstance(catalog, Catalog) else catalog
    candidates = [
        code
        for code, lang in languages.items()
        if lang.locale.language == language
        or (language in ("no", "nb") and lang.locale.language in ("no", "nb"))
    ]
    if not candidates:
        if language in ("tl", "fil"):
            return "ph" if "ph" in languages else None
        return None
    if len(candidates) == 1:
        return candidates[0]

    def pick(code: str) -> str | None:
        return code if code in candidates else None

    if language == "zh":
        traditional = script == "Hant" or (script is None and region in ("TW", "HK", "MO"))
        return pick("zh" if traditional else "cn") or candidates[0]
    if language == "es" and region:
        return pick("la" if _latin_american(region) else "es") or candidates[0]
    if language == "pt" and region:
        return pick("pt" if region == "BR" else "po") or candidates[0]
    if language == "en" and region:
        return pick("gb" if region in _BRITISH else "en") or candidates[0]
    if language == "fa" and region:
        return pick("af" if region == "AF" else "fa") or candidates[0]
    return pick(_PLAIN.get(language, "")) or candidates[0]


#: Catalogs by the digest of their two files: deriving every CLDR country takes milliseconds,
#: and the catalog is read on every request and every kit.
_catalogs: dict[str, Catalog] = {}


def load_catalog(content_dir: Path) -> Catalog:
    """Read languages.yaml and countries.yaml; a bad entry is a content error naming the file.
    Made again only when either file changes."""
    lang_path, country_path = content_dir / "languages.yaml", content_dir / "countries.yaml"
    raw_languages, lang_digest = load_yaml_mapping(lang_path)
    raw_countries, country_digest = load_yaml_mapping(country_path)
    found = _catalogs.get(lang_digest + country_digest)
    if found is not None:
        return found
    languages: dict[str, Language] = {}
    for code, entry in raw_languages.items():
        try:
            locale = Locale.parse(entry["locale"])
        except (KeyError, TypeError, ValueError, UnknownLocaleError) as exc:
            raise ContentError(
                f"language {code!r}: bad or missing locale ({exc})", lang_path, key=str(code)
            ) from None
        languages[str(code)] = Language(
            str(code), locale, entry.get("direction", "ltr"), entry.get("script", "latin")
        )
    countries = _countries(raw_countries, languages, country_path)
    catalog = _catalogs[lang_digest + country_digest] = Catalog(
        countries, languages, lang_digest + country_digest
    )
    return catalog


def _countries(
    overrides: dict[Any, Any], languages: dict[str, Language], path: Path
) -> dict[str, Country]:
    """CLDR's territories (kitgen.countries) with the site's overrides applied; an override
    for a code CLDR does not know (``la``) must give every field."""
    from kitgen.countries import derive_countries, merge_languages

    derived = derive_countries(languages)
    countries: dict[str, Country] = {
        code: Country(code, d.territory, d.languages, d.paper, d.region)
        for code, d in derived.items()
    }
    for code, entry in overrides.items():
        code = str(code)
        base = derived.get(code)
        if not isinstance(entry, dict):
            raise ContentError(f"country {code!r}: expected a mapping", path, key=code)
        try:
            site = tuple(str(x) for x in entry.get("languages", ()))
            country = Country(
                code,
                str(entry.get("territory") or (base.territory if base else entry["territory"])),
                merge_languages(site, base.languages) if base else site,
                entry.get("paper") or (base.paper if base else entry["paper"]),
                entry.get("region") or (base.region if base else entry["region"]),
            )
        except KeyError as exc:
            raise ContentError(
                f"country {code!r}: not a CLDR territory, so it needs {exc}", path, key=code
            ) from None
        unknown = [x for x in country.languages if x not in languages]
        if unknown or country.paper not in PAPER_SIZES or not country.languages:
            raise ContentError(
                f"country {code!r}: unknown language(s) {unknown} or paper {country.paper!r}",
                path,
                key=code,
            )
        countries[code] = country
    return dict(sorted(countries.items()))


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
