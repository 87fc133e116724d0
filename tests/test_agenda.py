import datetime as dt

from babel import Locale

from kitgen.content.agenda import AgendaStep, format_time_range, load_agenda, shift_steps
from kitgen.settings import Settings


def rng(locale: str) -> str:
    text = format_time_range(dt.time(10), dt.time(10, 5), Locale.parse(locale))
    return text.replace("\u2009", " ").replace("\u202f", " ")


def test_times_follow_the_locale_clock():
    assert rng("en_US") == "10:00 – 10:05 AM"
    assert rng("fr_FR") == "10:00 – 10:05"
    assert rng("fr_CA") == "10 h 00 – 10 h 05"


def test_rows_shift_to_the_organizers_start_time():
    steps = load_agenda(Settings().content_dir, "us")
    shifted = shift_steps(steps, dt.time(13, 30))
    assert shifted[0].start == dt.time(13, 30)
    durations = [
        (s.end.hour * 60 + s.end.minute) - (s.start.hour * 60 + s.start.minute) for s in steps
    ]
    assert [
        (s.end.hour * 60 + s.end.minute) - (s.start.hour * 60 + s.start.minute) for s in shifted
    ] == durations


def test_no_start_time_keeps_rows():
    steps = [AgendaStep(dt.time(10), dt.time(10, 5), "x")]
    assert shift_steps(steps, None) == steps


def test_every_supported_locale_formats_time_ranges_and_campaign_dates():
    """Babel cannot format CLDR's flexible day period 'B' (zh_Hant); no locale may crash."""
    from kitgen.campaign_dates import load_campaigns
    from kitgen.locales import load_catalog

    content = Settings().content_dir
    catalog = load_catalog(content)
    campaign = load_campaigns(content).get("2026", "nonus")
    for language in catalog.languages.values():
        times = format_time_range(dt.time(10, 0), dt.time(13, 5), language.locale)
        assert any(ten in times for ten in ("10", "١٠", "۱۰", "१०", "১০")), (language.code, times)
        for fmt in ("start-short", "start-long", "short", "full", "year", "full-year"):
            assert campaign.format(fmt, language.locale), (language.code, fmt)
    zh = catalog.language("zh").locale
    assert format_time_range(dt.time(10, 0), dt.time(13, 5), zh) == "上午10:00至下午1:05"
