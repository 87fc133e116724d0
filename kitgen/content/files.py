"""Reading content files: parsed once per change, with the digest the cache key is made of.

Every file the render reads goes through :class:`ContentFiles`, so a document's cache key can be
computed from exactly the files it depends on, and a long-lived worker sees edits at once
(entries are keyed by the file's size and mtime, never kept stale).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from threading import Lock
from typing import Any, TypeVar

import yaml

from kitgen.errors import ContentError

T = TypeVar("T")
_memo: dict[tuple[Path, Callable[..., Any]], tuple[tuple[int, int], str, Any]] = {}
_lock = Lock()


def _signature(path: Path) -> tuple[int, int]:
    stat = path.stat()
    return stat.st_mtime_ns, stat.st_size


def load(path: Path, parse: Callable[[str, Path], T]) -> tuple[T, str]:
    """``(parse(text, path), sha256 of the bytes)``, re-read only when the file changed."""
    try:
        signature = _signature(path)
    except FileNotFoundError:
        raise ContentError("file not found", path) from None
    key = (path, parse)
    with _lock:
        hit = _memo.get(key)
    if hit and hit[0] == signature:
        return hit[2], hit[1]
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ContentError(f"not UTF-8 text (byte {exc.start})", path) from None
    value = parse(text, path)
    digest = hashlib.sha256(data).hexdigest()
    with _lock:
        _memo[key] = (signature, digest, value)
    return value, digest


def _raw(text: str, path: Path) -> bytes:
    return text.encode()


def digest(path: Path) -> str:
    """sha256 of a file, memoised by its size and mtime."""
    return load(path, _raw)[1]


def digest_tree(root: Path) -> str:
    """One digest over every file below ``root`` (names and contents), for shared inputs."""
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(str(path.relative_to(root)).encode() + b"\0" + digest(path).encode() + b"\n")
    return h.hexdigest()


def parse_yaml(text: str, path: Path) -> Any:
    """YAML with errors turned into file:line content errors."""
    try:
        return yaml.safe_load(text)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise ContentError(f"invalid YAML: {exc.problem or exc}", path, line) from None
    except yaml.YAMLError as exc:
        raise ContentError(f"invalid YAML: {exc}", path) from None


def load_yaml_mapping(path: Path) -> tuple[dict[str, Any], str]:
    """A YAML file whose top level must be a mapping."""
    value, file_digest = load(path, parse_yaml)
    if not isinstance(value, dict):
        raise ContentError("expected a mapping at the top level", path, 1)
    return value, file_digest
