"""Kits rendered at once, in the caller's thread: the dispatcher of in-process tests (and of
a one-off script), so the web tier, the CLI and batch runs can be driven without processes.
The same core function and outcome records as the worker and the local pool."""

from __future__ import annotations

import logging
import threading
from typing import Any

from kitgen.dispatch.status import DONE, DocumentTracker, KitStatus, Outcome
from kitgen.models import KitRequest
from kitgen.pipeline import build_kit
from kitgen.publish import publish_as_asked
from kitgen.settings import Settings
from kitgen.storage import Storage
from kitgen.webhooks import LocalCallbacks, callback_files

log = logging.getLogger("kitgen.inline")


class InlineDispatcher:
    def __init__(self, settings: Settings, storage: Storage):
        self.settings, self.storage = settings, storage
        self._lock = threading.Lock()
        self._statuses: dict[str, KitStatus] = {}
        self.submitted: list[str] = []  # keys rendered, in order (what tests look at)
        self.counters_seen = {"kits_rendered": 0, "documents_rendered": 0, "kits_failed": 0}
        self.callbacks = LocalCallbacks(
            settings.webhook_secret or "", settings.webhook_allow, settings.webhook_attempts
        )

    def submit(
        self, key: str, request: dict[str, Any], *, request_id: str = "", force: bool = False
    ) -> bool:
        kit = KitRequest.from_dict(request)
        tracker = DocumentTracker(kit.kinds, lambda documents: None)
        with self._lock:
            self.submitted.append(key)
        try:
            result = build_kit(
                kit, settings=self.settings, storage=self.storage, force=force, progress=tracker
            )
            publish_as_asked(self.storage, key, result)
            outcome = Outcome.of_result(key, result)
        except Exception as exc:  # reported like the worker reports it
            outcome = Outcome.of_error(key, tracker.failed(), exc, log)
        status = KitStatus.from_outcome(outcome)
        with self._lock:
            self._statuses[key] = status
            self.counters_seen["kits_rendered"] += int(status.state == DONE and not outcome.cached)
            self.counters_seen["documents_rendered"] += outcome.rendered
            self.counters_seen["kits_failed"] += int(status.state != DONE)
        self.callbacks.finished(
            key,
            "published" if status.state == DONE else "failed",
            status.error,
            callback_files(status.documents),
        )
        return True

    def status(self, key: str) -> KitStatus | None:
        with self._lock:
            found = self._statuses.get(key)
            return None if found is None else KitStatus(**vars(found))

    def pending(self) -> int:
        return 0

    def depths(self) -> dict[str, int]:
        return {"inline": 0}

    def counters(self) -> dict[str, int]:
        with self._lock:
            return dict(self.counters_seen)

    def check(self) -> None:
        """Rendering inline needs nothing else."""

    def workers(self) -> list[str]:
        return ["inline"]

    def add_callback(self, key: str, record: dict[str, Any]) -> None:
        self.callbacks.add(key, record)

    def send_callback(self, record: dict[str, Any], event: dict[str, Any]) -> None:
        self.callbacks.send(record, event)

    def describe(self) -> str:
        return "inline (renders in the caller's thread)"

    def close(self) -> None:
        """Nothing to stop."""
