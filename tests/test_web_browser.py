"""The form end to end in headless Chromium: choose a locale, submit, watch the progress update
in place, download the PDFs and check them; then the same kit again, straight from the cache."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pypdf
import pytest

from tests.services import Stack

pytestmark = pytest.mark.slow
JURISDICTION = 'Ville de <b>Lyon</b> & "Métropole"'


def fill_form(page: Any, url: str) -> None:
    page.goto(url + "/")
    page.select_option("#f-country", "fr")
    # With JavaScript the country's languages come first, its default language chosen.
    assert page.locator("#country-languages option").first.get_attribute("value") == "fr"
    assert page.input_value("#f-language") == "fr"
    for kind in ("guide", "brochure"):
        page.uncheck(f"input[name=kinds][value={kind}]")
    page.click("summary")
    page.fill("#f-jurisdiction", JURISDICTION)
    page.fill("#f-start_time", "14:30")


def pdf_text(path: Path) -> str:
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    return " ".join(page.extract_text() for page in reader.pages)


def test_form_to_downloaded_pdfs_through_queue_and_s3(
    stack: Stack, page: Any, tmp_path: Path
) -> None:
    stack.start_worker()
    url = stack.start_web()
    fill_form(page, url)
    page.click("#submit")
    page.wait_for_url(f"{url}/kits/*")
    kit_url = page.url
    page.wait_for_selector("#kit[data-state=done]", timeout=90_000)
    assert page.url == kit_url  # updated in place, no reload
    seen = set(page.evaluate("window.__states"))
    assert {"agenda:done", "proclamation:done"} <= seen
    assert seen & {"agenda:queued", "agenda:rendering", "proclamation:rendering"}, seen

    for name in ("proclamation.pdf", "agenda.pdf", "kit.pdf"):
        with page.expect_download() as info:
            page.click(f"a[data-name='{name}']")
        saved = tmp_path / name
        info.value.save_as(saved)
        assert saved.read_bytes().startswith(b"%PDF-")
        if name == "proclamation.pdf":
            text = pdf_text(saved)
            assert "Ville de <b>Lyon</b>" in text  # printed as typed, never as markup
    assert "hour-of-code-fr-fr-" in info.value.suggested_filename
    page.wait_for_function(
        "[...document.querySelectorAll('.previews img')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    assert page.locator(".previews img").count() == 2
    # Said in place, without a reload: the French text is a draft translation.
    notes = page.locator("#downloads .language-note").all_inner_texts()
    assert any("Draft translation" in n for n in notes), notes
    assert stack.counters()["tasks_started"] == 1

    # The same kit again from the form: straight to the downloads, no task queued.
    fill_form(page, url)
    page.click("#submit")
    page.wait_for_url(kit_url)
    assert page.locator("#kit").get_attribute("data-state") == "done"
    assert page.locator("a[data-name='kit.zip']").count() == 1
    assert page.locator("#downloads .language-note").all_inner_texts() == notes
    assert stack.counters()["tasks_started"] == 1


def test_form_field_errors_are_shown_beside_the_fields(stack: Stack, page: Any) -> None:
    url = stack.start_web()
    page.goto(url + "/")
    assert page.input_value("#f-country") == "us"  # guessed from the browser's en-US
    page.select_option("#f-country", "")
    for kind in ("guide", "brochure", "proclamation", "agenda"):
        page.uncheck(f"input[name=kinds][value={kind}]")
    page.click("#submit")
    page.wait_for_selector("#form-errors")
    assert "Choose a country" in page.inner_text(".field.invalid")
    assert "Choose at least one document" in page.inner_text("#kinds-group")
