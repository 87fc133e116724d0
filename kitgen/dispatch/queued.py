"""Kits rendered by Celery workers over Redis, claimed once per key (see kitgen.flight)."""

from __future__ import annotations

import time
from typing import Any, cast

from celery.result import AsyncResult
from kombu.exceptions import OperationalError

from kitgen.dispatch.status import FAILED, QUEUED, RENDERING, KitStatus, Outcome
from kitgen.flight import REDIS_ERRORS, Flights, connect, flight_ttl, unavailable
from kitgen.jobs import BUILD_TASK, DELIVER_TASK, make_celery
from kitgen.queues import INTERACTIVE, QUEUES
from kitgen.settings import Settings
from kitgen.webhooks import add_waiting

QUEUE_ERRORS = (*REDIS_ERRORS, OperationalError)
CALLBACK_TTL = 7 * 24 * 3600  # a callback outlives any wait for its kit


def task_id(key: str) -> str:
    """Derived from the kit key, so anyone holding the key can follow its render."""
    return f"kit-{key}"


class CeleryDispatcher:
    def __init__(self, settings: Settings, queue: str = INTERACTIVE):
        self.url = settings.redis_url or ""
        self.app = make_celery(settings)
        self.flights = Flights(connect(self.url), ttl=flight_ttl(settings))
        self.queue = queue

    def submit(
        self, key: str, request: dict[str, Any], *, request_id: str = "", force: bool = False
    ) -> bool:
        record = {"request": request, "submitted_at": time.time(), "request_id": request_id}
        try:
            if not (self.flights.claim(key, record) or self._take_over_dead_claim(key, record)):
                return False
            AsyncResult(task_id(key), app=self.app).forget()  # an earlier failure's record
            self.app.send_task(
                BUILD_TASK,
                args=[{"key": key, "request": request, "force": force, "request_id": request_id}],
                task_id=task_id(key),
                queue=self.queue,
            )
        except QUEUE_ERRORS as exc:
            raise unavailable(self.url, exc) from None
        return True

    def _take_over_dead_claim(self, key: str, record: dict[str, Any]) -> bool:
        """A claim whose task already failed for good (its worker was killed past the hard
        time limit: Celery records the failure, but no code of ours ran to release the claim)
        is taken over now, not when its TTL runs out."""
        if AsyncResult(task_id(key), app=self.app).state != "FAILURE":
            return False
        self.flights.release(key)
        return self.flights.claim(key, record)

    def status(self, key: str) -> KitStatus | None:
        try:
            record = self.flights.get(key)
            result = AsyncResult(task_id(key), app=self.app)
            state, info = result.state, result.info
        except QUEUE_ERRORS as exc:
            raise unavailable(self.url, exc) from None
        kinds = record["request"]["kinds"] if record else []
        if state == "SUCCESS" and isinstance(info, dict):
            return KitStatus.from_outcome(Outcome.from_dict(info))
        if state == "FAILURE":
            return KitStatus(
                key,
                FAILED,
                dict.fromkeys(kinds, FAILED),
                "the render failed unexpectedly; the worker log has details",
                retryable=True,
            )
        if state in ("STARTED", "PROGRESS"):
            documents = info.get("documents") if isinstance(info, dict) else None
            return KitStatus(key, RENDERING, documents or dict.fromkeys(kinds, QUEUED))
        if record is None:
            return None
        return KitStatus.queued(key, kinds)  # PENDING or RETRY: waiting for a worker

    def pending(self) -> int:
        """Messages in this queue's Redis lists (kombu keeps one list per priority step)."""
        return self._depth(self.queue)

    def _depth(self, queue: str) -> int:
        client = self.flights.client
        try:
            lists = client.scan_iter(match=f"{queue}*", _type="list")
            return sum(cast(int, client.llen(name)) for name in lists)
        except QUEUE_ERRORS as exc:
            raise unavailable(self.url, exc) from None

    def depths(self) -> dict[str, int]:
        return {queue: self._depth(queue) for queue in QUEUES}

    def counters(self) -> dict[str, int]:
        try:
            return self.flights.counters()
        except QUEUE_ERRORS as exc:
            raise unavailable(self.url, exc) from None

    def check(self) -> None:
        try:
            self.flights.client.ping()
        except REDIS_ERRORS as exc:
            raise unavailable(self.url, exc) from None

    def workers(self) -> list[str]:
        """Workers that answer a broadcast ping within a second (they share the broker)."""
        try:
            replies = self.app.control.ping(timeout=1.0)
        except QUEUE_ERRORS as exc:
            raise unavailable(self.url, exc) from None
        return sorted(name for reply in replies for name in reply)

    def add_callback(self, key: str, record: dict[str, Any]) -> None:
        try:
            add_waiting(self.flights.client, key, record, ttl=CALLBACK_TTL)
        except QUEUE_ERRORS as exc:
            raise unavailable(self.url, exc) from None

    def send_callback(self, record: dict[str, Any], event: dict[str, Any]) -> None:
        try:
            self.app.send_task(DELIVER_TASK, args=[record["url"], event], queue=INTERACTIVE)
        except QUEUE_ERRORS as exc:
            raise unavailable(self.url, exc) from None

    def describe(self) -> str:
        return f"celery over {self.url.split('@')[-1]} (queue {self.queue})"

    def close(self) -> None:
        self.flights.client.close()
