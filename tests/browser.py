"""pytest plugin: headless Debian Chromium driven by Playwright (its own browser download cannot
work here, so it launches /usr/bin/chromium)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
#: As root, without a sandbox; no background traffic toward a network this machine cannot reach.
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    if shutil.which(CHROMIUM) is None:
        pytest.skip("Debian chromium is not installed (scripts/test installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(chromium: Any) -> Iterator[Any]:
    """A fresh browser context (no cookies, no cache) that accepts downloads."""
    # bypass_csp: Playwright's wait_for_function evaluates strings, which the pages' strict
    # CSP forbids; tests/test_web_languages.py runs the pages under their CSP.
    context = chromium.new_context(accept_downloads=True, locale="en-US", bypass_csp=True)
    # Record every document state the status page shows, to prove it updated in place.
    context.add_init_script("""
      window.__states = [];
      new MutationObserver(() => {
        document.querySelectorAll('#documents li').forEach(li =>
          window.__states.push(li.dataset.kind + ':' + li.dataset.state));
      }).observe(document, {subtree: true, attributes: true, childList: true});
    """)
    page = context.new_page()
    yield page
    context.close()
