"""Per-language data that libraries keep for the life of a process, kept for recent languages.

pyphen keeps every hyphenation dictionary it has loaded (``pyphen.hdcache``, with a memo of
every word it hyphenated) and Babel every locale's data (``babel.localedata._cache``). A
render process that makes kits in every language of the campaign ended up holding ~130 MiB
of both (benchmarks/memory.py --trace). Kits of one language come in runs (a campaign goes
locale by locale; a person asks for one), so keeping the last few languages' data costs a
reload (~10 ms) only when a language comes back after several others.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager

import pyphen
from babel import localedata

#: How many languages' dictionaries and locale data a process keeps.
RECENT_LANGUAGES_KEPT = 4


def _loaded() -> tuple[set[object], set[str]]:
    # Babel's cache has no public name; without it, only pyphen's is bounded.
    babel_cache = getattr(localedata, "_cache", {})
    return set(pyphen.hdcache), set(babel_cache)


class RecentLanguages:
    """Remembers which cached entries each language loaded; forgets the oldest language's."""

    def __init__(self, kept: int = RECENT_LANGUAGES_KEPT):
        self.kept = kept
        self._loaded_by: OrderedDict[str, tuple[set[object], set[str]]] = OrderedDict()

    @contextmanager
    def using(self, language: str) -> Iterator[None]:
        """Work in ``language``: what it loads is its own; older languages are forgotten."""
        hyphenation, locales = _loaded()
        try:
            yield
        finally:
            after_hyphenation, after_locales = _loaded()
            owned: tuple[set[object], set[str]] = self._loaded_by.setdefault(
                language, (set(), set())
            )
            owned[0].update(after_hyphenation - hyphenation)
            owned[1].update(after_locales - locales)
            self._loaded_by.move_to_end(language)
            while len(self._loaded_by) > self.kept:
                self._forget(*self._loaded_by.popitem(last=False)[1])

    @staticmethod
    def _forget(hyphenation: set[object], locales: set[str]) -> None:
        for path in hyphenation:
            pyphen.hdcache.pop(path, None)
        babel_cache = getattr(localedata, "_cache", None)
        lock = getattr(localedata, "_cache_lock", None)
        if babel_cache is None or lock is None:
            return
        with lock:
            for name in locales:
                babel_cache.pop(name, None)
