"""The agenda's run-of-show rows: data per country, times shifted and formatted per locale."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.dates import format_interval, format_time

from kitgen.content.files import load_yaml_mapping
from kitgen.errors import ContentError


@dataclass(frozen=True)
class AgendaStep:
    start: dt.time
    end: dt.time
    action_key: str


def agenda_path(content_dir: Path) -> Path:
    return content_dir / "agenda.yaml"


def _time(value: object, path: Path, where: str) -> dt.time:
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        raise ContentError(f"{where}: {value!r} is not a time as HH:MM", path, key=where) from None


def load_agenda(content_dir: Path, country: str) -> list[AgendaStep]:
    """The rows for ``country`` (its own list if it has one, else ``default``)."""
    path = agenda_path(content_dir)
    raw, _ = load_yaml_mapping(path)
    section = country if country in raw else "default"
    rows = raw.get(section)
    if not isinstance(rows, list) or not rows:
        raise ContentError(
            f"agenda section {section!r} must be a non-empty list", path, key=section
        )
    steps = []
    for index, row in enumerate(rows):
        where = f"{section}[{index}]"
        if not isinstance(row, dict) or "action" not in row:
            raise ContentError(f"{where}: needs start, end and action", path, key=where)
        steps.append(
            AgendaStep(
                _time(row.get("start"), path, where),
                _time(row.get("end"), path, where),
                str(row["action"]),
            )
        )
    return steps


def shift_steps(steps: list[AgendaStep], new_start: dt.time | None) -> list[AgendaStep]:
    """Move every step so the first starts at ``new_start``, keeping the durations."""
    if new_start is None or not steps:
        return steps
    day = dt.date(2000, 1, 1)
    delta = dt.datetime.combine(day, new_start) - dt.datetime.combine(day, steps[0].start)

    def moved(t: dt.time) -> dt.time:
        return (dt.datetime.combine(day, t) + delta).time()

    return [AgendaStep(moved(s.start), moved(s.end), s.action_key) for s in steps]


def format_time_range(start: dt.time, end: dt.time, locale: Locale) -> str:
    """``10:00 – 10:05 AM``, ``10:00 – 10:05``, ``10 h 00 – 10 h 05``: the locale's clock."""
    pattern = re.sub(r"'[^']*'", "", locale.time_formats["short"].pattern)
    skeleton = "hm" if "h" in pattern or "K" in pattern else "Hm"
    try:
        return format_interval(start, end, skeleton, locale=locale)
    except NotImplementedError:
        # Babel cannot format CLDR's flexible day period 'B' (zh_Hant: 上午/下午); the plain
        # AM/PM marker 'a' says the same thing for whole hours of a school day.
        short = locale.time_formats["short"].pattern.replace("B", "a")
        fallback = str(locale.interval_formats.get(None, "{0} – {1}"))
        return fallback.format(
            format_time(start, short, locale=locale), format_time(end, short, locale=locale)
        )
