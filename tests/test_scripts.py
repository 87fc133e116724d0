"""Every supported language prints: a face for its script, no missing glyph, hyphenation, RTL.

One agenda per language goes through the real pipeline (build_kit: strings, templates,
styles, WeasyPrint, store) once per module, from a copy of the content whose agenda in that
language is a sample made of CLDR text (its own name, the campaign dates, day and month
names, country names), so every language prints native text in every script it needs; a few
brochures and proclamations, and small documents for hyphenation, come on top. The checks
read the PDFs: glyph ids in the content streams, embedded font names, extracted text, and
where pdfium places the characters. About 30 s on 2 cores (the agendas render on both).
"""

from __future__ import annotations

import os
import re
import shutil
import unicodedata
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from functools import cached_property, lru_cache
from multiprocessing import get_context

import pyphen
import pytest
from babel.dates import get_day_names, get_month_names
from babel.lists import format_list

from kitgen.brand import load_brand
from kitgen.content.agenda import format_time_range, load_agenda
from kitgen.locales import Language, load_catalog, native_digits, pair_locale
from kitgen.models import KitRequest
from kitgen.pdf import PdfRenderer
from kitgen.planner import KitLocale, planner_for
from kitgen.settings import PROJECT_ROOT, Settings
from tests.kits import build, stored_pdf
from tests.pdfcheck import (
    DrawnGlyph,
    PdfFacts,
    contains_run,
    drawn_glyphs,
    find_chars,
    font_families,
    glyphs_per_block,
    glyphs_per_face,
    missing_glyphs,
    on_line,
    placed_chars,
    printed_words,
    read_pdf,
    split_at_widest_gap,
    words,
)

pytestmark = pytest.mark.slow

CATALOG = load_catalog(Settings().content_dir)
LANGUAGES = sorted(CATALOG.languages)
RTL = sorted(code for code, lang in CATALOG.languages.items() if lang.direction == "rtl")
CAMPAIGN = "2026"
SAMPLE_TERRITORIES = ("FR", "DE", "JP", "EG", "IN", "BR", "KH", "GE", "LK", "IL")
LATIN_TOKENS = ("HTML5", "CSS3")  # in this logical order, with native text between them
#: Scripts whose printed text does not read back: WeasyPrint writes one ToUnicode entry per
#: glyph (the first cluster it was seen in), so reordered vowel signs and conjuncts come out
#: of copy-paste wrong ("हिन्दी" reads "हिन्दिी", Tamil "தேதி" reads "தேதேி"). The print is
#: right (see test_native_text_is_drawn); search and copy-paste in these PDFs are not.
#: Khmer too, once a page carries enough Khmer text (a translated agenda) for its subscript
#: consonants to be seen first in other clusters ("កម្ពុជា" stops reading back).
TEXT_DOES_NOT_ROUND_TRIP = {"devanagari", "sinhala", "tamil", "telugu", "khmer"}

#: The script's own face (embedded name, style dropped); None: the brand's Noto Sans covers it.
SCRIPT_FACE = {
    "latin": None,
    "cyrillic": None,
    "greek": None,
    "arabic": "Noto-Sans-Arabic",
    "hebrew": "Noto-Sans-Hebrew",
    "han-hans": "Noto-Sans-CJK-SC",
    "han-hant": "Noto-Sans-CJK-TC",
    "japanese": "Noto-Sans-CJK-JP",
    "hangul": "Noto-Sans-CJK-KR",
    "devanagari": "Noto-Sans-Devanagari",
    "georgian": "Noto-Sans-Georgian",
    "khmer": "Noto-Sans-Khmer",
    "sinhala": "Noto-Sans-Sinhala",
    "tamil": "Noto-Sans-Tamil",
    "telugu": "Noto-Sans-Telugu",
}
BRAND_FACE = "Noto-Sans"


def country_for(language: str) -> str:
    """A country that speaks the language, preferring one where it is the default."""
    speaking = [c for c in CATALOG.countries.values() if language in c.languages]
    defaults = [c for c in speaking if c.default_language == language]
    return (defaults or speaking)[0].code


