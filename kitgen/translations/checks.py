"""Placeholder checks: a translation keeps its segment's code, links and markup, or it is invalid.

The legacy site was damaged by exactly what these checks refuse: translation tools that mangled
or translated template code (``(%= … %)``, ``si/sinon``), dropped links and broke markup. A
translated segment must keep, as a multiset, the English segment's

- template expressions (``{{ … }}``, ``{% … %}``, ``{# … #}``), compared with their inner
  whitespace normalised, so ``{{date('full')}}`` equals ``{{ date('full') }}``;
- link targets (``<…>`` autolinks, ``[text](target)``, bare ``https://`` URLs);
- inline markup (bold, emphasis, code spans and their text, inline HTML);

and must stay one inline block: a translation that would become a heading, a list or two
paragraphs changes the document's structure. Order may change: languages reorder.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from markdown_it import MarkdownIt

EXPRESSION = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_DELIMITER = re.compile(r"\{\{|\}\}|\{%|%\}|\{#|#\}")
_AUTOLINK = re.compile(r"<([^<>\s]*)>")
_BARE_URL = re.compile(r"(?<![<(\w])https?://[^\s<>()]+")
_OPAQUE = "KGXEXPR"


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("table")


def _normalize_expression(expression: str) -> str:
    opening, inner, closing = expression[:2], expression[2:-2], expression[-2:]
    return f"{opening} {' '.join(inner.split())} {closing}"


def expressions(text: str) -> Counter[str]:
    return Counter(_normalize_expression(m[0]) for m in EXPRESSION.finditer(text))


def _describe(counter: Counter[str]) -> str:
    return ", ".join(f"{item}" + (f" ×{n}" if n > 1 else "") for item, n in counter.items())


def _links(text: str) -> Counter[str]:
    opaque = EXPRESSION.sub(lambda m: _normalize_expression(m[0]).replace(" ", ""), text)
    found: Counter[str] = Counter(
        f"<{m[1]}>"
        for m in _AUTOLINK.finditer(opaque)
        if "{{" in m[1] or "://" in m[1] or "@" in m[1]
    )
    found.update(f"({m[1]})" for m in re.finditer(r"\]\(([^)\s]+)", opaque))
    found.update(m[0] for m in _BARE_URL.finditer(opaque))
    return found


def _markup(text: str) -> tuple[Counter[str], list[str]]:
    """Inline markup of one segment, and the block structure markdown-it sees."""
    opaque = EXPRESSION.sub(_OPAQUE, text)
    tokens = _parser().parse(opaque)
    blocks = [t.type for t in tokens if t.nesting == 1 and t.level == 0]
    markup: Counter[str] = Counter()
    for token in tokens:
        for child in token.children or ():
            if child.type in ("strong_open", "em_open", "s_open", "image"):
                markup[_MARKUP_NAMES[child.type]] += 1
            elif child.type == "code_inline":
                markup[f"`{child.content}`"] += 1
            elif child.type == "html_inline" and _OPAQUE not in child.content:
                markup[child.content] += 1
            elif child.type == "hardbreak":
                markup["line break"] += 1
    return markup, blocks


_MARKUP_NAMES = {
    "strong_open": "**bold**",
    "em_open": "*emphasis*",
    "s_open": "~~strike~~",
    "image": "image",
}


def _differences(name: str, source: Counter[str], translation: Counter[str]) -> list[str]:
    missing, extra = source - translation, translation - source
    problems = []
    if missing:
        problems.append(f"drops {name} {_describe(missing)}")
    if extra:
        problems.append(f"adds {name} {_describe(extra)}")
    return problems


def problems(source: str, translation: str) -> list[str]:
    """What a translation breaks of its English segment; empty when it is valid."""
    found: list[str] = []
    stray = _DELIMITER.findall(EXPRESSION.sub("", translation))
    if stray:
        found.append(f"has a stray template delimiter {stray[0]!r}")
    found += _differences("expression", expressions(source), expressions(translation))
    found += _differences("link", _links(source), _links(translation))
    source_markup, source_blocks = _markup(source)
    markup, blocks = _markup(translation)
    found += _differences("markup", source_markup, markup)
    if blocks != source_blocks:
        found.append(
            f"changes the block structure ({_blocks(source_blocks)} → "
            f"{_blocks(blocks)}): keep it one {_blocks(source_blocks)}"
        )
    return found


def _blocks(blocks: list[str]) -> str:
    names = [b.removesuffix("_open").replace("_", " ") for b in blocks]
    return " + ".join(names) or "empty"


_FORMAT = re.compile(r"%\(([a-z_]+)\)[sd]|%%")
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


def format_problems(source: str, translation: str) -> list[str]:
    """What a page string's translation breaks: its ``%(name)s`` placeholders and tags, kept
    as a multiset (order may change); no template syntax may come in."""
    found = _differences(
        "placeholder", Counter(_FORMAT.findall(source)), Counter(_FORMAT.findall(translation))
    )
    found += _differences("tag", Counter(_TAG.findall(source)), Counter(_TAG.findall(translation)))
    stray = re.findall(r"%(?!\([a-z_]+\)[sd]|%)", translation)
    if stray and not re.findall(r"%(?!\([a-z_]+\)[sd]|%)", source):
        found.append("has a lone '%': write '%%' for a percent sign")
    if _DELIMITER.search(translation):
        found.append("has template syntax ({{, {%)")
    return found
