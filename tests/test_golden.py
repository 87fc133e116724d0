"""Golden HTML per kind: the page HTML handed to WeasyPrint, compared to tests/golden/.

Regenerate after an intended change with:  KITGEN_UPDATE_GOLDEN=1 scripts/test tests/test_golden.py
and review the diff like any other change.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import pytest

from kitgen import __version__
from kitgen.brand import load_brand
from kitgen.models import KINDS, KitRequest, Personalization
from kitgen.planner import KitPlanner
from kitgen.settings import Settings

GOLDEN = Path(__file__).parent / "golden"
CASES = [
    ("fr", "fr", None),
    (
        "us",
        "en",
        {"jurisdiction": "Springfield", "start_time": "09:00", "official_name": "Pat Lee <Mayor>"},
    ),
    ("sa", "ar", None),
]


def page_html(country: str, language: str, kind: str, personal: dict | None) -> str:
    settings = Settings()
    planner = KitPlanner(settings)
    request = KitRequest(
        country,
        language,
        campaign="2026",
        kinds=(kind,),
        personalization=Personalization.from_dict(personal),
    )
    kit = planner.prepare(request)
    html = planner.compose(kit.plans[0], kit, load_brand(settings.content_dir)).html
    return html.replace(f"kitgen {__version__}", "kitgen VERSION")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("country", "language", "personal"), CASES)
def test_page_html_matches_golden(country, language, personal, kind):
    html = page_html(country, language, kind, personal)
    golden = GOLDEN / f"{kind}-{country}-{language}.html"
    if os.environ.get("KITGEN_UPDATE_GOLDEN"):
        golden.write_text(html, encoding="utf-8")
    assert golden.exists(), f"missing {golden}: run with KITGEN_UPDATE_GOLDEN=1"
    expected = golden.read_text(encoding="utf-8")
    if html != expected:
        diff = "".join(
            difflib.unified_diff(
                expected.splitlines(True), html.splitlines(True), str(golden), "rendered", n=2
            )
        )
        pytest.fail(f"page HTML differs from {golden.name}:\n{diff[:4000]}")


def test_golden_html_has_no_raw_syntax_and_escapes_personalisation():
    html = (GOLDEN / "proclamation-us-en.html").read_text(encoding="utf-8")
    assert "Pat Lee &lt;Mayor&gt;" in html and "<Mayor>" not in html
    body = re.sub(r"<style>.*?</style>", "", html, flags=re.S)
    for raw in ("{{", "{%", "<%", "%>"):
        assert raw not in body
