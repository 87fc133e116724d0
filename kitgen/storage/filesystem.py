"""The default store: a local folder, written atomically."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from kitgen.errors import StorageError
from kitgen.storage.base import check_key


def _file_mode() -> int:
    """0644 under the usual umask: what ``open()`` would have made."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


FILE_MODE = _file_mode()


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
                # mkstemp makes 0600; a stored kit is served by whatever serves the folder.
                os.fchmod(fd, FILE_MODE)
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

    def local_file(self, key: str) -> Path | None:
        path = self.path(key)
        return path if path.is_file() else None

    def download_url(self, key: str, filename: str) -> str | None:
        """None: a folder has no URL of its own; the web tier streams the file."""
        return None

    def check(self) -> None:
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"store folder {self.root} is unusable: {exc.strerror}") from None
        if not os.access(self.root, os.W_OK):
            raise StorageError(f"store folder {self.root} is not writable")

    def describe(self) -> str:
        return f"folder {self.root}"
