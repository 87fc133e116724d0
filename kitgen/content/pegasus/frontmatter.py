"""Front matter of legacy pages, read as translators left it.

Translation tools damage it: ``* * *`` instead of ``---``, translated keys and values, keys
collapsed on one line. Print needs only the title; the site's fix (take everything but the title
from the English page) is applied by the page loader, this module only reads what is there.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kitgen.content.pegasus.diagnostics import Diagnostics

FENCE = "---"
DAMAGED_FENCES = ("* * *", "***", "- - -", "—", "–––")
KNOWN_KEYS = (
    "title",
    "layout",
    "nav",
    "theme",
    "social",
    "description",
    "video_player",
    "style_min",
    "hide_header",
    "body_class",
)
_COLLAPSED = re.compile(r"\s+(?=(?:" + "|".join(KNOWN_KEYS) + r")\s*:)")
_KEY_VALUE = re.compile(r"^\s*([^\s:][^:]*?)\s*:\s*(.*?)\s*$")


@dataclass(frozen=True)
class FrontMatter:
    meta: dict[str, str]
    meta_lines: dict[str, int]
    body: str
    body_line: int  # file line of the body's first line


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def split_front_matter(text: str, diag: Diagnostics) -> FrontMatter:
    """Front matter and body; a page without front matter is all body."""
    lines = text.splitlines(keepends=True)
    start = next((n for n, line in enumerate(lines) if line.strip()), None)
    if start is None:
        return FrontMatter({}, {}, "", 1)
    opener = lines[start].strip()
    if opener != FENCE and opener not in DAMAGED_FENCES:
        return FrontMatter({}, {}, text, 1)
    closing = (FENCE, *DAMAGED_FENCES)
    end = next(
        (n for n in range(start + 1, min(len(lines), start + 40)) if lines[n].strip() in closing),
        None,
    )
    if end is None or not any(_KEY_VALUE.match(x) for x in lines[start + 1 : end]):
        if opener == FENCE:
            diag.warning(start + 1, "front matter is not closed; read as body text")
        return FrontMatter({}, {}, text, 1)
    for n in (start, end):
        if lines[n].strip() != FENCE:
            diag.repair(n + 1, f"front matter fence {lines[n].strip()!r} read as '---'")
    meta: dict[str, str] = {}
    meta_lines: dict[str, int] = {}
    for n in range(start + 1, end):
        raw = lines[n].strip()
        if not raw:
            continue
        parts = _COLLAPSED.split(raw)
        if len(parts) > 1:
            diag.repair(n + 1, f"{len(parts)} front matter keys collapsed on one line, split")
        for part in parts:
            match = _KEY_VALUE.match(part)
            if not match:
                diag.warning(n + 1, f"front matter line not understood, ignored: {part[:60]!r}")
                continue
            key, value = match[1], _unquote(match[2])
            if key not in KNOWN_KEYS:
                diag.repair(
                    n + 1, f"front matter key {key!r} is not a site key (translated?); ignored"
                )
                continue
            meta.setdefault(key, value)
            meta_lines.setdefault(key, n + 1)
    return FrontMatter(meta, meta_lines, "".join(lines[end + 1 :]), end + 2)
