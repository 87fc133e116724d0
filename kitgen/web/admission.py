"""Admission control in front of rendering: one client cannot starve the public form.

Three checks, only for a kit that must be rendered (a stored kit, or one already being
rendered for somebody else, is never limited):

- a per-client rate (``KITGEN_RATE_LIMIT``, default ``10/minute``), a moving window kept by the
  ``limits`` library in Redis when a broker is configured (shared by every web process), in
  memory otherwise;
- a per-client cap on kits in flight (``KITGEN_MAX_IN_FLIGHT``, default 3), also kept in
  Redis when a broker is configured, so it holds across web processes;
- a cap on kits waiting in the interactive queue (``KITGEN_MAX_QUEUED``, default 100): 503.

The client is the connecting address, or the first untrusted address of ``X-Forwarded-For``
when the connection comes from one of ``KITGEN_TRUSTED_PROXIES``.
"""

from __future__ import annotations

import ipaddress
import threading
import time
from typing import Protocol, cast

import redis
from limits import RateLimitItem, parse
from limits.storage import MemoryStorage, storage_from_string
from limits.strategies import MovingWindowRateLimiter

from kitgen.dispatch import Dispatcher
from kitgen.dispatch.status import DONE, FAILED
from kitgen.errors import TooManyRequests
from kitgen.flight import connect
from kitgen.settings import Settings
from kitgen.uitext import _

IN_FLIGHT_TTL = 3600  # seconds a client's in-flight record lives without news


def client_address(peer: str | None, forwarded_for: str | None, trusted: tuple[str, ...]) -> str:
    """Who is asking: the peer, or behind trusted proxies the first address they did not add."""
    peer = peer or "unknown"
    if not trusted or not _in(peer, trusted):
        return peer
    hops = [h.strip() for h in (forwarded_for or "").split(",") if h.strip()]
    for hop in reversed(hops):
        if not _in(hop, trusted):
            return hop
    return hops[0] if hops else peer


def _in(address: str, networks: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in ipaddress.ip_network(n, strict=False) for n in networks)


class Admission:
    def __init__(self, settings: Settings, dispatcher: Dispatcher):
        self.dispatcher = dispatcher
        self.rate: RateLimitItem = parse(settings.rate_limit)
        self.max_in_flight = settings.max_in_flight
        self.max_queued = settings.max_queued
        storage = storage_from_string(settings.redis_url) if settings.redis_url else MemoryStorage()
        self.limiter = MovingWindowRateLimiter(storage)
        self.in_flight: InFlight = (
            RedisInFlight(connect(settings.redis_url)) if settings.redis_url else MemoryInFlight()
        )

    def admit(self, client: str, key: str) -> None:
        """Raise TooManyRequests when this client (or the queue) has had enough for now."""
        pending = self.dispatcher.pending()
        if pending >= self.max_queued:
            raise TooManyRequests(
                _("Many kits are being made right now. Please try again in a minute."),
                60,
                status=503,
            )
        if len(self._live(client)) >= self.max_in_flight:
            raise TooManyRequests(
                _(
                    "You already have %(count)s kits being made. Please wait for one to finish.",
                    count=self.max_in_flight,
                ),
                10,
            )
        if not self.limiter.hit(self.rate, "kit", client):
            reset = self.limiter.get_window_stats(self.rate, "kit", client).reset_time
            raise TooManyRequests(
                _(
                    "You have asked for many kits in a short time. Please try "
                    "again in %(seconds)s seconds.",
                    seconds=max(1, int(reset - time.time())),
                ),
                int(reset - time.time()) + 1,
            )
        self.in_flight.record(client, key)

    def _live(self, client: str) -> list[str]:
        """The client's kits still queued or rendering (finished ones are forgotten)."""
        keys = self.in_flight.keys(client)
        live = []
        for key, since in keys.items():
            status = None if time.time() - since > IN_FLIGHT_TTL else self.dispatcher.status(key)
            if status is not None and status.state not in (DONE, FAILED):
                live.append(key)
        self.in_flight.forget(client, set(keys) - set(live))
        return live


class InFlight(Protocol):
    """Each client's kits asked for and not yet seen finished: ``key → since``."""

    def record(self, client: str, key: str) -> None: ...
    def keys(self, client: str) -> dict[str, float]: ...
    def forget(self, client: str, keys: set[str]) -> None: ...


class MemoryInFlight:
    """One web process (the embedded default)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: dict[str, dict[str, float]] = {}

    def record(self, client: str, key: str) -> None:
        with self._lock:
            self._clients.setdefault(client, {})[key] = time.time()

    def keys(self, client: str) -> dict[str, float]:
        with self._lock:
            return dict(self._clients.get(client, {}))

    def forget(self, client: str, keys: set[str]) -> None:
        with self._lock:
            mine = self._clients.get(client, {})
            for key in keys:
                mine.pop(key, None)
            if not mine:
                self._clients.pop(client, None)


class RedisInFlight:
    """Shared by every web process on one broker: a hash per client, expiring with its
    newest entry, so the cap holds however many processes serve the form."""

    def __init__(self, client: redis.Redis):
        self.client = client

    def _name(self, client: str) -> str:
        return f"kitgen:inflight:{client}"

    def record(self, client: str, key: str) -> None:
        pipe = self.client.pipeline()
        pipe.hset(self._name(client), key, str(time.time()))
        pipe.expire(self._name(client), IN_FLIGHT_TTL)
        pipe.execute()

    def keys(self, client: str) -> dict[str, float]:
        found = cast("dict[bytes, bytes]", self.client.hgetall(self._name(client)))
        return {k.decode(): float(v) for k, v in found.items()}

    def forget(self, client: str, keys: set[str]) -> None:
        if keys:
            self.client.hdel(self._name(client), *keys)
