"""Repairs of translation-tool damage, applied to a page body before its tags are read.

Every repair keeps the line structure (no newline is added or removed), so the file:line of
each later diagnostic stays true. Each repair is reported.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from kitgen import markers
from kitgen.content.pegasus.diagnostics import Diagnostics

#: ``(%= resolve_url('/x') %)`` and ``(%=resolve_url('/x')%)``: Crowdin strips ``<`` and ``>``.
_LINK_TAG = re.compile(r"\(%\s*=\s*(.*?)\s*%\)")
_INDENTED_HEADING = re.compile(r"^(?: {4,}|\t+)(?:#{1,6}\s|\|.*\|\s*$)")
_STRAY_CLOSING = re.compile(r"[ \t]*</(?:li|ul|ol)>[ \t]*")
_CROWDIN_MARK = re.compile(r"\s+mark=([\"'])crwd-mark\1")
_COLUMN = re.compile(r"^\s*\[(/?)col-(\d{1,3})\]\s*$")
_MD_IMAGE = re.compile(r"!\[([^\]\n]*)\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HTML_IMAGE = re.compile(r"<img\b[^>]*>", re.I)
_IFRAME = re.compile(r"<iframe\b([^>]*)>(?:\s*</iframe>)?", re.I)
_SRC = re.compile(r"""\bsrc\s*=\s*(["'])(.*?)\1""", re.I | re.S)
_ALT = re.compile(r"""\balt\s*=\s*(["'])(.*?)\1""", re.I | re.S)
_BRACKET_PLACEHOLDER = re.compile(r"\[\s*(\*\*)?\s*([^\[\]\n*]{2,120}?)\s*(\*\*)?\s*\](?![(\[:])")
_PAREN_PLACEHOLDER = re.compile(r"\(([^()\n]{8,120})\)")


@dataclass
class RepairContext:
    """What repairs need from the site: image lookup and the placeholder → field map."""

    find_image: Callable[[str], str | None]
    placeholder_fields: dict[str, str]
    blanks: list[str] = field(default_factory=list)
    images: set[str] = field(default_factory=set)


def _line(text: str, offset: int, first_line: int) -> int:
    return first_line + text.count("\n", 0, offset)


def repair_body(text: str, first_line: int, context: RepairContext, diag: Diagnostics) -> str:
    """Apply every repair in order; the result has exactly as many lines as ``text``."""
    text = _repair_link_tags(text, first_line, diag)
    text = _dedent_damaged_blocks(text, first_line, diag)
    text = _remove_stray_closing_tags(text, first_line, diag)
    text = _remove_crowdin_marks(text, first_line, diag)
    text = _tighten_strong(text, first_line, diag)
    text = _replace_media(text, first_line, context, diag)
    text = _mark_columns(text, first_line, diag)
    return _mark_placeholders(text, context)


def _repair_link_tags(text: str, first_line: int, diag: Diagnostics) -> str:
    def repair(match: re.Match[str]) -> str:
        diag.repair(
            _line(text, match.start(), first_line),
            f"link target {match[0][:50]!r} restored to '(<%= … %>)'",
        )
        return f"(<%= {match[1]} %>)"

    return _LINK_TAG.sub(repair, text)


def _dedent_damaged_blocks(text: str, first_line: int, diag: Diagnostics) -> str:
    """Headings or tables indented into a code block by a tool: dedent the whole run."""
    lines = text.split("\n")
    n = 0
    while n < len(lines):
        if not _INDENTED_HEADING.match(lines[n]):
            n += 1
            continue
        start = n
        while start > 0 and (not lines[start - 1].strip() or lines[start - 1][:1] in " \t"):
            start -= 1
        while start < n and not lines[start].strip():
            start += 1
        end = n
        while end + 1 < len(lines) and (not lines[end + 1].strip() or lines[end + 1][:1] in " \t"):
            end += 1
        indent = min(
            (len(x) - len(x.lstrip(" \t")) for x in lines[start : end + 1] if x.strip()), default=0
        )
        for k in range(start, end + 1):
            lines[k] = lines[k][indent:] if lines[k].strip() else ""
        diag.repair(
            first_line + start,
            f"lines {first_line + start}–{first_line + end} were "
            f"indented by {indent} into a code block; dedented",
        )
        n = end + 1
    return "\n".join(lines)


def _remove_stray_closing_tags(text: str, first_line: int, diag: Diagnostics) -> str:
    if re.search(r"<(?:li|ul|ol)\b", text, re.I):
        return text

    def remove(match: re.Match[str]) -> str:
        diag.repair(
            _line(text, match.start(), first_line),
            f"stray {match[0].strip()!r} without an opening tag removed",
        )
        return ""

    return _STRAY_CLOSING.sub(remove, text)


def _tighten_strong(text: str, first_line: int, diag: Diagnostics) -> str:
    """``** bold **``: tools pad emphasis with spaces, which Markdown then prints raw."""
    lines = text.split("\n")
    for n, line in enumerate(lines):
        parts = line.split("**")
        if len(parts) < 3 or len(parts) % 2 == 0:
            continue
        inner = parts[1::2]
        if any(p != p.strip() and p.strip() for p in inner):
            parts[1::2] = [p.strip() for p in inner]
            lines[n] = "**".join(parts)
            diag.repair(first_line + n, "spaces inside ** bold ** markers removed")
    return "\n".join(lines)


def _remove_crowdin_marks(text: str, first_line: int, diag: Diagnostics) -> str:
    def remove(match: re.Match[str]) -> str:
        diag.repair(_line(text, match.start(), first_line), "Crowdin mark attribute removed")
        return ""

    return _CROWDIN_MARK.sub(remove, text)


def _replace_media(text: str, first_line: int, context: RepairContext, diag: Diagnostics) -> str:
    """Images from the site tree are kept, other images left out; iframes become links."""

    def image(src: str, alt: str, offset: int) -> str:
        found = context.find_image(src)
        if found is None:
            diag.dropped(
                _line(text, offset, first_line), f"image {src!r} is not in the site tree; left out"
            )
            return ""
        context.images.add(found)
        return f"![{alt}]({found})"

    def markdown_image(match: re.Match[str]) -> str:
        return image(match[2], match[1], match.start())

    def html_image(match: re.Match[str]) -> str:
        src, alt = _SRC.search(match[0]), _ALT.search(match[0])
        if src is None:
            diag.dropped(_line(text, match.start(), first_line), "image without src left out")
            return ""
        return image(src[2], alt[2] if alt else "", match.start())

    def iframe(match: re.Match[str]) -> str:
        src = _SRC.search(match[1])
        line = _line(text, match.start(), first_line)
        if src is None:
            diag.dropped(line, "iframe without src left out")
            return ""
        url = "https:" + src[2] if src[2].startswith("//") else src[2]
        diag.repair(line, f"iframe {url!r} printed as a link")
        return f"<{url}>" if url.startswith(("http://", "https://")) else ""

    text = _MD_IMAGE.sub(markdown_image, text)
    text = _HTML_IMAGE.sub(html_image, text)
    return _IFRAME.sub(iframe, text)


def _mark_columns(text: str, first_line: int, diag: Diagnostics) -> str:
    """``[col-33]`` … ``[/col-33]`` alone on their lines become column tokens, if balanced."""
    lines = text.split("\n")
    open_at: tuple[int, str] | None = None
    for n, line in enumerate(lines):
        match = _COLUMN.match(line)
        if not match:
            continue
        if not match[1]:
            if open_at is not None:
                diag.dropped(
                    first_line + open_at[0], f"[col-{open_at[1]}] is never closed; marker left out"
                )
                lines[open_at[0]] = ""
            open_at = (n, match[2])
            lines[n] = markers.COLUMN_OPEN.format(match[2])
        elif open_at is None or open_at[1] != match[2]:
            diag.dropped(first_line + n, f"[/col-{match[2]}] without its opening; left out")
            lines[n] = ""
        else:
            lines[n] = markers.COLUMN_CLOSE
            open_at = None
    if open_at is not None:
        diag.dropped(
            first_line + open_at[0], f"[col-{open_at[1]}] is never closed; marker left out"
        )
        lines[open_at[0]] = ""
    return "\n".join(lines)


def placeholder_key(label: str) -> str:
    return re.sub(r"[^\w#]+", " ", label).strip().upper()


def _is_placeholder(label: str) -> bool:
    letters = [c for c in label if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def _mark_placeholders(text: str, context: RepairContext) -> str:
    """``[NAME]``, ``[**INSERT NAME**]``, ``(HOUSE OR SENATE, …)`` → a fill-in blank or field."""

    def token(label: str) -> str:
        name = context.placeholder_fields.get(placeholder_key(label))
        if name:
            return markers.FIELD.format(name)
        context.blanks.append(" ".join(label.split()))
        return markers.BLANK.format(len(context.blanks) - 1)

    def bracket(match: re.Match[str]) -> str:
        return token(match[2]) if _is_placeholder(match[2]) else match[0]

    def paren(match: re.Match[str]) -> str:
        label = match[1]
        if _is_placeholder(label) and (" " in label.strip() or "," in label):
            return token(label)
        return match[0]

    lines = text.split("\n")
    for n, line in enumerate(lines):
        if markers.OPEN + "col" in line:
            continue
        line = _BRACKET_PLACEHOLDER.sub(bracket, line)
        lines[n] = _PAREN_PLACEHOLDER.sub(paren, line)
    return "\n".join(lines)