def sample_agenda(language: Language) -> str:
    """An agenda document of CLDR text in the language (expressions resolved by kitgen)."""
    locale = language.locale
    days = format_list(list(get_day_names("wide", locale=locale).values()), locale=locale)
    months = format_list(list(get_month_names("wide", locale=locale).values()), locale=locale)
    territories = format_list(
        [locale.territories[t] for t in SAMPLE_TERRITORIES if t in locale.territories],
        locale=locale,
    )
    first, second = LATIN_TOKENS
    december = get_month_names("wide", locale=locale)[12]
    return (
        "---\n"
        'title: "{{ language }}"\n'
        "subtitle: \"{{ date('full') }} · {{ country }}\"\n"
        "cta: /events\n"
        "cta_label: cta.register\n"
        "---\n\n"
        '<div class="notes" markdown="1">\n\n'
        f"- {first} {december} {second}\n"
        f"- {days}\n- {months}\n- {territories}\n"
        "- {{ language }} · {{ country }}\n\n"
        "</div>\n"
    )


GRID_TOKENS = ("ALPHA", "BRAVO", "CHARLIE", "DELTA")  # the brochure's four figures
WAY_TOKENS = tuple(f"WAY{n}" for n in range(1, 9))  # and its eight ways


def sample_brochure(language: Language) -> str:
    """A brochure with the shipped one's structure: Latin tokens in the language's text."""
    december = get_month_names("wide", locale=language.locale)[12]
    facts = "".join(f"- **{token}** {december}\n" for token in GRID_TOKENS)
    ways = "".join(f"{n}. **{token}** {december}\n" for n, token in enumerate(WAY_TOKENS, 1))
    return (
        '---\ntitle: "{{ language }}"\ncta: /events\ncta_label: cta.register\n---\n\n'
        '<div class="front" markdown="1">\n\n{{ country }}\n\n'
        f'<div class="facts" markdown="1">\n\n{facts}\n</div>\n\n</div>\n\n'
        '<div class="back" markdown="1">\n\n## {{ language }}\n\n'
        f'<div class="ways" markdown="1">\n\n{ways}\n</div>\n\n</div>\n'
    )


@pytest.fixture(scope="module")
def sample_settings(tmp_path_factory) -> Settings:
    """Shipped strings, templates and styles; every language's agenda and brochure are
    samples of its own text."""
    root = tmp_path_factory.mktemp("scripts")
    for name in ("content", "templates", "styles"):
        shutil.copytree(PROJECT_ROOT / name, root / name)
    documents = root / "content" / "documents"
    for code, language in CATALOG.languages.items():
        (documents / "agenda" / f"{code}.md").write_text(sample_agenda(language), encoding="utf-8")
        (documents / "brochure" / f"{code}.md").write_text(
            sample_brochure(language), encoding="utf-8"
        )
    return replace(
        Settings(),
        content_dir=root / "content",
        templates_dir=root / "templates",
        styles_dir=root / "styles",
        store_dir=root / "store",
    )


def build_one(settings: Settings, language: str, kind: str) -> bytes:
    request = KitRequest(country_for(language), language, campaign=CAMPAIGN, kinds=(kind,))
    return stored_pdf(settings, build(settings, request, force=True))


class Sample:
    """A rendered sample and what the tests read from it, each read once."""

    def __init__(self, data: bytes):
        self.data = data

    @cached_property
    def glyphs(self) -> list[DrawnGlyph]:
        return drawn_glyphs(self.data)

    @cached_property
    def facts(self) -> PdfFacts:
        return read_pdf(self.data)


_worker_settings: Settings | None = None


def _start_worker(settings: Settings) -> None:
    global _worker_settings
    _worker_settings = settings


def _build_agenda(code: str) -> bytes:
    assert _worker_settings is not None
    return build_one(_worker_settings, code, "agenda")


