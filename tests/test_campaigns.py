import datetime as dt

import pytest
from babel import Locale

from kitgen.campaign_dates import Campaign, load_campaigns
from kitgen.errors import InvalidRequest
from kitgen.settings import Settings

WEEK = Campaign("2026", dt.date(2026, 12, 7), dt.date(2026, 12, 13))
ACROSS_MONTH = Campaign("x", dt.date(2026, 11, 30), dt.date(2026, 12, 6))
ACROSS_YEAR = Campaign("y", dt.date(2026, 12, 28), dt.date(2027, 1, 3))


def formats(campaign: Campaign, locale: str) -> dict[str, str]:
    loc = Locale.parse(locale)
    fmts = ("start-short", "start-long", "short", "full", "year", "full-year")
    return {f: campaign.format(f, loc).replace("\u2009", " ") for f in fmts}


def test_six_legacy_formats_in_english():
    assert formats(WEEK, "en_US") == {
        "start-short": "Dec 7",
        "start-long": "December 7",
        "short": "Dec 7 – 13",
        "full": "December 7 – 13",
        "year": "2026",
        "full-year": "December 7 – 13, 2026",
    }


def test_six_legacy_formats_in_french():
    assert formats(WEEK, "fr_FR") == {
        "start-short": "7 déc.",
        "start-long": "7 décembre",
        "short": "7–13 déc.",
        "full": "7–13 décembre",
        "year": "2026",
        "full-year": "7–13 décembre 2026",
    }


def test_range_across_a_month():
    assert formats(ACROSS_MONTH, "en_US")["full"] == "November 30 – December 6"
    assert formats(ACROSS_MONTH, "fr_FR")["short"] == "30 nov. – 6 déc."


def test_range_across_a_year_names_both_years():
    en = formats(ACROSS_YEAR, "en_US")
    assert en["full-year"] == "December 28, 2026 – January 3, 2027"
    assert en["year"] == "2026 – 2027"
    assert formats(ACROSS_YEAR, "fr_FR")["full-year"] == "28 décembre 2026 – 3 janvier 2027"


def test_non_latin_locales_use_cldr_patterns():
    assert formats(WEEK, "ja_JP")["full-year"] == "2026年12月7日～13日"
    assert "ديسمبر" in formats(WEEK, "ar_SA")["full"]


@pytest.mark.parametrize("locale", ["zh_Hans_CN", "zh_Hant_TW", "zh_Hant_HK"])
def test_chinese_dates_keep_one_month_style_and_no_spaces(locale):
    got = formats(WEEK, locale)
    assert got["full-year"] == "2026年12月7日至13日"
    assert got["full"] == got["short"] == "12月7日至13日"
    assert formats(ACROSS_MONTH, locale)["full"] == "11月30日至12月6日"
    assert not any("十二月" in v or " " in v for v in got.values())


def test_unknown_format_falls_back_to_full():
    assert WEEK.format("nonsense", Locale.parse("en_US")) == "December 7\u2009–\u200913"


def test_shipped_campaigns_and_current_year():
    campaigns = load_campaigns(Settings().content_dir)
    assert campaigns.current_year(dt.date(2026, 11, 21)) == "2026"
    assert campaigns.current_year(dt.date(2026, 12, 20)) == "2027"
    assert campaigns.current_year(dt.date(2040, 1, 1)) == max(campaigns.years)
    assert campaigns.get("2026", "us").start.isoformat() == "2026-12-07"
    # CS Education Week is the week of Grace Hopper's birthday, December 9.
    for regions in campaigns.years.values():
        for campaign in regions.values():
            hopper = dt.date(campaign.start.year, 12, 9)
            assert campaign.start <= hopper <= campaign.end


def test_unknown_campaign_lists_the_valid_years():
    campaigns = load_campaigns(Settings().content_dir)
    with pytest.raises(InvalidRequest, match="valid choices: 2025, 2026, 2027"):
        campaigns.get("1999", "us")
