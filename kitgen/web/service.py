"""What the web tier does with a kit: key it, find it in the store, or hand it to a dispatcher.

The routes only parse and format; this is the one place that decides cache hit or queue.
"""

from __future__ import annotations

import io
import json
import logging
import threading
import time
import zipfile
from dataclasses import dataclass

from kitgen import objects
from kitgen.dispatch import Dispatcher, KitStatus
from kitgen.dispatch.status import DONE, FAILED
from kitgen.errors import InvalidRequest, ServiceUnavailable, StorageError, TooManyRequests
from kitgen.metrics import KITS_REQUESTED
from kitgen.models import KitRequest, Manifest
from kitgen.planner import KitPlanner
from kitgen.publish import KitPublisher, ensure_combined
from kitgen.settings import Settings
from kitgen.storage import Storage
from kitgen.web.admission import Admission
from kitgen.web.i18n import N_
from kitgen.webhooks import callback_files, check_callback_url, kit_event

log = logging.getLogger("kitgen.web")
MANIFESTS_KEPT = 1024  # finished kits whose manifest the web tier keeps in memory
WORKERS_CHECKED_EVERY = 10.0  # seconds a "is any worker alive?" answer is reused


@dataclass(frozen=True)
class Submission:
    key: str
    status: KitStatus
    cached: bool  # served from the store: nothing was queued


@dataclass(frozen=True)
class Download:
    """One file of a finished kit, as the web tier offers it."""

    name: str  # guide.pdf, kit.pdf, kit.zip, guide.png
    filename: str  # what the browser saves it as
    label: str