@pytest.fixture(scope="module")
def agendas(sample_settings: Settings) -> dict[str, Sample]:
    """The sample agenda of every supported language, rendered once: ~0.5 s each, so on as
    many cores as there are (CI has 2), each worker a fresh process with its own builder."""
    workers = min(2, os.cpu_count() or 1)
    if workers == 1:
        _start_worker(sample_settings)
        pdfs = map(_build_agenda, LANGUAGES)
        return {code: Sample(pdf) for code, pdf in zip(LANGUAGES, pdfs, strict=True)}
    with ProcessPoolExecutor(
        workers,
        mp_context=get_context("spawn"),
        initializer=_start_worker,
        initargs=(sample_settings,),
    ) as pool:
        pdfs = pool.map(_build_agenda, LANGUAGES)
        return {code: Sample(pdf) for code, pdf in zip(LANGUAGES, pdfs, strict=True)}


def resolved(settings: Settings, language: str) -> KitLocale:
    request = KitRequest(country_for(language), language, campaign=CAMPAIGN)
    return planner_for(settings).resolve(request)[1]


@lru_cache(maxsize=1)
def shipped_renderer() -> PdfRenderer:
    """One renderer (one font configuration) for the small documents made here."""
    return PdfRenderer([Settings().styles_dir])


def render_html(
    language: Language, body: str, main_style: str = "", lang: str | None = None
) -> bytes:
    """``body`` in a <main> in the language (``lang``: a pair's tag, e.g. zh-Hant-HK), with
    the brand and kitgen's base stylesheet."""
    settings = Settings()
    renderer = shipped_renderer()
    brand = load_brand(settings.content_dir).css_variables()
    tag = lang or language.bcp47
    html = (
        f'<html lang="{tag}" dir="{language.direction}" '
        f'class="script-{language.script}"><head><style>{brand}</style></head><body>'
        f'<main lang="{tag}" style="{main_style}">{body}</main></body></html>'
    )
    return renderer.render(
        html, base_url=settings.content_dir, stylesheets=[settings.styles_dir / "base.css"]
    ).data


def expected_texts(settings: Settings, code: str) -> dict[str, str]:
    """Native text every sample prints: its own name, the campaign dates, the country."""
    locale = resolved(settings, code)
    language = locale.language
    pair = pair_locale(language, locale.country.territory)  # the kit's CLDR locale
    return {
        "language name": CATALOG.printed_language_name(language, pair),
        "dates": native_digits(locale.campaign.format("full", pair), pair),
        "country name": CATALOG.country_name(locale.country, pair),
    }


# -- a face for every script, and every glyph drawn ------------------------------------------


def test_every_script_has_a_font_stack():
    """A new script in languages.yaml must get its faces in base.css (and here)."""
    css = (PROJECT_ROOT / "styles" / "base.css").read_text()
    for script in {lang.script for lang in CATALOG.languages.values()}:
        assert f"html.script-{script}" in css, script
        assert script in SCRIPT_FACE, script


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_character_has_a_glyph(agendas, code):
    missing, shown = missing_glyphs(agendas[code].glyphs)
    assert shown > 300, f"{code}: only {shown} glyphs drawn; is the sample on the page?"
    assert not missing, f"{code}: .notdef drawn for\n" + "\n".join(map(str, missing))


@pytest.mark.parametrize("code", LANGUAGES)
def test_native_text_is_drawn(agendas, sample_settings, code):
    """Each word of the native texts, shaped alone by the same engine, fonts and lang, is
    drawn with the same glyphs somewhere on the sample page (independent of ToUnicode)."""
    texts = expected_texts(sample_settings, code)
    all_words = [w for text in texts.values() for w in text.split()]
    pair = pair_locale(CATALOG.language(code), CATALOG.country(country_for(code)).territory)
    alone = render_html(
        CATALOG.language(code),
        "".join(f"<p>{w}</p>" for w in all_words),
        lang="-".join(p for p in (pair.language, pair.script, pair.territory) if p),
    )
    page = glyphs_per_face(agendas[code].glyphs)
    runs = [run for block in glyphs_per_block(alone) for run in block.items()]
    assert len(runs) >= len(all_words), (code, all_words, runs)
    lost = [(face, glyphs) for face, glyphs in runs if not contains_run(page.get(face, []), glyphs)]
    assert not lost, f"{code}: {texts}: glyph runs not on the page: {lost}"


