"""What WeasyPrint's PDF output leaves out or leaves awkward: per-element ``/Lang`` and
header-cell ``/Scope`` in tagged PDFs, and page content and form fields that form fillers can
work with (see ``_restoring`` and ``_normalising``).

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


def _restoring(paint: Any) -> Any:
    """WeasyPrint starts each page's content with a y-flip (``1 0 0 -1 0 h cm``) that it never
    undoes. A form filler that appends to the page (pypdf's ``flatten``) then draws a filled
    value twice, once mirrored. The flip is its own inverse: applied again after the page is
    painted, the content ends where it began, with the identity."""

    def paint_then_restore(page: Any, stream: Any, scale: float = 1) -> None:
        paint(page, stream, scale)
        stream.transform(d=-1, f=page.height * scale)

    paint_then_restore.__wrapped__ = paint  # type: ignore[attr-defined]
    return paint_then_restore


def _normalising(add_forms: Any) -> Any:
    """WeasyPrint writes a form field's ``/Rect`` through its y-flip, top before bottom. The
    PDF reference normalises rectangles, and most readers do; a form filler that does not
    (pypdf) draws the filled value a field's height too high. Written normalised here."""

    def add_forms_normalised(forms: Any, matrix: Any, pdf: Any, *args: Any) -> Any:
        first = len(pdf.objects)
        found = add_forms(forms, matrix, pdf, *args)
        boxes = [box for inputs in forms.values() for box, _ in inputs]
        widgets = [
            obj
            for obj in pdf.objects[first:]
            if isinstance(obj, dict) and obj.get("Subtype") == "/Widget"
        ]
        for widget in widgets:
            x1, y1, x2, y2 = widget["Rect"]
            widget["Rect"] = pydyf.Array((min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2)))
        if len(widgets) == len(boxes):  # one widget per text field, in the same order
            for widget, box in zip(widgets, boxes, strict=True):
                if box.style["direction"] == "rtl":
                    widget["Q"] = 2  # typed text starts at the right, as the line reads
        return found

    add_forms_normalised.__wrapped__ = add_forms  # type: ignore[attr-defined]
    return add_forms_normalised


def install() -> bool:
    """Wrap WeasyPrint's tag-tree builder, page painting and form fields once; False when
    this WeasyPrint has no such hooks."""
    import weasyprint.pdf as weasy_pdf
    from weasyprint.document import Page

    build = getattr(tags, "_build_box_tree", None)
    if build is None or not hasattr(Page, "paint"):
        return False
    if not hasattr(build, "__wrapped__"):
        tags._build_box_tree = _wrap(build)
    if not hasattr(Page.paint, "__wrapped__"):
        Page.paint = _restoring(Page.paint)
    forms = getattr(weasy_pdf, "add_forms", None)
    if forms is not None and not hasattr(forms, "__wrapped__"):
        weasy_pdf.add_forms = _normalising(forms)
    return True
