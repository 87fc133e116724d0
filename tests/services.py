"""pytest plugin: the real service parts — Redis, Celery workers and the web app as processes.

Redis is the machine's (127.0.0.1:6379), started when it does not answer; tests use their own
database number and empty it first. Workers and the web app run as subprocesses (``kitgen
worker`` / ``kitgen serve``) on real sockets, so a test can SIGKILL a worker as production
would lose one. Logs land in the test's tmp folder and are printed when a wait times out.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pytest
import redis

from kitgen.settings import PROJECT_ROOT, Settings
from tests.s3server import CREDENTIALS, free_port

REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379
#: The tests' own database: 11, and one more per pytest-xdist worker (gw0 → 11, gw1 → 12…),
#: so parallel workers never empty each other's queues.
REDIS_DB = 11 + int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
KITGEN = [sys.executable, "-m", "kitgen.cli"]


def redis_answers() -> bool:
    try:
        return bool(redis.Redis(REDIS_HOST, REDIS_PORT, socket_connect_timeout=1).ping())
    except redis.exceptions.ConnectionError:
        return False


def ensure_redis() -> None:
    """The machine's Redis; start it (as CI's set-up says) when it is not answering."""
    if redis_answers():
        return
    if shutil.which("redis-server") is None:
        pytest.skip("Redis is not running and redis-server is not installed")
    started = subprocess.run(
        [PROJECT_ROOT / "scripts" / "redis-up"], capture_output=True, text=True
    )
    if started.returncode != 0 or not redis_answers():
        raise RuntimeError(f"scripts/redis-up could not start Redis: {started.stderr.strip()}")


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database of the tests' own, emptied before each test."""
    ensure_redis()
    client = redis.Redis(REDIS_HOST, REDIS_PORT, db=REDIS_DB)
    client.flushdb()
    yield f"redis://{REDIS_HOST}:{REDIS_PORT}/{REDIS_DB}"
    client.flushdb()
    client.close()


