"""Callbacks: when a kit is published or fails, kitgen POSTs a signed JSON event to the URL
the client gave (``callback_url``), retried with backoff, never blocking a render.

- **Signature** (as Stripe and GitHub do): header ``Kitgen-Signature: t=<unix time>,v1=<hex>``
  where ``v1`` is HMAC-SHA256 with ``KITGEN_WEBHOOK_SECRET`` over ``"<t>.<body>"``. A receiver
  recomputes it and refuses a timestamp older than a few minutes (:func:`verify`).
- **Not an SSRF channel**: a callback URL is http(s), and every address its host resolves to
  must be public, unless ``KITGEN_WEBHOOK_ALLOW`` names the host or a network holding it
  (``127.0.0.1/32``, ``hooks.internal``). Checked when the URL is given and again before each
  delivery (a name can change what it resolves to); redirects are never followed.
- **Where callbacks wait**: with a broker, in Redis (``kitgen:callbacks:<kit key>``) until the
  worker that finishes the kit hands each to a delivery task; embedded, in the web process.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from kitgen.errors import ConfigError, InvalidRequest

SIGNATURE_HEADER = "Kitgen-Signature"
TOLERANCE = 300  # seconds a receiver should accept a signature's timestamp
TIMEOUT = 5.0  # seconds per delivery attempt
PREFIX = "kitgen:callbacks:"


class DeliveryFailed(Exception):
    """One attempt did not reach a 2xx answer; retried with backoff."""


# -- the URL -----------------------------------------------------------------------------------
def check_callback_url(url: str, allow: tuple[str, ...]) -> str:
    """The URL when kitgen may call it; else a 422 naming ``callback_url`` and why."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidRequest("callback_url", url, reason="a callback_url is an http(s) URL")
    if parts.username or parts.password:
        raise InvalidRequest("callback_url", url, reason="a callback_url carries no password")
    host = parts.hostname.lower()
    if host in allow:
        return url
    try:
        addresses = {
            str(info[4][0])
            for info in socket.getaddrinfo(
                host,
                parts.port or (443 if parts.scheme == "https" else 80),
                type=socket.SOCK_STREAM,
            )
        }
    except (socket.gaierror, UnicodeError):
        raise InvalidRequest(
            "callback_url", url, reason=f"the callback host {host!r} does not resolve"
        ) from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if not ip.is_global and not _allowed(ip, allow):
            raise InvalidRequest(
                "callback_url",
                url,
                reason=f"callbacks to {address} (loopback, private or link-local) are refused;"
                " KITGEN_WEBHOOK_ALLOW can permit a host or network",
            )
    return url


def _allowed(ip: ipaddress.IPv4Address | ipaddress.IPv6Address, allow: tuple[str, ...]) -> bool:
    for entry in allow:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue  # a host name, matched before resolving
    return False


# -- the event ---------------------------------------------------------------------------------
def kit_event(
    key: str, state: str, base_url: str, error: str | None = None, files: list[str] | None = None
) -> dict[str, Any]:
    """What the receiver gets: the kit, its state, where to see and fetch it, or why not."""
    base = base_url.rstrip("/")
    links = {"page": f"{base}/kits/{key}", "status": f"{base}/api/kits/{key}"}
    for name in files or []:
        links[name] = f"{base}/kits/{key}/files/{name}"
    return {
        "id": f"evt_{uuid.uuid4().hex}",
        "type": f"kit.{state}",
        "created": int(time.time()),
        "kit": {"key": key, "state": state, "links": links, "error": error},
    }


def batch_event(batch: dict[str, Any], base_url: str) -> dict[str, Any]:
    """A staff batch finished: its state, its status URL and the report."""
    return {
        "id": f"evt_{uuid.uuid4().hex}",
        "type": f"batch.{batch['state']}",
        "created": int(time.time()),
        "batch": {**batch, "status_url": base_url.rstrip("/") + batch["status_url"]},
    }


