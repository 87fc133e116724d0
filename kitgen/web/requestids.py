"""Request ids: one per HTTP request, in the X-Request-ID header, in every log line
(:mod:`kitgen.logs`), and passed to the worker with the task, so one person's problem can be
followed across processes."""

from __future__ import annotations

import logging
import re
import time
import uuid
from typing import Any

from kitgen.logs import request_id

__all__ = ["RequestIdMiddleware", "request_id"]
_SAFE = re.compile(r"[A-Za-z0-9._-]{1,64}")
log = logging.getLogger("kitgen.web")


class RequestIdMiddleware:
    """Plain ASGI (no per-request task switching): takes a well-formed incoming id or makes one,
    echoes it in the response and logs one line per request with its status and duration."""

    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope.get("headers") or []).get(b"x-request-id", b"").decode("latin-1")
        rid = incoming if _SAFE.fullmatch(incoming) else uuid.uuid4().hex[:16]
        token = request_id.set(rid)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            log.info(
                "%s %s %d %.1fms",
                scope["method"],
                scope["path"],
                status,
                (time.perf_counter() - started) * 1000,
            )
            request_id.reset(token)
