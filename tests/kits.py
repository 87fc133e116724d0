"""Building kits in tests the way every edge does: build_kit over a folder store."""

from __future__ import annotations

from kitgen.models import KitRequest, KitResult
from kitgen.pipeline import build_kit
from kitgen.settings import Settings
from kitgen.storage import FilesystemStorage


def build(settings: Settings, request: KitRequest, *, force: bool = False) -> KitResult:
    return build_kit(
        request, settings=settings, storage=FilesystemStorage(settings.store_dir), force=force
    )


def stored_pdf(settings: Settings, result: KitResult, index: int = 0) -> bytes:
    """The PDF of the kit's ``index``-th document, as the store holds it."""
    data = FilesystemStorage(settings.store_dir).get(result.manifest.documents[index].object)
    assert data is not None
    return data
