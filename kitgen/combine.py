"""One combined PDF of a kit, for printing in one go; each document keeps its bookmarks, its
structure tree (so the combined PDF is as accessible as its parts) and its form fields.

pypdf copies pages but not structure trees, so the merge of the trees is done here: each part's
tree is cloned with its pages (their references map to the copies), its top elements become
children of one ``/Document`` element, and the numbers that tie marked content and
annotations to the tree (``/StructParents``, ``/StructParent``, the ``/ParentTree`` keys) are
shifted past the previous parts'.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    BooleanObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    StreamObject,
    TextStringObject,
)

from kitgen import __version__


def combine_pdfs(parts: list[tuple[str, bytes]], *, title: str, lang: str) -> tuple[bytes, int]:
    """``(pdf, pages)`` of the parts in order, one top-level bookmark per document."""
    writer = PdfWriter()
    tree = _Tree(writer)
    fields = ArrayObject()
    resources: DictionaryObject | None = None
    for part_title, data in parts:
        reader = PdfReader(io.BytesIO(data))
        first = len(writer.pages)
        for page in reader.pages:
            writer.add_page(page)  # clones the page with its annotations
        pages = writer.pages[first:]
        tree.add(reader, pages)
        _copy_outline(writer, reader, part_title, first)
        for page in pages:
            for annotation in page.get("/Annots", ()):
                if "/FT" in annotation.get_object():
                    fields.append(annotation)  # the page's reference to the field
        catalog: Any = reader.trailer["/Root"]
        form = catalog.get("/AcroForm")
        if form is not None and resources is None and "/DR" in form:
            resources = form["/DR"].get_object().clone(writer)
    root = writer._root_object
    if tree.complete:
        tree.finish()
        root[NameObject("/MarkInfo")] = DictionaryObject(
            {NameObject("/Marked"): BooleanObject(True)}
        )
        root[NameObject("/ViewerPreferences")] = DictionaryObject(
            {NameObject("/DisplayDocTitle"): BooleanObject(True)}
        )
        root[NameObject("/Metadata")] = writer._add_object(_xmp(writer, title, lang))
    if fields:
        form_dict = DictionaryObject(
            {NameObject("/Fields"): fields, NameObject("/NeedAppearances"): BooleanObject(True)}
        )
        if resources is not None:
            form_dict[NameObject("/DR")] = resources
        root[NameObject("/AcroForm")] = form_dict
    writer.add_metadata({"/Title": title, "/Creator": f"kitgen {__version__}"})
    root[NameObject("/Lang")] = TextStringObject(lang)
    output = io.BytesIO()
    writer.write(output)
    return output.getvalue(), len(writer.pages)


class _Tree:
    """The combined structure tree, grown part by part."""

    def __init__(self, writer: PdfWriter):
        self.writer = writer
        self.root = DictionaryObject({NameObject("/Type"): NameObject("/StructTreeRoot")})
        self.root_ref = writer._add_object(self.root)
        self.document: Any = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/StructElem"),
                NameObject("/S"): NameObject("/Document"),
                NameObject("/P"): self.root_ref,
                NameObject("/K"): ArrayObject(),
            }
        )
        self.document_ref = writer._add_object(self.document)
        self.nums = ArrayObject()
        self.next_key = 0
        self.complete = True  # every part had a tree

    def add(self, reader: PdfReader, pages: Sequence[Any]) -> None:
        catalog: Any = reader.trailer["/Root"]
        source = catalog.get("/StructTreeRoot")
        if source is None:
            self.complete = False
            return
        cloned: Any = source.get_object().clone(self.writer)
        offset = self.next_key
        kids = cloned.get("/K")
        for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
            kid.get_object()[NameObject("/P")] = self.document_ref
            self.document["/K"].append(kid)
        highest = -1
        for key, value in _number_tree(cloned.get("/ParentTree")):
            self.nums.extend([NumberObject(key + offset), value])
            highest = max(highest, key)
        source_pages: list[Any] = list(reader.pages)
        for source_page, page in zip(source_pages, pages, strict=True):
            if "/StructParents" in source_page:  # pypdf leaves it out of a copied page
                page[NameObject("/StructParents")] = NumberObject(
                    int(source_page["/StructParents"]) + offset
                )
            for annotation in page.get("/Annots", ()):
                annotation = annotation.get_object()
                if "/StructParent" in annotation:
                    annotation[NameObject("/StructParent")] = NumberObject(
                        int(annotation["/StructParent"]) + offset
                    )
        self.next_key = offset + highest + 1

    def finish(self) -> None:
        parent_tree = DictionaryObject({NameObject("/Nums"): self.nums})
        self.root[NameObject("/K")] = self.document_ref
        self.root[NameObject("/ParentTree")] = self.writer._add_object(parent_tree)
        self.root[NameObject("/ParentTreeNextKey")] = NumberObject(self.next_key)
        self.writer._root_object[NameObject("/StructTreeRoot")] = self.root_ref


def _number_tree(node: Any) -> list[tuple[int, Any]]:
    """The (key, value) pairs of a number tree, leaves and kids alike."""
    if node is None:
        return []
    node = node.get_object()
    pairs: list[tuple[int, Any]] = []
    nums = node.get("/Nums", [])
    pairs += [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)]
    for kid in node.get("/Kids", []):
        pairs += _number_tree(kid)
    return pairs


def _copy_outline(writer: PdfWriter, reader: PdfReader, part_title: str, first: int) -> None:
    """The part's own bookmarks under one bookmark named for the part."""
    parent = writer.add_outline_item(title=part_title, page_number=first)

    def copy(items: list[Any], under: Any) -> None:
        last = under
        for item in items:
            if isinstance(item, list):
                copy(item, last)
                continue
            page = reader.get_destination_page_number(item) or 0
            last = writer.add_outline_item(title=item.title, page_number=first + page, parent=under)

    copy(reader.outline, parent)


def _xmp(writer: PdfWriter, title: str, lang: str) -> StreamObject:
    """XMP metadata naming the title and PDF/UA-1 (what a PDF/UA reader looks for)."""
    escaped = title.replace("&", "&amp;").replace("<", "&lt;")
    packet = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
<dc:title><rdf:Alt><rdf:li xml:lang="{lang}">{escaped}</rdf:li></rdf:Alt></dc:title>
<pdfuaid:part>1</pdfuaid:part>
</rdf:Description></rdf:RDF></x:xmpmeta>
<?xpacket end="w"?>"""
    stream = StreamObject()
    stream.set_data(packet.encode())
    stream.update(
        {NameObject("/Type"): NameObject("/Metadata"), NameObject("/Subtype"): NameObject("/XML")}
    )
    return stream
