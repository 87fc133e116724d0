"""Reading PDFs in tests: structure, text, fonts, metadata (never byte comparisons)."""

from __future__ import annotations

import ctypes
import io
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from fontTools.ttLib import TTFont, TTLibError
from pypdf import PdfReader
from pypdf.generic import ContentStream

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
                "/FontDescriptor"
            )
            descriptor = descriptor.get_object() if descriptor else {}
            if not any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                unembedded.add(name)
    box = reader.pages[0].mediabox
    meta = reader.metadata or {}
    lang = reader.trailer["/Root"].get("/Lang")
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    return PdfFacts(
        len(reader.pages),
        (float(box.width), float(box.height)),
        text,
        fonts,
        unembedded,
        meta.get("/Title"),
        str(lang) if lang else None,
        meta.get("/Creator"),
        reader,
    )


def same_size(actual: tuple[float, float], paper: str, tolerance: float = 1.0) -> bool:
    want = PAGE_SIZES[paper]
    return all(abs(a - w) <= tolerance for a, w in zip(actual, want, strict=True))


def squash(text: str) -> str:
    """Text with all whitespace folded (PDF extraction breaks lines and hyphenates)."""
    return " ".join(text.replace("-\n", "").split())


# -- glyphs ---------------------------------------------------------------------------------
# WeasyPrint draws text with Type0 / Identity-H fonts, so each 2-byte code of a Tj/TJ string
# is a glyph id of the embedded (subset, glyph ids kept) font program. For a character that no
# font has, Pango hands WeasyPrint an "unknown glyph"; WeasyPrint 70 logs a warning and writes a
# glyph id past the end of the font (its glyph count + n, e.g. <0cf5> in Noto Sans, which has
# 3317 glyphs), with a width and a ToUnicode entry for the character. Viewers draw .notdef
# (an empty box) for it. So a glyph is missing if its id is 0 (.notdef itself) or not below the
# embedded font's glyph count.

TEXT_SHOWING = {"Tj", "TJ", "'", '"'}


@dataclass(frozen=True)
class MissingGlyph:
    page: int  # 1-based
    font: str  # /BaseFont
    glyph: int
    text: str  # what the font's ToUnicode says the glyph stands for ("" if nothing)

    def __str__(self) -> str:
        chars = " ".join(f"U+{ord(c):04X}" for c in self.text) or "?"
        return f"page {self.page}: {self.font} glyph {self.glyph} ({self.text!r} {chars})"


@dataclass
class _FontInfo:
    name: str
    glyph_count: int | None  # None: not a font program we can count (then 0 alone is missing)
    to_unicode: dict[int, str]


def _raw_bytes(operand: object) -> bytes:
    """A PDF string's bytes (pypdf may have decoded it to text)."""
    if isinstance(operand, bytes):
        return bytes(operand)
    original = getattr(operand, "original_bytes", None)
    return bytes(original) if original is not None else str(operand).encode("latin-1")


def _glyph_count(font: object) -> int | None:
    """numGlyphs of the embedded font program (TrueType or OpenType/CFF), if there is one."""
    descendants = font.get("/DescendantFonts")
    if not descendants:
        return None
    descriptor = descendants[0].get_object().get("/FontDescriptor") or {}
    descriptor = descriptor.get_object() if descriptor else {}
    program = descriptor.get("/FontFile2") or descriptor.get("/FontFile3")
    if program is None:
        return None
    try:
        return TTFont(io.BytesIO(program.get_object().get_data()), lazy=True)["maxp"].numGlyphs
    except (TTLibError, KeyError, AssertionError):
        return None


def _to_unicode(font: object) -> dict[int, str]:
    """The bfchar/bfrange entries of a ToUnicode CMap (as WeasyPrint writes them)."""
    stream = font.get("/ToUnicode")
    if stream is None:
        return {}
    data = stream.get_object().get_data().decode("latin-1")
    mapping: dict[int, str] = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", data, re.S):
        for code, text in re.findall(r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]*)>", block):
            mapping[int(code, 16)] = bytes.fromhex(text).decode("utf-16-be", "replace")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", data, re.S):
        for low, high, start in re.findall(
            r"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block
        ):
            first = int(start, 16)
            for offset, code in enumerate(range(int(low, 16), int(high, 16) + 1)):
                mapping[code] = chr(first + offset)
    return mapping


def _shown_strings(operator: str, operands: list) -> list[bytes]:
    """The strings a text-showing operator draws (TJ: its array less the kerning numbers)."""
    if operator == "TJ":
        return [_raw_bytes(x) for x in operands[0] if not isinstance(x, int | float)]
    return [_raw_bytes(operands[2] if operator == '"' else operands[0])]


@dataclass(frozen=True)
class DrawnGlyph:
    page: int  # 1-based
    block: int  # which text object or text matrix (WeasyPrint: one per line of a text box)
    font: _FontInfo
    glyph: int

    @property
    def missing(self) -> bool:
        count = self.font.glyph_count
        return self.glyph == 0 or (count is not None and self.glyph >= count)


