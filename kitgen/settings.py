"""Frozen settings: the only place that reads KITGEN_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_store() -> Path:
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache_home) / "kitgen" / "store"


@dataclass(frozen=True)
class Settings:
    """Where content, templates, styles and the result store live, and which site links target."""

    content_dir: Path = PROJECT_ROOT / "content"
    templates_dir: Path = PROJECT_ROOT / "templates"
    styles_dir: Path = PROJECT_ROOT / "styles"
    store_dir: Path = field(default_factory=_default_store)
    site_url: str = "https://hourofcode.com"
    #: where documents come from: ``native`` (content_dir) or ``pegasus:<legacy site root>``
    content_source: str = "native"

    @classmethod
    def from_env(cls, env: os._Environ[str] | dict[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        defaults = cls()

        def path(name: str, default: Path) -> Path:
            value = env.get(name)
            return Path(value).expanduser().resolve() if value else default

        return cls(
            content_dir=path("KITGEN_CONTENT_DIR", defaults.content_dir),
            templates_dir=path("KITGEN_TEMPLATES_DIR", defaults.templates_dir),
            styles_dir=path("KITGEN_STYLES_DIR", defaults.styles_dir),
            store_dir=path("KITGEN_STORE_DIR", defaults.store_dir),
            site_url=env.get("KITGEN_SITE_URL", defaults.site_url).rstrip("/"),
            content_source=env.get("KITGEN_CONTENT", defaults.content_source),
        )
