"""The embedded default: kits rendered in a local process pool, no Redis and no S3.

Same core function as the worker; single flight is a dict of futures; progress comes back from
the pool processes over a multiprocessing queue that a thread drains into the status table.
kombu's in-memory and filesystem transports are slow or racy (kombu #1551), so no broker is
faked here.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import signal
import threading
import time
from collections import OrderedDict
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from kitgen.after_kit import after_kit
from kitgen.dispatch.status import DONE, FAILED, RENDERING, DocumentTracker, KitStatus, Outcome
from kitgen.logs import configure_logging, logged_as
from kitgen.malloc import return_freed_memory
from kitgen.models import KitRequest
from kitgen.pipeline import build_kit, renderer_for
from kitgen.publish import publish_as_asked
from kitgen.queues import BATCH, INTERACTIVE
from kitgen.settings import Settings
from kitgen.storage import Storage, open_storage
from kitgen.webhooks import LocalCallbacks, callback_files

log = logging.getLogger("kitgen.local")
KEEP_FINISHED = 1000  # finished statuses kept for late status readers

# -- in the pool processes -------------------------------------------------------------------
_process: dict[str, Any] = {}


def _init_process(settings: Settings, events: multiprocessing.Queue[Any]) -> None:
    """Runs once per pool process: load fonts, templates and styles before the first kit."""
    configure_logging(logging.INFO, settings.log_format)  # spawned: nothing set up is inherited
    # Ctrl-C reaches the whole process group: the server stops the pool (a render under way
    # finishes), so a render process does not die mid-kit with a traceback of its own
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    storage = open_storage(settings)
    return_freed_memory()
    renderer_for(settings).warm_up()
    _process.update(settings=settings, storage=storage, events=events)


def _build(key: str, request: dict[str, Any], force: bool, request_id: str) -> Outcome:
    with logged_as(request_id):
        return _build_logged(key, request, force)


def _build_logged(key: str, request: dict[str, Any], force: bool) -> Outcome:
    settings: Settings = _process["settings"]
    storage: Storage = _process["storage"]
    events: multiprocessing.Queue[Any] = _process["events"]
    kit = KitRequest.from_dict(request)
    tracker = DocumentTracker(kit.kinds, lambda docs: events.put((key, docs)))
    started = time.perf_counter()
    try:
        result = build_kit(kit, settings=settings, storage=storage, force=force, progress=tracker)
        publish_as_asked(storage, key, result)
    except Exception as exc:
        outcome = Outcome.of_error(key, tracker.failed(), exc, log)
    else:
        outcome = Outcome.of_result(key, result)
    outcome.seconds = time.perf_counter() - started
    from kitgen.metrics import note_memory

    note_memory()
    return outcome


def _after_kit(key: str, document_keys: list[str], combined: bool) -> None:
    """Queued after the kit's result (nobody waits): see kitgen.after_kit."""
    after_kit(_process["storage"], key, document_keys, combined=combined)


