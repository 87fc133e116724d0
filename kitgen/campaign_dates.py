"""Campaign dates per region, and the six legacy date formats computed with CLDR (Babel)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from babel import Locale
from babel.dates import (
    PATTERN_CHAR_ORDER,
    DateTimeFormat,
    format_interval,
    format_skeleton,
    parse_pattern,
)

from kitgen.content.files import load_yaml_mapping
from kitgen.errors import ContentError, InvalidRequest

DATE_FORMATS = ("start-short", "start-long", "short", "full", "year", "full-year")


@dataclass(frozen=True)
class Campaign:
    """One region's Computer Science Education Week of one campaign year."""

    year: str
    start: dt.date
    end: dt.date

    def format(self, fmt: str, locale: Locale) -> str:
        """A legacy ``campaign_date(fmt)``; an unknown format gives ``full`` as the site does."""
        start, end = self.start, self.end
        if fmt == "start-short":
            return format_skeleton("MMMd", start, locale=locale)
        if fmt == "start-long":
            return format_skeleton("MMMMd", start, locale=locale)
        if fmt == "short":
            return tidy_interval(format_interval(start, end, "MMMd", locale=locale), locale)
        if fmt == "year":
            return format_interval(start, end, "y", locale=locale)
        if fmt == "full-year":
            return tidy_interval(format_wide_interval(start, end, "yMMMd", locale), locale)
        return tidy_interval(format_wide_interval(start, end, "MMMd", locale), locale)


_SPACED_DASH = re.compile(r"\s*[–—-]\s*")


def tidy_interval(text: str, locale: Locale) -> str:
    """Chinese writes a date range with 至 and no spaces (CLDR's zh ``yMMMd`` pattern has a
    spaced en dash, which zh ``MMMd`` and zh-Hant do not); Japanese has no spaces either."""
    if locale.language == "zh":
        return _SPACED_DASH.sub("至", text)
    if locale.language == "ja":
        return _SPACED_DASH.sub("–", text)
    return text


_ABBREVIATED_MONTH = re.compile(r"(?<!M)MMM(?!M)")


def format_wide_interval(start: dt.date, end: dt.date, skeleton: str, locale: Locale) -> str:
    """A date interval with full month names.

    CLDR has interval patterns for ``MMMd`` but rarely for ``MMMMd``, so Babel falls back to
    abbreviations; like ICU, widen the abbreviated month of the matching pattern instead.
    """
    abbreviated = locale.months["format"]["abbreviated"].get(start.month, "")
    if any(c.isdigit() for c in abbreviated):
        # "12月": the abbreviated month is already the usual written form (zh, ja, ko); the
        # wide one ("十二月") would mix two styles in one date.
        return format_interval(start, end, skeleton, locale=locale)
    patterns = locale.interval_formats.get(skeleton)
    if not patterns or start == end:
        return format_interval(start, end, skeleton.replace("MMM", "MMMM"), locale=locale)
    start_fmt, end_fmt = DateTimeFormat(start, locale=locale), DateTimeFormat(end, locale=locale)
    for field in PATTERN_CHAR_ORDER:
        if field in patterns and start_fmt.extract(field) != end_fmt.extract(field):
            return "".join(
                parse_pattern(_ABBREVIATED_MONTH.sub("MMMM", pattern)).apply(instant, locale)
                for pattern, instant in zip(patterns[field], (start, end), strict=True)
            )
    return format_interval(start, end, skeleton, locale=locale)


@dataclass(frozen=True)
class Campaigns:
    """All campaign years: ``{year: {region: Campaign}}``."""

    years: dict[str, dict[str, Campaign]]
    digest: str

    def current_year(self, today: dt.date | None = None) -> str:
        """The first campaign not over yet, else the latest one."""
        today = today or dt.date.today()
        ordered = sorted(self.years)
        for year in ordered:
            if max(c.end for c in self.years[year].values()) >= today:
                return year
        return ordered[-1]

    def get(self, year: str | None, region: str) -> Campaign:
        year = year or self.current_year()
        if year not in self.years:
            raise InvalidRequest("campaign", year, self.years)
        regions = self.years[year]
        if region not in regions:
            raise InvalidRequest(
                "campaign region",
                region,
                regions,
                reason=f"campaign {year} has no dates for region {region!r}",
            )
        return regions[region]


def load_campaigns(content_dir: Path) -> Campaigns:
    path = content_dir / "campaigns.yaml"
    raw, digest = load_yaml_mapping(path)
    years: dict[str, dict[str, Campaign]] = {}
    for year, regions in raw.items():
        years[str(year)] = {}
        for region, span in (regions or {}).items():
            try:
                start, end = span["start"], span["end"]
            except (KeyError, TypeError):
                raise ContentError(
                    f"campaign {year}/{region}: needs start and end dates",
                    path,
                    key=f"{year}.{region}",
                ) from None
            if not isinstance(start, dt.date) or not isinstance(end, dt.date) or end < start:
                raise ContentError(
                    f"campaign {year}/{region}: start and end must be dates "
                    "(YYYY-MM-DD), end not before start",
                    path,
                    key=f"{year}",
                )
            years[str(year)][str(region)] = Campaign(str(year), start, end)
    if not years:
        raise ContentError("no campaign defined", path)
    return Campaigns(years, digest)
