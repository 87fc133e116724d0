"""Single flight over Redis: the first request for a kit claims it and queues the render; any
other request for the same key attaches to that render instead of queueing another.

The claim is a ``SET NX EX`` on ``kitgen:flight:<kit key>`` holding the request, so a status
page can list the kit's documents before the worker reports. The worker releases it when the
kit is published or has failed for good; the expiry frees it if the whole queue is lost.
"""

from __future__ import annotations

import json
from typing import Any, cast

import redis

from kitgen.errors import ServiceUnavailable
from kitgen.settings import Settings

PREFIX = "kitgen:"
REDIS_ERRORS = (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


def connect(url: str) -> redis.Redis:
    """A client that fails fast: a person at the form should get a 503, not a hung page."""
    return redis.Redis.from_url(
        url, socket_connect_timeout=2, socket_timeout=5, health_check_interval=30
    )


def unavailable(url: str, exc: BaseException) -> ServiceUnavailable:
    where = url.split("@")[-1]  # never show a password from the URL
    return ServiceUnavailable(
        f"the render queue (Redis at {where}) is unreachable; "
        f"try again in a minute ({type(exc).__name__})"
    )


def flight_ttl(settings: Settings) -> int:
    """Long enough to outlive a render redelivered after its worker died, then some."""
    return settings.visibility_timeout + 2 * settings.task_hard_limit


class Flights:
    """Claims, reads and releases kit renders in flight, and counts what workers did."""

    def __init__(self, client: redis.Redis, ttl: int):
        self.client = client
        self.ttl = ttl

    def claim(self, key: str, record: dict[str, Any]) -> bool:
        """True for exactly one caller per key until it is released or expires."""
        return bool(
            self.client.set(f"{PREFIX}flight:{key}", json.dumps(record), nx=True, ex=self.ttl)
        )

    def get(self, key: str) -> dict[str, Any] | None:
        # redis-py's own types allow an awaitable (its asyncio client); this one is not
        raw = cast("bytes | None", self.client.get(f"{PREFIX}flight:{key}"))
        return None if raw is None else json.loads(raw)

    def release(self, key: str) -> None:
        self.client.delete(f"{PREFIX}flight:{key}")

    def count(self, **increments: int) -> None:
        """Add to the service counters (renders, documents, failures): what tests and ops read."""
        pipe = self.client.pipeline()
        for name, amount in increments.items():
            if amount:
                pipe.hincrby(f"{PREFIX}stats", name, amount)
        pipe.execute()

    def counters(self) -> dict[str, int]:
        stats = cast("dict[bytes, bytes]", self.client.hgetall(f"{PREFIX}stats"))
        return {k.decode(): int(v) for k, v in stats.items()}
