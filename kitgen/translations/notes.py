"""What a kit's reader should know about its language, said from its manifest.

The status page and the CLI tell a person, per document, whether the text printed in English
(wholly or in part) or as a draft translation nobody has reviewed yet, instead of one vague
"some text is in English" line.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeAlias

from babel import UnknownLocaleError
from babel.lists import format_list

from kitgen.models import DocumentResult
from kitgen.translations.apply import Printed
from kitgen.uitext import _, current_locale

#: A kit's document as a manifest holds it, or as JSON (the campaign index keeps copies).
Document: TypeAlias = DocumentResult | Mapping[str, Any]


def _field(document: Document, name: str, default: Any = None) -> Any:
    """One field, read in place from either form (no copy of the document)."""
    if isinstance(document, DocumentResult):
        return getattr(document, name, default)
    return document.get(name, default)


def printed_as(document: Document) -> str:
    """How a manifest's document printed: reviewed, draft, partial or english.

    Documents from a whole-file translation or the legacy site have no ``translation`` entry:
    they printed in their ``content_language``, reviewed as far as kitgen knows.
    """
    translation = _field(document, "translation")
    if translation:
        return str(translation["printed"])
    return Printed.ENGLISH if _fell_back(document) else Printed.REVIEWED


def english_percent(document: Document) -> int:
    """Share of the document's text that printed in English (words of the English source;
    segments for a legacy page, where the two texts cannot be aligned word for word)."""
    translation = _field(document, "translation")
    if not translation:
        return 100 if printed_as(document) == Printed.ENGLISH else 0
    if "english_percent" in translation:
        return int(translation["english_percent"])
    words = translation["words"]
    total = sum(words.values())
    return round(100 * words["english"] / total) if total else 0


def _fell_back(document: Document) -> bool:
    return any(f.startswith("document:") for f in _field(document, "fallbacks", ()))


def _join(names: list[str]) -> str:
    """ "a, b and c" in the language being served (CLDR list patterns)."""
    try:
        return format_list(names, locale=current_locale().replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return format_list(names, locale="en")


def language_notes(documents: Iterable[Document], labels: Mapping[str, str]) -> list[str]:
    """Plain sentences for the status page and the CLI, most important first; none for a kit
    fully in its language and reviewed. In the language being served (``kitgen.uitext``)."""
    by_state: dict[str, list[str]] = {}
    for document in documents:
        kind = str(_field(document, "kind"))
        name = labels.get(kind, kind)
        by_state.setdefault(printed_as(document), []).append(name)
    notes = []
    if by_state.get(Printed.ENGLISH):
        notes.append(
            _(
                "Printed in English, as no translation into this language exists yet: "
                "%(documents)s.",
                documents=_join(by_state[Printed.ENGLISH]),
            )
        )
    if by_state.get(Printed.PARTIAL):
        notes.append(
            _(
                "Some passages printed in English, as their translation is missing or "
                "needs review: %(documents)s.",
                documents=_join(by_state[Printed.PARTIAL]),
            )
        )
    if by_state.get(Printed.DRAFT):
        notes.append(
            _(
                "Draft translation, not yet reviewed by a native speaker: %(documents)s.",
                documents=_join(by_state[Printed.DRAFT]),
            )
        )
    return notes
