"""Callbacks, with a real receiver on loopback: one signed event per kit request, retried after
the receiver failed once, from the Celery worker (queued) and from the web process (embedded);
callback URLs that would make kitgen an SSRF channel are refused unless allowed."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from kitgen.webhooks import SIGNATURE_HEADER, verify
from tests.services import Stack, http, wait_for

pytestmark = pytest.mark.slow
SECRET = "whsec-test-0123456789"
AGENDA = {"country": "fr", "language": "fr", "kinds": ["agenda"]}


class Receiver:
    """Records every POST; answers 500 to the first ``fail_first`` of them."""

    def __init__(self, fail_first: int = 0):
        self.calls: list[dict[str, Any]] = []
        self.fail_first = fail_first
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.calls.append(
                    {"body": body, "headers": dict(self.headers), "at": time.monotonic()}
                )
                failing = len(receiver.calls) <= receiver.fail_first
                self.send_response(500 if failing else 204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/kitgen"

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(call["body"]) for call in self.calls]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver(fail_first=1)
    yield found
    found.server.shutdown()


def assert_signed(call: dict[str, Any]) -> None:
    assert verify(SECRET, call["body"], call["headers"][SIGNATURE_HEADER])
    assert not verify("another-secret", call["body"], call["headers"][SIGNATURE_HEADER])


def follow_events(stack: Stack, receiver: Receiver) -> None:
    """A kit made, then the same kit from the store: one event each; the first retried."""
    status, _, body = http(
        "POST", stack.web_url + "/api/kits", {**AGENDA, "callback_url": receiver.url}
    )
    assert status == 202, body
    key = json.loads(body)["key"]
    wait_for(lambda: len(receiver.calls) >= 2, 60, "the event, retried after a 500", stack.logs)
    first, retried = receiver.calls[:2]
    assert (
        first["body"] != b""
        and json.loads(first["body"])["id"] == json.loads(retried["body"])["id"]
    )  # the same event, delivered again
    assert retried["at"] - first["at"] >= 0.9  # after a backoff, not at once
    event = json.loads(retried["body"])
    assert event["type"] == "kit.published" and event["kit"]["key"] == key
    assert event["kit"]["links"]["agenda.pdf"].endswith(f"/kits/{key}/files/agenda.pdf")
    assert event["kit"]["links"]["page"].startswith(stack.web_url)
    for call in receiver.calls:
        assert_signed(call)
    status, _, _ = http(
        "POST", stack.web_url + "/api/kits", {**AGENDA, "callback_url": receiver.url}
    )
    assert status == 200  # stored: answered at once, and announced all the same
    wait_for(lambda: len(receiver.calls) >= 3, 30, "the stored kit's event", stack.logs)
    time.sleep(1.5)
    assert len(receiver.calls) == 3, receiver.events()  # one event per request, no more
    assert_signed(receiver.calls[2])


def test_callbacks_from_the_worker_signed_and_retried(stack: Stack, receiver: Receiver) -> None:
    env = {"KITGEN_WEBHOOK_SECRET": SECRET, "KITGEN_WEBHOOK_ALLOW": "127.0.0.1/32"}
    stack.env.update(env)
    stack.start_worker()
    stack.start_web()
    follow_events(stack, receiver)
    assert stack.counters().get("webhooks_delivered") == 2


def test_callbacks_embedded_and_ssrf_refusals(embedded: Stack, receiver: Receiver) -> None:
    embedded.env.update({"KITGEN_WEBHOOK_SECRET": SECRET, "KITGEN_WEBHOOK_ALLOW": "127.0.0.1/32"})
    embedded.start_web()
    follow_events(embedded, receiver)


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata: link-local
        "http://127.0.0.1:9/hook",  # loopback, not allowed on this server
        "http://10.1.2.3/hook",  # private
        "http://[::1]:8080/hook",
        "file:///etc/passwd",
        "http://user:pass@example.org/hook",
    ],
)
def test_callback_urls_that_would_reach_inside_are_refused(embedded: Stack, url: str) -> None:
    embedded.env["KITGEN_WEBHOOK_SECRET"] = SECRET
    if not embedded.web_url:
        embedded.start_web()
    status, _, body = http("POST", embedded.web_url + "/api/kits", {**AGENDA, "callback_url": url})
    answer = json.loads(body)
    assert status == 422 and answer["field"] == "callback_url", answer


def test_callbacks_need_a_secret_on_the_server(embedded: Stack) -> None:
    embedded.start_web()
    status, _, body = http(
        "POST",
        embedded.web_url + "/api/kits",
        {**AGENDA, "callback_url": "https://example.org/hook"},
    )
    assert status == 422 and b"KITGEN_WEBHOOK_SECRET" in body
