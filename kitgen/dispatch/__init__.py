"""Getting kits rendered off the request path: queued on Celery over Redis when a broker is
configured, otherwise in a local process pool (the embedded default). Both run the same core
function, claim a kit once however many people ask (single flight), and report progress.
"""

from __future__ import annotations

from typing import Any, Protocol

from kitgen.dispatch.status import KitStatus
from kitgen.queues import INTERACTIVE
from kitgen.settings import Settings


class Dispatcher(Protocol):
    def submit(
        self, key: str, request: dict[str, Any], *, request_id: str = "", force: bool = False
    ) -> bool:
        """Queue the kit unless it is already in flight; True when this call queued it."""

    def status(self, key: str) -> KitStatus | None:
        """The kit's progress, or None when nothing is known about it."""

    def pending(self) -> int:
        """Kits waiting for a render process on this dispatcher's queue (admission control)."""

    def check(self) -> None:
        """Raise ServiceUnavailable when renders cannot be queued (health)."""

    def workers(self) -> list[str]:
        """Names of the render workers that answer now (readiness); empty when none does."""

    def depths(self) -> dict[str, int]:
        """Kits waiting per queue (metrics)."""

    def counters(self) -> dict[str, int]:
        """What the render processes did: kits rendered and failed, documents, callbacks."""

    def add_callback(self, key: str, record: dict[str, Any]) -> None:
        """Call ``record["url"]`` when the kit is published or fails (kitgen.webhooks)."""

    def send_callback(self, record: dict[str, Any], event: dict[str, Any]) -> None:
        """Deliver one event now (a stored kit), off the request path, with retries."""

    def describe(self) -> str: ...

    def close(self) -> None: ...


def open_dispatcher(settings: Settings, queue: str = INTERACTIVE) -> Dispatcher:
    """Celery on ``queue`` when a broker is configured, else the local pool (one queue)."""
    if settings.redis_url:
        from kitgen.dispatch.queued import CeleryDispatcher

        return CeleryDispatcher(settings, queue=queue)
    from kitgen.dispatch.local import LocalDispatcher

    return LocalDispatcher(settings, queue=queue)


__all__ = ["Dispatcher", "KitStatus", "open_dispatcher"]
