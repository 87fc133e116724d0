"""The queued service against real parts: Redis, Celery workers (subprocesses), an S3 API over
HTTP (moto) and the web app on a socket. What the issue asks to see, each as a test."""

from __future__ import annotations

import hashlib
import io
import json
import os
import signal
import urllib.error
import urllib.request
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import boto3
import pypdf
import pytest

from tests.s3server import free_port, unreachable_endpoint
from tests.services import Stack, http, wait_for

pytestmark = pytest.mark.slow
AGENDA = {"country": "fr", "language": "fr", "kinds": ["agenda"]}


def bucket_keys(stack: Stack) -> list[str]:
    s3 = boto3.session.Session().client("s3", endpoint_url=stack.settings.s3_endpoint_url)
    listing = s3.list_objects_v2(Bucket=stack.settings.s3_bucket)
    return sorted(item["Key"] for item in listing.get("Contents", []))


def child_pids(pid: int) -> list[int]:
    """The worker's pool processes (from /proc: no extra package)."""
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return [int(c) for c in children]


def download(stack: Stack, url: str) -> tuple[dict, bytes]:
    """Through the web tier, which redirects to a presigned S3 URL (followed, like a browser)."""
    status, headers, body = http("GET", stack.web_url + url)
    assert status == 200, (url, status, body[:300])
    return headers, body


def test_kit_through_redis_worker_and_s3_then_from_the_cache(stack: Stack) -> None:
    stack.start_worker()
    stack.start_web()
    status, headers, body = http(
        "POST",
        stack.web_url + "/api/kits",
        {"country": "de", "language": "de", "kinds": ["guide", "agenda"]},
    )
    kit = json.loads(body)
    assert status == 202 and headers["location"] == f"/api/kits/{kit['key']}"
    assert set(kit["documents"]) == {"guide", "agenda"}
    done = stack.wait_done(kit["key"])
    assert done["state"] == "done", done
    names = {d["name"] for d in done["downloads"]}
    assert names == {"guide.pdf", "agenda.pdf", "kit.pdf", "kit.zip"}

    # The web tier hands out presigned S3 links; the PDFs behind them are the kit.
    status, headers, _ = http(
        "GET", f"{stack.web_url}/kits/{kit['key']}/files/guide.pdf", follow=False
    )
    assert status == 307 and "X-Amz-Signature" in headers["location"]
    for name in ("guide.pdf", "agenda.pdf", "kit.pdf"):
        _, pdf = download(stack, f"/kits/{kit['key']}/files/{name}")
        reader = pypdf.PdfReader(io.BytesIO(pdf))
        text = " ".join(page.extract_text() for page in reader.pages)
        assert len(reader.pages) >= 1 and "<%" not in text and "{{" not in text
    _, archive = download(stack, f"/kits/{kit['key']}/files/kit.zip")
    with zipfile.ZipFile(io.BytesIO(archive)) as zipped:
        manifest = json.loads(zipped.read("manifest.json"))
        for doc in manifest["documents"]:
            pdf = zipped.read(
                f"hour-of-code-de-de-{manifest['request']['campaign']}-{doc['kind']}.pdf"
            )
            assert hashlib.sha256(pdf).hexdigest() == doc["sha256"]
    # The worker made the previews itself, after the result (nobody waited for them).
    wait_for(
        lambda: len([k for k in bucket_keys(stack) if k.startswith("previews/")]) == 2,
        30,
        "the worker's previews",
        stack.logs,
    )
    _, png = download(stack, f"/kits/{kit['key']}/files/agenda.png")
    assert png.startswith(b"\x89PNG")
    assert stack.counters() == {"tasks_started": 1, "kits_rendered": 1, "documents_rendered": 2}

    # The same request again: straight to the downloads, no task, nothing queued.
    status, _, body = http(
        "POST",
        stack.web_url + "/api/kits",
        {"country": "de", "language": "de", "kinds": ["agenda", "guide"]},
    )
    again = json.loads(body)
    assert status == 200 and again["key"] == kit["key"] and again["state"] == "done"
    assert again["downloads"]
    assert stack.counters()["tasks_started"] == 1


