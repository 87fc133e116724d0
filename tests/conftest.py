"""Shared fixtures: a private copy of the content tree and store per test that edits them."""

from __future__ import annotations

import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from kitgen.settings import PROJECT_ROOT, Settings
from kitgen.storage import FilesystemStorage

SHARED = PROJECT_ROOT.parent / "shared"
pytest_plugins = ["tests.s3server", "tests.services", "tests.browser"]


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """The shipped content, templates and styles with a fresh, empty store."""
    return replace(Settings(), store_dir=tmp_path / "store")


@pytest.fixture
def content_copy(tmp_path: Path) -> Settings:
    """A writable copy of content/, templates/ and styles/ (for tests that break things)."""
    base = Settings()
    for name in ("content", "templates", "styles"):
        shutil.copytree(PROJECT_ROOT / name, tmp_path / name)
    return replace(
        base,
        content_dir=tmp_path / "content",
        templates_dir=tmp_path / "templates",
        styles_dir=tmp_path / "styles",
        store_dir=tmp_path / "store",
    )


@pytest.fixture
def storage(settings: Settings) -> FilesystemStorage:
    return FilesystemStorage(settings.store_dir)
