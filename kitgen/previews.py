"""First-page previews: small PNGs that let a person see what they are about to print.

Stored beside the documents under ``previews/<document key>.png``. Workers make them right
after rendering (in parallel, off the client's path); the web tier and the campaign index make
any that are missing.
"""

from __future__ import annotations

import io
import threading

import pypdfium2

from kitgen import objects
from kitgen.objects import preview_object
from kitgen.storage import Storage

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
    image.save(out, format="PNG", compress_level=6)  # optimize=True: 3× slower, no smaller
    return out.getvalue()


def ensure_preview(storage: Storage, document_key: str) -> str:
    """The preview's storage key, made from the stored PDF when it is not there yet."""
    key = preview_object(document_key)
    if not storage.exists(key):
        pdf = storage.get(objects.document_object(document_key))
        if pdf is not None:
            storage.put(key, first_page_png(pdf), "image/png")
    return key
