"""The fast tier: the web tier through ``TestClient(create_app(...))``, the CLI through
``cli.main(argv)`` and a batch run, all in this process with an in-memory store and the
inline dispatcher (renders happen in the caller's thread). The same core as production; the
subprocess suites against Redis, moto and Chromium stay as the integration tier."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from markupsafe import escape
from prometheus_client.parser import text_string_to_metric_families

from kitgen import cli
from kitgen.batch.runner import BatchRun
from kitgen.dispatch.inline import InlineDispatcher
from kitgen.settings import Settings
from kitgen.storage.memory import MemoryStorage
from kitgen.web import create_app

pytestmark = pytest.mark.slow
AGENDA = {"country": "fr", "language": "fr", "kinds": ["agenda"]}


@pytest.fixture
def app(tmp_path: Path) -> Iterator[tuple[TestClient, MemoryStorage, InlineDispatcher]]:
    settings = replace(Settings(), store_dir=tmp_path / "unused")
    storage = MemoryStorage()
    dispatcher = InlineDispatcher(settings, storage)
    with TestClient(create_app(settings, storage=storage, dispatcher=dispatcher)) as client:
        yield client, storage, dispatcher


def test_a_kit_through_the_api_then_from_the_store(app) -> None:
    client, storage, dispatcher = app
    first = client.post("/api/kits", json=AGENDA)
    assert first.status_code == 202, first.text
    key = first.json()["key"]
    done = client.get(f"/api/kits/{key}").json()
    assert done["state"] == "done"
    names = {d["name"] for d in done["downloads"]}
    assert {"agenda.pdf", "kit.pdf", "kit.zip"} <= names
    pdf = client.get(f"/kits/{key}/files/agenda.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF-")
    assert "hour-of-code-fr-fr-" in pdf.headers["content-disposition"]
    # The combined PDF is made on its first download, not while the person waited.
    assert f"kits/{key}/kit.pdf" not in storage.names()
    combined = client.get(f"/kits/{key}/files/kit.pdf")
    assert combined.status_code == 200 and combined.content.startswith(b"%PDF-")
    assert f"kits/{key}/kit.pdf" in storage.names()
    again = client.post("/api/kits", json=AGENDA)
    assert again.status_code == 200 and again.json()["key"] == key
    assert dispatcher.submitted == [key]  # the second answer came from the store
    assert any(k.startswith("kits/") and k.endswith("manifest.json") for k in storage.names())


def test_document_titles_carry_their_own_language_on_a_page_in_another(app) -> None:
    """An Arabic page (RTL) showing a French kit: each title says it is French, left to right,
    so a screen reader switches voice; the API carries the same for the page's script."""
    client, _, _ = app
    key = client.post("/api/kits", json=AGENDA).json()["key"]
    info = client.get(f"/api/kits/{key}").json()["documents_info"][0]
    assert (info["lang"], info["dir"]) == ("fr-FR", "ltr")
    page = client.get(f"/kits/{key}?lang=ar")
    assert '<html lang="ar-SA" dir="rtl">' in page.text
    assert f'<span lang="fr-FR" dir="ltr">{escape(info["title"])}</span>' in page.text


def test_the_form_submit_redirects_to_a_page_with_the_files(app) -> None:
    client, _, _ = app
    answer = client.post(
        "/",
        data={"country": "us", "language": "en", "kinds": "agenda", "event_name": "Code Club"},
        headers={"Accept": "text/html"},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    page = client.get(answer.headers["location"])
    assert page.status_code == 200 and 'data-name="agenda.pdf"' in page.text
    arabic = client.get("/?lang=ar")
    assert '<html lang="ar-SA" dir="rtl">' in arabic.text


def test_clean_refusals_name_the_field(app) -> None:
    client, _, dispatcher = app
    typo = client.post("/api/kits", json={"country": "france", "language": "fr"})
    assert typo.status_code == 422 and "did you mean 'fr'?" in typo.json()["error"]
    assert typo.json()["field"] == "country"
    unknown = client.post("/api/kits", json={**AGENDA, "colour": "teal"})
    assert unknown.status_code == 422 and "colour" in unknown.text
    hook = client.post("/api/kits", json={**AGENDA, "callback_url": "https://example.org/h"})
    assert hook.status_code == 422 and "KITGEN_WEBHOOK_SECRET" in hook.text
    assert dispatcher.submitted == []


def test_metrics_and_health(app) -> None:
    client, _, _ = app
    client.post("/api/kits", json=AGENDA)
    text = client.get("/metrics").text
    samples = {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }
    assert samples[("kitgen_worker_events_total", (("event", "kits_rendered"),))] == 1
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/readyz").json()["checks"]["workers"]["detail"] == "inline"


def test_the_cli_in_process(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setenv("KITGEN_STORE_DIR", str(tmp_path / "store"))
    out = tmp_path / "out"
    argv = ["build", "--country", "fr", "--language", "fr", "--kinds", "agenda"]
    assert cli.main([*argv, "--out", str(out), "--quiet"]) == 0
    manifest = json.loads((out / "manifest.json").read_text())
    assert [d["kind"] for d in manifest["documents"]] == ["agenda"]
    assert cli.main(["build", "--country", "france", "--language", "fr"]) == 2
    assert "did you mean 'fr'?" in capsys.readouterr().err


def test_a_batch_run_to_completion_then_from_the_store(tmp_path: Path) -> None:
    settings = replace(Settings(), store_dir=tmp_path / "unused")
    storage = MemoryStorage()
    dispatcher = InlineDispatcher(settings, storage)
    run = BatchRun(settings, storage, dispatcher, poll=0.01)
    jobs = run.run([("lu", "fr"), ("lu", "de")], ("agenda",), "2026")
    assert [job.state for job in jobs] == ["rendered", "rendered"], jobs
    again = run.run([("lu", "fr"), ("lu", "de")], ("agenda",), "2026")
    assert [job.state for job in again] == ["cached", "cached"]
    assert len(dispatcher.submitted) == 2


def test_after_a_campaigns_kit_its_previews_and_combined_pdf_are_made() -> None:
    """What the render process does once a kit's result is out (kitgen.after_kit): previews
    always, the combined PDF for a campaign's kit only (its index links to it)."""
    from kitgen import objects
    from kitgen.after_kit import after_kit
    from kitgen.models import KitRequest
    from kitgen.pipeline import build_kit

    settings = Settings()
    for campaign in (False, True):
        storage = MemoryStorage()
        result = build_kit(
            KitRequest("fr", "fr", kinds=("agenda",)), settings=settings, storage=storage
        )
        rendered = [d.key for d in result.documents]
        after_kit(storage, result.key, rendered, combined=campaign)
        assert storage.exists(objects.preview_object(rendered[0]))
        assert storage.exists(result.combined_key) is campaign