def test_fifty_concurrent_identical_requests_render_once(stack: Stack) -> None:
    stack.start_worker(concurrency=2)
    stack.start_web()
    request = {
        "country": "us",
        "language": "en",
        "kinds": ["proclamation", "agenda"],
        "personalization": {"jurisdiction": "City of Springfield"},
    }
    with ThreadPoolExecutor(50) as pool:
        answers = list(
            pool.map(lambda _: http("POST", stack.web_url + "/api/kits", request), range(50))
        )
    assert {status for status, _, _ in answers} <= {200, 202}
    keys = {json.loads(body)["key"] for _, _, body in answers}
    assert len(keys) == 1
    assert stack.wait_done(keys.pop())["state"] == "done"
    counters = stack.counted()
    assert counters["tasks_started"] == 1, counters
    assert counters["kits_rendered"] == 1 and counters["documents_rendered"] == 2, counters


@pytest.mark.parametrize("victim", ["pool process", "whole worker"])
def test_worker_killed_mid_render_still_completes(stack: Stack, victim: str) -> None:
    worker = stack.start_worker("worker-1")
    stack.start_web()
    # A Japanese kit: CJK font subsetting makes it the slowest, ~2 s, a wide window to kill in.
    _, _, body = http("POST", stack.web_url + "/api/kits", {"country": "jp", "language": "ja"})
    key = json.loads(body)["key"]

    def rendering() -> bool:
        kit = json.loads(http("GET", f"{stack.web_url}/api/kits/{key}")[2])
        assert kit["documents"]["agenda"] == "queued", f"too late to kill the render: {kit}"
        return kit["state"] == "rendering"

    wait_for(rendering, 60, "the render to start", stack.logs)
    if victim == "pool process":  # the process rendering dies; its worker lives on
        children = child_pids(worker.pid)
        assert len(children) == 1
        os.kill(children[0], signal.SIGKILL)
    else:  # the whole worker dies: Redis hands the task on after the visibility timeout
        Stack.kill(worker, signal.SIGKILL)
        assert not any(k.endswith("manifest.json") for k in bucket_keys(stack))
        stack.start_worker("worker-2")
    done = stack.wait_done(key, timeout=120)
    assert done["state"] == "done", done
    assert {d["name"] for d in done["downloads"]} >= {"guide.pdf", "kit.pdf"}
    s3 = boto3.session.Session().client("s3", endpoint_url=stack.settings.s3_endpoint_url)
    stored = json.loads(
        s3.get_object(Bucket=stack.settings.s3_bucket, Key=f"kits/{key}/manifest.json")[
            "Body"
        ].read()
    )
    for doc in stored["documents"]:  # everything the manifest names is there and whole
        pdf = s3.get_object(Bucket=stack.settings.s3_bucket, Key=doc["object"])["Body"].read()
        assert hashlib.sha256(pdf).hexdigest() == doc["sha256"]
    assert stack.counters()["tasks_started"] == 2  # the killed attempt and the one that ran


