"""`kitgen build` end to end, as a person runs it: real WeasyPrint, real fonts, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.pdfcheck import RAW_SYNTAX, read_pdf, same_size, squash

KINDS = ("guide", "brochure", "proclamation", "agenda")


def kitgen(
    *args: str, store: Path, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "KITGEN_STORE_DIR": str(store), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "kitgen.cli", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=300,
    )


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """fr/fr and us/en kits built once by the CLI into one store."""
    root = tmp_path_factory.mktemp("kits")
    kits = {}
    for country, language in (("fr", "fr"), ("us", "en")):
        out = root / f"{country}-{language}"
        run = kitgen(
            "build",
            "--country",
            country,
            "--language",
            language,
            "--campaign",
            "2026",
            "--out",
            str(out),
            store=root / "store",
        )
        assert run.returncode == 0, run.stderr
        kits[country] = (out, run)
    return root, kits


def pdfs(out: Path) -> dict[str, Path]:
    return {kind: next(out.glob(f"*-{kind}.pdf")) for kind in (*KINDS, "kit")}


@pytest.mark.parametrize(("country", "paper"), [("fr", "A4"), ("us", "letter")])
def test_build_writes_four_valid_pdfs_and_a_combined_one(built, country, paper):
    _, kits = built
    out, run = kits[country]
    files = pdfs(out)
    total = 0
    for kind in KINDS:
        facts = read_pdf(files[kind])
        assert facts.pages >= 1
        assert same_size(facts.size, paper), (kind, facts.size)
        assert not facts.unembedded_fonts and facts.fonts
        assert facts.title and facts.creator.startswith("kitgen")
        assert facts.lang == ("fr-FR" if country == "fr" else "en-US")
        for raw in RAW_SYNTAX:
            assert raw not in facts.text, (kind, raw)
        total += facts.pages
    assert read_pdf(files["brochure"]).pages == 2, "brochure is one sheet, front and back"
    assert read_pdf(files["agenda"]).pages == 1, "agenda fits one page"
    headings = [i.title for i in read_pdf(files["guide"]).reader.outline if not isinstance(i, list)]
    assert len(headings) >= 1, "bookmarks come from headings"
    combined = read_pdf(files["kit"])
    assert combined.pages == total
    outline = [item.title for item in combined.reader.outline if not isinstance(item, list)]
    assert len(outline) == 4
    assert "rendered 4" in run.stderr


def test_french_kit_has_localized_dates_and_absolute_links(built):
    _, kits = built
    files = pdfs(kits["fr"][0])
    text = squash(read_pdf(files["kit"]).text)
    assert "7–13 décembre 2026" in text
    assert "https://hourofcode.com/fr/" in text
    agenda = squash(read_pdf(files["agenda"]).text)
    assert "10:00 – 10:05" in agenda.replace("\u202f", " ").replace("\u2009", " ")
    links = [
        annot.get_object()["/A"]["/URI"]
        for page in read_pdf(files["guide"]).reader.pages
        for annot in page.get("/Annots") or []
        if "/A" in annot.get_object()
    ]
    assert links and all(str(u).startswith("https://") for u in links)
    assert any(str(u).startswith("https://hourofcode.com/fr/") for u in links)


def test_us_kit_has_us_dates_and_times(built):
    _, kits = built
    files = pdfs(kits["us"][0])
    text = squash(read_pdf(files["kit"]).text)
    assert "December 7 – 13, 2026" in text.replace("\u2009", " ")
    assert "https://hourofcode.com/us/" in text
    agenda = read_pdf(files["agenda"]).text.replace("\u202f", " ").replace("\u2009", " ")
    assert "10:00 – 10:05 AM" in agenda


def test_manifest_describes_the_kit(built):
    _, kits = built
    out, _ = kits["fr"]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["request"]["country"] == "fr" and manifest["request"]["campaign"] == "2026"
    assert [d["kind"] for d in manifest["documents"]] == list(KINDS)
    for doc in manifest["documents"]:
        assert doc["pages"] >= 1 and doc["bytes"] > 1000 and len(doc["sha256"]) == 64
        assert doc["content_language"] == "fr" and doc["fallbacks"] == []
    assert manifest["versions"]["weasyprint"] and manifest["versions"]["kitgen"]
    assert manifest["combined"]["pages"] == sum(d["pages"] for d in manifest["documents"])


def test_second_build_is_cached_and_renders_nothing(built, tmp_path):
    root, _ = built
    run = kitgen(
        "build",
        "--country",
        "fr",
        "--language",
        "fr",
        "--campaign",
        "2026",
        "--out",
        str(tmp_path / "again"),
        store=root / "store",
    )
    assert run.returncode == 0, run.stderr
    assert "is already built, nothing rendered" in run.stderr
    assert "[1/4]" not in run.stderr
    assert len(list((tmp_path / "again").glob("*.pdf"))) == 5


def test_personalised_kit_shares_unpersonalised_documents(built, tmp_path):
    root, _ = built
    run = kitgen(
        "build",
        "--country",
        "us",
        "--language",
        "en",
        "--campaign",
        "2026",
        "--out",
        str(tmp_path / "p"),
        "--jurisdiction",
        "Springfield <City>",
        "--official-name",
        "Jane Q. Mayor",
        "--start-time",
        "13:30",
        "--event-name",
        "CS Week kick-off",
        store=root / "store",
    )
    assert run.returncode == 0, run.stderr
    assert "rendered 2, cached 2" in run.stderr  # guide and brochure are shared
    files = pdfs(tmp_path / "p")
    proclamation = squash(read_pdf(files["proclamation"]).text)
    assert "Springfield <City>" in proclamation and "Jane Q. Mayor" in proclamation
    agenda = read_pdf(files["agenda"]).text.replace("\u202f", " ").replace("\u2009", " ")
    assert "1:30 – 1:35 PM" in agenda and "CS Week kick-off" in agenda


def test_drafts_print_by_default_and_english_when_only_reviewed_text_may(tmp_path):
    args = (
        "build",
        "--country",
        "us",
        "--language",
        "la",
        "--kinds",
        "brochure",
        "--campaign",
        "2026",
    )
    run = kitgen(*args, "--out", str(tmp_path / "draft"), store=tmp_path / "s")
    assert run.returncode == 0, run.stderr
    assert "Draft translation, not yet reviewed by a native speaker: brochure." in run.stderr
    text = squash(read_pdf(next((tmp_path / "draft").glob("*-brochure.pdf"))).text)
    assert "Hora del Código" in text and "Computer science shapes" not in text

    run = kitgen(
        *args,
        "--out",
        str(tmp_path / "reviewed"),
        store=tmp_path / "s",
        env={"KITGEN_TRANSLATIONS": "reviewed"},
    )
    assert run.returncode == 0, run.stderr
    assert (
        "Printed in English, as no translation into this language exists yet: brochure"
        in run.stderr
    )
    assert "fallback: document:brochure:en" in run.stderr
    text = squash(read_pdf(next((tmp_path / "reviewed").glob("*-brochure.pdf"))).text)
    assert "Computer science shapes" in text
    assert "7–13 de diciembre" in text  # the localized parts are still Spanish (CLDR)
    assert "https://hourofcode.com/us/la/" in text


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--country", "zz", "--language", "fr"], "unknown country 'zz'; valid choices: "),
        (["--country", "fr", "--language", "xx"], "unknown language 'xx'; valid choices: "),
        (["--country", "fr", "--language", "fr", "--kinds", "poster"], "unknown kind 'poster'"),
        (["--country", "fr", "--language", "fr", "--campaign", "1999"], "unknown campaign '1999'"),
        (["--country", "fr", "--language", "fr", "--start-time", "noon"], "HH:MM"),
        # What people type instead of a code gets the code they meant, not a wall of codes.
        (
            ["--country", "france", "--language", "fr"],
            "unknown country 'france'; did you mean 'fr'?",
        ),
        (["--country", "Deutschland", "--language", "de"], "did you mean 'de'?"),
        (
            ["--country", "fr", "--language", "fr-FR"],
            "unknown language 'fr-fr'; did you mean 'fr'?",
        ),
        (["--country", "br", "--language", "pt-BR"], "did you mean 'pt'?"),
        (["--country", "fr", "--language", "spanish"], "did you mean 'es'?"),
    ],
)
def test_bad_requests_exit_2_with_the_valid_choices(tmp_path, args, needle):
    run = kitgen("build", *args, "--out", str(tmp_path / "o"), store=tmp_path / "s")
    assert run.returncode == 2
    assert needle in run.stderr
    assert "Traceback" not in run.stderr
    assert not (tmp_path / "s").exists()


def test_print_ready_adds_bleed_and_crop_marks(tmp_path):
    run = kitgen(
        "build",
        "--country",
        "fr",
        "--language",
        "fr",
        "--kinds",
        "agenda",
        "--print-ready",
        "--out",
        str(tmp_path / "o"),
        store=tmp_path / "s",
    )
    assert run.returncode == 0, run.stderr
    page = read_pdf(next((tmp_path / "o").glob("*-agenda.pdf"))).reader.pages[0]
    media, trim = page.mediabox, page.trimbox
    bleed_pt = 3 * 72 / 25.4
    assert abs(float(trim.width) - 595.28) < 1
    assert abs(float(media.width) - (float(trim.width) + 2 * bleed_pt)) < 0.5
    assert abs(float(page.bleedbox.height) - (841.89 + 2 * bleed_pt)) < 0.5


def test_kits_are_tagged_pdf_ua_by_default_and_stored_readable(tmp_path):
    run = kitgen(
        "build",
        "--country",
        "fr",
        "--language",
        "fr",
        "--kinds",
        "agenda",
        "--out",
        str(tmp_path / "o"),
        store=tmp_path / "s",
    )
    assert run.returncode == 0, run.stderr
    reader = read_pdf(next((tmp_path / "o").glob("*-agenda.pdf"))).reader
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/MarkInfo"]["/Marked"]
    assert b"pdfuaid" in root["/Metadata"].get_object().get_data()
    stored = [p for p in (tmp_path / "s").rglob("*") if p.is_file()]
    assert stored and all(p.stat().st_mode & 0o644 == 0o644 for p in stored)  # not 0600


def test_a_closed_pipe_and_a_busy_port_are_not_errors_of_kitgen(tmp_path):
    import socket

    listing = subprocess.run(
        f"{sys.executable} -m kitgen.cli locales | head -1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "KITGEN_STORE_DIR": str(tmp_path / "s")},
    )
    assert listing.stdout.strip() and listing.stderr == ""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        run = kitgen("serve", "--port", str(busy.getsockname()[1]), store=tmp_path / "s")
    assert run.returncode == 2, run.stderr
    assert "is already in use" in run.stderr and "Traceback" not in run.stderr


def test_pdf_a_variant_declares_conformance(tmp_path):
    run = kitgen(
        "build",
        "--country",
        "us",
        "--language",
        "en",
        "--kinds",
        "agenda",
        "--variant",
        "pdf/a-3u",
        "--out",
        str(tmp_path / "o"),
        store=tmp_path / "s",
    )
    assert run.returncode == 0, run.stderr
    reader = read_pdf(next((tmp_path / "o").glob("*-agenda.pdf"))).reader
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data()
    assert b"pdfaid:part" in xmp and b"3" in xmp
    assert "/OutputIntents" in reader.trailer["/Root"]


def test_locales_lists_countries_and_languages(tmp_path):
    run = kitgen("locales", "--json", store=tmp_path / "s")
    assert run.returncode == 0
    data = json.loads(run.stdout)
    assert data["countries"]["fr"]["paper"] == "a4" and data["countries"]["us"]["paper"] == "letter"
    assert data["languages"]["ar"]["direction"] == "rtl"
