"""Log lines of every kitgen process, for people (the default) or as JSON lines for log
collectors (``KITGEN_LOG_FORMAT=json``), each carrying the request id that caused it: the web
tier sets it per HTTP request, a worker per task, so one person's kit can be followed from the
form to the render."""

from __future__ import annotations

import contextvars
import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager

LOG_FORMATS = ("text", "json")
request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = request_id.get()
        return True


class JsonLineFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, request_id, message (and exception)."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", "-"),
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: int, fmt: str, logger: str = "kitgen") -> None:
    """One handler on ``logger`` ("" for the root: a worker's Celery lines too), in ``fmt``.
    JSON also takes Python warnings, so nothing but JSON reaches the stream."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdFilter())
    if fmt == "json":
        handler.setFormatter(JsonLineFormatter())
        logging.captureWarnings(True)
    else:
        handler.setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s")
        )
    target = logging.getLogger(logger)
    target.handlers[:] = [handler]
    target.setLevel(level)
    if logger:
        target.propagate = False


@contextmanager
def logged_as(rid: str | None) -> Iterator[None]:
    """Log lines within carry ``rid`` (a task's request id), then the previous one again."""
    token = request_id.set(rid or "-")
    try:
        yield
    finally:
        request_id.reset(token)
