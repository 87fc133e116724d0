"""Legacy page HTML made safe for print: an allow-list sanitizer and absolute links.

Pages carry raw HTML that translators could edit (styles, scripts, iframes, Crowdin marks), and
Python-Markdown passes raw HTML through. Everything the Markdown produced goes through nh3
(ammonia): only structural tags survive, links become absolute site URLs, and images keep their
source only when the page repairs approved it (a file of the site tree).
"""

from __future__ import annotations

import re
from collections.abc import Callable

import nh3
from markupsafe import Markup, escape

from kitgen import markers

ALLOWED_TAGS = {
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "li",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "a",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "blockquote",
    "code",
    "pre",
    "div",
    "span",
    "img",
    "sup",
    "sub",
    "dl",
    "dt",
    "dd",
    "small",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href"},
    "img": {"src", "alt"},
    "ol": {"start"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
_EMPTY_PARAGRAPH = re.compile(r"<p>(?:\s|&nbsp;|\xa0|<br>)*</p>\s*")
# The tokens repairs.py leaves, as Markdown wrapped them (kitgen.markers).
_COLUMN_OPEN = markers.COLUMN_OPEN_PARAGRAPH
_COLUMN_CLOSE = markers.COLUMN_CLOSE_PARAGRAPH
_BLANK = markers.BLANK_TOKEN
_TRAILING_SPACE = re.compile(r"[ \t\xa0]+</(li|p|td|th|h[1-6])>")
_IMAGE_WITHOUT_SOURCE = re.compile(r"<img(?![^>]*\bsrc=)[^>]*>")


def sanitize(
    html: str, *, absolute_url: Callable[[str], str], images: set[str], blanks: list[str]
) -> Markup:
    """Allow-listed HTML with absolute links, column blocks and fill-in blanks."""

    def attribute(element: str, name: str, value: str) -> str | None:
        if element == "a" and name == "href":
            if value.startswith(("file:", "javascript:", "data:")):
                return None
            return absolute_url(value)
        if element == "img" and name == "src":
            return value if value in images else None
        return value

    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto", "file"},
        link_rel=None,
        strip_comments=True,
        attribute_filter=attribute,
    )
    clean = _IMAGE_WITHOUT_SOURCE.sub("", clean)
    # Trailing spaces before a closing tag make WeasyPrint 70 hyphenate the line's first word
    # ("Invi-/tez …", seen in a French page); they carry nothing in print.
    clean = _TRAILING_SPACE.sub(r"</\1>", clean)
    clean = _EMPTY_PARAGRAPH.sub("", clean)
    clean = _COLUMN_OPEN.sub(lambda m: f'<div class="col col-{m[1]}">', clean)
    clean = _COLUMN_CLOSE.sub("</div>", clean)

    def blank(match: re.Match[str]) -> str:
        label = blanks[int(match[1])] if int(match[1]) < len(blanks) else ""
        return str(
            Markup(
                '<span class="blank placeholder"><span class="blank-line"></span>'
                '<span class="blank-label">{}</span></span>'
            ).format(escape(label))
        )

    return Markup(_BLANK.sub(blank, clean))
