"""Reading PDFs in tests: structure, text, fonts, metadata (never byte comparisons)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader

RAW_SYNTAX = ("{{", "}}", "{%", "%}", "<%", "%>", "\u2045", "\u2046")
POINTS_PER_MM = 72 / 25.4
PAGE_SIZES = {"A4": (595.28, 841.89), "letter": (612.0, 792.0)}


@dataclass
class PdfFacts:
    pages: int
    size: tuple[float, float]
    text: str
    fonts: set[str]
    unembedded_fonts: set[str]
    title: str | None
    lang: str | None
    creator: str | None
    reader: PdfReader


def read_pdf(source: Path | bytes) -> PdfFacts:
    data = source.read_bytes() if isinstance(source, Path) else source
    reader = PdfReader(io.BytesIO(data))
    fonts: set[str] = set()
    unembedded: set[str] = set()
    for page in reader.pages:
        resources = page.get("/Resources") or {}
        for font in (resources.get("/Font") or {}).values():
            font = font.get_object()
            name = str(font.get("/BaseFont"))
            fonts.add(name)
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font).get(
                "/FontDescriptor")
            descriptor = descriptor.get_object() if descriptor else {}
            if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                unembedded.add(name)
    box = reader.pages[0].mediabox
    meta = reader.metadata or {}
    lang = reader.trailer["/Root"].get("/Lang")
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return PdfFacts(len(reader.pages), (float(box.width), float(box.height)), text, fonts,
                    unembedded, meta.get("/Title"), str(lang) if lang else None,
                    meta.get("/Creator"), reader)


def same_size(actual: tuple[float, float], paper: str, tolerance: float = 1.0) -> bool:
    want = PAGE_SIZES[paper]
    return all(abs(a - w) <= tolerance for a, w in zip(actual, want, strict=True))


def squash(text: str) -> str:
    """Text with all whitespace folded (PDF extraction breaks lines and hyphenates)."""
    return " ".join(text.replace("-\n", "").split())
