"""Per-element ``/Lang`` in tagged PDFs: what WeasyPrint's PDF/UA tagging leaves out.

WeasyPrint (70) writes the document's language to the catalog only; a passage in another
language (an English segment in a Japanese kit) must carry ``/Lang`` on its structure element
so screen readers switch voice (PDF/UA-1 7.2, WCAG 3.1.2). WeasyPrint builds the structure tree
in ``weasyprint.pdf.tags._build_box_tree``, one element per box, recursively through the module
global; wrapping that global gives every element whose HTML element has a ``lang`` attribute
its ``/Lang``. If a WeasyPrint release renames the function, the wrap is skipped and the tagged
PDF test (tests/test_translations_render.py) says so.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pydyf
from weasyprint.pdf import tags

_PASSTHROUGH = {"html", "body"}


def _wrap(build: Any) -> Any:
    def build_with_lang(box: Any, parent: Any, *args: Any) -> Iterator[Any]:
        element = getattr(box, "element", None)
        lang = None
        if element is not None and getattr(box, "element_tag", None) not in _PASSTHROUGH:
            lang = element.get("lang")
        for struct in build(box, parent, *args):
            if lang and "Lang" not in struct:
                struct["Lang"] = pydyf.String(lang)
            yield struct

    build_with_lang.__wrapped__ = build  # type: ignore[attr-defined]
    return build_with_lang


def install() -> bool:
    """Wrap WeasyPrint's tag-tree builder once; False when this WeasyPrint has no such hook."""
    build = getattr(tags, "_build_box_tree", None)
    if build is None:
        return False
    if not hasattr(build, "__wrapped__"):
        tags._build_box_tree = _wrap(build)
    return True
