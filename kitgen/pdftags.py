"""Per-element ``/Lang`` and header-cell ``/Scope`` in tagged PDFs: what WeasyPrint's PDF/UA
tagging leaves out.

WeasyPrint (70) writes one language, the root element's, to the catalog; a passage in another
language (an English segment in a Japanese kit, or the Japanese masthead of a kit whose body
fell back to English) must carry ``/Lang`` on its structure element so screen readers switch
voice (PDF/UA-1 7.2, WCAG 3.1.2). WeasyPrint builds the structure tree in
``weasyprint.pdf.tags._build_box_tree``, one element per box, recursing through the module
global, depth first. Wrapping that global follows the HTML ``lang`` inheritance and gives
``/Lang`` to every structure element whose language differs from its parent's (the catalog's
at the top). If a WeasyPrint release renames the function, the wrap is skipped and the tagged
PDF tests (tests/test_translations.py) say so.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pydyf
from weasyprint.pdf import tags

_state = threading.local()
#: A header cell's ``/Scope`` (PDF/UA-1 7.5): WeasyPrint links data cells to their headers
#: (``/Headers``) but leaves the header cells without one.
_SCOPES = {"row": "/Row", "col": "/Column", "rowgroup": "/Row", "colgroup": "/Column"}


def set_catalog_lang(lang: str | None) -> None:
    """The document's own language (the catalog's ``/Lang``) for the render on this thread."""
    _state.catalog = lang
    _state.stack = []


def _wrap(build: Any) -> Any:
    def build_with_lang(box: Any, parent: Any, *args: Any) -> Iterator[Any]:
        stack: list[str | None] = getattr(_state, "stack", [])
        inherited = stack[-1] if stack else getattr(_state, "catalog", None)
        element = getattr(box, "element", None)
        own = element.get("lang") if element is not None else None
        effective = own or inherited
        stack.append(effective)
        try:
            for struct in build(box, parent, *args):
                if effective and effective != inherited and "Lang" not in struct:
                    struct["Lang"] = pydyf.String(effective)
                if struct.get("S") == "/TH" and "A" in struct and element is not None:
                    struct["A"]["Scope"] = _SCOPES.get(element.get("scope", ""), "/Column")
                yield struct
        finally:
            stack.pop()

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
