"""The web tier: the kit form, status pages, the JSON API, downloads and health."""

from kitgen.web.app import create_app

__all__ = ["create_app"]