def _walk_text(
    content: object,
    resources: object,
    reader: PdfReader,
    page_number: int,
    fonts: dict[int, _FontInfo],
    seen_forms: set[int],
    blocks: list[int],
) -> Iterator[DrawnGlyph]:
    """Every glyph a content stream shows, and those of the forms it draws, in order."""
    resources = resources.get_object() if resources is not None else {}
    font_dict = resources.get("/Font") or {}
    font_dict = font_dict.get_object() if font_dict else {}
    xobjects = resources.get("/XObject") or {}
    xobjects = xobjects.get_object() if xobjects else {}
    current: _FontInfo | None = None
    stream = content if isinstance(content, ContentStream) else ContentStream(content, reader)
    for operands, operator in stream.operations:
        op = operator.decode() if isinstance(operator, bytes) else operator
        if op in ("BT", "Tm"):  # WeasyPrint places each text box with its own Tm
            blocks[0] += 1
        elif op == "Tf":
            ref = font_dict[operands[0]]
            key = ref.idnum if hasattr(ref, "idnum") else id(ref)
            if key not in fonts:
                font = ref.get_object()
                fonts[key] = _FontInfo(
                    str(font.get("/BaseFont")), _glyph_count(font), _to_unicode(font)
                )
            current = fonts[key]
        elif op in TEXT_SHOWING:
            assert current is not None, "text shown before any Tf"
            for data in _shown_strings(op, operands):
                for index in range(0, len(data) - 1, 2):
                    glyph = int.from_bytes(data[index : index + 2], "big")
                    yield DrawnGlyph(page_number, blocks[0], current, glyph)
        elif op == "Do":
            ref = xobjects.get(operands[0])
            form = ref.get_object() if ref is not None else None
            key = getattr(ref, "idnum", None)
            if form is not None and form.get("/Subtype") == "/Form" and key not in seen_forms:
                seen_forms.add(key)
                yield from _walk_text(
                    ContentStream(form, reader),
                    form.get("/Resources"),
                    reader,
                    page_number,
                    fonts,
                    seen_forms,
                    blocks,
                )


Glyphs = Path | bytes | list[DrawnGlyph]  # a PDF, or its glyphs already read


def drawn_glyphs(source: Glyphs) -> list[DrawnGlyph]:
    """Every glyph of every page, in content-stream order (form XObjects included).

    Parsing content streams is slow in pure Python: read once, pass the list around.
    """
    if isinstance(source, list):
        return source
    data = source.read_bytes() if isinstance(source, Path) else source
    reader = PdfReader(io.BytesIO(data))
    fonts: dict[int, _FontInfo] = {}
    blocks = [0]
    glyphs: list[DrawnGlyph] = []
    for number, page in enumerate(reader.pages, start=1):
        contents = page.get_contents()
        if contents is not None:
            glyphs.extend(
                _walk_text(contents, page.get("/Resources"), reader, number, fonts, set(), blocks)
            )
    return glyphs


def missing_glyphs(source: Glyphs) -> tuple[list[MissingGlyph], int]:
    """Every glyph drawn as .notdef in a PDF, and how many glyphs were drawn in all."""
    found: list[MissingGlyph] = []
    shown = 0
    for drawn in drawn_glyphs(source):
        shown += 1
        if drawn.missing:
            found.append(
                MissingGlyph(
                    drawn.page,
                    drawn.font.name,
                    drawn.glyph,
                    drawn.font.to_unicode.get(drawn.glyph, ""),
                )
            )
    return found, shown


def _face(base_font: str) -> str:
    """'/ABCDEF+Noto-Sans-Arabic-Bold' → 'Noto-Sans-Arabic-Bold'."""
    return base_font.lstrip("/").split("+", 1)[-1]


def glyphs_per_face(source: Glyphs) -> dict[str, list[int]]:
    """The glyph ids each face draws, in content-stream order (faces as :func:`_face`)."""
    streams: dict[str, list[int]] = {}
    for drawn in drawn_glyphs(source):
        streams.setdefault(_face(drawn.font.name), []).append(drawn.glyph)
    return streams


def glyphs_per_block(source: Glyphs) -> list[dict[str, list[int]]]:
    """Per text placement (a line of one text box), the glyph ids of each face it draws."""
    blocks: dict[int, dict[str, list[int]]] = {}
    for drawn in drawn_glyphs(source):
        blocks.setdefault(drawn.block, {}).setdefault(_face(drawn.font.name), []).append(
            drawn.glyph
        )
    return [blocks[key] for key in sorted(blocks)]


def contains_run(stream: list[int], run: list[int]) -> bool:
    """Whether ``run`` occurs in ``stream`` as consecutive items."""
    width = len(run)
    return any(stream[i : i + width] == run for i in range(len(stream) - width + 1))


def font_families(facts: PdfFacts) -> set[str]:
    """Embedded font names without the subset tag and the style: {'Noto-Sans-CJK-SC', …}."""
    names = {_face(name) for name in facts.fonts}
    return {re.sub(r"-(Bold|Italic|BoldItalic|Regular)$", "", name) for name in names}


