import pytest

from kitgen.errors import InvalidRequest
from kitgen.locales import load_catalog, site_url
from kitgen.settings import Settings

BASE = "https://hourofcode.com"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(Settings().content_dir)


def test_default_language_is_dropped_from_links(catalog):
    fr, us = catalog.country("fr"), catalog.country("us")
    assert (
        site_url(BASE, fr, catalog.language("fr"), "/promote/stats") == f"{BASE}/fr/promote/stats"
    )
    assert (
        site_url(BASE, us, catalog.language("es"), "promote/stats") == f"{BASE}/us/es/promote/stats"
    )
    assert site_url(BASE, catalog.country("ca"), catalog.language("fr"), "/") == f"{BASE}/ca/fr"


def test_code_org_links_are_kept(catalog):
    url = "https://code.org/promote"
    assert site_url(BASE, catalog.country("fr"), catalog.language("fr"), url) == url


def test_country_names_are_localized(catalog):
    us, fr = catalog.country("us"), catalog.country("fr")
    assert catalog.country_name(us, catalog.language("fr")) == "États-Unis"
    assert catalog.country_name(fr, catalog.language("en")) == "France"
    assert catalog.country_name(catalog.country("la"), catalog.language("en")) == "Latin America"


def test_every_supported_language_has_a_cldr_locale(catalog):
    assert len(catalog.languages) == 57
    assert catalog.language("ar").direction == "rtl"
    assert catalog.language("cn").bcp47 == "zh-Hans-CN"


def test_paper_sizes(catalog):
    assert catalog.country("us").paper == "letter"
    assert catalog.country("fr").paper == "a4"


def test_unknown_country_and_language_list_choices(catalog):
    with pytest.raises(InvalidRequest, match="unknown country 'zz'; valid choices: .*fr"):
        catalog.country("zz")
    with pytest.raises(InvalidRequest, match="unknown language 'xx'; valid choices: .*en"):
        catalog.language("xx")
