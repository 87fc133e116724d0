"""Real legacy pages (../shared seeds and fixtures) through render-page, kits and the report."""

from __future__ import annotations

import json
import re
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from kitgen.models import KitRequest
from kitgen.pipeline import DocumentRenderer
from kitgen.planner import KitPlanner
from kitgen.settings import Settings
from tests.conftest import SHARED
from tests.pdfcheck import read_pdf, squash
from tests.test_build_cli import kitgen

FIXTURES = SHARED / "fixtures" / "pegasus"
SEEDS = SHARED / "seeds"
pytestmark = pytest.mark.skipif(
    not FIXTURES.is_dir() or not SEEDS.is_dir(),
    reason=f"real legacy pages not found at {SHARED} (CI has them)",
)

#: What must never reach a printed page from the legacy dialect.
LEAKS = (
    "<%",
    "%>",
    "%=",
    "hoc_s",
    "resolve_url",
    "campaign_date",
    "[col-33]",
    "{{",
    "}}",
    "\u2045",
    "\u2046",
)
# Our own strings for the test site (never the site's text): keys the fixture pages use.
EN_STRINGS = """en:
  title_how_to_events: "Event how-to (test string)"
  title_how_to_officials: "Officials how-to (test string)"
  title_proclamation: "Sample resolution (test string)"
  unused_key: "Only in English"
  same_key: "Untranslated text"
"""
FR_STRINGS = """fr:
  title_how_to_events: "Organiser un événement (chaîne de test)"
  same_key: "Untranslated text"
"""


def page_files() -> list[Path]:
    if not FIXTURES.is_dir():  # collection must not fail without ../shared; the marks skip
        return []
    return sorted([*SEEDS.glob("*.txt"), *(p for p in FIXTURES.iterdir() if p.name != "README.md")])


def links(pdf_path: Path) -> list[str]:
    found = []
    for page in read_pdf(pdf_path).reader.pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A") or {}
            if "/URI" in action:
                found.append(str(action["/URI"]))
    return found


@pytest.fixture(scope="module")
def renderer(tmp_path_factory) -> DocumentRenderer:
    store = tmp_path_factory.mktemp("store")
    return DocumentRenderer(KitPlanner(replace(Settings(), store_dir=store)))


@pytest.mark.parametrize("path", page_files(), ids=lambda p: p.name)
def test_every_real_page_renders_without_leaking_dialect(renderer, path):
    data, pages, sourced = renderer.render_page(path, KitRequest("fr", "fr", campaign="2026"))
    facts = read_pdf(data)
    text = squash(facts.text)
    assert pages >= 1 and len(text) > 300
    for leak in LEAKS:
        assert leak not in text, f"{leak!r} printed from {path.name}"
    assert all(d.split(":")[0] == str(path) for d in sourced.diagnostics)


@pytest.mark.parametrize("seed", sorted(SEEDS.glob("*.txt")), ids=lambda p: p.name)
def test_seed_links_are_absolute_french_site_links(renderer, seed, tmp_path):
    data, _, _ = renderer.render_page(seed, KitRequest("fr", "fr", campaign="2026"))
    out = tmp_path / "seed.pdf"
    out.write_bytes(data)
    found = links(out)
    assert found
    site = [u for u in found if "hourofcode.com" in u and "sharer" not in u and "intent" not in u]
    assert site and all(
        u.startswith("https://hourofcode.com/fr/") or u == "https://hourofcode.com/fr" for u in site
    ), site
    assert all(u.startswith(("https://", "http://")) for u in found), found


def test_seed_schedule_is_a_real_table(renderer):
    seed = next(p for p in SEEDS.glob("002_*.txt"))
    _, _, sourced = renderer.render_page(seed, KitRequest("fr", "fr", campaign="2026"))
    body = str(sourced.content.body)
    assert body.count("<tr>") == 7 and "<th>Temps</th>" in body
    assert "<td>10h00 – 10h05</td>" in body
    assert "| 10h00" not in body


def test_render_page_cli_reports_repairs_with_file_and_line(tmp_path):
    seed = next(p for p in SEEDS.glob("002_*.txt"))
    out = tmp_path / "page.pdf"
    run = kitgen(
        "render-page",
        str(seed),
        "--country",
        "fr",
        "--language",
        "fr",
        "-o",
        str(out),
        store=tmp_path / "store",
    )
    assert run.returncode == 0, run.stderr
    assert out.is_file() and read_pdf(out).pages >= 1
    assert f"{seed}:13: repair: link target" in run.stderr
    assert "Traceback" not in run.stderr


def test_render_page_cli_on_a_missing_file_is_a_clear_error(tmp_path):
    run = kitgen(
        "render-page",
        str(tmp_path / "nope.md"),
        "--country",
        "fr",
        "--language",
        "fr",
        store=tmp_path / "store",
    )
    assert run.returncode == 2 and "no such file" in run.stderr


