"""Segment catalogs in gettext PO: one template (POT) per kind, one PO per language and kind.

Layout under ``content/translations/``::

    <kind>.pot            the English segments of documents/<kind>/en.md (made by `update`)
    <lang>/<kind>.po      their translations in one language

PO is what Crowdin, Weblate, Pontoon and Transifex read and write. The states are PO's own:
an entry marked ``fuzzy`` needs review. kitgen tells two kinds of fuzzy apart: an entry with
a previous msgid (``#| msgid``) is *outdated* (its English changed since it was translated;
English prints until someone reviews it), any other fuzzy entry is a *draft* (translated but
not reviewed by a native speaker; printed unless ``KITGEN_TRANSLATIONS=reviewed``).
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

import polib

from kitgen.content.documents import SourceDocument, document_path, parse_document
from kitgen.content.files import load
from kitgen.content.strings import REFERENCE_LANGUAGE
from kitgen.errors import ContentError
from kitgen.translations.checks import EXPRESSION, format_problems, problems
from kitgen.translations.segments import Role, Segment, document_segments

TRANSLATIONS_DIR = "translations"
#: The catalog of the web pages' own text (form, status, errors), beside the documents'.
WEB_CATALOG = "web"
DRAFT_COMMENT = "draft: not yet reviewed by a native speaker"
_WORD = re.compile(r"\w+")


class EntryState(StrEnum):
    """What a segment's catalog entry holds, from best to worst."""

    REVIEWED = "reviewed"
    DRAFT = "draft"
    OUTDATED = "outdated"
    UNTRANSLATED = "untranslated"
    INVALID = "invalid"


def translations_dir(content_dir: Path) -> Path:
    return content_dir / TRANSLATIONS_DIR


def template_path(content_dir: Path, kind: str) -> Path:
    return translations_dir(content_dir) / f"{kind}.pot"


def catalog_path(content_dir: Path, language: str, kind: str) -> Path:
    return translations_dir(content_dir) / language / f"{kind}.po"


@lru_cache(maxsize=8192)
def word_count(text: str) -> int:
    """Source words of a segment, expressions and markup left out (what TMS tools count)."""
    return len(_WORD.findall(EXPRESSION.sub(" ", text).replace("**", " ")))


@dataclass(frozen=True)
class Entry:
    """One translated segment as the renderer needs it."""

    source: str
    translation: str
    state: EntryState
    line: int  # the msgstr line in the PO file, for messages
    problems: tuple[str, ...] = ()


@dataclass(frozen=True)
class SegmentCatalog:
    """A parsed PO file: entries by English text."""

    path: Path
    entries: dict[str, Entry]

    def entry(self, source: str) -> Entry | None:
        return self.entries.get(source)


def _msgstr_lines(text: str) -> list[int]:
    """1-based line numbers of every ``msgstr`` in a PO text, in order."""
    return [n for n, line in enumerate(text.splitlines(), start=1) if line.startswith("msgstr")]


def entry_state(entry: polib.POEntry, found: list[str]) -> EntryState:
    if not entry.msgstr.strip():
        return EntryState.UNTRANSLATED
    if found:
        return EntryState.INVALID
    if entry.fuzzy:
        return EntryState.OUTDATED if entry.previous_msgid else EntryState.DRAFT
    return EntryState.REVIEWED


def parse_catalog(text: str, path: Path) -> SegmentCatalog:
    """A document's PO file: live entries, each checked against its English segment."""
    return _parse(text, path, problems)


def parse_web_catalog(text: str, path: Path) -> SegmentCatalog:
    """The pages' PO file: live entries, their placeholders checked."""
    return _parse(text, path, format_problems)


def _parse(text: str, path: Path, check: Callable[[str, str], list[str]]) -> SegmentCatalog:
    try:
        po = polib.pofile(text, encoding="utf-8")
    except (OSError, ValueError) as exc:
        line = re.search(r"\(line (\d+)\)", str(exc))
        raise ContentError(
            f"not a valid PO file: {exc}", path, int(line[1]) if line else None
        ) from None
    lines = iter(_msgstr_lines(text))
    entries: dict[str, Entry] = {}
    msgstr_line = 0
    for item in po:
        for msgstr_line in lines:
            if msgstr_line >= item.linenum:
                break
        if item.obsolete or not item.msgid:
            continue
        translation = " ".join(item.msgstr.split())
        found = check(item.msgid, translation) if translation else []
        entries[item.msgid] = Entry(
            item.msgid,
            translation,
            entry_state(item, found),
            msgstr_line or item.linenum,
            tuple(found),
        )
    return SegmentCatalog(path, entries)


def load_catalog(path: Path) -> tuple[SegmentCatalog, str]:
    """``(catalog, sha256)``; memoised until the file changes."""
    return load(path, parse_catalog)


def load_web_catalog(path: Path) -> tuple[SegmentCatalog, str]:
    return load(path, parse_web_catalog)


# -- making and merging catalogs ----------------------------------------------------------

_GUIDANCE = (
    "Keep every {{ … }} expression, link and **markup** exactly as in the English; "
    "translate only the words around them."
)


def english_segments(content_dir: Path, kind: str) -> tuple[Path, list[Segment]]:
    """The English document's segments, parsed again only when the file changes (status is
    asked for every language on every form page)."""
    path = document_path(content_dir, kind, REFERENCE_LANGUAGE)
    return path, load(path, _parse_segments)[0]


