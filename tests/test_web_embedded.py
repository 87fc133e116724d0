"""``kitgen serve`` in the embedded default (no Redis, no S3) on a real socket: the API's
validation, a kit rendered in the local pool and streamed from the folder store, the form
without JavaScript, escaping, request ids and the API docs."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import signal
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pypdf
import pytest

from tests.services import Stack, http

pytestmark = pytest.mark.slow


@pytest.fixture
def web(embedded: Stack) -> Stack:
    embedded.start_web()
    return embedded


def post(web: Stack, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    status, _, raw = http("POST", web.web_url + "/api/kits", body)
    return status, json.loads(raw)


def test_unknown_locale_or_kind_is_a_422_listing_the_choices(web: Stack) -> None:
    status, error = post(web, {"country": "atlantis", "language": "fr"})
    assert status == 422 and error["field"] == "country"
    assert "fr" in error["choices"] and "us" in error["choices"]
    status, error = post(web, {"country": "fr", "language": "klingon"})
    assert status == 422 and error["field"] == "language" and "de" in error["choices"]
    status, error = post(web, {"country": "fr", "language": "fr", "kinds": ["poster"]})
    assert status == 422 and error["choices"] == ["agenda", "brochure", "guide", "proclamation"]
    status, error = post(
        web, {"country": "fr", "language": "fr", "personalization": {"place": "x" * 161}}
    )
    assert status == 422 and "at most 160" in error["error"]
    status, error = post(
        web, {"country": "fr", "language": "fr", "personalization": {"shoe_size": "42"}}
    )
    assert status == 422 and "jurisdiction" in error["choices"]
    assert http("GET", web.web_url + "/api/kits/not-a-key")[0] == 422
    assert http("GET", web.web_url + "/api/kits/" + "0" * 64)[0] == 404


def test_embedded_kit_renders_locally_and_streams_from_the_folder(web: Stack) -> None:
    status, kit = post(
        web,
        {
            "country": "fr",
            "language": "fr",
            "kinds": ["agenda"],
            "personalization": {"event_name": "Code & <Café>"},
        },
    )
    assert status == 202 and kit["state"] in ("queued", "rendering")
    done = web.wait_done(kit["key"])
    assert done["state"] == "done", done
    status, headers, pdf = http("GET", f"{web.web_url}/kits/{kit['key']}/files/agenda.pdf")
    assert status == 200 and headers["content-type"] == "application/pdf"
    assert 'filename="hour-of-code-fr-fr-' in headers["content-disposition"]
    text = pypdf.PdfReader(io.BytesIO(pdf)).pages[0].extract_text()
    assert "Code & <Café>" in text
    status, again = post(
        web,
        {
            "country": "fr",
            "language": "fr",
            "kinds": ["agenda"],
            "personalization": {"event_name": "Code & <Café>"},
        },
    )
    assert status == 200 and again["state"] == "done"
    assert http("GET", f"{web.web_url}/kits/{kit['key']}/files/poster.pdf")[0] == 404
    assert http("GET", web.web_url + "/healthz")[0] == 200


def test_form_works_without_javascript(web: Stack, chromium: Any) -> None:
    context = chromium.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    page.goto(web.web_url + "/")
    page.select_option("#f-country", "de")
    page.select_option("#f-language", "de")
    for kind in ("guide", "brochure", "proclamation"):
        page.uncheck(f"input[name=kinds][value={kind}]")
    page.click("#submit")
    # The status page refreshes itself (meta refresh in <noscript>) until the kit is done.
    page.wait_for_selector("#kit[data-state=done]", timeout=90_000)
    assert page.locator("a[data-name='agenda.pdf']").count() == 1
    with page.expect_download() as info:
        page.click("a[data-name='agenda.pdf']")
    assert Path(info.value.path()).read_bytes().startswith(b"%PDF-")
    context.close()


def test_personalised_text_is_escaped_in_the_form(web: Stack) -> None:
    form = urlencode(
        {
            "country": "fr",
            "language": "fr",
            "kinds": "agenda",
            "event_name": "<script>alert(1)</script>",
            "event_date": "2026-13-45",
        }
    ).encode()
    request = urllib.request.Request(web.web_url + "/", data=form, method="POST")
    with pytest.raises(urllib.error.HTTPError) as failure:
        urllib.request.urlopen(request, timeout=30)
    page = failure.value.read().decode()
    assert failure.value.code == 422
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Event date must be a date as YYYY-MM-DD." in page


def test_request_ids_and_api_docs(web: Stack) -> None:
    _, headers, _ = http("GET", web.web_url + "/healthz", headers={"X-Request-ID": "trace-me-42"})
    assert headers["x-request-id"] == "trace-me-42"
    _, headers, _ = http(
        "GET", web.web_url + "/healthz", headers={"X-Request-ID": "bad id with spaces"}
    )
    assert re.fullmatch(r"[0-9a-f]{16}", headers["x-request-id"])
    assert "[trace-me-42] kitgen.web: GET /healthz 200" in web.logs()
    spec = json.loads(http("GET", web.web_url + "/openapi.json")[2])
    assert {"/api/kits", "/api/kits/{key}", "/healthz"} <= set(spec["paths"])
    assert http("GET", web.web_url + "/docs")[0] == 200


def raw_post(
    url: str,
    data: bytes,
    content_type: str = "application/json",
    headers: dict[str, str] | None = None,
) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": content_type, **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except (ConnectionResetError, BrokenPipeError, urllib.error.URLError) as exc:
        return -1, str(exc).encode()


def test_bounded_requests_and_clean_refusals(web: Stack) -> None:
    """A body past the limit is a 413 before parsing; an unknown field, a lone surrogate and
    a stack of combining marks are 422s naming the field; the staff API asks for its token
    before it looks at the body; bidi overrides never reach the print."""
    url = web.web_url + "/api/kits"
    before = rss_mib(web.processes[-1].pid)
    for _ in range(3):
        status, body = raw_post(
            url, b'{"country": "fr", "language": "fr", "pad": "' + b"x" * (10 * 1024 * 1024) + b'"}'
        )
        assert status in (413, -1), body[:200]  # -1: the server closed before reading it all
        status, body = chunked_post(url, 10)  # no Content-Length: counted while read
        assert status in (413, -1), body[:200]
    grown = rss_mib(web.processes[-1].pid) - before
    assert grown < 20, f"three 10 MB bodies grew the web process by {grown:.1f} MiB"
    status, body = raw_post(
        url, json.dumps({"country": "fr", "language": "fr", "colour": "teal"}).encode()
    )
    assert status == 422 and b"colour" in body
    status, body = raw_post(
        url, b'{"country": "fr", "language": "fr", "personalization": {"place": "\\ud800"}}'
    )
    assert status == 422 and b"place" in body and b"not valid text" in body, body
    status, body = raw_post(
        url,
        json.dumps(
            {"country": "fr", "language": "fr", "personalization": {"place": "a" + "\u0301" * 60}}
        ).encode(),
    )
    assert status == 422 and b"place" in body
    status, body = raw_post(web.web_url + "/api/staff/kits", b'{"nonsense": 1}')
    assert status == 401 and b"locales" not in body  # no schema for anonymous callers
    status, headers, _page = http("GET", web.web_url + "/")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "script-src 'self'" in headers["content-security-policy"]
    status, headers, _ = http("GET", web.web_url + "/docs")
    assert status == 200 and "content-security-policy" not in headers  # Swagger UI works
    # Headers are bounded too: 64 KiB of cookie is refused before the app sees it.
    assert raw_get(web.web_url, {"Cookie": "a=" + "b" * 65536})[:12] in (
        b"HTTP/1.1 400",
        b"HTTP/1.1 431",
    )
    assert raw_get(web.web_url, {"Cookie": "a=" + "b" * 20000}).startswith(b"HTTP/1.1 431")
    assert raw_get(web.web_url, {f"X-H{n}": "v" for n in range(150)}).startswith(b"HTTP/1.1 431")
    assert raw_get(web.web_url, {"Cookie": "a=b"}).startswith(b"HTTP/1.1 200")


def chunked_post(url: str, mebibytes: int) -> tuple[int, bytes]:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    chunks = (b"x" * 1024 * 1024 for _ in range(mebibytes))
    try:
        connection.request(
            "POST",
            parts.path,
            body=chunks,
            encode_chunked=True,
            headers={"Content-Type": "application/json"},
        )
        response = connection.getresponse()
        return response.status, response.read()
    except (ConnectionResetError, BrokenPipeError) as exc:
        return -1, str(exc).encode()
    finally:
        connection.close()


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


def raw_get(url: str, headers: dict[str, str]) -> bytes:
    """GET / over a bare socket, so nothing on the client side trims what is sent."""
    import socket
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        # Refused while we were still sending: the answer is still there to read.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            sock.sendall(
                f"GET /healthz HTTP/1.1\r\nHost: x\r\n{head}Connection: close\r\n\r\n".encode()
            )
        return sock.recv(200)


def test_one_client_cannot_starve_the_form(embedded: Stack) -> None:
    """A flood from one client is refused with 429 + Retry-After once its in-flight cap and
    rate are used; nothing accepted is lost; another client's kit goes straight through; a
    stored kit is never limited; the form says so beside its button."""
    embedded.start_web(
        KITGEN_TRUSTED_PROXIES="127.0.0.1", KITGEN_RATE_LIMIT="5/minute", KITGEN_MAX_IN_FLIGHT="2"
    )
    url = embedded.web_url + "/api/kits"
    organizer = {"X-Forwarded-For": "198.51.100.9"}

    def organizer_kit(name: str) -> float:
        """Seconds from asking to a finished kit, for another organizer's own kit."""
        started = time.monotonic()
        status, _, raw = http(
            "POST",
            url,
            {
                "country": "de",
                "language": "de",
                "kinds": ["agenda"],
                "personalization": {"event_name": name},
            },
            headers=organizer,
        )
        assert status == 202, raw
        assert embedded.wait_done(json.loads(raw)["key"])["state"] == "done"
        return time.monotonic() - started

    organizer_kit("Warm-up")  # the pool process has loaded fonts and templates
    idle = organizer_kit("Idle")
    flooder = {"X-Forwarded-For": "203.0.113.7"}
    answers = []
    for n in range(200):
        body = {
            "country": "fr",
            "language": "fr",
            "kinds": ["agenda"],
            "personalization": {"event_name": f"Flood {n}"},
        }
        answers.append(http("POST", url, body, headers=flooder))
    accepted = [json.loads(b)["key"] for s, _, b in answers if s == 202]
    refused = [(h, json.loads(b)) for s, h, b in answers if s == 429]
    # In-flight cap 2 and rate 5 a minute: at most 5 accepted, every other answer a refusal.
    assert 1 <= len(accepted) <= 5 and len(refused) == 200 - len(accepted), [
        s for s, _, _ in answers
    ]
    assert all(int(h["retry-after"]) >= 1 and body["retry_after"] >= 1 for h, body in refused)
    # Another organizer is not behind the flood: within 5 s of the idle machine's time.
    during = organizer_kit("During the flood")
    assert during < idle + 5, (idle, during)
    for key in accepted:  # nothing accepted is lost
        assert embedded.wait_done(key)["state"] == "done"
    # A stored kit is served to the flooder even now; the form explains a refusal in place.
    first = {
        "country": "fr",
        "language": "fr",
        "kinds": ["agenda"],
        "personalization": {"event_name": "Flood 0"},
    }
    assert http("POST", url, first, headers=flooder)[0] == 200
    codes = []
    for n in range(8):
        form = urlencode(
            {"country": "fr", "language": "fr", "kinds": "agenda", "event_name": f"Flood 9{n}"}
        ).encode()
        request = urllib.request.Request(
            embedded.web_url + "/",
            data=form,
            method="POST",
            headers={**flooder, "Accept": "text/html"},
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                codes.append(response.status)
        except urllib.error.HTTPError as error:
            codes.append(error.code)
            page = error.read().decode()
            if error.code == 429:
                assert 'id="refusal"' in page and f"Flood 9{n}" in page  # what was typed
                break
    assert 429 in codes, codes


def running(pid: int) -> bool:
    """Alive and not a zombie (an exited child whose parent is gone waits for init here)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def test_stopping_the_server_leaves_nothing_behind(embedded: Stack) -> None:
    """SIGTERM to the server alone (what Docker and systemd send): it finishes, its render
    processes go with it, and nothing complains (uvicorn ends by raising the signal again, so
    no exit handler would free the pool's semaphores)."""
    url = embedded.start_web()
    status, _, body = http(
        "POST", url + "/api/kits", {"country": "fr", "language": "fr", "kinds": ["agenda"]}
    )
    assert status == 202
    embedded.wait_done(json.loads(body)["key"])
    server = embedded.processes[-1]
    pool = [
        int(pid)
        for pid in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    ]
    assert pool, "the local pool has render processes"
    os.kill(server.pid, signal.SIGTERM)
    server.wait(timeout=30)
    time.sleep(1)  # the resource tracker reports after the server is gone
    log = (embedded.logs_dir / "web.log").read_text()
    assert "leaked" not in log and "Traceback" not in log, log
    assert not [pid for pid in pool if running(pid)], "render processes left running"
