"""Bounded requests and safe headers (plain ASGI middleware, before any parsing).

A request body is counted while it is read: past ``KITGEN_MAX_BODY_BYTES`` (64 KiB: a kit
request is a few hundred bytes) the request is answered 413 at once and nothing is parsed, so a
large body costs neither memory nor a validation pass. Every response carries
``X-Content-Type-Options``, ``X-Frame-Options`` and a ``Referrer-Policy``; the pages (not the
API docs, which load Swagger from a CDN) a strict Content-Security-Policy.
"""

from __future__ import annotations

import json
from typing import Any

from kitgen.uitext import _

PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
_NO_CSP = ("/docs", "/redoc", "/openapi.json")


#: Request headers together (a browser sends 1–2 KiB; common proxies cap at 8–16 KiB).
MAX_HEADER_BYTES = 16 * 1024
MAX_HEADERS = 100


class BodyLimitMiddleware:
    def __init__(self, app: Any, max_bytes: int):
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and _headers_too_large(scope.get("headers") or []):
            message = _("The request's headers are too large.")
            await _refuse(send, 431, message)
            return
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length", b"").decode("latin-1")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._too_large(scope, send)
            return
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > self.max_bytes:
                await self._too_large(scope, send)
                return
            chunks.append(body)
            if not message.get("more_body"):
                break
        whole = b"".join(chunks)
        replayed = False

        async def replay() -> dict[str, Any]:
            nonlocal replayed
            if replayed:
                message: dict[str, Any] = await receive()
                return message
            replayed = True
            return {"type": "http.request", "body": whole, "more_body": False}

        await self.app(scope, replay, send)

    async def _too_large(self, scope: dict[str, Any], send: Any) -> None:
        message = _("The request is too large (at most %(limit)s bytes).", limit=self.max_bytes)
        await _refuse(send, 413, message)


def _headers_too_large(headers: list[tuple[bytes, bytes]]) -> bool:
    """The server (h11) already bounds what it buffers; this bounds what reaches the app."""
    return (
        len(headers) > MAX_HEADERS
        or sum(len(k) + len(v) + 4 for k, v in headers) > MAX_HEADER_BYTES
    )


async def _refuse(send: Any, status: int, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class SecurityHeadersMiddleware:
    def __init__(self, app: Any):
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        page = not scope["path"].startswith(_NO_CSP)

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                extra = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                ]
                if page:
                    extra.append((b"content-security-policy", PAGE_CSP.encode()))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_with_headers)
