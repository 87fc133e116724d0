"""Celery tasks: payload dict in, the core function, result dict out; nothing else.

A worker process makes its settings, store and renderer once (fonts, templates and styles
load when the process starts), and recycles after ``worker_max_tasks`` tasks.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from functools import cache
from typing import Any

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import task_success, worker_process_init, worker_process_shutdown

from kitgen.after_kit import after_kit
from kitgen.dispatch.status import DONE, FAILED, DocumentTracker, Outcome
from kitgen.errors import StorageError
from kitgen.flight import REDIS_ERRORS, Flights, connect, flight_ttl
from kitgen.jobs import BUILD_TASK, DELIVER_TASK
from kitgen.logs import logged_as
from kitgen.malloc import return_freed_memory
from kitgen.metrics import KITS_FAILED, WEBHOOKS, note_memory
from kitgen.models import KitRequest
from kitgen.pipeline import build_kit, renderer_for
from kitgen.publish import publish_as_asked
from kitgen.queues import BATCH, INTERACTIVE
from kitgen.settings import Settings
from kitgen.storage import Storage, open_storage
from kitgen.webhooks import DeliveryFailed, callback_files, deliver, kit_event, take_waiting

log = logging.getLogger("kitgen.worker")
STORAGE_RETRIES = 3


@dataclass(frozen=True)
class WorkerRuntime:
    settings: Settings
    storage: Storage
    flights: Flights


@cache
def runtime() -> WorkerRuntime:
    settings = Settings.from_env()
    client = connect(settings.redis_url or "redis://127.0.0.1:6379/0")
    return WorkerRuntime(
        settings, open_storage(settings), Flights(client, ttl=flight_ttl(settings))
    )


@worker_process_init.connect
def warm_up(**_: Any) -> None:
    """Load fonts, templates and styles before the first task, not during someone's wait."""
    rt = runtime()
    return_freed_memory()
    renderer_for(rt.settings).warm_up()


@worker_process_shutdown.connect
def forget_process_metrics(**_: Any) -> None:
    """A recycled pool process's live gauges (its memory) leave the worker's metrics."""
    import os

    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())


@shared_task(
    bind=True,
    name=BUILD_TASK,
    acks_late=True,
    reject_on_worker_lost=True,
    max_retries=STORAGE_RETRIES,
)
def build_kit_task(self: Task, payload: dict[str, Any]) -> dict[str, Any]:
    """Build one kit; ``payload``: ``{"key", "request", "force", "request_id"}``."""
    with logged_as(payload.get("request_id")):  # its lines name the request that asked
        return _build_kit(self, payload)


def _build_kit(task: Task, payload: dict[str, Any]) -> dict[str, Any]:
    rt = runtime()
    key = payload["key"]
    request = KitRequest.from_dict(payload["request"])
    tracker = DocumentTracker(
        request.kinds,
        lambda docs: task.update_state(state="PROGRESS", meta={"key": key, "documents": docs}),
    )
    log.info(
        "kit %s: start (request %s, attempt %d)",
        key[:12],
        payload.get("request_id"),
        task.request.retries + 1,
    )
    rt.flights.count(tasks_started=1)
    started = time.perf_counter()
    try:
        result = build_kit(
            request,
            settings=rt.settings,
            storage=rt.storage,
            force=bool(payload.get("force")),
            progress=tracker,
        )
        publish_as_asked(rt.storage, key, result)
    except StorageError as exc:
        if task.request.retries < STORAGE_RETRIES:
            log.warning("kit %s: storage failed, retrying: %s", key[:12], exc)
            wait = rt.settings.storage_retry_seconds * 2**task.request.retries
            raise task.retry(exc=exc, countdown=wait) from None
        outcome = Outcome.of_error(key, tracker.failed(), exc, log)
    except Exception as exc:
        # WeasyPrint wraps whatever is raised inside a render, the soft time limit included
        if isinstance(exc, SoftTimeLimitExceeded) or isinstance(
            exc.__cause__, SoftTimeLimitExceeded
        ):
            outcome = Outcome.failed(
                key,
                tracker.failed(),
                f"the render took longer than {rt.settings.task_soft_limit}s and was stopped",
                retryable=True,
            )
            KITS_FAILED.labels("timeout").inc()
        else:
            outcome = Outcome.of_error(key, tracker.failed(), exc, log)
    else:
        outcome = Outcome.of_result(key, result)
    outcome.seconds = time.perf_counter() - started
    rt.flights.count(
        kits_rendered=int(outcome.status == DONE and not outcome.cached),
        kits_cached=int(outcome.cached),
        documents_rendered=outcome.rendered,
        kits_failed=int(outcome.status == FAILED),
    )
    rt.flights.release(key)
    log.info("kit %s: %s (rendered %d)", key[:12], outcome.status, outcome.rendered)
    _announce(rt, task, key, outcome)
    note_memory()
    return outcome.to_dict()  # Celery's result backend holds JSON


def _announce(rt: WorkerRuntime, task: Task, key: str, outcome: Outcome) -> None:
    """Hand each callback waiting for this kit to its own delivery task (never blocks)."""
    try:
        waiting = take_waiting(rt.flights.client, key)
    except REDIS_ERRORS:
        log.warning("kit %s: callbacks could not be read; they stay for the next run", key[:12])
        return
    state = "published" if outcome.status == DONE else "failed"
    for record in waiting:
        event = kit_event(
            key, state, record["base_url"], outcome.error, callback_files(outcome.documents)
        )
        task.app.send_task(DELIVER_TASK, args=[record["url"], event], queue=INTERACTIVE)


@shared_task(bind=True, name=DELIVER_TASK, acks_late=True, max_retries=None)
def deliver_callback_task(self: Task, url: str, event: dict[str, Any]) -> dict[str, Any]:
    """One signed POST to a client's callback URL; retried 1, 2, 4… s apart (at most 5 min)
    up to KITGEN_WEBHOOK_ATTEMPTS attempts, then given up and counted."""
    rt = runtime()
    attempt = self.request.retries + 1
    try:
        status = deliver(url, event, rt.settings.webhook_secret or "", rt.settings.webhook_allow)
    except DeliveryFailed as exc:
        if attempt < rt.settings.webhook_attempts:
            log.info(
                "callback %s for kit %s: attempt %d failed (%s); retrying",
                event["id"],
                event["kit"]["key"][:12],
                attempt,
                exc,
            )
            raise self.retry(exc=exc, countdown=min(2**self.request.retries, 300)) from None
        log.warning(
            "callback %s for kit %s: given up after %d attempts: %s",
            event["id"],
            event["kit"]["key"][:12],
            attempt,
            exc,
        )
        rt.flights.count(webhooks_failed=1)
        WEBHOOKS.labels("failed").inc()
        return {"delivered": False, "attempts": attempt, "error": str(exc)}
    rt.flights.count(webhooks_delivered=1)
    WEBHOOKS.labels("delivered").inc()
    return {"delivered": True, "attempts": attempt, "status": status}


@task_success.connect(sender=build_kit_task)
def finish_kit(sender: Task, result: dict[str, Any] | None = None, **_: Any) -> None:
    """Previews (and, for a campaign's kit, the combined PDF), made after the result is stored
    (so nobody waits for them) and before the task is acknowledged."""
    if not result:
        return
    campaign = (sender.request.delivery_info or {}).get("routing_key") == BATCH
    after_kit(
        runtime().storage,
        result["key"],
        result.get("rendered_keys", []),
        combined=campaign and result.get("status") == DONE,
    )
