"""Text shown to people (pages, notes) in the language of the request being served.

A small gettext core with no web dependency, so the CLI and the web tier share messages: the
current catalog lives in a context variable; ``_()`` looks a message up and fills
``%(name)s`` placeholders; ``N_()`` only marks a message for extraction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from kitgen.locales import Language


@dataclass(frozen=True)
class WebTranslations:
    """One language's page strings; English for anything missing."""

    language: Language
    entries: dict[str, str]

    def gettext(self, message: str) -> str:
        return self.entries.get(message, message)

    def format(self, message: str, **values: Any) -> str:
        text = self.gettext(message)
        return text % values if values else text


_current: ContextVar[WebTranslations | None] = ContextVar("kitgen_web_translations", default=None)


def gettext(message: str, **values: Any) -> str:
    """The current request's translation of ``message`` (``%(name)s`` filled from values)."""
    current = _current.get()
    if current is None:
        return message % values if values else message
    return current.format(message, **values)


_ = gettext


def N_(message: str) -> str:
    """Marks a message for extraction; translated where it is shown."""
    return message


@contextmanager
def translating(translations: WebTranslations) -> Iterator[None]:
    token = _current.set(translations)
    try:
        yield
    finally:
        _current.reset(token)


def current_locale() -> str:
    """The BCP 47 tag of the language being served ("en-US" outside any request)."""
    current = _current.get()
    return current.language.bcp47 if current else "en-US"