@pytest.mark.parametrize(
    "code", [c for c in LANGUAGES if CATALOG.language(c).script not in TEXT_DOES_NOT_ROUND_TRIP]
)
def test_native_text_reads_back(agendas, sample_settings, code):
    """The same texts in the PDF's extracted text (what search and copy-paste see)."""
    printed = printed_words(agendas[code].data, agendas[code].facts.text)
    for what, text in expected_texts(sample_settings, code).items():
        lost = [w for w in words(text) if w not in printed]
        assert not lost, f"{code}: {what} {text!r}: {lost} not in the extracted text"


@pytest.mark.parametrize("code", LANGUAGES)
def test_each_language_embeds_its_scripts_face_and_no_other(agendas, code):
    """cn: CJK SC, zh: TC, ja: JP, ko: KR (one CJK face only), ar: Arabic, km: Khmer…; the
    brand's Noto Sans for Latin; nothing fontconfig had to find on its own (DejaVu…)."""
    expected = SCRIPT_FACE[CATALOG.language(code).script]
    families = font_families(agendas[code].facts)
    assert families == {BRAND_FACE} | ({expected} if expected else set()), (code, families)


@pytest.mark.parametrize(
    ("code", "serif"),
    [
        ("ar", "Noto-Naskh-Arabic"),
        ("zh", "Noto-Serif-CJK-TC"),
        ("hi", "Noto-Serif-Devanagari"),
    ],
)
def test_the_proclamation_uses_the_scripts_serif_face(sample_settings, code, serif):
    families = font_families(read_pdf(build_one(sample_settings, code, "proclamation")))
    assert serif in families, families
    assert "Noto-Serif" in families, "the brand's formal face stays first for Latin"


def test_the_checker_reports_a_character_no_font_has():
    """U+E000 (private use) and U+0378 (unassigned): no installed font has them; WeasyPrint
    draws them with glyph ids past the end of the font (not 0); the checker sees both."""
    pdf = render_html(CATALOG.language("en"), "<p>Hour of Code \ue000 and \u0378.</p>")
    missing, shown = missing_glyphs(pdf)
    assert shown > 10
    assert sorted(m.text for m in missing) == ["\u0378", "\ue000"], [str(m) for m in missing]
    assert all(m.font.endswith("+Noto-Sans") and m.glyph > 0 for m in missing)


# -- hyphenation -----------------------------------------------------------------------------


def test_chinese_tags_name_the_han_variant():
    """lang="zh-Hans-CN" / "zh-Hant-TW": Pango and HarfBuzz pick the simplified or traditional
    forms (OpenType ZHS / ZHT) from the script subtag, not only from the font."""
    tags = {code: CATALOG.language(code).bcp47 for code in ("cn", "zh", "ja", "ko")}
    assert tags == {"cn": "zh-Hans-CN", "zh": "zh-Hant-TW", "ja": "ja-JP", "ko": "ko-KR"}


def test_lang_tags_select_the_right_hyphenation_dictionary():
    """WeasyPrint hands the lang attribute to pyphen.language_fallback: the tag must find the
    dictionary of the language and variant wherever pyphen has one."""
    picked = {
        code: pyphen.language_fallback(lang.bcp47) for code, lang in CATALOG.languages.items()
    }
    assert picked["pt"] == "pt_BR" and picked["po"] == "pt_PT"
    assert picked["no"] == "nb_NO" and picked["nn"] == "nn_NO"
    assert picked["gb"] == "en_GB" and picked["en"] == "en_US"
    for code, lang in CATALOG.languages.items():
        if any(d.split("_")[0] == lang.locale.language for d in pyphen.LANGUAGES):
            assert picked[code], f"{code} ({lang.bcp47}) misses pyphen's dictionary"


