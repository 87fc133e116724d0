"""What a person waiting for a kit sees: the kit's state and each document's."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kitgen.errors import KitgenError, StorageError
from kitgen.models import KitResult


class State(StrEnum):
    """Per document and per kit: queued → rendering → done, or failed (JSON: the value)."""

    QUEUED = "queued"
    RENDERING = "rendering"
    DONE = "done"
    FAILED = "failed"


QUEUED, RENDERING, DONE, FAILED = State.QUEUED, State.RENDERING, State.DONE, State.FAILED


@dataclass
class KitStatus:
    """A kit in flight or finished; ``error`` is a user-safe message when it failed."""

    key: str
    state: str
    documents: dict[str, str] = field(default_factory=dict)
    error: str | None = None
    #: once finished: documents rendered (the others came from the store), seconds taken,
    #: and whether trying again could help (a store or process failure, not broken content)
    rendered: int = 0
    seconds: float | None = None
    retryable: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "state": self.state,
            "documents": dict(self.documents),
            "error": self.error,
        }

    @property
    def finished(self) -> bool:
        return self.state in (DONE, FAILED)

    @classmethod
    def queued(cls, key: str, kinds: Iterable[str]) -> KitStatus:
        return cls(key, QUEUED, dict.fromkeys(kinds, QUEUED))

    @classmethod
    def from_outcome(cls, outcome: Outcome) -> KitStatus:
        """What a finished job means to the person waiting."""
        return cls(
            outcome.key,
            outcome.status,
            dict(outcome.documents),
            outcome.error,
            rendered=outcome.rendered,
            seconds=outcome.seconds,
            retryable=outcome.retryable,
        )


class DocumentTracker:
    """Turns the pipeline's progress events into per-document states and reports each change."""

    def __init__(self, kinds: Iterable[str], report: Callable[[dict[str, str]], None]):
        self.documents = dict.fromkeys(kinds, QUEUED)
        self.report = report

    def __call__(self, event: str, info: dict[str, Any]) -> None:
        if event == "document":
            self.documents[info["kind"]] = RENDERING
        elif event == "document-done":
            self.documents[info["kind"]] = DONE
        elif event in ("cached", "stored"):
            self.documents = dict.fromkeys(self.documents, DONE)
        else:
            return
        self.report(dict(self.documents))

    def failed(self) -> dict[str, str]:
        """Documents not done when the kit failed: nothing of a failed kit is published."""
        return {kind: DONE if state == DONE else FAILED for kind, state in self.documents.items()}


@dataclass
class Outcome:
    """How one render job ended: the one record the Celery task, the local pool and the inline
    dispatcher return, and a status page reads. It crosses process boundaries as JSON
    (:meth:`to_dict`, :meth:`from_dict`)."""

    key: str
    status: State
    documents: dict[str, str]
    #: documents rendered by this job (the others came from the store)
    rendered_keys: list[str] = field(default_factory=list)
    cached: bool = False
    error: str | None = None  # user-safe
    seconds: float = 0.0
    #: whether asking again can help (a store or process failure, not broken content)
    retryable: bool = False

    @property
    def rendered(self) -> int:
        return len(self.rendered_keys)

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "status": str(self.status),
            "documents": dict(self.documents),
            "rendered": self.rendered,
            "rendered_keys": list(self.rendered_keys),
            "cached": self.cached,
            "error": self.error,
            "seconds": round(self.seconds, 3),
            "retryable": self.retryable,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Outcome:
        return cls(
            data["key"],
            State(data["status"]),
            dict(data.get("documents", {})),
            list(data.get("rendered_keys", [])),
            bool(data.get("cached")),
            data.get("error"),
            float(data.get("seconds") or 0.0),
            bool(data.get("retryable")),
        )

    @classmethod
    def of_result(cls, key: str, result: KitResult) -> Outcome:
        """A finished kit: every document done, those rendered now named."""
        return cls(
            key,
            DONE,
            dict.fromkeys((d.kind for d in result.documents), DONE),
            [d.key for d in result.documents if not d.cached],
            result.cached,
        )

    @classmethod
    def failed(
        cls, key: str, documents: dict[str, str], error: str, *, retryable: bool = False
    ) -> Outcome:
        return cls(key, FAILED, documents, error=error, retryable=retryable)

    @classmethod
    def of_error(
        cls, key: str, documents: dict[str, str], exc: Exception, log: logging.Logger
    ) -> Outcome:
        """A failed render: the message a person may see, and whether trying again can help
        (the store or the process failed) or not (the content or request is wrong)."""
        from kitgen.metrics import KITS_FAILED, failure_reason  # where renders happen, lazily

        KITS_FAILED.labels(failure_reason(exc)).inc()
        if isinstance(exc, StorageError):
            return cls.failed(key, documents, f"storage failed: {exc}", retryable=True)
        if isinstance(exc, KitgenError):
            return cls.failed(key, documents, str(exc), retryable=exc.retryable)
        log.error("kit %s: internal error", key[:12], exc_info=exc)
        return cls.failed(
            key,
            documents,
            "internal error while rendering; the service log has details",
            retryable=True,
        )