# -- in the web process ----------------------------------------------------------------------
class LocalDispatcher:
    def __init__(self, settings: Settings, queue: str = INTERACTIVE):
        self.settings = settings
        self.queue = queue  # a campaign's (batch) kits also get their combined PDF at once
        self._context = multiprocessing.get_context("spawn")  # no fork of a threaded server
        self._events: multiprocessing.Queue[Any] = self._context.Queue()
        self._lock = threading.Lock()
        self._statuses: OrderedDict[str, KitStatus] = OrderedDict()
        self._inflight: dict[str, Future[Outcome]] = {}
        self.counters_seen = {"kits_rendered": 0, "documents_rendered": 0, "kits_failed": 0}
        self._pool = self._new_pool()
        self.callbacks = LocalCallbacks(
            settings.webhook_secret or "", settings.webhook_allow, settings.webhook_attempts
        )
        self._drainer = threading.Thread(target=self._drain, name="kitgen-progress", daemon=True)
        self._drainer.start()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=self.settings.local_workers,
            mp_context=self._context,
            initializer=_init_process,
            initargs=(self.settings, self._events),
        )

    def submit(
        self, key: str, request: dict[str, Any], *, request_id: str = "", force: bool = False
    ) -> bool:
        with self._lock:
            if key in self._inflight:
                return False
            self._statuses[key] = KitStatus.queued(key, request["kinds"])
            try:
                future = self._pool.submit(_build, key, request, force, request_id)
            except BrokenProcessPool:
                self._pool = self._new_pool()
                future = self._pool.submit(_build, key, request, force, request_id)
            self._inflight[key] = future
        future.add_done_callback(lambda f: self._finish(key, f))
        return True

    def _finish(self, key: str, future: Future[Outcome]) -> None:
        try:
            outcome = future.result()
        except BrokenProcessPool:
            outcome = Outcome.failed(
                key, {}, "the render process died; please try again", retryable=True
            )
            with self._lock:
                self._pool = self._new_pool()
        status = KitStatus.from_outcome(outcome)
        combined = self.queue == BATCH and outcome.status == DONE
        if outcome.rendered_keys or combined:
            with contextlib.suppress(RuntimeError, BrokenProcessPool):  # pool closing
                self._pool.submit(_after_kit, key, outcome.rendered_keys, combined)
        with self._lock:
            if not status.documents:
                status.documents = dict.fromkeys(self._statuses[key].documents, FAILED)
            self._statuses[key] = status
            self._statuses.move_to_end(key)
            while len(self._statuses) > KEEP_FINISHED + len(self._inflight):
                self._statuses.popitem(last=False)
            self._inflight.pop(key, None)
            self.counters_seen["kits_rendered"] += int(status.state == DONE and not outcome.cached)
            self.counters_seen["documents_rendered"] += outcome.rendered
            self.counters_seen["kits_failed"] += int(status.state == FAILED)
        self.callbacks.finished(
            key,
            "published" if status.state == DONE else "failed",
            status.error,
            callback_files(status.documents),
        )

    def _drain(self) -> None:
        while True:
            item = self._events.get()
            if item is None:
                return
            key, documents = item
            with self._lock:
                status = self._statuses.get(key)
                if status is not None and key in self._inflight:
                    status.state, status.documents = RENDERING, documents

    def status(self, key: str) -> KitStatus | None:
        with self._lock:
            status = self._statuses.get(key)
            return None if status is None else KitStatus(**vars(status))

    def pending(self) -> int:
        with self._lock:
            return len(self._inflight)

    def depths(self) -> dict[str, int]:
        return {"local": self.pending()}

    def counters(self) -> dict[str, int]:
        with self._lock:
            return dict(self.counters_seen)

    def check(self) -> None:
        """A local pool is always there to take work."""

    def workers(self) -> list[str]:
        """The pool restarts a dead process itself: it is its own worker."""
        return [f"local pool ({self.settings.local_workers} processes)"]

    def add_callback(self, key: str, record: dict[str, Any]) -> None:
        self.callbacks.add(key, record)

    def send_callback(self, record: dict[str, Any], event: dict[str, Any]) -> None:
        self.callbacks.send(record, event)

    def describe(self) -> str:
        return f"local process pool ({self.settings.local_workers} processes)"

    def close(self) -> None:
        """Queued kits are dropped (their requests stay in the store and are made again when
        asked for); a render under way finishes, so no process or semaphore is left behind."""
        if "_pool" not in vars(self):
            return  # closed already
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._events.put(None)
        self._drainer.join(timeout=5)
        self._events.close()
        self._events.join_thread()
        # uvicorn ends a SIGTERM'd server by raising the signal again, so no exit handler runs:
        # drop the queue (with the pool that holds it) now, or its semaphores outlive us
        del self._events, self._pool
        gc.collect()
