"""What the service benchmarks share: subprocesses in their own process groups, killed on the
way out (even on Ctrl-C or SIGTERM), and a polling wait."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import redis

from kitgen.settings import PROJECT_ROOT


class Processes:
    """Subprocesses in their own process groups, all killed on the way out (even on Ctrl-C)."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.running: list[subprocess.Popen] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        log = (self.logs / f"{name}.log").open("ab")
        process = subprocess.Popen(
            args,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=PROJECT_ROOT,
            start_new_session=True,
        )
        self.running.append(process)
        return process

    def stop(self, process: subprocess.Popen) -> None:
        for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
            try:
                os.killpg(process.pid, sig)
                process.wait(wait)
                break
            except (ProcessLookupError, ChildProcessError):
                break
            except subprocess.TimeoutExpired:
                continue
        if process in self.running:
            self.running.remove(process)

    def stop_all(self) -> None:
        for process in reversed(self.running[:]):
            self.stop(process)


def wait_until(check: Any, timeout: float, what: str, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := check():
            return value
        time.sleep(interval)
    raise RuntimeError(f"timed out after {timeout:.0f}s waiting for {what}")


#: The benchmarks' own database, flushed by them.
REDIS_URL = "redis://127.0.0.1:6379/13"


def redis_client(url: str = REDIS_URL) -> redis.Redis:
    """A client of the machine's Redis, started as CI does when it does not answer."""
    client = redis.Redis.from_url(url)

    def answers() -> bool:
        try:
            return bool(client.ping())
        except redis.exceptions.ConnectionError:
            return False

    if not answers():  # the machine's Redis, started as CI does
        subprocess.run([PROJECT_ROOT / "scripts" / "redis-up"], check=True)
        wait_until(answers, 10, "redis-server")
    return client


def interrupted(*_: Any) -> None:
    """A SIGTERM handler: unwind like Ctrl-C, so every ``finally`` cleans up."""
    raise KeyboardInterrupt
