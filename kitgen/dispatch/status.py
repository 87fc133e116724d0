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
    def from_outcome(cls, outcome: dict[str, Any]) -> KitStatus:
        """From a job's result dict (see :func:`outcome_done` / :func:`outcome_failed`)."""
        return cls(
            outcome["key"],
            outcome["status"],
            dict(outcome.get("documents", {})),
            outcome.get("error"),
            rendered=int(outcome.get("rendered", 0)),
            seconds=outcome.get("seconds"),
            retryable=bool(outcome.get("retryable")),
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


def outcome_of_error(
    key: str, documents: dict[str, str], exc: Exception, log: logging.Logger
) -> dict[str, Any]:
    """A failed render as an outcome: the message a person may see, and whether trying again
    can help (the store or the process failed) or not (the content or request is wrong)."""
    from kitgen.metrics import KITS_FAILED, failure_reason  # where renders happen, lazily

    KITS_FAILED.labels(failure_reason(exc)).inc()
    if isinstance(exc, StorageError):
        return outcome_failed(key, documents, f"storage failed: {exc}", retryable=True)
    if isinstance(exc, KitgenError):
        return outcome_failed(key, documents, str(exc), retryable=exc.retryable)
    log.error("kit %s: internal error", key[:12], exc_info=exc)
    return outcome_failed(
        key,
        documents,
        "internal error while rendering; the service log has details",
        retryable=True,
    )


def outcome_of_result(key: str, result: KitResult) -> dict[str, Any]:
    return outcome_done(
        key,
        [d.kind for d in result.documents],
        [d.key for d in result.documents if not d.cached],
        result.cached,
    )


def outcome_done(
    key: str, kinds: Iterable[str], rendered_keys: list[str], cached: bool, seconds: float = 0.0
) -> dict[str, Any]:
    """``rendered_keys``: the documents rendered now (the others came from the store)."""
    return {
        "key": key,
        "status": DONE,
        "documents": dict.fromkeys(kinds, DONE),
        "rendered": len(rendered_keys),
        "rendered_keys": rendered_keys,
        "cached": cached,
        "error": None,
        "seconds": round(seconds, 3),
        "retryable": False,
    }


def outcome_failed(
    key: str,
    documents: dict[str, str],
    error: str,
    *,
    retryable: bool = False,
    seconds: float = 0.0,
) -> dict[str, Any]:
    return {
        "key": key,
        "status": FAILED,
        "documents": documents,
        "rendered": 0,
        "cached": False,
        "error": error,
        "seconds": round(seconds, 3),
        "retryable": retryable,
    }
