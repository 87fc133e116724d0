"""Every country CLDR knows, and kits formatted in the locale of the (language, country) pair."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from babel import Locale

from kitgen.errors import InvalidRequest
from kitgen.locales import load_catalog, native_digits, pair_locale
from kitgen.models import KitRequest
from kitgen.settings import Settings
from tests.kits import build, stored_pdf
from tests.pdfcheck import read_pdf, squash

CATALOG = load_catalog(Settings().content_dir)
#: Every continent, small and large, Letter and A4, with and without a translated language.
SAMPLE = [
    "bd",
    "zw",
    "at",
    "th",
    "np",
    "ng",
    "vn",
    "pk",
    "nz",
    "za",
    "ke",
    "eg",
    "ma",
    "gh",
    "et",
    "br",
    "ar",
    "cl",
    "pe",
    "mx",
    "ca",
    "us",
    "fr",
    "pl",
    "ru",
    "jp",
    "kr",
    "in",
    "id",
    "au",
    "fj",
    "is",
    "tr",
    "sa",
    "mn",
    "la",
    "uk",
]


@pytest.fixture(scope="module")
def kit_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return replace(Settings(), store_dir=tmp_path_factory.mktemp("store"))


def test_every_cldr_territory_is_a_country_with_what_a_kit_needs():
    from kitgen.countries import cldr_territories

    territories = cldr_territories()
    assert len(territories) >= 245
    by_territory = {c.territory: c for c in CATALOG.countries.values()}
    french = Locale.parse("fr_FR")
    for territory in territories:
        country = by_territory[territory]
        assert CATALOG.country_name(country, Locale.parse("en")) != country.code.upper()
        assert french.territories.get(territory)
        assert country.languages and all(x in CATALOG.languages for x in country.languages)
        assert any(x in ("en", "gb") for x in country.languages), country  # always offered
        assert country.paper in ("letter", "a4") and country.region in ("us", "nonus")
    assert by_territory["GB"].code == "uk" and CATALOG.countries["la"].territory == "419"


@pytest.mark.parametrize(
    ("code", "languages", "paper"),
    [
        ("us", ("en", "la"), "letter"),
        ("mx", ("la", "en"), "letter"),
        ("ph", ("en", "ph"), None),
        ("at", ("de",), "a4"),
        ("ch", ("de", "fr", "it"), "a4"),
        ("eg", ("ar", "en"), "a4"),
        ("hk", ("zh",), "a4"),
        ("af", ("af",), "a4"),
        ("ao", ("po",), "a4"),
        ("br", ("pt",), "a4"),
        ("in", ("en", "hi"), "a4"),
        ("be", ("fr", "nl"), "a4"),
        ("bd", ("en",), "a4"),
    ],
)
def test_languages_come_from_cldr_with_the_sites_codes(code, languages, paper):
    country = CATALOG.countries[code]
    assert country.languages[: len(languages)] == languages
    if paper:
        assert country.paper == paper


@pytest.mark.parametrize("country", SAMPLE)
def test_a_kit_builds_for_countries_on_every_continent(kit_settings: Settings, country: str):
    language = CATALOG.countries[country].default_language
    result = build(kit_settings, KitRequest(country, language, campaign="2026", kinds=("agenda",)))
    facts = read_pdf(stored_pdf(kit_settings, result))
    assert facts.pages == 1
    paper = (612.0, 792.0) if CATALOG.countries[country].paper == "letter" else (595.28, 841.89)
    assert abs(facts.size[0] - paper[0]) < 1 and abs(facts.size[1] - paper[1]) < 1


def test_an_unsupported_language_is_refused_by_name_and_english_is_served(kit_settings):
    with pytest.raises(InvalidRequest, match=r"Bangla \(bn\) is not one of the campaign's"):
        build(kit_settings, KitRequest("bd", "bn", kinds=("agenda",)))
    assert build(kit_settings, KitRequest("bd", "en", kinds=("agenda",))).documents


@pytest.mark.parametrize(
    ("country", "language", "lang", "needles"),
    [
        ("ca", "fr", "fr-CA", ["10 h 00", "7–13 décembre 2026"]),
        ("ch", "de", "de-CH", ["10:00", "7.–13. Dezember 2026"]),
        ("in", "en", "en-IN", ["7–13 December 2026", "10:00 – 10:05 AM"]),
        ("eg", "ar", "ar-EG", ["١", "٠", "٢"]),  # digits only: extraction reorders RTL runs
        ("mx", "la", "es-MX", ["7–13 de diciembre de 2026", "10:00–10:05 a.m."]),
        ("pt", "po", "pt-PT", ["7–13 de dezembro de 2026", "10:00 – 10:05"]),
        ("hk", "zh", "zh-Hant-HK", ["2026年12月7日至13日", "上午10:00"]),
    ],
)
def test_the_agenda_is_in_the_pairs_locale(kit_settings, country, language, lang, needles):
    result = build(kit_settings, KitRequest(country, language, campaign="2026", kinds=("agenda",)))
    facts = read_pdf(stored_pdf(kit_settings, result))
    assert facts.lang == lang
    text = squash(facts.text)
    for needle in needles:
        assert needle in text, (needle, text[:400])
    if lang == "ar-EG":
        assert not any(c.isascii() and c.isdigit() for c in text), text


def test_native_digits_follow_cldr_and_latin_stays_latin():
    assert native_digits("7–13, 2026", Locale.parse("ar_EG")) == "٧–١٣, ٢٠٢٦"
    assert native_digits("2026", Locale.parse("fa_IR")) == "۲۰۲۶"
    assert native_digits("2026", Locale.parse("mr_IN")) == "२०२६"
    assert native_digits("2026", Locale.parse("ar_MA")) == "2026"  # CLDR: latn in Morocco
    assert native_digits("2026", Locale.parse("hi_IN")) == "2026"


def test_a_hong_kong_kit_names_its_language_without_taiwan(kit_settings):
    locale = pair_locale(CATALOG.language("zh"), "HK")
    name = CATALOG.printed_language_name(CATALOG.language("zh"), locale)
    assert "台灣" not in name and "臺灣" not in name and "中文" in name
    result = build(kit_settings, KitRequest("hk", "zh", campaign="2026", kinds=("agenda",)))
    assert "台灣" not in result.manifest.documents[0].title
    path = Path(kit_settings.store_dir)
    assert path.exists()
