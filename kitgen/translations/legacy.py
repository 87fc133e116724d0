"""How much of a translated legacy page is still the English page's text.

Translation tools export every untranslated segment as its English text, so a "translated"
page of the legacy site can be mostly English (DOMAIN.md measured 6–7 % Japanese, Korean,
Hindi script on real pages). A segment here is a block of the printed page (heading,
paragraph, list item, table cell); one whose text is identical to a block of the English page,
rendered for the same locale (same links and dates), counts as untranslated.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

_BLOCKS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "td", "th", "dt", "dd"}
_WORD = re.compile(r"\w+")
_LETTER = re.compile(r"[^\W\d_]")


class _BlockTexts(HTMLParser):
    """The text of each innermost block element, whitespace collapsed."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self._stack: list[list[str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCKS:
            self._stack.append([])

    def handle_endtag(self, tag: str) -> None:
        if tag in _BLOCKS and self._stack:
            text = " ".join("".join(self._stack.pop()).split())
            if _LETTER.search(text):
                self.blocks.append(text)

    def handle_data(self, data: str) -> None:
        if self._stack:
            self._stack[-1].append(data)


def block_texts(html: str) -> list[str]:
    parser = _BlockTexts()
    parser.feed(html)
    parser.close()
    return parser.blocks


def english_share(translated_html: str, english_html: str) -> dict[str, Any]:
    """The page's segments and words, and how many are the English page's own text.

    ``printed`` says the same as a catalog-translated document's: ``english`` when every
    segment is English, ``partial`` when some are, ``reviewed`` (as published) otherwise.
    """
    english = set(block_texts(english_html))
    blocks = block_texts(translated_html)
    same = [b for b in blocks if b in english]
    english_words = sum(len(_WORD.findall(b)) for b in same)
    other_words = sum(len(_WORD.findall(b)) for b in blocks if b not in english)
    if blocks and len(same) == len(blocks):
        printed = "english"
    elif same:
        printed = "partial"
    else:
        printed = "reviewed"
    return {
        "printed": printed,
        "words": {"reviewed": other_words, "draft": 0, "english": english_words},
        "segments": {"total": len(blocks), "english": len(same)},
        "english_percent": round(100 * len(same) / len(blocks)) if blocks else 0,
    }