def wait_for(
    check: Callable[[], Any], timeout: float, what: str, logs: Callable[[], str] = lambda: ""
) -> Any:
    """Poll ``check`` until it returns something truthy; fail naming ``what`` and the logs."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}\n{logs()}")


def http(
    method: str,
    url: str,
    body: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
    follow: bool = True,
) -> tuple[int, dict, bytes]:
    """One HTTP request with the standard library: ``(status, headers, body)``."""
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(
        url,
        data=data,
        method=method,
        headers={**({"Content-Type": "application/json"} if data else {}), **(headers or {})},
    )
    opener = urllib.request.build_opener() if follow else urllib.request.build_opener(_NoRedirect())
    try:
        with opener.open(request, timeout=30) as response:
            lowered = {k.lower(): v for k, v in response.headers.items()}
            return response.status, lowered, response.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


@dataclass
class Stack:
    """Settings shared by the test and its subprocesses, and the processes it started."""

    settings: Settings
    env: dict[str, str]
    logs_dir: Path
    processes: list[subprocess.Popen] = field(default_factory=list)
    web_url: str = ""

    def logs(self) -> str:
        return "\n".join(
            f"--- {p.name} ---\n{p.read_text()[-4000:]}"
            for p in sorted(self.logs_dir.glob("*.log"))
        )

    def _spawn(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.logs_dir / f"{name}.log").open("ab")
        process = subprocess.Popen(
            [*KITGEN, *args],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
            start_new_session=True,
        )  # own group: kill it whole
        self.processes.append(process)
        return process

    def start_worker(
        self,
        name: str = "worker",
        concurrency: int = 1,
        queues: str = "interactive,batch",
        **env: str,
    ) -> subprocess.Popen:
        process = self._spawn(
            name,
            [
                "worker",
                "--concurrency",
                str(concurrency),
                "--queues",
                queues,
                "--hostname",
                f"{name}@%h",
            ],
            {**self.env, **env},
        )
        log = self.logs_dir / f"{name}.log"
        wait_for(
            lambda: process.poll() is not None or "ready." in log.read_text(),
            60,
            f"{name} to start",
            self.logs,
        )
        assert process.poll() is None, f"{name} exited:\n{self.logs()}"
        return process

    def start_web(self, **env: str) -> str:
        port = free_port()
        process = self._spawn("web", ["serve", "--port", str(port)], {**self.env, **env})
        url = f"http://127.0.0.1:{port}"

        def up() -> bool:
            if process.poll() is not None:
                pytest.fail(f"the web app exited:\n{self.logs()}")
            try:
                return http("GET", url + "/openapi.json")[0] == 200
            except OSError:
                return False

        wait_for(up, 60, "the web app to answer", self.logs)
        self.web_url = url
        return url

    def counters(self) -> dict[str, int]:
        client = redis.Redis.from_url(self.settings.redis_url or "")
        return {k.decode(): int(v) for k, v in client.hgetall("kitgen:stats").items()}

    def counted(self, kits: int = 1, timeout: float = 10) -> dict[str, int]:
        """The workers' counters once they have counted ``kits`` finished kits. A worker counts
        a kit after publishing it, so a status can say "done" a moment before."""

        def settled() -> dict[str, int] | None:
            counters = self.counters()
            ended = sum(counters.get(k, 0) for k in ("kits_rendered", "kits_cached", "kits_failed"))
            return counters if ended >= kits else None

        return wait_for(settled, timeout, f"the workers to count {kits} kit(s)", self.logs)

    def wait_done(self, key: str, timeout: float = 90) -> dict[str, Any]:
        def finished() -> dict[str, Any] | None:
            status, _, body = http("GET", f"{self.web_url}/api/kits/{key}")
            kit = json.loads(body)
            return kit if status == 200 and kit["state"] in ("done", "failed") else None

        return wait_for(finished, timeout, f"kit {key[:12]} to finish", self.logs)

    @staticmethod
    def kill(process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        """Kill the process and every process it started (a worker and its pool)."""
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        process.wait(timeout=30)

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                self.kill(process, signal.SIGTERM)


@pytest.fixture
def stack(redis_url: str, s3_settings: Settings, tmp_path: Path) -> Iterator[Stack]:
    """Redis + an S3 bucket over HTTP; start workers and the web app as the test needs them.

    Time limits are short so a lost worker's task is handed on within seconds, as production
    does within KITGEN_VISIBILITY_TIMEOUT, yet several times the slowest kit's render (a
    Japanese kit, ~2.5 s here) so a machine busy with parallel tests does not stop it.
    """
    settings = replace(
        s3_settings,
        redis_url=redis_url,
        task_soft_limit=15,
        task_hard_limit=18,
        visibility_timeout=20,
    )
    env = {
        **os.environ,
        **CREDENTIALS,
        "KITGEN_REDIS_URL": redis_url,
        "KITGEN_S3_BUCKET": settings.s3_bucket or "",
        "KITGEN_S3_ENDPOINT_URL": settings.s3_endpoint_url or "",
        "KITGEN_STORE_DIR": str(settings.store_dir),
        "KITGEN_TASK_SOFT_LIMIT": str(settings.task_soft_limit),
        "KITGEN_TASK_HARD_LIMIT": str(settings.task_hard_limit),
        "KITGEN_VISIBILITY_TIMEOUT": str(settings.visibility_timeout),
        # the same three retries as in production, a fifth as far apart
        "KITGEN_STORAGE_RETRY_SECONDS": "0.2",
        "PYTHONUNBUFFERED": "1",
    }
    logs_dir = tmp_path / "logs"
    logs_dir.mkdir()
    running = Stack(settings, env, logs_dir)
    yield running
    running.stop()


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[Stack]:
    """The embedded default: no Redis, no S3; ``kitgen serve`` renders in a local pool."""
    settings = replace(Settings(), store_dir=tmp_path / "store", local_workers=1)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KITGEN_", "AWS_"))}
    env.update(
        {
            "KITGEN_STORE_DIR": str(settings.store_dir),
            "KITGEN_LOCAL_WORKERS": "1",
            "PYTHONUNBUFFERED": "1",
        }
    )
    logs_dir = tmp_path / "logs"
    logs_dir.mkdir()
    running = Stack(settings, env, logs_dir)
    yield running
    running.stop()
