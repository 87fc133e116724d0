"""One combined PDF of a kit, for printing in one go; each document keeps its bookmarks."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter
from pypdf.generic import NameObject, TextStringObject

from kitgen import __version__


def combine_pdfs(parts: list[tuple[str, bytes]], *, title: str, lang: str) -> tuple[bytes, int]:
    """``(pdf, pages)`` of the parts in order, one top-level bookmark per document."""
    writer = PdfWriter()
    for part_title, data in parts:
        writer.append(PdfReader(io.BytesIO(data)), outline_item=part_title)
    writer.add_metadata({"/Title": title, "/Creator": f"kitgen {__version__}"})
    writer._root_object[NameObject("/Lang")] = TextStringObject(lang)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue(), len(writer.pages)
