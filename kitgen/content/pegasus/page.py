"""One legacy page → print content: repairs, dialect, Markdown, sanitizer, in that order."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from markupsafe import Markup

from kitgen.content.pegasus.diagnostics import Diagnostic, Diagnostics
from kitgen.content.pegasus.dialect import DialectContext, resolve_dialect
from kitgen.content.pegasus.frontmatter import split_front_matter
from kitgen.content.pegasus.html import sanitize
from kitgen.content.pegasus.repairs import RepairContext, repair_body
from kitgen.errors import ContentError
from kitgen.markup import markdown_to_html

UrlRewriter = Callable[[str], str]
_H1 = re.compile(r"^#(?!#)\s*(.+?)\s*#*\s*$")
_H3 = re.compile(r"^###(?!#)\s*(.+?)\s*#*\s*$")
_HEADING = re.compile(r"^(#{1,6})(?!#)\s*(.+?)\s*#*\s*$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)+\|?\s*$")


@dataclass(frozen=True)
class TableRow:
    cells: tuple[str, ...]  # Markdown of each cell
    line: int


@dataclass(frozen=True)
class PageTable:
    heading: str | None  # Markdown of the nearest heading above the table
    rows: tuple[TableRow, ...]


@dataclass(frozen=True)
class PageContent:
    """A page resolved for one locale; ``title`` is what the page shows, never raw dialect."""

    title: Markup
    subtitle: Markup | None
    body: Markup
    meta_title: str
    tables: tuple[PageTable, ...]
    diagnostics: tuple[Diagnostic, ...] = field(default=())


def inline_html(markdown_text: str, repair: RepairContext, absolute_url: UrlRewriter) -> Markup:
    """Markdown of one line (a heading, a table cell) as sanitized inline HTML."""
    html = markdown_to_html(markdown_text).strip()
    html = re.sub(r"^<p>(.*)</p>$", r"\1", html, flags=re.S)
    return sanitize(html, absolute_url=absolute_url, images=set(), blanks=repair.blanks)


def render_legacy_page(
    text: str,
    path: Path,
    context: DialectContext,
    repair: RepairContext,
    *,
    english_meta: dict[str, str] | None = None,
    absolute_url: UrlRewriter | None = None,
) -> PageContent:
    """Everything print needs from one page; what was repaired or dropped is in diagnostics."""
    check_bounds(text, path)
    diag = Diagnostics(path)
    front = split_front_matter(text, diag)
    for key, value in front.meta.items():
        english = (english_meta or {}).get(key)
        if key != "title" and english is not None and english != value:
            diag.repair(
                front.meta_lines[key],
                f"front matter {key}: {value!r} replaced by the English page's {english!r}",
            )
    meta_title = ""
    if front.meta.get("title"):
        meta_title = resolve_dialect(
            front.meta["title"], front.meta_lines["title"], context, diag
        ).strip()
    body = repair_body(front.body, front.body_line, repair, diag)
    body = resolve_dialect(body, front.body_line, context, diag)
    body = drop_foreign_syntax(body, front.body_line, diag)
    lines = body.split("\n")
    heading, subtitle = _take_title(lines)
    tables = _tables(lines, front.body_line)
    url: UrlRewriter = absolute_url or (lambda href: href)
    html = sanitize(
        markdown_to_html("\n".join(lines)),
        absolute_url=url,
        images=repair.images,
        blanks=repair.blanks,
    )
    title_text = heading or meta_title
    if not title_text:
        diag.warning(front.body_line, "page has no title and no heading")
    title = inline_html(title_text, repair, url) if title_text else Markup()
    return PageContent(
        title=title,
        subtitle=inline_html(subtitle, repair, url) if subtitle else None,
        body=html,
        meta_title=Markup(inline_html(meta_title, repair, url)).striptags()
        if meta_title
        else title.striptags(),
        tables=tables,
        diagnostics=tuple(diag.items),
    )


#: Bounds on a page, checked before parsing: a real page is a few KiB and a few levels deep;
#: past these a hostile or broken page would cost minutes and gigabytes (1,000 nested lists
#: took 31 s and 825 MiB).
MAX_PAGE_BYTES = 256 * 1024
MAX_DEPTH = 12
MAX_TABLE_ROWS = 400
_DEPTH = re.compile(r"^((?:\s*>)*)(\s*)")
_TEMPLATE_BLOCK = re.compile(r"\{%.*?%\}|\{#.*?#\}")
_RUBY_INTERPOLATION = re.compile(r"%\{\w+\}")
_INLINE_COLUMN = re.compile(r"\[/?col-\d+\]")


def check_bounds(text: str, path: Path) -> None:
    """Refuse, with file:line, a page too large, nested too deep or with too long a table."""
    size = len(text.encode())
    if size > MAX_PAGE_BYTES:
        raise ContentError(
            f"page is {size // 1024} KiB; at most {MAX_PAGE_BYTES // 1024} KiB are read", path, 1
        )
    rows = 0
    for number, line in enumerate(text.split("\n"), start=1):
        quotes, indent = _DEPTH.match(line).groups()  # type: ignore[union-attr]
        depth = quotes.count(">") + len(indent.expandtabs(4)) // 2
        if depth > MAX_DEPTH:
            raise ContentError(
                f"nested {depth} levels deep (quotes or indented lists); at most {MAX_DEPTH}",
                path,
                number,
            )
        rows = rows + 1 if line.lstrip().startswith("|") else 0
        if rows > MAX_TABLE_ROWS:
            raise ContentError(f"a table longer than {MAX_TABLE_ROWS} rows", path, number)


def drop_foreign_syntax(body: str, first_line: int, diag: Diagnostics) -> str:
    """Template syntax the dialect does not have never reaches print: ``{% … %}`` blocks and
    ``%{name}`` outside ``hoc_s`` are dropped, inline ``[col-N]`` markers removed, each
    reported with its line."""
    lines = body.split("\n")
    for n, line in enumerate(lines):
        where = first_line + n
        for found in _TEMPLATE_BLOCK.findall(line):
            diag.dropped(where, f"template syntax {found[:40]!r} (not part of the page dialect)")
        for found in _RUBY_INTERPOLATION.findall(line):
            diag.dropped(where, f"interpolation {found!r} outside hoc_s")
        cleaned = _RUBY_INTERPOLATION.sub("", _TEMPLATE_BLOCK.sub("", line))
        if _INLINE_COLUMN.search(cleaned) and not _INLINE_COLUMN.fullmatch(cleaned.strip()):
            diag.repair(where, "inline [col-N] marker removed (it only works alone on a line)")
            cleaned = _INLINE_COLUMN.sub("", cleaned)
        lines[n] = cleaned
    return "\n".join(lines)


def _take_title(lines: list[str]) -> tuple[str | None, str | None]:
    """The first H1 (before any H2) and an H3 right below it; both removed from ``lines``."""
    for n, line in enumerate(lines):
        if line.startswith("## "):
            return None, None
        match = _H1.match(line)
        if not match:
            continue
        lines[n] = ""
        following = next((k for k in range(n + 1, len(lines)) if lines[k].strip()), None)
        if following is not None and (sub := _H3.match(lines[following])):
            lines[following] = ""
            return match[1], sub[1]
        return match[1], None
    return None, None


def _split_row(line: str) -> tuple[str, ...]:
    cells = line.strip()
    cells = cells[1:] if cells.startswith("|") else cells
    cells = cells[:-1] if cells.endswith("|") else cells
    return tuple(c.strip() for c in cells.split("|"))


def _tables(lines: list[str], first_line: int) -> tuple[PageTable, ...]:
    """Pipe tables of the resolved Markdown, with the heading above each."""
    tables, heading = [], None
    n = 0
    while n < len(lines):
        match = _HEADING.match(lines[n])
        if match:
            heading = match[2]
        if n + 1 < len(lines) and "|" in lines[n] and _TABLE_RULE.match(lines[n + 1]):
            rows = [TableRow(_split_row(lines[n]), first_line + n)]
            n += 2
            while n < len(lines) and "|" in lines[n] and lines[n].strip():
                rows.append(TableRow(_split_row(lines[n]), first_line + n))
                n += 1
            tables.append(PageTable(heading, tuple(rows)))
            continue
        n += 1
    return tuple(tables)
