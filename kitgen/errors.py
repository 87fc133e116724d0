"""One exception tree; every message is safe to show a user as it is.

Each class says how each edge reports it: ``exit_code`` (the CLI), ``http_status`` (the web
tier) and ``retryable`` (whether asking again can help: the queue, a worker, a status page).

KitgenError                 base (exit 1, HTTP 400)
├── InvalidRequest          bad country/language/kind/campaign/personalisation (exit 2, 422)
├── ContentError            broken content: file:line and key in the message (exit 3)
├── AssetError              a brand asset is missing or a fetch was refused (exit 3)
├── RenderError             WeasyPrint failed on valid-looking input (exit 4)
├── StorageError            the store could not be read or written (exit 5, 503, retryable)
├── ConfigError             a KITGEN_* setting is malformed (exit 2)
├── ServiceUnavailable      the broker (Redis) cannot be reached (exit 6, 503, retryable)
└── TooManyRequests         admission control said no for now (exit 7, 429/503, retryable)
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class KitgenError(Exception):
    """Base of every error kitgen reports to a person."""

    exit_code = 1
    http_status = 400
    retryable = False


class InvalidRequest(KitgenError):
    """A request names something that does not exist; the message lists the valid choices."""

    exit_code = 2
    http_status = 422

    def __init__(
        self,
        field: str,
        value: object,
        choices: Iterable[str] | None = None,
        reason: str | None = None,
        suggestion: str | None = None,
    ):
        self.field, self.value, self.suggestion = field, value, suggestion
        self.choices = sorted(choices) if choices is not None else None
        message = reason or f"unknown {field} {value!r}"
        if suggestion:  # the one they meant, not a wall of codes
            message += f"; did you mean {suggestion!r}?"
        elif self.choices is not None:
            message += f"; valid choices: {', '.join(self.choices)}"
        super().__init__(message)


class ContentError(KitgenError):
    """Content that cannot be rendered; names the file, the line and the key when known."""

    exit_code = 3

    def __init__(
        self,
        message: str,
        path: Path | str | None = None,
        line: int | None = None,
        key: str | None = None,
    ):
        self.path, self.line, self.key, self.detail = path, line, key, message
        where = ""
        if path is not None:
            where = f"{path}:{line}: " if line else f"{path}: "
        super().__init__(where + message)


class AssetError(KitgenError):
    """A brand asset is missing, or the document asked for a resource kitgen refuses to fetch."""

    exit_code = 3


class RenderError(KitgenError):
    """The PDF engine failed."""

    exit_code = 4


class StorageError(KitgenError):
    """The result store could not be read or written."""

    exit_code = 5
    http_status = 503
    retryable = True


class ConfigError(KitgenError):
    """A KITGEN_* environment variable has a value kitgen cannot use."""

    exit_code = 2


class ServiceUnavailable(KitgenError):
    """The queue (Redis) cannot be reached; the web app answers 503 with this message."""

    exit_code = 6
    http_status = 503
    retryable = True


class TooManyRequests(KitgenError):
    """A client asked for more renders than admission control allows; try after a while."""

    exit_code = 7
    retryable = True

    def __init__(self, message: str, retry_after: int, status: int = 429):
        self.retry_after, self.http_status = max(1, retry_after), status
        super().__init__(message)
