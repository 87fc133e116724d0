"""Segment catalogs: extraction, merge after an English edit, placeholder checks, policy.

Runs in process on a private copy of the content (``content_copy``); PDFs only where the
tagged structure is what is checked.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import polib
import pytest

from kitgen.brand import load_brand
from kitgen.check import check_content
from kitgen.cli import main as cli_main
from kitgen.content.documents import document_path, load_document
from kitgen.markup import markdown_to_html
from kitgen.models import KINDS, KitRequest
from kitgen.pipeline import build_kit
from kitgen.planner import KitPlanner
from kitgen.settings import Settings
from kitgen.storage import FilesystemStorage
from kitgen.translations.apply import TranslationPolicy
from kitgen.translations.catalogs import (
    DRAFT_COMMENT,
    catalog_path,
    template_path,
    word_count,
)
from kitgen.translations.checks import problems
from kitgen.translations.segments import Role, apply_segments, document_segments
from kitgen.translations.workflow import document_status, update_catalogs

GUIDE_PARAGRAPH_START = "A visitor makes the day memorable"


def compose(settings: Settings, country: str, language: str, kind: str):
    planner = KitPlanner(settings)
    kit = planner.prepare(KitRequest(country, language, kinds=(kind,)))
    return planner.compose(kit.plans[0], kit, load_brand(settings.content_dir))


def keys(settings: Settings, country: str, language: str) -> dict[str, str]:
    return {
        p.kind: p.key for p in KitPlanner(settings).prepare(KitRequest(country, language)).plans
    }


def write_catalog(
    settings: Settings, language: str, kind: str, translate, *, fuzzy: bool = True
) -> Path:
    """Fill a catalog with ``translate(msgid)`` (test text, not a real translation)."""
    path = catalog_path(settings.content_dir, language, kind)
    po = polib.pofile(str(path))
    for entry in po:
        if entry.obsolete:
            continue
        entry.msgstr = translate(entry.msgid)
        entry.flags = ["fuzzy"] if fuzzy else []
        entry.previous_msgid = None
        entry.tcomment = DRAFT_COMMENT if fuzzy else ""
    po.save(str(path))
    return path


def entry_line(path: Path, msgid_start: str) -> int:
    po = polib.pofile(str(path))
    entry = next(e for e in po if e.msgid.startswith(msgid_start))
    lines = path.read_text("utf-8").splitlines()
    return next(
        n for n in range(entry.linenum, len(lines) + 1) if lines[n - 1].startswith("msgstr")
    )


# -- segmentation ------------------------------------------------------------------------


def test_segments_are_the_blocks_a_translator_sees(settings):
    source = load_document(document_path(settings.content_dir, "guide", "en"), "guide", "en")
    segments = document_segments(source)
    roles = {s.role for s in segments}
    assert {Role.TITLE, Role.SUBTITLE, Role.HEADING, Role.PARAGRAPH, Role.LIST_ITEM} <= roles
    texts = [s.text for s in segments]
    assert texts[0] == source.meta["title"]
    assert "Before the event" in texts
    assert not any("<div" in t or "</div>" in t or "\n" in t for t in texts)
    item = next(s for s in segments if s.text.startswith("**Pick a place"))
    assert item.role == Role.LIST_ITEM and not item.text.startswith("1.")


def test_putting_segments_back_unchanged_renders_the_same_html(settings):
    for kind in KINDS:
        source = load_document(document_path(settings.content_dir, kind, "en"), kind, "en")
        rebuilt = apply_segments(source, lambda s: s.text)

        def flat(text: str) -> str:  # soft line breaks become spaces in a segment
            return " ".join(markdown_to_html(text).split())

        assert flat(rebuilt.body) == flat(source.body), kind
        assert rebuilt.meta["title"] == source.meta["title"]


def test_table_cells_are_segments(tmp_path):
    from kitgen.content.documents import SourceDocument

    body = "\n| Time | Activity |\n|---|---|\n| 10:00 | Opening video |\n"
    source = SourceDocument(
        "agenda", "en", tmp_path / "x.md", {"title": "T"}, {"title": 2}, body, 4
    )
    cells = [s.text for s in document_segments(source) if s.role == Role.TABLE_CELL]
    assert cells == ["Time", "Activity", "10:00", "Opening video"]
    rebuilt = apply_segments(source, lambda s: s.text.upper())
    assert "| OPENING VIDEO |" in rebuilt.body and "| TIME | ACTIVITY |" in rebuilt.body


# -- placeholder checks ------------------------------------------------------------------

SOURCE = (
    "**Register your event** at <{{ url('/events') }}> before {{ date('short') }}, "
    "for {{ field('jurisdiction') }}."
)


@pytest.mark.parametrize(
    ("translation", "expected"),
    [
        (
            "**Inscrivez votre événement** sur le site avant {{ date('short') }}, pour "
            "{{ field('jurisdiction') }}.",
            "drops link",
        ),
        (
            "**Inscrivez** <{{ url('/events') }}> avant {{ date('short') }}, pour "
            "{{ field('juridiction') }}.",
            "field('juridiction')",
        ),
        (
            "**Inscrivez** <{{ url('/events') }}> avant {{ fecha('short') }}, pour "
            "{{ field('jurisdiction') }}.",
            "drops expression {{ date('short') }}",
        ),
        (
            "Inscrivez <{{ url('/events') }}> avant {{ date('short') }}, pour "
            "{{ field('jurisdiction') }}.",
            "drops markup **bold**",
        ),
        (
            "**Inscrivez** <{{ url('/events') }}> avant {{ date('short') }}, pour "
            "{{ field('jurisdiction') }}. <script>x</script>",
            "adds markup <script>",
        ),
        (
            "## **Inscrivez** <{{ url('/events') }}> avant {{ date('short') }}, pour "
            "{{ field('jurisdiction') }}.",
            "block structure",
        ),
        (
            "**Inscrivez** <{{ url('/events') }}> avant {{ date('short') }}, pour "
            "{{ field('jurisdiction') }} {{.",
            "stray template delimiter",
        ),
        (
            "(%= resolve_url('/events') %) **Inscrivez** avant {{ date('short') }} "
            "{{ field('jurisdiction') }}",
            "drops link",
        ),
    ],
)
def test_a_translation_that_breaks_code_links_or_markup_is_invalid(translation, expected):
    found = "; ".join(problems(SOURCE, translation))
    assert expected in found


def test_a_reordered_translation_with_everything_kept_is_valid():
    translation = (
        "Pour {{field('jurisdiction')}} : **inscrivez votre événement** avant "
        "{{ date('short') }} sur <{{ url('/events') }}>."
    )
    assert problems(SOURCE, translation) == []


# -- update after an English edit --------------------------------------------------------


def live_entries(path: Path) -> dict[str, polib.POEntry]:
    return {e.msgid: e for e in polib.pofile(str(path)) if not e.obsolete}


def test_editing_one_english_paragraph_marks_exactly_that_segment(content_copy):
    settings = content_copy
    languages = sorted(
        p.parent.name for p in (settings.content_dir / "translations").glob("*/guide.po")
    )
    assert len(languages) == 56
    before = {
        lang: live_entries(catalog_path(settings.content_dir, lang, "guide")) for lang in languages
    }
    keys_before = keys(settings, "jp", "ja")
    english = document_path(settings.content_dir, "guide", "en")
    text = english.read_text("utf-8")
    assert GUIDE_PARAGRAPH_START in text
    english.write_text(
        text.replace(
            "makes the day memorable for students", "makes the day unforgettable for students"
        ),
        "utf-8",
    )

    report = update_catalogs(settings)

    assert "content/translations/guide.pot" in report.templates
    for lang, old in before.items():
        path = catalog_path(settings.content_dir, lang, "guide")
        new = live_entries(path)
        changed = [msgid for msgid, entry in new.items() if str(entry) != str(old.get(msgid))]
        assert len(changed) == 1 and "unforgettable" in changed[0], (lang, changed)
        entry = new[changed[0]]
        assert entry.fuzzy and "memorable" in entry.previous_msgid
        assert entry.msgstr == old[entry.previous_msgid].msgstr  # the translation is kept
        # Every other entry is untouched, but for the line numbers of its reference.
        assert set(new) - {changed[0]} == set(old) - {entry.previous_msgid}
        status = document_status(settings, lang, "guide", TranslationPolicy.DRAFT)
        assert status.outdated == word_count(changed[0]), (lang, status)  # just its words
        assert status.invalid == status.untranslated == 0
    other_kinds = [catalog_path(settings.content_dir, "ja", k) for k in KINDS if k != "guide"]
    assert not any(
        str(p.relative_to(settings.content_dir.parent)) in report.changes for p in other_kinds
    )
    keys_after = keys(settings, "jp", "ja")
    assert [k for k in KINDS if keys_before[k] != keys_after[k]] == ["guide"]
    # An outdated translation prints English (its meaning may have changed) until reviewed.
    html = compose(settings, "jp", "ja", "guide").html
    assert re.search(r'<span lang="en" dir="ltr">A visitor makes the day unforgettable', html)


def test_a_removed_segment_becomes_obsolete_and_comes_back(content_copy):
    settings = content_copy
    english = document_path(settings.content_dir, "agenda", "en")
    original = english.read_text("utf-8")
    line = next(x for x in original.splitlines() if x.startswith("- Keep an unplugged"))
    english.write_text(original.replace(line + "\n", ""), "utf-8")
    update_catalogs(settings, ["de"])
    path = catalog_path(settings.content_dir, "de", "agenda")
    po = polib.pofile(str(path))
    gone = [e for e in po.obsolete_entries() if e.msgid.startswith("Keep an unplugged")]
    assert len(gone) == 1 and gone[0].msgstr
    english.write_text(original, "utf-8")
    update_catalogs(settings, ["de"])
    back = live_entries(path)
    assert any(m.startswith("Keep an unplugged") and e.msgstr for m, e in back.items())


def test_update_twice_changes_nothing(content_copy):
    update_catalogs(content_copy)
    report = update_catalogs(content_copy)
    assert report.templates == [] and report.created == [] and report.changes == {}


# -- invalid translations: reported with po:line, English printed --------------------------


def test_a_broken_translation_is_reported_and_prints_english(content_copy):
    settings = content_copy
    path = catalog_path(settings.content_dir, "ja", "guide")
    po = polib.pofile(str(path))
    entry = next(e for e in po if e.msgid.startswith("**Register your event**"))
    assert "{{ url('/events') }}" in entry.msgstr  # the shipped draft keeps it
    entry.msgstr = entry.msgstr.replace("<{{ url('/events') }}>", "ウェブサイト")
    po.save(str(path))
    line = entry_line(path, "**Register your event**")

    composed = compose(settings, "jp", "ja", "guide")
    where = f"content/translations/ja/guide.po:{line}"
    assert any(d.startswith(where) and "drops link" in d for d in composed.diagnostics)
    assert '<span lang="en" dir="ltr"><strong>Register your event</strong>' in composed.html

    report = check_content(settings)
    assert any(where in e for e in report.errors)


def test_check_exits_non_zero_on_an_invalid_translation(content_copy, monkeypatch, capsys):
    settings = content_copy
    path = catalog_path(settings.content_dir, "de", "proclamation")
    po = polib.pofile(str(path))
    entry = next(e for e in po if "{{ field('jurisdiction') }}" in e.msgid)
    entry.msgstr = entry.msgstr.replace("field('jurisdiction')", "feld('zuständigkeit')")
    po.save(str(path))
    monkeypatch.setenv("KITGEN_CONTENT_DIR", str(settings.content_dir))
    monkeypatch.setenv("KITGEN_TEMPLATES_DIR", str(settings.templates_dir))
    monkeypatch.setenv("KITGEN_STYLES_DIR", str(settings.styles_dir))
    monkeypatch.setenv("KITGEN_STORE_DIR", str(settings.store_dir))
    assert cli_main(["check"]) == 1
    err = capsys.readouterr().err
    assert re.search(
        r"translations/de/proclamation\.po:\d+: error: invalid translation, "
        r"English printed: drops expression \{\{ field\('jurisdiction'\) \}\}",
        err,
    )
    assert cli_main(["translations", "status", "--language", "de"]) == 1
    out = capsys.readouterr()
    assert "proclamation.po" in out.err and "invalid" in out.out


# -- policy: drafts print by default, only reviewed ones on request -------------------------


def test_reviewed_policy_prints_english_for_drafts(content_copy, tmp_path):
    draft_settings = content_copy
    reviewed = replace(draft_settings, translations="reviewed")
    storage = FilesystemStorage(draft_settings.store_dir)
    request = KitRequest("de", "de", kinds=("agenda",))
    drafted = build_kit(request, settings=draft_settings, storage=storage)
    doc = drafted.manifest.documents[0]
    assert doc.translation is not None
    assert doc.translation["printed"] == "draft" and doc.content_language == "de"

    only_reviewed = build_kit(request, settings=reviewed, storage=storage)
    doc = only_reviewed.manifest.documents[0]
    assert only_reviewed.key != drafted.key  # the policy is part of the key
    assert doc.translation is not None and doc.translation["printed"] == "english"
    assert doc.content_language == "en" and "document:agenda:en" in doc.fallbacks

    # A reviewer approves one segment (clears fuzzy): that one prints in German.
    path = catalog_path(draft_settings.content_dir, "de", "agenda")
    po = polib.pofile(str(path))
    title = next(e for e in po if e.msgid == "Event agenda")
    title.flags = []
    po.save(str(path))
    partly = build_kit(request, settings=reviewed, storage=storage)
    doc = partly.manifest.documents[0]
    assert doc.translation is not None and doc.translation["printed"] == "partial"
    assert doc.translation["words"]["reviewed"] == 2
    assert "segments:agenda:en" in doc.fallbacks


def test_settings_refuse_an_unknown_policy():
    from kitgen.errors import ConfigError

    with pytest.raises(ConfigError, match="KITGEN_TRANSLATIONS"):
        Settings.from_env({"KITGEN_TRANSLATIONS": "all"})


# -- the tagged PDF says which passages are English ----------------------------------------


def test_fallback_segments_carry_lang_en_in_the_tagged_pdf(content_copy):
    settings = content_copy
    path = write_catalog(
        settings,
        "ja",
        "agenda",
        lambda msgid: "" if msgid.startswith("Test the videos") else "テスト文",
    )
    assert path.exists()
    storage = FilesystemStorage(settings.store_dir)
    result = build_kit(
        KitRequest("jp", "ja", kinds=("agenda",), variant="pdf/ua-1"),
        settings=settings,
        storage=storage,
    )
    doc = result.documents[0]
    assert doc.translation and doc.translation["printed"] == "partial"
    pdf = storage.get(f"documents/{doc.key}.pdf")
    assert pdf is not None
    from tests.pdfcheck import read_pdf

    facts = read_pdf(pdf)
    assert facts.lang == "ja-JP"
    tagged = struct_langs(facts.reader)
    assert ("/Span", "en") in tagged or ("/P", "en") in tagged


def struct_langs(reader) -> set[tuple[str, str]]:
    """(element type, /Lang) of every structure element that declares a language."""
    from tests.pdfcheck import structure

    return {(node.kind, node.lang) for node in structure(reader) if node.lang}


def test_the_pot_is_what_update_writes(settings):
    pot = polib.pofile(str(template_path(settings.content_dir, "brochure")))
    assert pot[0].msgid == "Every student deserves a chance to learn computer science"
    assert all(e.occurrences and e.comment for e in pot)
    manifest_like = json.dumps([e.msgid for e in pot])
    assert "<div" not in manifest_like


def test_a_language_may_keep_a_whole_file_document_of_its_own(content_copy):
    settings = content_copy
    own = document_path(settings.content_dir, "agenda", "de")
    english = document_path(settings.content_dir, "agenda", "en").read_text("utf-8")
    own.write_text(english.replace("title: Event agenda", "title: Unser eigener Ablauf"), "utf-8")
    composed = compose(settings, "de", "de", "agenda")
    assert composed.title == "Unser eigener Ablauf" and composed.translation is None
    assert composed.content_language == "de" and not composed.fallbacks
    status = document_status(settings, "de", "agenda", TranslationPolicy.DRAFT)
    assert status.whole_file and status.catalog.endswith("documents/agenda/de.md")


def test_a_body_in_english_declares_english_and_tags_the_localized_frame(content_copy):
    settings = replace(content_copy, translations="reviewed")  # the drafts do not print
    storage = FilesystemStorage(settings.store_dir)
    result = build_kit(
        KitRequest("jp", "ja", kinds=("agenda",), variant="pdf/ua-1"),
        settings=settings,
        storage=storage,
    )
    doc = result.documents[0]
    assert doc.content_language == "en"
    from tests.pdfcheck import read_pdf

    facts = read_pdf(storage.get(f"documents/{doc.key}.pdf") or b"")
    assert facts.lang == "en"
    tagged = struct_langs(facts.reader)
    assert any(lang == "ja-JP" for _, lang in tagged), tagged  # masthead, labels, table


def test_a_page_string_missing_in_a_language_shows_english_and_is_reported(content_copy):
    from kitgen.locales import load_catalog as load_locales
    from kitgen.translations.catalogs import WEB_CATALOG
    from kitgen.uitext import _, translating
    from kitgen.web.i18n import load_translations

    settings = content_copy
    path = catalog_path(settings.content_dir, "de", WEB_CATALOG)
    po = polib.pofile(str(path))
    entry = next(e for e in po if e.msgid == "Make my kit")
    assert entry.msgstr and entry.msgstr != "Make my kit"
    german = entry.msgstr
    entry.msgstr = ""
    po.save(str(path))
    language = load_locales(settings.content_dir).language("de")
    with translating(load_translations(settings.content_dir, language, TranslationPolicy.DRAFT)):
        assert _("Make my kit") == "Make my kit"
        assert _("Get your event kit") != "Get your event kit"  # the others stay German
    status = document_status(settings, "de", WEB_CATALOG, TranslationPolicy.DRAFT)
    assert status.untranslated == word_count("Make my kit") and not status.prints_fully
    assert german
