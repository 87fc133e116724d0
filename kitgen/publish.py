"""Publishing a kit: what the store holds of it and in which order. Documents first (each
with what the manifest says of it), the manifest last, so a kit is visible only when all of
it is there; the combined PDF when first needed. Knows the store, never fonts or templates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import replace

from kitgen import cache, objects
from kitgen.combine import combine_pdfs
from kitgen.errors import StorageError
from kitgen.models import CombinedEntry, DocumentResult, KitRequest, KitResult, Manifest
from kitgen.storage import Storage

log = logging.getLogger("kitgen.pipeline")


class KitPublisher:
    def __init__(self, storage: Storage):
        self.storage = storage

    def lookup(self, kit_key: str) -> KitResult | None:
        """The published kit under this key, or None (its manifest is written last)."""
        stored = self.storage.get(objects.kit_object(kit_key, "manifest.json"))
        return (
            None
            if stored is None
            else result_from_manifest(Manifest.from_json(stored), cached=True)
        )

    def cached_document(self, key: str, force: bool) -> tuple[DocumentResult, bytes] | None:
        """A stored document whose PDF matches its recorded digest, unless forced."""
        if force:
            return None
        meta = self.storage.get(objects.document_meta_object(key))
        pdf = self.storage.get(objects.document_object(key)) if meta is not None else None
        if meta is None or pdf is None:
            return None
        result = DocumentResult.from_dict(json.loads(meta))
        if result.sha256 != hashlib.sha256(pdf).hexdigest():
            return None
        return replace(result, cached=True), pdf

    def store_document(self, result: DocumentResult, pdf: bytes) -> None:
        self.storage.put(objects.document_object(result.key), pdf, "application/pdf")
        self.storage.put(
            objects.document_meta_object(result.key),
            json.dumps(result.to_dict()).encode(),
            "application/json",
        )

    def publish(self, manifest: Manifest) -> None:
        """The kit becomes visible: its manifest, after everything it names."""
        self.storage.put(
            objects.kit_object(manifest.key, "manifest.json"),
            manifest.to_json(),
            "application/json",
        )

    def publish_kit(
        self,
        kit_key: str,
        request: KitRequest,
        documents: list[DocumentResult],
        title: str,
        lang: str,
    ) -> KitResult:
        """Publish the manifest of a kit whose documents are stored; the kit as built."""
        manifest = manifest_for(kit_key, request, documents, title, lang)
        self.publish(manifest)
        return result_from_manifest(
            manifest, cached=False, rendered={d.key for d in documents if not d.cached}
        )


def manifest_for(
    kit_key: str, request: KitRequest, documents: list[DocumentResult], title: str, lang: str
) -> Manifest:
    """What a kit is: its request, each document (with its object), versions, when."""
    return Manifest(
        key=kit_key,
        request=request.to_dict(),
        documents=tuple(replace(d, cached=False) for d in documents),
        # made when first needed (ensure_combined): most people take the documents
        combined=CombinedEntry(
            object=objects.kit_object(kit_key, "kit.pdf"),
            pages=sum(d.pages for d in documents),
            title=title,
            lang=lang,
        ),
        fallbacks=tuple(sorted({f for d in documents for f in d.fallbacks})),
        versions=cache.versions(),
        created_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )


def ensure_combined(storage: Storage, manifest: Manifest) -> str:
    """The kit's combined PDF (its storage name), made the first time somebody needs it (its
    download, the zip, the CLI's output folder, the campaign index) rather than while a person
    waits for the kit: it costs ~0.1 s and most people take the documents one by one."""
    combined = manifest.combined
    name = combined.object
    if storage.exists(name):
        return name
    parts = []
    for document in manifest.documents:
        data = storage.get(document.object)
        if data is None:
            raise StorageError(f"the store lost {document.object}; render the kit again")
        parts.append((document.title, data))
    pdf, _pages = combine_pdfs(parts, title=combined.title, lang=combined.lang)
    storage.put(name, pdf, "application/pdf")
    return name


def publish_as_asked(storage: Storage, asked_key: str, result: KitResult) -> None:
    """A kit built under another key than the one it was asked for by (the web tier keyed it
    with other code or content than the worker's: a deploy in progress, content edited
    meanwhile) is published under the asked key as well, so the person waiting gets it
    instead of a finished kit without files."""
    if result.key == asked_key:
        return
    log.warning(
        "kit asked as %s was built as %s (code or content changed between the two); "
        "published under both",
        asked_key[:12],
        result.key[:12],
    )
    storage.put(
        objects.kit_object(asked_key, "manifest.json"),
        result.manifest.to_json(),
        "application/json",
    )


def result_from_manifest(
    manifest: Manifest, *, cached: bool, rendered: set[str] | None = None
) -> KitResult:
    rendered = rendered or set()
    documents = tuple(
        replace(d, cached=cached or d.key not in rendered) for d in manifest.documents
    )
    return KitResult(manifest=manifest, documents=documents, cached=cached)
