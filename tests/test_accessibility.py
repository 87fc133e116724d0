"""The form meets WCAG 2.2 AA as axe-core (from npm, injected into headless Chromium) measures
it: no serious or critical violation on the form, its error state, a status page and a done
page, in English and in Arabic (right to left), and on the campaign index. After a refused
submit, focus is on the error summary, which links to each field, and every value typed
survives, a mistyped date included. The kit's brand colours that carry text keep 4.5:1."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from kitgen.settings import PROJECT_ROOT
from tests.services import Stack, http

pytestmark = pytest.mark.slow
AXE = PROJECT_ROOT / "tests" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SHOTS = PROJECT_ROOT / "build" / "screenshots"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def axe_violations(page: Any) -> list[str]:
    """Serious and critical violations on the page as it is now, one line each."""
    if not AXE.exists():
        pytest.fail(f"axe-core is missing at {AXE}: run scripts/bootstrap --test")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(
            n["target"][0] if isinstance(n["target"][0], str) else str(n["target"])
            for n in v["nodes"][:3]
        )
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.fixture
def browser(chromium: Any) -> Any:
    context = chromium.new_context(
        locale="en-US", viewport={"width": 1100, "height": 900}, bypass_csp=True
    )  # to inject axe-core into the page
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("ui", ["en", "ar"])
def test_form_and_its_error_state(embedded: Stack, browser: Any, ui: str) -> None:
    url = embedded.start_web()
    page = browser
    page.goto(f"{url}/?lang={ui}")
    assert axe_violations(page) == []
    # A refused submit: no country, a date typed the way people type dates, a name kept.
    page.select_option("#f-country", "")
    page.click("summary")
    page.eval_on_selector("#f-event_date", "el => { el.type = 'text'; }")  # as typed by hand
    page.fill("#f-event_date", "31/12/2026")
    page.fill("#f-event_name", "Code Club")
    language = page.input_value("#f-language")
    page.click("#submit")
    page.wait_for_selector("#form-errors")
    assert page.evaluate("document.activeElement.id") == "form-errors"
    links = page.eval_on_selector_all("#form-errors a", "els => els.map(a => a.hash)")
    assert "#f-country" in links and "#f-event_date" in links, links
    assert page.input_value("#f-event_date") == "31/12/2026"  # what was typed survives
    assert page.input_value("#f-event_name") == "Code Club"
    assert page.input_value("#f-language") == language
    assert page.get_attribute("#f-event_date", "aria-invalid") == "true"
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"form-errors-{ui}.png"), full_page=True)
    assert axe_violations(page) == []
    page.click("#form-errors a[href='#f-event_date']")
    assert page.evaluate("document.activeElement.id") == "f-event_date"


@pytest.mark.parametrize("ui", ["en", "ar"])
def test_status_and_done_pages(stack: Stack, browser: Any, ui: str) -> None:
    url = stack.start_web()
    status, _, body = http(
        "POST", url + "/api/kits", {"country": "fr", "language": "fr", "kinds": ["agenda"]}
    )
    assert status == 202, body
    key = json.loads(body)["key"]
    page = browser
    page.goto(f"{url}/kits/{key}?lang={ui}")  # queued, and no worker yet: the notice shows
    page.wait_for_selector("#kit-notice:not([hidden])")
    assert axe_violations(page) == []
    stack.start_worker()
    page.wait_for_selector("#kit[data-state=done]", timeout=90_000)
    page.wait_for_selector("#downloads a.file")
    page.screenshot(path=str(SHOTS / f"done-{ui}.png"), full_page=True)
    assert axe_violations(page) == []


def test_the_campaign_index(embedded: Stack, browser: Any, tmp_path: Any) -> None:
    import subprocess

    from tests.services import KITGEN

    done = subprocess.run(
        [*KITGEN, "campaign", "regenerate", "2026", "--countries", "lu", "--kinds", "agenda"],
        env=embedded.env,
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    index = embedded.settings.store_dir / "campaigns" / "2026" / "index.html"
    browser.goto(index.as_uri())
    links = browser.eval_on_selector_all("a[download]", "els => els.map(a => a.download)")
    assert links and all(name.startswith("hour-of-code-lu-") for name in links), links
    assert axe_violations(browser) == []


def contrast(foreground: str, background: str) -> float:
    def luminance(colour: str) -> float:
        channels = [int(colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(foreground), luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


#: Text colour on background colour, as the kit's stylesheets pair them.
TEXT_PAIRS = [
    ("white", "primary"),
    ("white", "primary-dark"),
    ("tint", "primary-dark"),
    ("primary-dark", "white"),
    ("muted", "white"),
    ("muted", "tint"),
    ("ink", "white"),
    ("ink", "accent"),
    ("primary-dark", "tint"),
]


def test_the_kits_brand_colours_that_carry_text_keep_a_4_5_to_1_contrast() -> None:
    brand = yaml.safe_load((PROJECT_ROOT / "content" / "brand" / "brand.yaml").read_text())
    colours = {**brand["colors"], "white": "#ffffff"}
    low = {
        f"{fg} on {bg}": round(contrast(colours[fg], colours[bg]), 2)
        for fg, bg in TEXT_PAIRS
        if contrast(colours[fg], colours[bg]) < 4.5
    }
    assert not low, low
    page_css = (PROJECT_ROOT / "kitgen" / "web" / "static" / "app.css").read_text()
    teal = page_css.split("--teal:")[1].split(";")[0].strip()
    assert contrast("#ffffff", teal) >= 4.5  # the masthead and the main button
