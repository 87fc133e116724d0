"""build_kit: cache keys, incremental renders, broken content and what gets stored."""

from __future__ import annotations

from pathlib import Path

import pytest

from kitgen.check import check_content
from kitgen.errors import AssetError, ContentError
from kitgen.models import KitRequest, Personalization
from kitgen.planner import KitPlanner
from kitgen.settings import Settings
from kitgen.storage import FilesystemStorage
from tests.kits import build, stored_pdf


def stored_files(settings: Settings) -> list[Path]:
    root = settings.store_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def plan_keys(planner: KitPlanner, country: str, language: str) -> dict[str, str]:
    return {
        p.kind: p.key for p in planner.prepare(KitRequest(country, language, campaign="2026")).plans
    }


def test_changing_one_languages_strings_changes_only_its_keys(content_copy):
    planner = KitPlanner(content_copy)
    before_fr, before_us = plan_keys(planner, "fr", "fr"), plan_keys(planner, "us", "en")
    strings = content_copy.content_dir / "strings" / "fr.yaml"
    strings.write_text(strings.read_text() + '\nkit.extra: "nouveau"\n')
    after_fr, after_us = plan_keys(planner, "fr", "fr"), plan_keys(planner, "us", "en")
    assert after_us == before_us
    assert all(after_fr[k] != before_fr[k] for k in before_fr)


def test_changing_a_document_changes_only_that_kind(content_copy):
    planner = KitPlanner(content_copy)
    before = plan_keys(planner, "fr", "fr"), plan_keys(planner, "us", "en")
    doc = content_copy.content_dir / "documents" / "agenda" / "en.md"
    doc.write_text(doc.read_text() + "\nOne more line.\n")
    after = plan_keys(planner, "fr", "fr"), plan_keys(planner, "us", "en")
    for old, new in zip(before, after, strict=True):
        assert [k for k in old if old[k] != new[k]] == ["agenda"]


def test_changing_a_catalog_changes_only_that_kind_in_that_language(content_copy):
    planner = KitPlanner(content_copy)
    before = plan_keys(planner, "fr", "fr"), plan_keys(planner, "de", "de")
    po = content_copy.content_dir / "translations" / "fr" / "brochure.po"
    po.write_text(po.read_text() + "\n# reviewer: looked at\n")
    after = plan_keys(planner, "fr", "fr"), plan_keys(planner, "de", "de")
    assert [k for k in before[0] if before[0][k] != after[0][k]] == ["brochure"]
    assert before[1] == after[1]


def test_a_style_change_rerenders_and_the_same_request_is_cached(content_copy):
    request = KitRequest("fr", "fr", campaign="2026", kinds=("agenda",))
    first = build(content_copy, request)
    assert not first.cached and first.rendered_count == 1
    again = build(content_copy, request)
    assert again.cached and again.key == first.key
    css = content_copy.styles_dir / "agenda.css"
    css.write_text(css.read_text() + "\n.run-of-show td { color: black; }\n")
    third = build(content_copy, request)
    assert not third.cached and third.key != first.key and third.rendered_count == 1


def test_force_renders_again(settings):
    request = KitRequest("fr", "fr", campaign="2026", kinds=("agenda",))
    build(settings, request)
    assert build(settings, request, force=True).rendered_count == 1


def test_broken_content_names_file_line_and_stores_nothing(content_copy):
    doc = content_copy.content_dir / "documents" / "proclamation" / "en.md"
    lines = doc.read_text().splitlines()
    lines.insert(7, "Whereas {{ t('no.such.key') }};")
    doc.write_text("\n".join(lines) + "\n")
    with pytest.raises(ContentError) as info:
        build(content_copy, KitRequest("us", "en", campaign="2026"))
    assert f"{doc}:8:" in str(info.value) and "no.such.key" in str(info.value)
    assert stored_files(content_copy) == []


def test_missing_brand_asset_fails_the_render(content_copy):
    (content_copy.content_dir / "brand" / "logo.svg").unlink()
    with pytest.raises(AssetError, match="logo.svg"):
        build(content_copy, KitRequest("fr", "fr", campaign="2026"))
    assert stored_files(content_copy) == []


def test_logo_referenced_but_missing_from_a_template_fails(content_copy):
    base = content_copy.templates_dir / "base.html.j2"
    base.write_text(base.read_text().replace('src="{{ logo }}"', 'src="brand/gone.svg"'))
    with pytest.raises(AssetError, match="gone.svg"):
        build(content_copy, KitRequest("fr", "fr", campaign="2026", kinds=("guide",)))
    assert stored_files(content_copy) == []


def test_store_holds_no_temporary_files_after_a_build(settings):
    build(settings, KitRequest("us", "en", campaign="2026", kinds=("agenda",)))
    names = [p.name for p in stored_files(settings)]
    assert names and not any(n.startswith(".tmp-") for n in names)
    assert any(n == "manifest.json" for n in names)


def test_check_passes_on_shipped_content():
    report = check_content(Settings())
    assert report.errors == []
    assert {"en", "fr"} <= set(report.languages)
    assert report.documents >= 8


