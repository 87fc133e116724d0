"""Every supported language prints its kit's text in that language (all four documents).

One kit per language, rendered in process (fonts load once). For a non-Latin script, at least
90 % of the letters in the PDFs' extracted text are in the language's script (links are left
out: a URL is Latin in every language). For a Latin-script language, at least 90 % of the
segments come from its catalog. No language prints an English body by default.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import replace

import pytest

from kitgen.locales import load_catalog
from kitgen.models import KitRequest
from kitgen.settings import Settings
from kitgen.storage import FilesystemStorage
from tests.kits import build
from tests.pdfcheck import read_pdf

#: Unicode character-name prefixes of each script kitgen's languages are written in.
SCRIPT_NAMES = {
    "arabic": ("ARABIC",),
    "hebrew": ("HEBREW",),
    "cyrillic": ("CYRILLIC",),
    "greek": ("GREEK",),
    "devanagari": ("DEVANAGARI",),
    "georgian": ("GEORGIAN",),
    "khmer": ("KHMER",),
    "tamil": ("TAMIL",),
    "telugu": ("TELUGU",),
    "sinhala": ("SINHALA",),
    "hangul": ("HANGUL",),
    "han-hans": ("CJK",),
    "han-hant": ("CJK",),
    "japanese": ("CJK", "HIRAGANA", "KATAKANA"),
}
_URL = re.compile(r"(?:https?://)?[\w.-]*hourofcode\.com\S*|https?://\S+")
#: The campaign's name and hashtag: a brand most languages keep in Latin letters (see each
#: language's kit.title string), not text left untranslated.
_BRAND = re.compile(r"#?Hour\s*of\s*Code", re.I)
LANGUAGES = sorted(load_catalog(Settings().content_dir).languages)


def _country_for(language: str) -> str:
    catalog = load_catalog(Settings().content_dir)
    return next(
        (c.code for c in catalog.countries.values() if c.default_language == language),
        next((c.code for c in catalog.countries.values() if language in c.languages), "us"),
    )


def pdf_text(data: bytes) -> str:
    """pypdf's extraction: WeasyPrint maps a multi-glyph cluster (Khmer, Devanagari) to its
    first glyph and leaves the others unmapped; pypdf drops those, pdfium invents Latin
    letters from their glyph ids."""
    return read_pdf(data).text


def script_share(text: str, script: str) -> float:
    """Share of the letters (and combining marks, for Indic scripts) in ``script``."""
    prefixes = SCRIPT_NAMES[script]
    letters = [
        c
        for c in _BRAND.sub(" ", _URL.sub(" ", text))
        if unicodedata.category(c)[0] in "LM" and unicodedata.name(c, "")
    ]
    if not letters:
        return 0.0
    inside = sum(1 for c in letters if unicodedata.name(c).startswith(prefixes))
    return inside / len(letters)


@pytest.fixture(scope="module")
def kit_settings(tmp_path_factory) -> Settings:
    return replace(Settings(), store_dir=tmp_path_factory.mktemp("store"))


@pytest.mark.slow
@pytest.mark.parametrize("language", LANGUAGES)
def test_the_kit_prints_in_its_language(kit_settings: Settings, language: str) -> None:
    result = build(kit_settings, KitRequest(_country_for(language), language, campaign="2026"))
    script = load_catalog(kit_settings.content_dir).language(language).script
    pages = {d.kind: d.pages for d in result.manifest.documents}
    assert pages["brochure"] == 2, f"{language}: the brochure must fit one sheet, front and back"
    assert pages["agenda"] == 1, f"{language}: the agenda must fit one page"
    for document in result.manifest.documents:
        kind = document.kind
        translation = document.translation
        if language == "en":
            assert translation is None and not document.fallbacks
            continue
        assert translation is not None, f"{language}/{kind} has no catalog"
        assert translation["printed"] in ("reviewed", "draft"), (language, kind, translation)
        assert document.content_language == language
        segments = translation["segments"]
        from_catalog = 1 - segments["english"] / segments["total"]
        assert from_catalog >= 0.9, (language, kind, segments)
        if script != "latin":
            pdf = FilesystemStorage(kit_settings.store_dir).get(document.object)
            assert pdf is not None
            share = script_share(pdf_text(pdf), script)
            assert share >= 0.9, f"{language}/{kind}: {share:.0%} of letters in {script}"
