"""Every country CLDR knows, as the campaign serves it: site code, languages, paper, region.

Territories, their names and their languages (with official status and population share)
come from CLDR through Babel. ``content/countries.yaml`` only overrides what the
hourofcode.com site does differently (its `la` for Latin America, a country's default
language, …). Babel does not ship CLDR's paper-size data; the Letter list below is CLDR's
(supplementalData.xml, paperSize) and A4 is everywhere else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from babel import Locale, localedata
from babel.core import get_global

from kitgen.locales import Language, site_language

#: CLDR paperSize "US-Letter" territories.
LETTER_TERRITORIES = frozenset(
    {"US", "CA", "MX", "CL", "CO", "VE", "PH", "GT", "SV", "CR", "PA", "DO", "PR", "BZ", "NI"}
)
#: Where hourofcode.com's country code is not the ISO code lowercased.
SITE_CODES = {"GB": "uk", "LA": "lao"}  # the site's `la` is Latin America
#: CLDR region codes that are not countries a kit is printed for.
NOT_COUNTRIES = frozenset({"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"})
_OFFICIAL = {"official": 0, "de_facto_official": 0, "official_regional": 1}
#: A language spoken by this share of a country without official status is offered too;
#: a regional official language needs at least REGIONAL_SHARE.
SPOKEN_SHARE = 25.0
REGIONAL_SHARE = 1.0
ENGLISH = ("en", "gb")


@dataclass(frozen=True)
class DerivedCountry:
    code: str
    territory: str
    languages: tuple[str, ...]
    paper: str
    region: str


def cldr_territories() -> list[str]:
    """Every territory CLDR names and knows languages for (ISO 3166 alpha-2, plus XK)."""
    names: Mapping[str, str] = Locale("en").territories
    spoken = get_global("territory_languages")
    return sorted(
        t
        for t in names
        if len(t) == 2 and t.isalpha() and t.isupper() and t not in NOT_COUNTRIES and t in spoken
    )


def _english_for(territory: str, languages: dict[str, Language]) -> str:
    """gb where the territory's English is British-based in CLDR (its en_XX locale falls back
    to en_001/en_150, not en_US), else en."""
    identifier = f"en_{territory}"
    if "gb" in languages and territory != "US" and localedata.exists(identifier):
        parent = get_global("parent_exceptions").get(identifier, "")
        if territory in ("GB", "IE") or parent in ("en_001", "en_150"):
            return "gb"
    return "en"


def territory_languages(territory: str, languages: dict[str, Language]) -> tuple[str, ...]:
    """Site languages of a territory: official ones first (by population share), then ones
    widely spoken there; English is always offered."""
    spoken = get_global("territory_languages").get(territory, {})
    ranked = sorted(
        spoken.items(),
        key=lambda item: (
            _OFFICIAL.get(item[1].get("official_status") or "", 2),
            -(item[1].get("population_percent") or 0.0),
        ),
    )
    found: list[str] = []
    for tag, info in ranked:
        rank = _OFFICIAL.get(info.get("official_status") or "", 2)
        share = info.get("population_percent") or 0.0
        if (rank == 2 and share < SPOKEN_SHARE) or (rank == 1 and share < REGIONAL_SHARE):
            continue
        language, _, script = tag.partition("_")
        if language == "af":  # Afrikaans: the site's `af` is Dari
            continue
        code = (
            _english_for(territory, languages)
            if language == "en"
            else site_language(languages, language, script or None, territory)
        )
        if code and code not in found:
            found.append(code)
    english = _english_for(territory, languages)
    if not any(code in ("en", "gb") for code in found):
        found.append(english)
    return tuple(found)


def derive_countries(languages: dict[str, Language]) -> dict[str, DerivedCountry]:
    countries = {}
    for territory in cldr_territories():
        code = SITE_CODES.get(territory, territory.lower())
        countries[code] = DerivedCountry(
            code,
            territory,
            territory_languages(territory, languages),
            "letter" if territory in LETTER_TERRITORIES else "a4",
            "us" if territory == "US" else "nonus",
        )
    return countries


def merge_languages(site: tuple[str, ...], derived: tuple[str, ...]) -> tuple[str, ...]:
    """The site's own languages in its order (its first is the default), then CLDR's others;
    one English only (the site's en or gb when it names one)."""
    merged = list(site)
    has_english = any(code in ENGLISH for code in site)
    for code in derived:
        if code in merged or (has_english and code in ENGLISH):
            continue
        merged.append(code)
    return tuple(merged)