def test_check_reports_broken_content_with_file_and_line(content_copy):
    doc = content_copy.content_dir / "documents" / "guide" / "en.md"
    doc.write_text(doc.read_text() + "\n{% if %}\n")
    strings = content_copy.content_dir / "strings" / "fr.yaml"
    strings.write_text(
        "\n".join(
            line for line in strings.read_text().splitlines() if not line.startswith("kind.agenda")
        )
        + "\n"
    )
    report = check_content(content_copy)
    assert any("guide/en.md:" in e and "syntax" in e for e in report.errors), report.errors
    assert any("fr: 1 string(s) missing" in w and "kind.agenda" in w for w in report.warnings)


def test_page_template_errors_name_the_template_line(content_copy):
    template = content_copy.templates_dir / "agenda.html.j2"
    lines = template.read_text().splitlines()
    lines.insert(4, "{{ t('agenda.no_such_label') }}")
    template.write_text("\n".join(lines) + "\n")
    with pytest.raises(ContentError) as info:
        build(content_copy, KitRequest("fr", "fr", campaign="2026", kinds=("agenda",)))
    assert f"{template}:5:" in str(info.value)
    assert "agenda.no_such_label" in str(info.value)


def test_emoji_typed_into_a_field_print_in_colour(settings):
    """Debian's Noto Color Emoji (scripts/bootstrap installs it): WeasyPrint draws it, so a 🚀
    or a flag in an event name prints as itself, not as an empty box."""
    from tests.pdfcheck import missing_glyphs, read_pdf

    request = KitRequest(
        "fr",
        "fr",
        campaign="2026",
        kinds=("agenda",),
        personalization=Personalization.from_dict(
            {"event_name": "Fête 🚀 🇫🇷 👩🏽‍💻", "place": "Salle 🎉"}
        ),
    )
    pdf = stored_pdf(settings, build(settings, request))
    assert any("Color-Emoji" in font for font in read_pdf(pdf).fonts)
    missing, shown = missing_glyphs(pdf)
    assert shown and not missing, missing


def test_keys_follow_the_code_that_renders_not_the_web_tier_or_the_cli(tmp_path, content_copy):
    """A fix in the web tier, the CLI or the worker glue re-renders nothing; a change in the
    composer or the PDF engine's boundary re-renders every kit, as a template or stylesheet
    change does."""
    import shutil

    from kitgen.planner import CODE_DIR, render_code_digest

    code = tmp_path / "kitgen"
    shutil.copytree(CODE_DIR, code, ignore=shutil.ignore_patterns("__pycache__"))
    before = render_code_digest(code)
    for edge in ("web/app.py", "cli.py", "tasks.py", "batch/runner.py", "webhooks.py"):
        (code / edge).write_text((code / edge).read_text() + "\n# a comment\n")
        assert render_code_digest(code) == before, f"editing {edge} changed the kit keys"
    for renders in ("compose.py", "pdf.py", "content/render.py", "translations/apply.py"):
        edited = code / renders
        original = edited.read_text()
        edited.write_text(original + "\n# a comment\n")
        assert render_code_digest(code) != before, f"editing {renders} kept the kit keys"
        edited.write_text(original)
    planner = KitPlanner(content_copy)
    keys = plan_keys(planner, "fr", "fr")
    for folder in (content_copy.templates_dir, content_copy.styles_dir):
        first = sorted(folder.iterdir())[0]
        first.write_text(first.read_text() + "\n")
        changed = plan_keys(planner, "fr", "fr")
        assert all(changed[k] != keys[k] for k in keys), first
        keys = changed


def test_a_kit_built_under_another_key_is_published_as_it_was_asked(settings):
    """The web tier keyed the kit with other code or content than the worker that built it
    (a deploy in progress): the person waiting for the asked key still gets the kit."""
    from kitgen.publish import KitPublisher, publish_as_asked

    storage = FilesystemStorage(settings.store_dir)
    result = build(settings, KitRequest("fr", "fr", kinds=("agenda",)))
    asked = "f" * 64
    assert KitPublisher(storage).lookup(asked) is None
    publish_as_asked(storage, asked, result)
    found = KitPublisher(storage).lookup(asked)
    assert found is not None and found.documents == tuple(
        d.__class__(**{**d.__dict__, "cached": True}) for d in result.documents
    )


def test_a_kit_after_cjk_kits_gets_new_fonts_and_kits_of_one_script_share_them(settings):
    """Noto CJK collections stay mapped as long as the font configuration that opened them:
    after Japanese kits, the next kit in another script makes a new one (memory, issue 14)."""
    from kitgen.pipeline import renderer_for

    renderer = renderer_for(settings)
    first = build(settings, KitRequest("jp", "ja", kinds=("agenda",)))
    japanese_fonts = renderer.renderer.font_config
    build(settings, KitRequest("jp", "ja", kinds=("agenda",), campaign="2025"))
    assert renderer.renderer.font_config is japanese_fonts
    latin = build(settings, KitRequest("fr", "fr", kinds=("agenda",)))
    assert renderer.renderer.font_config is not japanese_fonts
    latin_fonts = renderer.renderer.font_config
    build(settings, KitRequest("de", "de", kinds=("agenda",)))
    assert renderer.renderer.font_config is latin_fonts  # no CJK kit in between
    assert not first.cached and not latin.cached