# -- where text lies on the page --------------------------------------------------------------


@dataclass(frozen=True)
class PlacedChar:
    char: str
    left: float  # glyph box, points from the page's left edge
    right: float
    baseline: float  # points from the page's bottom edge (glyph boxes vary, baselines don't)

    @property
    def x(self) -> float:
        return (self.left + self.right) / 2


def placed_chars(source: Path | bytes, page: int = 0) -> list[PlacedChar]:
    """The characters of a page with their boxes, in the order pdfium reads them."""
    data = source.read_bytes() if isinstance(source, Path) else source
    document = pdfium.PdfDocument(data)
    try:
        text_page = document[page].get_textpage()
        x, y = ctypes.c_double(), ctypes.c_double()
        chars = []
        for index in range(text_page.count_chars()):
            char = text_page.get_text_range(index, 1)
            left, _, right, _ = text_page.get_charbox(index)
            pdfium_c.FPDFText_GetCharOrigin(text_page.raw, index, ctypes.byref(x), ctypes.byref(y))
            chars.append(PlacedChar(char, left, right, y.value))
        return chars
    finally:
        document.close()


def find_chars(chars: list[PlacedChar], text: str, start: int = 0) -> list[PlacedChar]:
    """The placed characters of the first occurrence of ``text`` (whitespace-exact)."""
    joined = "".join(c.char for c in chars)
    index = joined.find(text, start)
    if index < 0:
        raise AssertionError(f"{text!r} not on the page: {joined[:400]!r}…")
    return chars[index : index + len(text)]


def split_at_widest_gap(chars: list[PlacedChar]) -> tuple[list[PlacedChar], list[PlacedChar]]:
    """Ink on one line, split where the horizontal gap is widest: (left part, right part)."""
    ink = sorted((c for c in chars if c.char.strip() and c.right > c.left), key=lambda c: c.x)
    if len(ink) < 2:
        raise AssertionError(f"need two pieces of text on the line, got {ink}")
    gaps = [(ink[i + 1].left - ink[i].right, i) for i in range(len(ink) - 1)]
    _, at = max(gaps)
    return ink[: at + 1], ink[at + 1 :]


def on_line(chars: list[PlacedChar], baseline: float, tolerance: float = 1.0) -> list[PlacedChar]:
    """The ink of the line on ``baseline``."""
    return [c for c in chars if c.char.strip() and abs(c.baseline - baseline) <= tolerance]


def words(text: str) -> list[str]:
    """Words for comparing printed text: punctuation, symbols and format characters (ZWJ…)
    dropped, marks kept, NFC. RTL extraction orders words visually, so compare words."""
    cleaned = "".join(
        " "
        if unicodedata.category(c)[0] in "PZS" or c.isspace()
        else ""
        if unicodedata.category(c) == "Cf"
        else c
        for c in unicodedata.normalize("NFC", text)
    )
    return cleaned.split()


def printed_words(source: Path | bytes, pypdf_text: str | None = None) -> set[str]:
    """Words of all pages as pypdf and as pdfium extract them (see :func:`words`).

    Neither extractor is right for every script: pypdf glues digits to Arabic words next to
    them in RTL lines ("13  تا7"), pdfium splits some Sinhala conjuncts and reverses lam-alef
    ligatures. A word is printed if either one reads it back.
    """
    data = source.read_bytes() if isinstance(source, Path) else source
    found = set(words(read_pdf(data).text if pypdf_text is None else pypdf_text))
    document = pdfium.PdfDocument(data)
    try:
        for page in document:
            found.update(words(page.get_textpage().get_text_range()))
    finally:
        document.close()
    return found


# -- the structure tree of a tagged PDF ----------------------------------------------------


@dataclass(frozen=True)
class StructNode:
    """One structure element: its type (``/H1``, ``/Figure``, ``/TH``…) and what it says."""

    kind: str
    lang: str | None
    alt: str | None
    attributes: dict[str, str]


def structure(reader: PdfReader) -> list[StructNode]:
    """Every structure element under the catalog's ``/StructTreeRoot`` (in no set order)."""
    found: list[StructNode] = []
    seen: set[int] = set()
    stack = [reader.trailer["/Root"]["/StructTreeRoot"]]
    while stack:
        node = stack.pop()
        ref = getattr(node, "idnum", None)
        if ref is not None:
            if ref in seen:
                continue
            seen.add(ref)
        node = node.get_object()
        if not hasattr(node, "get"):
            continue
        if "/S" in node:
            attrs = node.get("/A")
            attrs = attrs.get_object() if attrs is not None else {}
            found.append(
                StructNode(
                    str(node["/S"]),
                    str(node["/Lang"]) if "/Lang" in node else None,
                    str(node["/Alt"]) if "/Alt" in node else None,
                    {str(k): str(v) for k, v in attrs.items()},
                )
            )
        kids = node.get("/K")
        if kids is None:
            continue
        for kid in kids if isinstance(kids, list) else [kids]:
            if hasattr(kid, "get_object"):
                stack.append(kid)
    return found
