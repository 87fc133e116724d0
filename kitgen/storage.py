"""Where rendered PDFs and manifests live: one small protocol; a local folder by default."""

from __future__ import annotations

import os
import re
import tempfile
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
    def get(self, key: str) -> bytes | None: ...
    def put(self, key: str, data: bytes, content_type: str) -> None: ...
    def exists(self, key: str) -> bool: ...


class FilesystemStorage:
    """A folder; writes are atomic (temp file + fsync + rename): no partial file is ever seen."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, key: str) -> Path:
        return self.root / check_key(key)

    def get(self, key: str) -> bytes | None:
        try:
            return self.path(key).read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise StorageError(f"cannot read {key}: {exc.strerror}") from None

    def exists(self, key: str) -> bool:
        return self.path(key).is_file()

    def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        target = self.path(key)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-", suffix=target.suffix)
            try:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp, target)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            raise StorageError(f"cannot write {key} in {self.root}: {exc.strerror}") from None