def narrow_lines(code: str, body: str) -> list[str]:
    """The lines of ``body`` set 28 mm wide in the language, as extracted."""
    text = read_pdf(render_html(CATALOG.language(code), body, "width: 28mm")).text
    return [line.strip() for line in text.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("code", "word"),
    [
        ("de", "Informatikunterrichtswoche"),
        ("ru", "Достопримечательность"),  # Cyrillic
        ("el", "Ηλεκτρομαγνητισμός"),  # Greek
        ("te", "విశ్వవిద్యాలయాలలో"),  # Telugu
    ],
)
def test_long_words_are_hyphenated(code, word):
    lines = narrow_lines(code, f"<p>{word}</p>")
    assert len(lines) > 1 and lines[0].endswith("\u2010"), (code, lines)
    if CATALOG.language(code).script not in TEXT_DOES_NOT_ROUND_TRIP:
        assert "".join(line.rstrip("\u2010") for line in lines) == word, "only a hyphen added"


def test_addresses_are_never_hyphenated():
    """Words around it are; the printed address breaks without a hyphen and reads back."""
    url = "https://hourofcode.com/de/veranstaltungsorganisationsleitfaden"
    lines = narrow_lines("de", f'<p><a href="{url}">{url[8:]}</a> Informatikunterricht</p>')
    text = "".join(lines)
    assert text.startswith(url[8:]), f"broken without hyphens, typed back exactly: {lines}"
    assert "\u2010" in text[len(url) - 8 :], f"the next word is hyphenated: {lines}"


# -- right to left ---------------------------------------------------------------------------


def row_sides(code: str, pdf: bytes, settings: Settings) -> tuple[float, float]:
    """(x of the time cell, x of the activity cell) in the agenda's first row."""
    chars = placed_chars(pdf)
    step = load_agenda(settings.content_dir, country_for(code))[0]
    pair = pair_locale(CATALOG.language(code), CATALOG.country(country_for(code)).territory)
    label = native_digits(format_time_range(step.start, step.end, pair), pair)
    joined = "".join(c.char for c in chars)
    if label not in joined:  # pdfium may reorder a bidi line; its digits stay together
        label = re.search(r"\d+(?:\D\d+)?", label)[0]
    anchor = find_chars(chars, label)[0]
    left, right = split_at_widest_gap(on_line(chars, anchor.baseline))
    time_part, activity = (left, right) if anchor in left else (right, left)
    return min(c.x for c in time_part), min(c.x for c in activity)


def footer_sides(pdf: bytes) -> tuple[float, float]:
    """(x of the page number, x of the brand line) in the running footer: the page number is
    the piece whose only digits are 1 (page 1 of 1), the brand line has the year."""
    chars = placed_chars(pdf)
    bottom = min(c.baseline for c in chars if c.char.strip())
    pieces = split_at_widest_gap(on_line(chars, bottom))
    digits = [
        {unicodedata.digit(c.char) for c in piece if c.char.isdigit()} for piece in pieces
    ]  # in any script: ١ and ۱ are 1 too
    page = [piece for piece, found in zip(pieces, digits, strict=True) if found == {1}]
    assert len(page) == 1, ("one piece is the page number", digits)
    brand = pieces[1] if page[0] is pieces[0] else pieces[0]
    return min(c.x for c in page[0]), min(c.x for c in brand)


def latin_tokens(pdf: bytes) -> tuple[float, float]:
    """x of the sample's two Latin tokens, in logical order, in their (bidi) sentence."""
    chars = placed_chars(pdf)
    first, second = (find_chars(chars, token) for token in LATIN_TOKENS)
    assert abs(first[0].baseline - second[0].baseline) < 1, "the two tokens share a line"
    return first[0].x, second[0].x