def callback_files(documents: dict[str, str]) -> list[str]:
    """The files a published kit offers (each document, the combined PDF, the zip)."""
    return [f"{kind}.pdf" for kind in documents] + ["kit.pdf", "kit.zip"]


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    stamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{stamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={stamp},v1={digest}"


def verify(secret: str, body: bytes, header: str, tolerance: int = TOLERANCE) -> bool:
    """What a receiver runs: the signature matches and is recent."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        stamp = int(fields["t"])
    except (KeyError, ValueError):
        return False
    expected = sign(secret, body, stamp).split("v1=", 1)[1]
    return abs(time.time() - stamp) <= tolerance and hmac.compare_digest(
        expected, fields.get("v1", "")
    )


# -- one delivery ------------------------------------------------------------------------------
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a 3xx is a failed delivery, never a second request elsewhere


def deliver(url: str, event: dict[str, Any], secret: str, allow: tuple[str, ...]) -> int:
    """One attempt; the receiver's status code, or DeliveryFailed."""
    if not secret:
        raise ConfigError("KITGEN_WEBHOOK_SECRET is not set: callbacks cannot be signed")
    try:
        check_callback_url(url, allow)
    except InvalidRequest as exc:
        raise DeliveryFailed(str(exc)) from None
    body = json.dumps(event, separators=(",", ":")).encode()
    request = urllib.request.Request(
        url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "kitgen-webhooks",
            SIGNATURE_HEADER: sign(secret, body),
            "Kitgen-Event-Id": event["id"],
        },
    )
    opener = urllib.request.build_opener(_NoRedirect())
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        raise DeliveryFailed(f"{url} answered {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise DeliveryFailed(f"{url}: {exc}") from None


def deliver_with_retries(
    url: str,
    event: dict[str, Any],
    secret: str,
    allow: tuple[str, ...],
    attempts: int,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """Embedded mode's delivery (a thread of the web process): 1, 2, 4… s between attempts."""
    from kitgen.metrics import WEBHOOKS

    for attempt in range(attempts):
        try:
            deliver(url, event, secret, allow)
            WEBHOOKS.labels("delivered").inc()
            return True
        except DeliveryFailed:
            if attempt + 1 < attempts:
                sleep(min(2**attempt, 300))
    WEBHOOKS.labels("failed").inc()
    return False


# -- where callbacks wait for their kit --------------------------------------------------------
class LocalCallbacks:
    """Embedded mode: callbacks in memory, delivered by daemon threads."""

    def __init__(self, secret: str, allow: tuple[str, ...], attempts: int):
        self.secret, self.allow, self.attempts = secret, allow, attempts
        self._lock = threading.Lock()
        self._waiting: dict[str, list[dict[str, Any]]] = {}

    def add(self, key: str, record: dict[str, Any]) -> None:
        with self._lock:
            self._waiting.setdefault(key, []).append(record)

    def finished(self, key: str, state: str, error: str | None, files: list[str]) -> None:
        with self._lock:
            records = self._waiting.pop(key, [])
        for record in records:
            self.send(record, kit_event(key, state, record["base_url"], error, files))

    def send(self, record: dict[str, Any], event: dict[str, Any]) -> None:
        threading.Thread(
            target=deliver_with_retries,
            daemon=True,
            name="kitgen-webhook",
            args=(record["url"], event, self.secret, self.allow, self.attempts),
        ).start()


def take_waiting(client: Any, key: str) -> list[dict[str, Any]]:
    """Queued mode: every callback registered for the kit, removed atomically."""
    pipe = client.pipeline()
    pipe.lrange(PREFIX + key, 0, -1)
    pipe.delete(PREFIX + key)
    raw, _ = pipe.execute()
    return [json.loads(item) for item in raw]


def add_waiting(client: Any, key: str, record: dict[str, Any], ttl: int) -> None:
    pipe = client.pipeline()
    pipe.rpush(PREFIX + key, json.dumps(record))
    pipe.expire(PREFIX + key, ttl)
    pipe.execute()
