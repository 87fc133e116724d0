"""A store in memory: for in-process tests of the web tier, the CLI and batch runs (and a
throwaway embedded run); nothing survives the process."""

from __future__ import annotations

import threading
from pathlib import Path

from kitgen.storage.base import check_key


class MemoryStorage:
    def __init__(self) -> None:
        self._objects: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            return self._objects.get(check_key(key))

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        with self._lock:
            self._objects[check_key(key)] = bytes(data)

    def exists(self, key: str) -> bool:
        with self._lock:
            return check_key(key) in self._objects

    def names(self) -> list[str]:
        with self._lock:
            return sorted(self._objects)

    def download_url(self, key: str, filename: str) -> str | None:
        return None  # the web tier streams it

    def local_file(self, key: str) -> Path | None:
        return None

    def check(self) -> None:
        """Memory is always there."""

    def describe(self) -> str:
        return f"memory ({len(self._objects)} objects)"
