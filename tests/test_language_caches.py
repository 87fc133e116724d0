"""Per-language library caches are kept for recent languages only (issue 14: memory)."""

from __future__ import annotations

import pyphen
from babel import Locale, localedata

from kitgen.language_caches import RecentLanguages
from kitgen.malloc import return_freed_memory


def _work_in(language: str) -> None:
    """What a render does with a language: hyphenate a word, read the locale's data."""
    pyphen.Pyphen(lang=language).inserted("internationalisation")
    Locale.parse(language).territories  # noqa: B018 - loads the locale's data


def _dictionary(language: str) -> object:
    return pyphen.LANGUAGES[pyphen.language_fallback(language)]


def test_the_oldest_languages_data_is_forgotten_and_comes_back_when_needed():
    recent = RecentLanguages(kept=2)
    for language in ("de", "nl", "hu"):
        pyphen.hdcache.pop(_dictionary(language), None)
        localedata._cache.pop(language, None)
    for language in ("de", "nl", "hu"):
        with recent.using(language):
            _work_in(language)
    assert _dictionary("de") not in pyphen.hdcache and "de" not in localedata._cache
    assert {_dictionary("nl"), _dictionary("hu")} <= set(pyphen.hdcache)
    assert {"nl", "hu"} <= set(localedata._cache)
    with recent.using("de"):  # a forgotten language loads again
        _work_in("de")
    assert _dictionary("de") in pyphen.hdcache and _dictionary("nl") not in pyphen.hdcache


def test_a_language_in_use_again_becomes_the_most_recent():
    recent = RecentLanguages(kept=2)
    for language in ("sv", "da"):
        pyphen.hdcache.pop(_dictionary(language), None)
    for language in ("sv", "da", "sv", "sk"):
        with recent.using(language):
            _work_in(language)
    assert _dictionary("sv") in pyphen.hdcache and _dictionary("da") not in pyphen.hdcache


def test_render_processes_fix_glibcs_thresholds():
    assert return_freed_memory()
