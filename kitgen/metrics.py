"""Prometheus metrics: what people who run document services watch.

- In the web process: kits requested by outcome (cached, queued, followed, refused), webhook
  deliveries made there (embedded), and at scrape time the queue depth per queue and the
  service counters the workers keep in Redis (``kitgen:stats``).
- Where renders happen (Celery pool processes, the local pool, the CLI): render seconds per
  kind (histogram), kits failed by reason, resident memory. Those processes write to
  ``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode; ``kitgen serve`` and
  ``kitgen worker`` set a private one when it is unset: kitgen.metricsdir), so the scraping
  process (the web app for its local pool; a worker's ``KITGEN_WORKER_METRICS_PORT``) adds
  them up. Import this module lazily where renders happen: the folder must be set first.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import Metric

KITS_REQUESTED = Counter("kitgen_kits_requested_total", "Kit requests by outcome", ["outcome"])
RENDER_SECONDS = Histogram(
    "kitgen_render_seconds",
    "Seconds to render one document",
    ["kind"],
    buckets=(0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64),
)
KITS_FAILED = Counter("kitgen_kits_failed_total", "Kits that failed, by reason", ["reason"])
WEBHOOKS = Counter("kitgen_webhook_deliveries_total", "Callback deliveries by result", ["result"])
PROCESS_RSS = Gauge(
    "kitgen_render_process_resident_bytes",
    "Resident memory of each render process",
    multiprocess_mode="liveall",
)

__all__ = [
    "CONTENT_TYPE_LATEST",
    "KITS_FAILED",
    "KITS_REQUESTED",
    "RENDER_SECONDS",
    "WEBHOOKS",
    "exposition",
    "failure_reason",
    "note_memory",
]


def note_memory() -> None:
    """This render process's resident memory now (after a kit)."""
    try:
        with open(f"/proc/{os.getpid()}/statm") as statm:
            PROCESS_RSS.set(int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE"))
    except (OSError, ValueError, IndexError):
        return


class _Live:
    """Values read when scraped (queue depth, the workers' counters in Redis)."""

    def __init__(self, read: Callable[[], Iterable[Metric]]):
        self.read = read

    def collect(self) -> Iterator[Metric]:
        try:
            yield from self.read()
        except Exception:  # a scrape never fails for a dependency that is down
            return


def failure_reason(exc: BaseException) -> str:
    """A short, bounded label for why a kit failed (not the message: labels must not grow)."""
    from kitgen.errors import AssetError, ContentError, InvalidRequest, RenderError, StorageError

    for kind, reason in (
        (StorageError, "storage"),
        (ContentError, "content"),
        (AssetError, "asset"),
        (RenderError, "engine"),
        (InvalidRequest, "request"),
    ):
        if isinstance(exc, kind):
            return reason
    return "internal"


def exposition(live: Callable[[], Iterable[Metric]]) -> bytes:
    """The text a scrape gets: this process and its render processes (added up from the
    multiprocess folder when there is one), and the live values."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        from prometheus_client import REGISTRY

        registry.register(REGISTRY)
    registry.register(_Live(live))
    return generate_latest(registry)
