"""The form in the visitor's language, in headless Chromium: negotiation by language and
region, the country preselected from the region, the picker, lang/dir, a right-to-left page,
and the language a country speaks kept after the page script runs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.services import Stack

pytestmark = pytest.mark.slow
SHOTS = Path(__file__).parent.parent / "build" / "screenshots"


@pytest.fixture(scope="module")
def web_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import os
    from dataclasses import replace

    from kitgen.settings import Settings

    tmp = tmp_path_factory.mktemp("web")
    settings = replace(Settings(), store_dir=tmp / "store", local_workers=1)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KITGEN_", "AWS_"))}
    env.update(
        {
            "KITGEN_STORE_DIR": str(settings.store_dir),
            "KITGEN_LOCAL_WORKERS": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    (tmp / "logs").mkdir()
    stack = Stack(settings, env, tmp / "logs")
    try:
        yield stack.start_web()
    finally:
        stack.stop()


def browser_page(chromium: Any, locale: str, width: int = 1200) -> Any:
    context = chromium.new_context(locale=locale, viewport={"width": width, "height": 900})
    return context.new_page()


@pytest.mark.parametrize(
    ("locale", "ui", "direction", "country", "heading"),
    [
        ("ar-EG", "ar", "rtl", "eg", "احصل"),
        ("ja-JP", "ja", "ltr", "jp", "キット"),
        ("en-GB", "gb", "ltr", "uk", "Get your event kit"),
        ("hi-IN", "hi", "ltr", "in", "किट"),
        ("es-MX", "la", "ltr", "mx", "kit"),
        ("zh-HK", "zh", "ltr", "hk", "資源包"),
    ],
)
def test_the_form_speaks_the_browsers_language(
    chromium: Any, web_url: str, locale: str, ui: str, direction: str, country: str, heading: str
) -> None:
    page = browser_page(chromium, locale)
    page.goto(web_url + "/")
    html = page.locator("html")
    assert html.get_attribute("dir") == direction
    assert html.get_attribute("lang").split("-")[0] == page.evaluate(
        "document.querySelector('#ui-lang option:checked').lang.split('-')[0]"
    )
    assert page.input_value("#ui-lang") == ui
    assert heading.casefold() in page.locator("h1").inner_text().casefold()
    assert page.input_value("#f-country") == country
    # The page script runs (country languages first) and keeps the visitor's language when
    # the country speaks it.
    page.wait_for_selector("#country-languages", state="attached")
    assert page.input_value("#f-language") == ui
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"form-{locale}.png"), full_page=True)
    page.context.close()


def test_the_picker_switches_the_whole_page_and_is_remembered(chromium: Any, web_url: str) -> None:
    page = browser_page(chromium, "en-US")
    page.goto(web_url + "/")
    assert page.locator("h1").inner_text() == "Get your event kit"
    with page.expect_navigation():
        page.select_option("#ui-lang", "de")
    assert page.locator("html").get_attribute("lang").startswith("de")
    assert (
        "Veranstaltung" in page.locator("h1").inner_text()
        or page.locator("h1").inner_text() != "Get your event kit"
    )
    assert page.locator("label[for=f-country]").inner_text() != "Country"
    with page.expect_navigation():
        page.select_option("#ui-lang", "ar")
    assert page.locator("html").get_attribute("dir") == "rtl"
    page.goto(web_url + "/")  # the cookie keeps the choice
    assert page.input_value("#ui-lang") == "ar"
    page.context.close()


def test_a_validation_error_is_in_the_page_language(chromium: Any, web_url: str) -> None:
    page = browser_page(chromium, "fr-FR")
    page.goto(web_url + "/")
    page.select_option("#f-country", "")
    page.click("#submit")
    summary = page.locator("#form-errors").inner_text()
    assert "pays" in summary.casefold(), summary
    assert page.locator("html").get_attribute("lang").startswith("fr")


@pytest.mark.parametrize("locale", ["ar-EG", "ja-JP", "hi-IN", "ru-RU", "de-DE"])
def test_phone_screenshots(chromium: Any, web_url: str, locale: str) -> None:
    page = browser_page(chromium, locale, width=390)
    page.goto(web_url + "/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"{locale}: the page is {width}px wide on a 390px phone"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"form-{locale}-phone.png"), full_page=True)
    page.context.close()