@pytest.mark.parametrize("code", [*RTL, "en", "fr", "ja"])
def test_right_to_left_languages_mirror_and_others_do_not(agendas, sample_settings, code):
    """RTL: the time column on the right of the activity, the page number on the left of
    the footer, and the first of two Latin words in an RTL sentence on the right. LTR: the
    opposite, so that a layout that ignores direction fails one of the two."""
    pdf = agendas[code].data
    rtl = CATALOG.language(code).direction == "rtl"
    time_x, activity_x = row_sides(code, pdf, sample_settings)
    page_x, brand_x = footer_sides(pdf)
    first_x, second_x = latin_tokens(pdf)
    assert (time_x > activity_x) == rtl, ("time column", code, time_x, activity_x)
    assert (page_x < brand_x) == rtl, ("page number", code, page_x, brand_x)
    assert (first_x > second_x) == rtl, ("bidi order", code, first_x, second_x)


def test_the_campaigns_rtl_languages_are_all_tested():
    assert RTL == ["af", "ar", "fa", "he", "ur"]


@pytest.mark.parametrize("code", ["ar", "de"])
def test_a_fallback_agendas_notes_and_qr_code_follow_the_kits_direction(tmp_path, code):
    """Shipped content printing only reviewed text: the notes are the English fallback (LTR)
    in an RTL kit, yet they sit on the kit's start side with the QR code beside them on its
    end side (same band)."""
    settings = replace(Settings(), store_dir=tmp_path / "store", translations="reviewed")
    source = (settings.content_dir / "documents" / "agenda" / "en.md").read_text()
    first_word = re.search(r"^- (\w+)", source, re.M)[1]  # the notes' first word
    assert not (settings.content_dir / "documents" / "agenda" / f"{code}.md").exists()
    chars = placed_chars(build_one(settings, code, "agenda"))
    notes = find_chars(chars, first_word)[0]
    qr_url = find_chars(chars, "hourofcode.com/")[0]
    rtl = CATALOG.language(code).direction == "rtl"
    assert (notes.x > qr_url.x) == rtl, (code, notes, qr_url)
    assert abs(notes.baseline - qr_url.baseline) < 30 * 72 / 25.4, "side by side, one band"


def test_an_address_wrapped_in_an_rtl_line_keeps_left_to_right_order():
    """Hebrew text around a long address in a narrow column: the address wraps, and its
    "https://" still reads left to right (not "//:https")."""
    url = "https://hourofcode.com/il/promote/resources"
    pdf = render_html(
        CATALOG.language("he"),
        f'<p>מידע נוסף בכתובת <a href="{url}">{url}</a> ועוד טקסט כאן</p>',
        "width: 60mm",
    )
    chars = placed_chars(pdf)
    scheme = find_chars(chars, "https")
    colons = [c for c in on_line(chars, scheme[0].baseline) if c.char == ":"]
    assert colons and all(c.left >= scheme[-1].right - 0.5 for c in colons), (scheme, colons)


@pytest.mark.parametrize("code", ["he", "ar", "en"])
def test_the_brochures_grids_mirror_in_rtl(sample_settings, code):
    """WeasyPrint's grids ignore direction; brochure.css places the cells itself. RTL: the
    first figure and the first four ways on the right; LTR: on the left."""
    pdf = build_one(sample_settings, code, "brochure")
    rtl = CATALOG.language(code).direction == "rtl"
    front, back = placed_chars(pdf, 0), placed_chars(pdf, 1)
    figures = [find_chars(front, token) for token in GRID_TOKENS]
    first, second, third, fourth = (chars[0] for chars in figures)
    assert abs(first.baseline - second.baseline) < 1 and third.baseline < first.baseline - 5
    assert (first.x > second.x) == rtl, (code, first, second)
    # The second row lines up with the first (a wrapping flex row shifted it in RTL).
    edge = (lambda chars: chars[-1].right) if rtl else (lambda chars: chars[0].left)
    assert abs(edge(figures[0]) - edge(figures[2])) < 1, (code, first, third)
    assert abs(edge(figures[1]) - edge(figures[3])) < 1, (code, second, fourth)
    way1, way4, way5 = (find_chars(back, WAY_TOKENS[n])[0] for n in (0, 3, 4))
    assert abs(way1.baseline - way5.baseline) < 1 and way4.baseline < way1.baseline - 5
    assert (way1.x > way5.x) == rtl, (code, way1, way5)
