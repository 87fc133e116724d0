"""Faults with real parts: a Redis of the test's own (started and killed here, never the
machine's shared one), moto's S3 and ``kitgen worker`` processes."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import boto3
import pytest
import redis

from kitgen.settings import PROJECT_ROOT
from tests.s3server import CREDENTIALS, free_port
from tests.services import KITGEN, Stack, http, wait_for

pytestmark = pytest.mark.slow


class PrivateRedis:
    def __init__(self, port: int, workdir: Path):
        self.port, self.workdir = port, workdir
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.workdir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis(port=self.port)
        wait_for(lambda: _pings(client), 10, "the test's redis-server")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


class PrivateS3:
    """moto's S3 server as a process of the test's own, so it can be hung with SIGSTOP."""

    def __init__(self, port: int, workdir: Path):
        self.port = port
        self.log = (workdir / "moto.log").open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=self.log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **CREDENTIALS},
        )
        wait_for(self._answers, 30, "the test's moto server")
        boto3.session.Session().client("s3", endpoint_url=self.url).create_bucket(Bucket="faults")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return True
        except OSError:
            return False

    def hang(self) -> None:
        self.process.send_signal(signal.SIGSTOP)  # accepts connections, never answers

    def resume(self) -> None:
        self.process.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        self.resume()
        self.process.kill()
        self.process.wait(timeout=10)
        self.log.close()


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.exceptions.ConnectionError:
        return False


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (scripts/test installs it)")
    server = PrivateRedis(free_port(), tmp_path)
    server.start()
    yield server
    server.kill()


@pytest.fixture
def private_s3(tmp_path: Path) -> Iterator[PrivateS3]:
    server = PrivateS3(free_port(), tmp_path)
    yield server
    server.stop()


def test_a_campaign_rides_through_a_redis_restart(
    stack: Stack, private_redis: PrivateRedis, tmp_path: Path
) -> None:
    """kill -9 of Redis while a campaign runs, back within seconds and empty: the same run
    reconnects, asks again for what the broker forgot, and completes; every kit once."""
    stack.env["KITGEN_REDIS_URL"] = private_redis.url
    stack.settings = replace(stack.settings, redis_url=private_redis.url)
    stack.start_worker(concurrency=1)
    report = tmp_path / "report.json"
    run = subprocess.Popen(
        [
            *KITGEN,
            "campaign",
            "regenerate",
            "2026",
            "--countries",
            "fr,de,be",
            "--kinds",
            "guide,agenda",
            "--json",
            str(report),
        ],
        env=stack.env,
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(2.5)  # a few kits in, most still queued
    private_redis.kill()
    time.sleep(3)
    private_redis.start()
    _out, err = run.communicate(timeout=240)
    assert run.returncode == 0, err[-3000:] + stack.logs()
    assert "unreachable" in err  # it said it was waiting for the queue
    data = json.loads(report.read_text())
    assert data["totals"]["failed"] == 0 and data["locales"] == 8
    assert all(kit["state"] in ("rendered", "cached") for kit in data["kits"])


def test_a_queued_web_request_survives_a_redis_kill(
    stack: Stack, private_redis: PrivateRedis
) -> None:
    """A kit waits in the queue (no worker yet) when Redis is killed -9 and comes back empty:
    the status page asks again from the request kept in the store and ends with the kit."""
    stack.env["KITGEN_REDIS_URL"] = private_redis.url
    stack.settings = replace(stack.settings, redis_url=private_redis.url)
    stack.start_web()
    status, _, body = http(
        "POST",
        stack.web_url + "/api/kits",
        {"country": "fr", "language": "fr", "kinds": ["agenda"]},
    )
    assert status == 202, body
    key = json.loads(body)["key"]
    private_redis.kill()
    status, _, body = http("GET", f"{stack.web_url}/api/kits/{key}")
    assert status == 503 and b"unreachable" in body  # said plainly while it is down
    private_redis.start()
    stack.start_worker()
    assert stack.wait_done(key)["state"] == "done"


def test_s3_hung_past_the_hard_limit_then_an_immediate_rerun_completes(
    stack: Stack, private_s3: PrivateS3
) -> None:
    """S3 stops answering (SIGSTOP: connections accepted, nothing said) while a kit renders.
    The web tier stays alive (/healthz under 2 s, naming the store), the worker's render is
    killed at the hard limit, and once S3 is back the same request is made at once: the dead
    render's claim is taken over, not waited out (its TTL here is over five minutes)."""
    env = {
        "KITGEN_S3_ENDPOINT_URL": private_s3.url,
        "KITGEN_S3_BUCKET": "faults",
        "KITGEN_VISIBILITY_TIMEOUT": "300",
        # S3 stays stopped until the hard limit: the shorter, the quicker this test
        "KITGEN_TASK_SOFT_LIMIT": "8",
        "KITGEN_TASK_HARD_LIMIT": "10",
    }
    stack.env.update(env)
    stack.start_worker(concurrency=1)
    stack.start_web()
    # The whole kit: seconds of rendering, so S3 stops while the worker is at it.
    request = {"country": "fr", "language": "fr", "personalization": {"event_name": "Faults"}}
    status, _, body = http("POST", stack.web_url + "/api/kits", request)
    assert status == 202, body
    key = json.loads(body)["key"]
    private_s3.hang()
    try:
        started = time.monotonic()
        status, _, body = http("GET", stack.web_url + "/healthz")
        assert time.monotonic() - started < 2.0, "a hung S3 held the health check"
        assert status == 503 and json.loads(body)["checks"]["storage"]["status"] == "down"
        worker_log = stack.logs_dir / "worker.log"
        wait_for(
            lambda: "TimeLimitExceeded" in worker_log.read_text(),
            60,
            "the render to be killed at the hard limit",
            stack.logs,
        )
    finally:
        private_s3.resume()
    resumed = time.monotonic()
    status, _, body = http("POST", stack.web_url + "/api/kits", request)
    assert status in (200, 202), body
    assert json.loads(body)["key"] == key
    assert stack.wait_done(key, timeout=60)["state"] == "done"
    assert time.monotonic() - resumed < 60  # the claim would have held it for 320 s