def _parse_segments(text: str, path: Path) -> list[Segment]:
    meta, meta_lines, body, body_line = parse_document(text, path)
    return document_segments(
        SourceDocument(
            path.parent.name, REFERENCE_LANGUAGE, path, meta, meta_lines, body, body_line
        )
    )


def template_ids(path: Path) -> list[str]:
    """The msgids of a POT, memoised until the file changes."""
    return load(path, _parse_template_ids)[0]


def _parse_template_ids(text: str, path: Path) -> list[str]:
    return [e.msgid for e in polib.pofile(text) if e.msgid and not e.obsolete]


def make_template(content_dir: Path, kind: str) -> polib.POFile:
    """The POT of one kind: its English segments, with where they are and what they are."""
    path, segments = english_segments(content_dir, kind)
    reference = path.relative_to(content_dir).as_posix()
    pot = polib.POFile(wrapwidth=79)
    pot.metadata = {
        "Project-Id-Version": f"kitgen {kind}",
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
    }
    by_text: dict[str, polib.POEntry] = {}
    for segment in segments:
        found = by_text.get(segment.text)
        if found is not None:
            found.occurrences.append((reference, str(segment.line)))
            continue
        comment = _role_comment(kind, segment)
        if EXPRESSION.search(segment.text) or "**" in segment.text or "<" in segment.text:
            comment += "\n" + _GUIDANCE
        entry = polib.POEntry(
            msgid=segment.text,
            msgstr="",
            comment=comment,
            occurrences=[(reference, str(segment.line))],
        )
        by_text[segment.text] = entry
        pot.append(entry)
    return pot


#: What a translator should know about a segment from the layout block it prints in.
BLOCK_GUIDANCE = {
    "facts": "A card of key figures: the **bold** words print larger; put them first "
    "where the language allows.",
    "ways": "The **bold** words are the item's heading: keep them first.",
    "steps": "The **bold** words are the step's heading: keep them first.",
    "checklist": "A tick-box item of a checklist: keep it short.",
    "preamble": "One 'Whereas' clause of a resolution, in the language's own formula.",
    "resolved": "The operative part of a resolution ('Resolved, that …' and its clauses).",
}


def _role_comment(kind: str, segment: Segment) -> str:
    if segment.role in (Role.TITLE, Role.SUBTITLE):
        return f"{segment.role} of the {kind}"
    place = f" in '{segment.blocks[-1]}'" if segment.blocks and segment.blocks[-1] else ""
    comment = f"{kind}: {segment.role}{place}"
    guidance = next(
        (BLOCK_GUIDANCE[b] for b in reversed(segment.blocks) if b in BLOCK_GUIDANCE), None
    )
    return f"{comment}\n{guidance}" if guidance else comment


@dataclass
class MergeResult:
    added: int = 0
    outdated: int = 0
    obsoleted: int = 0


def merge(po: polib.POFile, pot: polib.POFile) -> MergeResult:
    """Bring ``po`` in line with ``pot`` the way msgmerge does.

    Unchanged segments keep their translation and flags; a changed segment takes the
    translation of its closest former English (difflib, as msgmerge and Babel do), is marked
    ``fuzzy`` and keeps the former English as ``#| msgid``; a removed segment becomes obsolete
    (``#~``), so no translation is ever lost.
    """
    result = MergeResult()
    old = {e.msgid: e for e in po if not e.obsolete and e.msgid}
    obsolete_before = [e for e in po if e.obsolete]
    template_ids = {e.msgid for e in pot}
    candidates = {k: v for k, v in old.items() if k not in template_ids and v.msgstr}
    used: set[str] = set()
    merged: list[polib.POEntry] = []
    for template in pot:
        entry = polib.POEntry(
            msgid=template.msgid,
            msgstr="",
            comment=template.comment,
            occurrences=list(template.occurrences),
            flags=list(template.flags),
        )
        previous = old.get(template.msgid)
        if previous is None:
            revived = next((e for e in obsolete_before if e.msgid == template.msgid), None)
            previous = revived
        if previous is not None:
            entry.msgstr, entry.tcomment = previous.msgstr, previous.tcomment
            entry.flags = sorted({*previous.flags, *template.flags})
            entry.previous_msgid = previous.previous_msgid if previous.fuzzy else None
        else:
            close = difflib.get_close_matches(template.msgid, list(candidates), n=1, cutoff=0.6)
            if close:
                source = candidates[close[0]]
                used.add(close[0])
                entry.msgstr, entry.tcomment = source.msgstr, source.tcomment
                entry.flags = sorted({*source.flags, *template.flags, "fuzzy"})
                entry.previous_msgid = source.previous_msgid or source.msgid
                result.outdated += 1
            else:
                result.added += 1
        merged.append(entry)
    gone = [e for k, e in old.items() if k not in template_ids and k not in used and e.msgstr]
    for entry in gone:
        entry.obsolete = True
    result.obsoleted = len(gone)
    kept_obsolete = [e for e in obsolete_before if e.msgid not in template_ids]
    po[:] = merged + gone + kept_obsolete
    return result


def new_catalog(language: str, locale: str, kind: str) -> polib.POFile:
    po = polib.POFile(wrapwidth=79)
    po.metadata = {
        "Project-Id-Version": f"kitgen {kind}",
        "Language": locale,
        "MIME-Version": "1.0",
        "Content-Type": "text/plain; charset=UTF-8",
        "Content-Transfer-Encoding": "8bit",
        "X-Kitgen-Language": language,
    }
    return po