class KitService:
    def __init__(self, settings: Settings, storage: Storage, dispatcher: Dispatcher):
        self.settings = settings
        self.storage = storage
        self.dispatcher = dispatcher
        self.planner = KitPlanner(settings)  # plans only; renders happen elsewhere
        self.publisher = KitPublisher(storage)
        self.admission = Admission(settings, dispatcher)
        self._plan_lock = threading.Lock()
        self._manifests: dict[str, Manifest] = {}
        self._key_locks = [threading.Lock() for _ in range(64)]
        self._workers_lock = threading.Lock()
        self._workers_seen: tuple[float, bool] = (-WORKERS_CHECKED_EVERY, True)

    def submit(
        self,
        request: KitRequest,
        *,
        request_id: str = "",
        client: str | None = None,
        callback: dict[str, str] | None = None,
    ) -> Submission:
        """A stored kit at once, or its render claimed (once, however many people ask).

        ``client``: who asks, for admission control; a stored kit or one already being made
        is never limited. ``callback``: ``{"url", "base_url"}`` to call when the kit is
        published or fails (checked by :meth:`callback_for`)."""
        with self._plan_lock:
            prepared = self.planner.prepare(request)
        key = prepared.key
        if self.manifest(key) is not None:
            KITS_REQUESTED.labels("cached").inc()
            if callback is not None:
                files = callback_files(dict.fromkeys(request.kinds, DONE))
                self.dispatcher.send_callback(
                    callback, kit_event(key, "published", callback["base_url"], None, files)
                )
            return Submission(
                key, KitStatus(key, DONE, dict.fromkeys(request.kinds, DONE)), cached=True
            )
        # One submission per key at a time in this process: fifty people asking for the same
        # kit at once follow the first one's render instead of each being charged for it.
        with self._key_locks[int(key[:8], 16) % len(self._key_locks)]:
            following = self.dispatcher.status(key)
            if following is not None and following.state not in (DONE, FAILED):
                if callback is not None:
                    self.dispatcher.add_callback(key, callback)
                KITS_REQUESTED.labels("followed").inc()
                return Submission(key, following, cached=False)
            if client is not None:
                try:
                    self.admission.admit(client, key)
                except TooManyRequests:
                    KITS_REQUESTED.labels("refused").inc()
                    raise
            self.storage.put(
                objects.request_object(key),
                json.dumps(prepared.request.to_dict()).encode(),
                "application/json",
            )
            if callback is not None:
                self.dispatcher.add_callback(key, callback)
            self.dispatcher.submit(key, prepared.request.to_dict(), request_id=request_id)
            KITS_REQUESTED.labels("queued").inc()
        status = self.dispatcher.status(key) or KitStatus.queued(key, request.kinds)
        return Submission(key, status, cached=False)

    def status(self, key: str) -> KitStatus | None:
        manifest = self.manifest(key)
        if manifest is not None:
            kinds = manifest.kinds
            return KitStatus(key, DONE, dict.fromkeys(kinds, DONE))
        status = self.dispatcher.status(key)
        if status is None:
            status = self._resubmit(key)
        return status

    def callback_for(self, url: str | None, base_url: str) -> dict[str, str] | None:
        """A checked callback record, or a 422 naming ``callback_url`` and why not."""
        if url is None:
            return None
        if not self.settings.webhook_secret:
            raise InvalidRequest(
                "callback_url",
                url,
                reason="callbacks are not enabled on "
                "this server (KITGEN_WEBHOOK_SECRET is not set)",
            )
        check_callback_url(url, self.settings.webhook_allow)
        return {"url": url, "base_url": self.settings.public_url or base_url.rstrip("/")}

    def workers_alive(self) -> bool:
        """Whether any render worker answers (a 1 s ping, asked at most every 10 s by all
        status pages together), so a person waiting on a queue nobody serves is told so.
        An unreachable queue counts as alive here: that is reported as its own error."""
        with self._workers_lock:
            checked, alive = self._workers_seen
            if time.monotonic() - checked < WORKERS_CHECKED_EVERY:
                return alive
            try:
                alive = bool(self.dispatcher.workers())
            except ServiceUnavailable:
                alive = True
            self._workers_seen = (time.monotonic(), alive)
            return alive

    def _resubmit(self, key: str) -> KitStatus | None:
        """A kit the queue forgot (its records went with a Redis restart) is asked for again
        from the request kept in the store: the person waiting gets their kit, not a 404."""
        stored = self.storage.get(objects.request_object(key))
        if stored is None:
            return None
        request = json.loads(stored)
        log.warning("kit %s was lost by the queue; submitted again", key[:12])
        self.dispatcher.submit(key, request)
        return self.dispatcher.status(key) or KitStatus.queued(key, request["kinds"])

    def manifest(self, key: str) -> Manifest | None:
        """The kit's manifest; a found one is kept (a key's manifest never changes)."""
        found = self._manifests.get(key)
        if found is not None:
            return found
        stored = self.publisher.lookup(key)
        if stored is None:
            return None
        manifest = stored.manifest
        with self._plan_lock:
            if len(self._manifests) >= MANIFESTS_KEPT:
                self._manifests.pop(next(iter(self._manifests)))
            self._manifests[key] = manifest
        return manifest

    # -- files of a finished kit -----------------------------------------------------------
    def downloads(self, manifest: Manifest) -> list[Download]:
        stem = manifest.file_stem()
        files = [
            Download(f"{d.kind}.pdf", f"{stem}-{d.kind}.pdf", d.title) for d in manifest.documents
        ]
        files.append(Download("kit.pdf", f"{stem}-kit.pdf", N_("combined PDF")))
        files.append(Download("kit.zip", f"{stem}.zip", N_("zip of all PDFs")))
        return files

    def object_for(self, manifest: Manifest, name: str) -> tuple[str, str] | None:
        """``(storage key, content type)`` of a kit file, made on first use for zip and PNG."""
        stem, _, suffix = name.partition(".")
        if name == "kit.pdf":
            return ensure_combined(self.storage, manifest), "application/pdf"
        if name == "kit.zip":
            return self._ensure_zip(manifest), "application/zip"
        document = manifest.document(stem)
        if document is not None and suffix == "pdf":
            return document.object, "application/pdf"
        if document is not None and suffix == "png":
            return self._ensure_preview(document.key), "image/png"
        return None

    def _ensure_zip(self, manifest: Manifest) -> str:
        key = objects.kit_object(manifest.key, "kit.zip")
        if not self.storage.exists(key):
            stem = manifest.file_stem()
            buffer = io.BytesIO()
            with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
                for doc in manifest.documents:
                    archive.writestr(f"{stem}-{doc.kind}.pdf", self._read(doc.object))
                combined = ensure_combined(self.storage, manifest)
                archive.writestr(f"{stem}-kit.pdf", self._read(combined))
                archive.writestr("manifest.json", manifest.to_json())
            self.storage.put(key, buffer.getvalue(), "application/zip")
        return key

    def _ensure_preview(self, document_key: str) -> str:
        from kitgen.previews import ensure_preview

        return ensure_preview(self.storage, document_key)

    def _read(self, key: str) -> bytes:
        data = self.storage.get(key)
        if data is None:
            raise StorageError(f"the store lost {key}; render the kit again")
        return data
