"""First-page previews: small PNGs that let a person see what they are about to print."""

from __future__ import annotations

import io
import threading

import pypdfium2

PREVIEW_WIDTH = 360  # pixels; enough to recognise the page on a phone or beside the link
_pdfium = threading.Lock()  # PDFium is not thread-safe


def first_page_png(pdf: bytes, width: int = PREVIEW_WIDTH) -> bytes:
    with _pdfium:
        document = pypdfium2.PdfDocument(pdf)
        try:
            page = document[0]
            scale = width / page.get_width()
            image = page.render(scale=scale).to_pil()
        finally:
            document.close()
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
