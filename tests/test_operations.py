"""Operations. ``/metrics`` in Prometheus text format, parsed with prometheus-client's own
parser: its counters move as kits are built, in the web app (queue, requests, the workers'
counters), on a worker's metrics port (render seconds per kind, memory) and embedded (the local
pool's renders added up in the web process); ``kitgen ping`` for health checks; JSON log
lines from the web app and the worker."""

from __future__ import annotations

import json
import subprocess
import urllib.request

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.s3server import free_port
from tests.services import KITGEN, Stack, http, wait_for

pytestmark = pytest.mark.slow
AGENDA = {"country": "fr", "language": "fr", "kinds": ["agenda"]}


def scrape(url: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.headers["Content-Type"].startswith("text/plain")
        text = response.read().decode()
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_move_as_kits_are_built(stack: Stack) -> None:
    port = free_port()
    stack.start_worker(KITGEN_WORKER_METRICS_PORT=str(port))
    url = stack.start_web()
    before = scrape(url + "/metrics")
    assert value(before, "kitgen_queue_depth", queue="interactive") == 0
    status, _, body = http("POST", url + "/api/kits", AGENDA)
    assert status == 202
    stack.wait_done(json.loads(body)["key"])
    assert http("POST", url + "/api/kits", AGENDA)[0] == 200  # now from the store
    after = scrape(url + "/metrics")
    assert value(after, "kitgen_kits_requested_total", outcome="queued") == 1
    assert value(after, "kitgen_kits_requested_total", outcome="cached") == 1
    assert value(after, "kitgen_worker_events_total", event="kits_rendered") == 1
    assert ("kitgen_queue_depth", (("queue", "batch"),)) in after
    worker = wait_for(
        lambda: scrape(f"http://127.0.0.1:{port}/metrics"), 10, "the worker's metrics"
    )
    assert value(worker, "kitgen_render_seconds_count", kind="agenda") == 1
    assert value(worker, "kitgen_render_seconds_sum", kind="agenda") > 0
    memory = [
        v for (name, _), v in worker.items() if name == "kitgen_render_process_resident_bytes"
    ]
    assert memory and max(memory) > 50 * 2**20


def test_ping_says_whether_a_worker_is_alive(stack: Stack) -> None:
    import subprocess

    from tests.services import KITGEN

    def ping() -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*KITGEN, "ping", "--this-host"],
            env=stack.env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert ping().returncode == 1
    stack.start_worker()
    found = wait_for(lambda: (run := ping()).returncode == 0 and run, 30, "a worker's pong")
    assert found.stdout.startswith("worker@")


def test_embedded_metrics_add_up_the_local_pool(embedded: Stack) -> None:
    url = embedded.start_web()
    status, _, body = http("POST", url + "/api/kits", AGENDA)
    assert status == 202
    embedded.wait_done(json.loads(body)["key"])
    samples = scrape(url + "/metrics")
    assert value(samples, "kitgen_render_seconds_count", kind="agenda") == 1
    assert value(samples, "kitgen_worker_events_total", event="kits_rendered") == 1
    assert value(samples, "kitgen_kits_requested_total", outcome="queued") == 1


def test_json_log_lines_carry_the_request_id(embedded: Stack) -> None:
    url = embedded.start_web(KITGEN_LOG_FORMAT="json")
    http("GET", url + "/healthz", headers={"X-Request-ID": "trace-json-7"})

    def logged() -> dict | None:
        for line in (embedded.logs_dir / "web.log").read_text().splitlines():
            if line.startswith("{") and "trace-json-7" in line:
                return json.loads(line)
        return None

    entry = wait_for(logged, 10, "a JSON log line", embedded.logs)
    assert entry["request_id"] == "trace-json-7" and entry["logger"] == "kitgen.web"
    assert entry["message"].startswith("GET /healthz 200") and entry["level"] == "INFO"
    lines = (embedded.logs_dir / "web.log").read_text().splitlines()
    assert all(line.startswith("{") for line in lines if line), lines  # the start-up lines too


def test_a_worker_logs_json_lines_that_follow_the_request(stack: Stack) -> None:
    stack.start_worker(KITGEN_LOG_FORMAT="json")
    url = stack.start_web(KITGEN_LOG_FORMAT="json")
    status, _, body = http("POST", url + "/api/kits", AGENDA, headers={"X-Request-ID": "trace-w-3"})
    assert status == 202, body
    stack.wait_done(json.loads(body)["key"])
    worker_log = stack.logs_dir / "worker.log"

    def rendered() -> list[dict] | None:
        # every line is a JSON object: Celery's, the render process's, Python warnings alike
        entries = [json.loads(line) for line in worker_log.read_text().splitlines() if line]
        traced = [e for e in entries if e["request_id"] == "trace-w-3"]
        return traced if any("done" in e["message"] for e in traced) else None

    traced = wait_for(rendered, 10, "the worker's JSON line for the kit", stack.logs)
    assert {e["logger"] for e in traced} == {"kitgen.worker"}
    assert traced[0]["message"].startswith("kit ") and traced[0]["level"] == "INFO"


def test_an_unknown_log_format_is_refused_by_name(tmp_path) -> None:
    run = subprocess.run(
        [*KITGEN, "locales"],
        env={"KITGEN_LOG_FORMAT": "yaml", "KITGEN_STORE_DIR": str(tmp_path), "PATH": "/usr/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 2
    assert "KITGEN_LOG_FORMAT must be text or json, not 'yaml'" in run.stderr
    assert "Traceback" not in run.stderr