def test_redis_unreachable_is_a_503_with_a_message(stack: Stack) -> None:
    stack.start_web(KITGEN_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    status, _, body = http("POST", stack.web_url + "/api/kits", AGENDA)
    assert status == 503
    error = json.loads(body)
    assert "render queue" in error["error"] and "unreachable" in error["error"]
    assert "Traceback" not in body.decode()
    status, _, body = http("GET", stack.web_url + "/healthz")
    assert status == 503 and json.loads(body)["checks"]["queue"]["status"] == "down"
    status, _, page = http(
        "POST",
        stack.web_url + "/",
        headers={"Accept": "text/html", "Content-Type": "application/x-www-form-urlencoded"},
    )
    # an empty form is invalid before the queue is even needed: field errors, not a 503
    assert status == 422 and b"Choose a country" in page


def test_redis_unreachable_form_submission_gets_a_503_page(stack: Stack) -> None:
    stack.start_web(KITGEN_REDIS_URL=f"redis://127.0.0.1:{free_port()}/0")
    form = urlencode({"country": "fr", "language": "fr", "kinds": "agenda"}).encode()
    request = urllib.request.Request(
        stack.web_url + "/", data=form, method="POST", headers={"Accept": "text/html"}
    )
    try:
        urllib.request.urlopen(request, timeout=30)
        pytest.fail("expected a 503")
    except urllib.error.HTTPError as error:
        page = error.read().decode()
        assert error.code == 503
    assert "render queue" in page and "Traceback" not in page and "<html" in page


def test_s3_unreachable_from_the_web_is_a_503(stack: Stack) -> None:
    stack.start_web(KITGEN_S3_ENDPOINT_URL=unreachable_endpoint())
    status, _, body = http("POST", stack.web_url + "/api/kits", AGENDA)
    assert status == 503
    message = json.loads(body)["error"]
    assert "kit store" in message and "unreachable" in message
    status, _, body = http("GET", stack.web_url + "/healthz")
    assert status == 503 and json.loads(body)["checks"]["storage"]["status"] == "down"


def test_s3_unreachable_from_the_worker_fails_clearly_and_stores_nothing(stack: Stack) -> None:
    stack.start_worker(KITGEN_S3_ENDPOINT_URL=unreachable_endpoint())
    stack.start_web()
    _, _, body = http("POST", stack.web_url + "/api/kits", AGENDA)
    done = stack.wait_done(json.loads(body)["key"], timeout=120)
    assert done["state"] == "failed"
    assert "storage failed" in done["error"] and "unreachable" in done["error"]
    # Nothing of the kit; only the web tier's copy of the request (kitgen.objects.request_object)
    assert [k for k in bucket_keys(stack) if not k.startswith("requests/")] == []
    assert stack.counters()["tasks_started"] == 4  # the first try and three retries


def test_a_render_past_the_soft_time_limit_fails_clearly_and_stores_nothing(stack: Stack) -> None:
    # A whole Tamil kit takes ~2.5 s here in a fresh worker (its fonts load on first use, and
    # its brochure and proclamation are set twice to fit); a 1 s soft limit stops it.
    stack.start_worker(KITGEN_TASK_SOFT_LIMIT="1", KITGEN_TASK_HARD_LIMIT="10")
    stack.start_web()
    _, _, body = http("POST", stack.web_url + "/api/kits", {"country": "in", "language": "ta"})
    done = stack.wait_done(json.loads(body)["key"])
    assert done["state"] == "failed"
    assert done["error"] == "the render took longer than 1s and was stopped"
    assert "failed" in done["documents"].values()
    assert not any(k.endswith("manifest.json") for k in bucket_keys(stack))


def test_a_person_at_the_form_is_served_before_queued_batch_kits(stack: Stack) -> None:
    from kitgen.dispatch.queued import CeleryDispatcher
    from kitgen.models import KitRequest
    from kitgen.planner import KitPlanner

    stack.start_worker(concurrency=1)
    stack.start_web()
    batch = CeleryDispatcher(stack.settings, queue="batch")
    planner = KitPlanner(stack.settings)
    batch_keys = []
    for n in range(4):
        # Tamil: the slowest kit (~2.5 s in a fresh worker), so people arrive mid-render.
        request = KitRequest.from_dict(
            {"country": "in", "language": "ta", "personalization": {"event_name": f"Batch {n}"}}
        )
        prepared = planner.prepare(request)
        assert batch.submit(prepared.key, prepared.request.to_dict())
        batch_keys.append(prepared.key)
    wait_for(
        lambda: (
            (batch.status(batch_keys[0]) or None)
            and batch.status(batch_keys[0]).state == "rendering"
        ),
        60,
        "the first batch kit",
    )
    # Two people ask while the first batch kit renders: both come before the other batch kits
    # (round-robin consumption would slip a batch kit between them).
    people = [
        json.loads(
            http(
                "POST",
                stack.web_url + "/api/kits",
                {"country": "fr", "language": lang, "kinds": ["agenda"]},
            )[2]
        )["key"]
        for lang in ("fr", "de")
    ]
    for key in people:
        assert stack.wait_done(key)["state"] == "done"
    finished = [k for k in batch_keys if batch.status(k).state == "done"]
    assert len(finished) <= 1, "a person waited behind batch kits"  # only the one running
    for key in batch_keys:
        stack.wait_done(key)
    batch.close()


def test_health_answers_fast_while_s3_hangs_and_readiness_needs_a_worker(stack: Stack) -> None:
    import socket
    import time

    silent = socket.socket()  # accepts connections (kernel backlog) and never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(16)
    try:
        stack.start_web(KITGEN_S3_ENDPOINT_URL=f"http://127.0.0.1:{silent.getsockname()[1]}")
        started = time.monotonic()
        status, _, body = http("GET", stack.web_url + "/healthz")
        assert time.monotonic() - started < 2.5, "a hung store held the health check"
        checks = json.loads(body)["checks"]
        assert status == 503 and checks["storage"]["status"] == "down"
        assert "no answer within" in checks["storage"]["detail"]
        assert checks["queue"]["status"] == "ok"
    finally:
        silent.close()


def test_readiness_reports_whether_a_worker_is_alive(stack: Stack) -> None:
    stack.start_web()
    status, _, body = http("GET", stack.web_url + "/readyz")
    assert status == 503 and json.loads(body)["checks"]["workers"]["status"] == "down"
    stack.start_worker()

    def ready() -> dict | None:
        code, _, raw = http("GET", stack.web_url + "/readyz")
        return json.loads(raw) if code == 200 else None

    found = wait_for(ready, 60, "a worker to answer the readiness ping", stack.logs)
    assert found["checks"]["workers"]["detail"]


def test_a_render_killed_by_the_hard_limit_does_not_block_a_rerun(stack: Stack) -> None:
    """Past the hard limit Celery kills the render process and records the failure in the
    parent (``mark_as_failure``), but none of kitgen's code runs to release the single-flight
    claim. Asking again takes the dead claim over at once instead of waiting for its TTL."""
    from billiard.exceptions import TimeLimitExceeded

    from kitgen.dispatch.queued import CeleryDispatcher, task_id

    dispatcher = CeleryDispatcher(stack.settings)
    request = {"country": "fr", "language": "fr", "kinds": ["agenda"]}
    key = "d" * 64
    assert dispatcher.flights.claim(key, {"request": request})  # the render in flight…
    assert not dispatcher.submit(key, request)  # …is followed, not queued twice
    dispatcher.app.backend.mark_as_failure(task_id(key), TimeLimitExceeded(1))  # …then killed
    assert dispatcher.submit(key, request), "the dead claim was not taken over"
    assert dispatcher.flights.get(key) is not None
    assert dispatcher.status(key).state == "queued"
    dispatcher.close()


def test_a_queued_request_survives_the_queue_losing_its_records(stack: Stack) -> None:
    """Redis restarted without its data: the task and the claim are gone. The status page
    asks again from the request kept in the store, and the person still gets the kit."""
    import redis

    stack.start_web()
    status, _, body = http("POST", stack.web_url + "/api/kits", AGENDA)
    assert status == 202
    key = json.loads(body)["key"]
    redis.Redis.from_url(stack.settings.redis_url).flushdb()  # what a restart loses
    status, _, body = http("GET", f"{stack.web_url}/api/kits/{key}")
    assert status == 200 and json.loads(body)["state"] == "queued"
    # Nobody serves the queue yet: the person waiting is told so, on the page and the API.
    assert "No kit maker is running" in json.loads(body)["notice"]
    status, _, page = http("GET", f"{stack.web_url}/kits/{key}")
    assert status == 200 and b'id="kit-notice"' in page and b"No kit maker is running" in page
    stack.start_worker()
    done = stack.wait_done(key)
    assert done["state"] == "done" and done["notice"] is None


def test_the_in_flight_cap_holds_across_web_processes(stack: Stack) -> None:
    """Two web processes on one broker: a client's kits in flight are counted together (no
    worker runs, so what is accepted stays queued)."""
    first = stack.start_web(KITGEN_TRUSTED_PROXIES="127.0.0.1", KITGEN_MAX_IN_FLIGHT="1")
    second = stack.start_web(KITGEN_TRUSTED_PROXIES="127.0.0.1", KITGEN_MAX_IN_FLIGHT="1")
    client = {"X-Forwarded-For": "203.0.113.50"}

    def ask(url: str, n: int) -> tuple[int, dict]:
        status, _, body = http(
            "POST",
            url + "/api/kits",
            {**AGENDA, "personalization": {"event_name": f"Spread {n}"}},
            headers=client,
        )
        return status, json.loads(body)

    assert ask(first, 1)[0] == 202
    status, body = ask(second, 2)
    assert status == 429 and "already have 1 kits" in body["error"], body
    other = {"X-Forwarded-For": "198.51.100.77"}  # somebody else is not affected
    status, _, _ = http("POST", second + "/api/kits", AGENDA, headers=other)
    assert status == 202
