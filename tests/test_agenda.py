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
    durations = [(s.end.hour * 60 + s.end.minute) - (s.start.hour * 60 + s.start.minute)
                 for s in steps]
    assert [(s.end.hour * 60 + s.end.minute) - (s.start.hour * 60 + s.start.minute)
            for s in shifted] == durations


def test_no_start_time_keeps_rows():
    steps = [AgendaStep(dt.time(10), dt.time(10, 5), "x")]
    assert shift_steps(steps, None) == steps
