"""Segmenting an English document into the blocks a translator sees whole, and putting it back.

A segment is the inline text of a heading, a paragraph, a list item or a table cell, or the
title or subtitle of the front matter: the unit translation tools (Crowdin, Weblate, Pontoon)
show and check. Segments are found with markdown-it (CommonMark + tables): layout ``<div>``
lines are HTML blocks and never segments. The text of a segment is its Markdown source with
soft line breaks joined, expressions (``{{ … }}``) and inline markup kept as they are.

:func:`apply_segments` rebuilds the document with each segment's text replaced, so the rest
of the pipeline (Jinja2, then Markdown) renders a translated document exactly like an English
one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

from kitgen.content.documents import SourceDocument

#: Front-matter fields that are translatable segments.
META_FIELDS = ("title", "subtitle")


class Role:
    """What a segment is in its document (shown to translators as a comment)."""

    TITLE = "title"
    SUBTITLE = "subtitle"
    HEADING = "heading"
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list item"
    TABLE_CELL = "table cell"


@dataclass(frozen=True)
class Segment:
    """One translatable block: its text and where it sits in the English file."""

    text: str
    role: str
    line: int  # 1-based line in the document file
    # Body segments: the half-open range of body lines it occupies (0-based, body-relative)
    # and, for table cells, which cell of the row.
    start: int = -1
    end: int = -1
    cell: int = -1
    meta_key: str = ""
    blocks: tuple[str, ...] = ()  # classes of the layout <div>s around it, outermost first


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def normalize(text: str) -> str:
    """One line, single spaces: the form a segment has in a catalog."""
    return " ".join(text.split())


def body_segments(body: str, body_line: int) -> list[Segment]:
    """The segments of a Markdown body in document order."""
    tokens = _parser().parse(body)
    segments: list[Segment] = []
    cell_index = -1
    blocks: list[str] = []
    for index, token in enumerate(tokens):
        if token.type == "html_block":
            _track_blocks(token.content, blocks)
            continue
        if token.type in ("tr_open",):
            cell_index = -1
        if token.type in ("th_open", "td_open"):
            cell_index += 1
        if token.type != "inline" or not token.content.strip():
            continue
        opener = tokens[index - 1]
        role = _role(tokens, index)
        if role == Role.TABLE_CELL:
            row = _enclosing_row(tokens, index)
            start = row.map[0] if row.map else 0
            segments.append(
                Segment(
                    normalize(token.content),
                    role,
                    body_line + start,
                    start,
                    start + 1,
                    cell_index,
                    blocks=tuple(blocks),
                )
            )
        elif opener.map:
            start, end = opener.map
            segments.append(
                Segment(
                    normalize(token.content),
                    role,
                    body_line + start,
                    start,
                    end,
                    blocks=tuple(blocks),
                )
            )
    return segments


_DIV_OPEN = re.compile(r'<div\b[^>]*\bclass="([^"]*)"')


def _track_blocks(html: str, blocks: list[str]) -> None:
    """Follow the layout ``<div class="…" markdown="1">`` … ``</div>`` nesting."""
    for match in re.finditer(r"<div\b[^>]*>|</div>", html):
        tag = match[0]
        if tag == "</div>":
            if blocks:
                blocks.pop()
        else:
            found = _DIV_OPEN.match(tag)
            blocks.append(found[1].split()[0] if found and found[1].split() else "")


def _role(tokens: list[Token], index: int) -> str:
    opener = tokens[index - 1]
    if opener.type == "heading_open":
        return Role.HEADING
    if opener.type in ("th_open", "td_open"):
        return Role.TABLE_CELL
    if index >= 2 and tokens[index - 2].type == "list_item_open":
        return Role.LIST_ITEM
    return Role.PARAGRAPH


def _enclosing_row(tokens: list[Token], index: int) -> Token:
    for token in reversed(tokens[:index]):
        if token.type == "tr_open":
            return token
    raise ValueError("table cell outside a row")


def document_segments(source: SourceDocument) -> list[Segment]:
    """Title, subtitle, then the body's segments: everything a translator translates."""
    segments = [
        Segment(normalize(str(source.meta[key])), key, source.meta_lines.get(key, 2), meta_key=key)
        for key in META_FIELDS
        if str(source.meta.get(key) or "").strip()
    ]
    return segments + body_segments(source.body, source.body_line)


#: Gives the text to print for a segment (translated, or the English wrapped as English).
Replace = Callable[[Segment], str]


def apply_segments(source: SourceDocument, replace: Replace) -> SourceDocument:
    """The document with every segment's text replaced by ``replace(segment)``.

    Line numbers of what follows a replaced multi-line segment shift; errors in a translated
    segment are reported against its catalog entry, not the document's line.
    """
    segments = document_segments(source)
    meta = dict(source.meta)
    for segment in segments:
        if segment.meta_key:
            meta[segment.meta_key] = replace(segment)
    lines = source.body.splitlines(keepends=True)
    by_start: dict[int, list[Segment]] = {}
    for segment in segments:
        if not segment.meta_key:
            by_start.setdefault(segment.start, []).append(segment)
    out: list[str] = []
    number = 0
    while number < len(lines):
        found = by_start.get(number)
        if not found:
            out.append(lines[number])
            number += 1
            continue
        if found[0].role == Role.TABLE_CELL:
            out.append(_replace_cells(lines[number], {s.cell: replace(s) for s in found}))
        else:
            segment = found[0]
            out.append(_block_prefix(lines[number]) + replace(segment) + "\n")
            number = segment.end - 1
        number += 1
    return SourceDocument(
        source.kind,
        source.language,
        source.path,
        meta,
        source.meta_lines,
        "".join(out),
        source.body_line,
    )


_MARKER = re.compile(r"^(\s*(?:#{1,6}\s+|(?:[-*+]|\d{1,9}[.)])\s+)?)")


def _block_prefix(line: str) -> str:
    """What precedes a block's text on its first line: indentation, heading or list marker."""
    match = _MARKER.match(line)
    return match[1] if match else ""


_CELL_SPLIT = re.compile(r"(?<!\\)\|")


def _replace_cells(line: str, cells: dict[int, str]) -> str:
    """A table row with the text of the given cells replaced (outer pipes kept)."""
    stripped = line.rstrip("\n")
    parts = _CELL_SPLIT.split(stripped)
    lead = 1 if parts and not parts[0].strip() else 0
    for cell, text in cells.items():
        position = lead + cell
        if position < len(parts):
            parts[position] = f" {text} "
    return "|".join(parts) + "\n"
