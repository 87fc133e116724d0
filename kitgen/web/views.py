"""Shapes shared by the pages and the API: a kit's status with its download links."""

from __future__ import annotations

import re
from typing import Any

from fastapi import Request

from kitgen.dispatch import KitStatus
from kitgen.dispatch.status import DONE, QUEUED
from kitgen.errors import InvalidRequest
from kitgen.locales import Catalog, load_catalog
from kitgen.models import Manifest
from kitgen.translations.notes import language_notes, printed_as
from kitgen.web.forms import kind_labels
from kitgen.web.i18n import _
from kitgen.web.service import KitService

KEY = re.compile(r"[0-9a-f]{64}")


def check_kit_key(key: str) -> str:
    if not KEY.fullmatch(key):
        raise InvalidRequest("kit id", key, reason="a kit id is 64 lower-case hex digits")
    return key


def client_of(request: Request) -> str:
    """Who is asking, for admission control (see kitgen.web.admission.client_address)."""
    from kitgen.web.admission import client_address

    return client_address(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        request.app.state.settings.trusted_proxies,
    )


def kits(request: Request) -> KitService:
    service: KitService = request.app.state.kits
    return service


def title_language(catalog: Catalog, manifest: Manifest, content_language: str) -> dict[str, str]:
    """``lang`` and ``dir`` of a document's title: the kit's tag (``fr-FR``) when the document
    is in the kit's language, else the language it fell back to."""
    tag = manifest.combined.lang if content_language == manifest.language else content_language
    try:
        direction = catalog.language(content_language).direction
    except InvalidRequest:  # a language the catalog no longer has: say nothing of it
        return {"lang": tag, "dir": "auto"}
    return {"lang": tag, "dir": direction}


def status_view(request: Request, status: KitStatus) -> dict[str, Any]:
    """The status as JSON-able data; downloads and previews once the kit is done."""
    view: dict[str, Any] = {
        **status.to_dict(),
        "page_url": f"/kits/{status.key}",
        "status_url": f"/api/kits/{status.key}",
        "downloads": [],
        "previews": {},
    }
    if status.state == QUEUED and not kits(request).workers_alive():
        view["notice"] = _(
            "No kit maker is running at the moment, so your kit is waiting "
            "in line. It is safe: it will be made as soon as one starts. "
            "You can keep this page open or come back to it later."
        )
    if status.state == DONE:
        manifest = kits(request).manifest(status.key)
        if manifest is not None:
            base = f"/kits/{status.key}/files"
            view["downloads"] = [
                {
                    "name": d.name,
                    "filename": d.filename,
                    "label": _(d.label),
                    "url": f"{base}/{d.name}",
                }
                for d in kits(request).downloads(manifest)
            ]
            view["previews"] = {d.kind: f"{base}/{d.kind}.png" for d in manifest.documents}
            catalog = load_catalog(kits(request).settings.content_dir)
            view["documents_info"] = [
                {
                    "kind": d.kind,
                    "title": d.title,
                    # the title is in the document's language, not the page's: screen
                    # readers switch voice, an Arabic title reads right to left
                    **title_language(catalog, manifest, d.content_language),
                    "pages": d.pages,
                    "bytes": d.bytes,
                    "content_language": d.content_language,
                    "printed": printed_as(d),
                }
                for d in manifest.documents
            ]
            view["fallbacks"] = list(manifest.fallbacks)
            view["language_notes"] = language_notes(manifest.documents, kind_labels())
            view["request"] = manifest.request
    return view
