"""Faults with real parts: a Redis of the test's own (started and killed here, never the
machine's shared one), moto's S3 and ``kitgen worker`` processes."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
import redis

from kitgen.settings import PROJECT_ROOT
from tests.s3server import free_port
from tests.services import KITGEN, Stack, wait_for

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
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port)
        wait_for(lambda: _pings(client), 10, "the test's redis-server")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


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


def test_a_campaign_rides_through_a_redis_restart(stack: Stack, private_redis: PrivateRedis,
                                                  tmp_path: Path) -> None:
    """kill -9 of Redis while a campaign runs, back within seconds and empty: the same run
    reconnects, asks again for what the broker forgot, and completes; every kit once."""
    stack.env["KITGEN_REDIS_URL"] = private_redis.url
    stack.settings = replace(stack.settings, redis_url=private_redis.url)
    stack.start_worker(concurrency=1)
    report = tmp_path / "report.json"
    run = subprocess.Popen([*KITGEN, "campaign", "regenerate", "2026", "--countries",
                            "fr,de,be", "--kinds", "guide,agenda", "--json", str(report)],
                           env=stack.env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
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
