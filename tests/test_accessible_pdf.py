"""Every kit is an accessible, tagged PDF (PDF/UA-1 by default): a structure tree with
headings, lists and tables whose header cells carry a scope, alternative text on every figure
(the logo, each QR code saying where it points), the document's language — checked from the
PDF's own structure, then by the ``pdfua`` validator (the machine-checkable subset of
PDF/UA-1 it implements; it is not a conformance certificate, see README)."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from kitgen.models import KINDS, KitRequest
from kitgen.pipeline import build_kit
from kitgen.publish import ensure_combined
from kitgen.settings import Settings
from kitgen.storage import FilesystemStorage
from tests.pdfcheck import structure

pytestmark = pytest.mark.slow

LOCALES = {("us", "en"): "en-US", ("eg", "ar"): "ar-EG", ("jp", "ja"): "ja-JP"}
#: pdfua findings accepted for now, each with why; anything else fails the test.
KNOWN_FINDINGS: dict[str, str] = {}


@pytest.fixture(scope="module")
def kits(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], dict[str, Path]]:
    root = tmp_path_factory.mktemp("accessible")
    settings = replace(Settings(), store_dir=root / "store")
    storage = FilesystemStorage(settings.store_dir)
    found: dict[tuple[str, str], dict[str, Path]] = {}
    for country, language in LOCALES:
        result = build_kit(KitRequest(country, language), settings=settings, storage=storage)
        found[(country, language)] = {}
        combined = root / f"{country}-{language}-kit.pdf"
        combined.write_bytes(storage.get(ensure_combined(storage, result.manifest)) or b"")
        found[(country, language)]["kit"] = combined
        for doc in result.documents:
            path = root / f"{country}-{language}-{doc.kind}.pdf"
            path.write_bytes(storage.get(f"documents/{doc.key}.pdf") or b"")
            found[(country, language)][doc.kind] = path
    return found


@pytest.mark.parametrize("locale", list(LOCALES), ids=lambda loc: "-".join(loc))
def test_every_document_is_tagged_with_headings_alt_text_and_language(kits, locale) -> None:
    for kind in KINDS:
        reader = PdfReader(kits[locale][kind])
        root = reader.trailer["/Root"]
        assert bool(root["/MarkInfo"]["/Marked"]), kind
        assert str(root["/Lang"]) == LOCALES[locale], kind
        nodes = structure(reader)
        kinds = {n.kind for n in nodes}
        assert kinds & {"/H1", "/H2", "/H"}, f"{kind}: no heading in {sorted(kinds)}"
        figures = [n for n in nodes if n.kind == "/Figure"]
        assert figures and all(n.alt for n in figures), f"{kind}: a figure without /Alt"
        qr = [n.alt for n in figures if n.alt and "hourofcode.com" in n.alt]
        if kind != "proclamation":  # the proclamation has the logo but no QR code
            assert qr, f"{kind}: no QR code says where it points: {[n.alt for n in figures]}"
        if kind == "agenda":
            headers = [n for n in nodes if n.kind == "/TH"]
            assert headers and all(
                n.attributes.get("/Scope") in ("/Column", "/Row") for n in headers
            ), headers
            cells = [n for n in nodes if n.kind == "/TD"]
            assert cells and all("/Headers" in n.attributes for n in cells)
        if kind == "guide":
            assert "/L" in kinds and "/LI" in kinds  # the checklist is a real list


@pytest.mark.parametrize("locale", list(LOCALES), ids=lambda loc: "-".join(loc))
def test_the_combined_kit_keeps_every_documents_structure_and_fields(kits, locale) -> None:
    reader = PdfReader(kits[locale]["kit"])
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and str(root["/Lang"]) == LOCALES[locale]
    tree = root["/StructTreeRoot"]
    assert str(tree["/K"]["/S"]) == "/Document"
    nums = tree["/ParentTree"]["/Nums"]
    keys = [int(nums[i]) for i in range(0, len(nums), 2)]
    assert len(keys) == len(set(keys)), "two parts share a structure key"
    pages = [int(page["/StructParents"]) for page in reader.pages]
    assert len(set(pages)) == len(reader.pages) and set(pages) <= set(keys)
    nodes = structure(reader)
    parts = len(KINDS)
    assert sum(1 for n in nodes if n.kind == "/H1") >= parts  # each document's title
    assert sum(1 for n in nodes if n.kind == "/Figure") >= 2 * parts - 1
    assert {"jurisdiction", "place"} <= set(reader.get_fields() or {})  # still fillable
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()


@pytest.mark.parametrize("locale", list(LOCALES), ids=lambda loc: "-".join(loc))
def test_the_pdfua_validator_finds_nothing_beyond_the_known_list(kits, locale) -> None:
    pdfua = pytest.importorskip("pdfua")
    for kind in (*KINDS, "kit"):
        report = pdfua.validate(str(kits[locale][kind]))
        unexpected = [
            f"{f.rule_id} ({f.pdfua_clause}): {f.message}"
            for f in report.findings
            if f.rule_id not in KNOWN_FINDINGS
        ]
        assert not unexpected, f"{kind}:\n" + "\n".join(unexpected)


def test_the_archival_variant_is_tagged_too(tmp_path: Path) -> None:
    settings = replace(Settings(), store_dir=tmp_path / "store")
    storage = FilesystemStorage(settings.store_dir)
    result = build_kit(
        KitRequest("fr", "fr", kinds=("agenda",), variant="pdf/a-3u"),
        settings=settings,
        storage=storage,
    )
    reader = PdfReader(io.BytesIO(storage.get(f"documents/{result.documents[0].key}.pdf") or b""))
    assert bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"])
    assert b"pdfaid" in reader.trailer["/Root"]["/Metadata"].get_object().get_data()
