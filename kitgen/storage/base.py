"""The storage protocol and key rules, shared by every store."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Protocol

from kitgen.errors import StorageError

_KEY = re.compile(r"[a-z0-9][a-z0-9._-]*(/[a-z0-9][a-z0-9._-]*)*")


def check_key(key: str) -> str:
    """Keys are relative, lower-case, with no '..': they can never leave the store."""
    if not _KEY.fullmatch(key) or ".." in key:
        raise StorageError(f"invalid storage key {key!r}")
    return key


class Storage(Protocol):
    """What the pipeline and the web tier need of a store; every failure is a StorageError."""

    def get(self, key: str) -> bytes | None:
        """The object's bytes, or None when there is no such object."""

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store the whole object atomically: readers see all of it or nothing."""

    def exists(self, key: str) -> bool: ...

    def download_url(self, key: str, filename: str) -> str | None:
        """A URL a browser can fetch the object from directly (presigned, with an expiry),
        or None when the web tier must stream it itself."""

    def local_file(self, key: str) -> Path | None:
        """The object as a file on this machine, when the store keeps it as one (the web
        tier then streams it from disk without reading it into memory); else None."""

    def check(self) -> None:
        """Raise StorageError naming the problem when the store cannot be used (health)."""

    def describe(self) -> str:
        """Where the store is, for logs and health reports (no credentials)."""