# -- a site tree assembled from the fixtures ------------------------------------------------
def assemble_site(root: Path) -> Path:
    """The code-dot-org layout, from the fixture files named lang__path__page.ext."""
    for fixture in FIXTURES.iterdir():
        if fixture.name == "README.md":
            continue
        language, *parts = fixture.name.split("__")
        relative = Path(*parts)
        target = (
            root / "public" / relative
            if language == "en"
            else root / "i18n" / "public" / language / relative
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(fixture, target)
    (root / "i18n" / "en.yml").write_text(EN_STRINGS, encoding="utf-8")
    (root / "i18n" / "fr.yml").write_text(FR_STRINGS, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def site_kits(tmp_path_factory):
    root = assemble_site(tmp_path_factory.mktemp("site"))
    store = tmp_path_factory.mktemp("store")
    out = tmp_path_factory.mktemp("kits")
    kits = {}
    for country, language in (("fr", "fr"), ("us", "en")):
        run = kitgen(
            "build",
            "--content",
            f"pegasus:{root}",
            "--country",
            country,
            "--language",
            language,
            "--campaign",
            "2026",
            "--out",
            str(out / country),
            store=store,
        )
        assert run.returncode == 0, run.stderr
        kits[country] = out / country
    return root, store, kits


@pytest.mark.parametrize("country", ["fr", "us"])
def test_site_tree_builds_a_full_kit_without_leaks(site_kits, country):
    _, _, kits = site_kits
    manifest = json.loads((kits[country] / "manifest.json").read_text())
    assert [d["kind"] for d in manifest["documents"]] == [
        "guide",
        "brochure",
        "proclamation",
        "agenda",
    ]
    for pdf in kits[country].glob("*.pdf"):
        text = squash(read_pdf(pdf).text)
        for leak in LEAKS:
            assert leak not in text, f"{leak!r} in {pdf.name}"
        assert all(u.startswith(("https://", "http://")) for u in links(pdf)), pdf.name


def test_french_kit_uses_translations_and_says_what_fell_back(site_kits):
    _, _, kits = site_kits
    manifest = json.loads((kits["fr"] / "manifest.json").read_text())
    docs = {d["kind"]: d for d in manifest["documents"]}
    assert docs["guide"]["content_language"] == "fr"
    assert docs["proclamation"]["content_language"] == "en"
    assert "document:proclamation:en" in manifest["fallbacks"]
    # The kit is honest about a translated page that is mostly English.
    assert docs["brochure"]["translation"]["printed"] == "partial"
    assert docs["brochure"]["translation"]["english_percent"] >= 50
    assert 0 < docs["guide"]["translation"]["english_percent"] < 50
    notes = docs["guide"]["diagnostics"]
    assert any(": repair: " in n and "dedented" in n for n in notes), notes
    agenda = squash(read_pdf(next(kits["fr"].glob("*-agenda.pdf"))).text)
    assert "10:00 – 10:05" in agenda and "Lancez l'événement" in agenda
    proclamation = squash(read_pdf(next(kits["fr"].glob("*-proclamation.pdf"))).text)
    assert "7 décembre" in proclamation or "décembre" in proclamation
    # (HOUSE OR SENATE, …) is the jurisdiction field: a blank labelled in the kit's language.
    assert "Nom de la commune, du département" in proclamation
    assert "(HOUSE OR SENATE" not in proclamation


def test_us_kit_agenda_uses_the_us_clock_and_campaign_dates(site_kits):
    _, _, kits = site_kits
    agenda = squash(read_pdf(next(kits["us"].glob("*-agenda.pdf"))).text)
    assert "10:00 – 10:05 AM" in agenda
    proclamation = squash(read_pdf(next(kits["us"].glob("*-proclamation.pdf"))).text)
    assert "December" in proclamation and "2026" in proclamation


def test_second_site_build_is_cached_and_an_edit_renders_again(site_kits, tmp_path):
    root, store, _ = site_kits
    args = (
        "build",
        "--content",
        f"pegasus:{root}",
        "--country",
        "fr",
        "--language",
        "fr",
        "--campaign",
        "2026",
        "--out",
        str(tmp_path / "again"),
    )
    assert "already built" in kitgen(*args, store=store).stderr
    fr_strings = root / "i18n" / "fr.yml"
    fr_strings.write_text(
        FR_STRINGS + '  title_how_to_officials: "Élus (test)"\n', encoding="utf-8"
    )
    try:
        run = kitgen(*args, store=store)
        assert run.returncode == 0 and "rendered 4" in run.stderr, run.stderr
    finally:
        fr_strings.write_text(FR_STRINGS, encoding="utf-8")


def test_report_lists_repairs_and_fallbacks(site_kits, tmp_path):
    root, store, _ = site_kits
    run = kitgen("report", "--content", f"pegasus:{root}", "--json", store=store)
    assert run.returncode == 0, run.stderr
    health = {h["language"]: h for h in json.loads(run.stdout)["languages"]}
    fr = health["fr"]
    assert fr["pages_translated"] == ["how-to/events", "how-to/public-officials"]
    assert fr["pages_english"] == ["promote/proclamation"]
    assert fr["strings_total"] == 5 and fr["strings_missing"] == 3 and fr["strings_english"] == 1
    assert fr["repairs"] >= 3 and fr["warnings"] >= 0
    assert any("dedented" in d for d in fr["diagnostics"])
    # The real French public-officials page is mostly the English page's text; events is not.
    share = fr["english_share"]
    assert share["how-to/public-officials"]["english_percent"] >= 50
    assert share["how-to/events"]["english_percent"] < 50
    assert "how-to/events (last-table)" in share
    table = kitgen(
        "report", "--content", f"pegasus:{root}", "--html", str(tmp_path / "r.html"), store=store
    )
    assert table.returncode == 0 and table.stdout.splitlines()[0].startswith("lang")
    assert "promote/proclamation" in table.stdout
    assert re.search(r"how-to/public-officials \d+ % English", table.stdout)
    assert "<table>" in (tmp_path / "r.html").read_text()


def test_report_needs_a_legacy_site(tmp_path):
    run = kitgen("report", store=tmp_path / "store")
    assert run.returncode == 3 and "pegasus:<site root>" in run.stderr
