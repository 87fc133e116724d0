"""A document in language L: the English document with each segment taken from L's catalog.

A segment prints translated when its entry is usable under the policy (reviewed always; drafts
unless ``KITGEN_TRANSLATIONS=reviewed``). Otherwise its English prints inside
``<span lang="en" dir="ltr">``, so hyphenation, fonts, bidi and the tagged PDF's ``/Lang`` are
right, and the summary counts it. An invalid entry is also reported as ``po:line``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from kitgen.content.documents import SourceDocument
from kitgen.translations.catalogs import EntryState, SegmentCatalog, word_count
from kitgen.translations.policy import TranslationPolicy
from kitgen.translations.segments import Segment, apply_segments

ENGLISH_SPAN = '<span lang="en" dir="ltr">{}</span>'


class Printed(StrEnum):
    """In what a document's text printed, as the manifest and the index say it."""

    REVIEWED = "reviewed"  # every segment in the language, reviewed
    DRAFT = "draft"  # every segment in the language, some not reviewed
    PARTIAL = "partial"  # some segments in English
    ENGLISH = "english"  # the whole text in English


@dataclass
class TextSummary:
    """Words of a document's text by how they printed (English source words, as TMS count)."""

    reviewed: int = 0
    draft: int = 0
    english: int = 0
    segments: int = 0
    english_segments: list[int] = field(default_factory=list)  # lines in the English file

    @property
    def total(self) -> int:
        return self.reviewed + self.draft + self.english

    @property
    def printed(self) -> Printed:
        if self.english and not (self.reviewed or self.draft):
            return Printed.ENGLISH
        if self.english:
            return Printed.PARTIAL
        return Printed.DRAFT if self.draft else Printed.REVIEWED

    def to_dict(self) -> dict[str, object]:
        return {
            "printed": str(self.printed),
            "words": {"reviewed": self.reviewed, "draft": self.draft, "english": self.english},
            "segments": {"total": self.segments, "english": len(self.english_segments)},
        }


def usable(state: EntryState, policy: TranslationPolicy) -> bool:
    return state is EntryState.REVIEWED or (
        state is EntryState.DRAFT and policy is TranslationPolicy.DRAFT
    )


def display_path(path: Path, content_dir: Path) -> str:
    """A catalog's path as people see it in messages: relative to the content's parent."""
    try:
        return path.relative_to(content_dir.parent).as_posix()
    except ValueError:
        return str(path)


def translate_document(
    source: SourceDocument, catalog: SegmentCatalog, policy: TranslationPolicy, content_dir: Path
) -> tuple[SourceDocument, TextSummary, tuple[str, ...]]:
    """``(document in the catalog's language, what printed how, invalid-entry messages)``."""
    summary = TextSummary()
    diagnostics: list[str] = []
    shown = display_path(catalog.path, content_dir)

    def replace(segment: Segment) -> str:
        words = word_count(segment.text)
        summary.segments += 1
        entry = catalog.entry(segment.text)
        if entry is not None and entry.state is EntryState.INVALID:
            diagnostics.append(
                f"{shown}:{entry.line}: error: invalid translation, English "
                f"printed: {'; '.join(entry.problems)}"
            )
        if entry is not None and usable(entry.state, policy):
            if entry.state is EntryState.REVIEWED:
                summary.reviewed += words
            else:
                summary.draft += words
            return entry.translation
        summary.english += words
        summary.english_segments.append(segment.line)
        return ENGLISH_SPAN.format(segment.text)

    translated = apply_segments(source, replace)
    return translated, summary, tuple(dict.fromkeys(diagnostics))
