"""Document files: ``documents/<kind>/<lang>.md``, Markdown with YAML front matter."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kitgen.content.files import load, parse_yaml
from kitgen.errors import ContentError

FRONT_MATTER_FENCE = "---"


@dataclass(frozen=True)
class SourceDocument:
    """A document file split into front matter and body, with line numbers kept for errors."""

    kind: str
    language: str
    path: Path
    meta: dict[str, Any]
    meta_lines: dict[str, int]
    body: str
    body_line: int  # line number of the body's first line in the file

    @property
    def title(self) -> str:
        return str(self.meta["title"])


def parse_document(text: str, path: Path) -> tuple[dict[str, Any], dict[str, int], str, int]:
    """Split front matter from body; the title is required."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != FRONT_MATTER_FENCE:
        raise ContentError("front matter must start with '---' on the first line", path, 1)
    end = next(
        (n for n, line in enumerate(lines[1:], start=1) if line.strip() == FRONT_MATTER_FENCE), None
    )
    if end is None:
        raise ContentError("front matter is not closed by a '---' line", path, 1)
    meta = parse_yaml("".join(lines[1:end]), path) or {}
    if not isinstance(meta, dict):
        raise ContentError("front matter must be a mapping", path, 2)
    meta_lines = {}
    for number, line in enumerate(lines[1:end], start=2):
        key = line.split(":", 1)[0].strip()
        if key in meta and key not in meta_lines:
            meta_lines[key] = number
    if not str(meta.get("title") or "").strip():
        raise ContentError("front matter has no title", path, 2, key="title")
    return meta, meta_lines, "".join(lines[end + 1 :]), end + 2


def document_path(content_dir: Path, kind: str, language: str) -> Path:
    return content_dir / "documents" / kind / f"{language}.md"


def load_document(path: Path, kind: str, language: str) -> SourceDocument:
    (meta, meta_lines, body, body_line), _ = load(path, parse_document)
    return SourceDocument(kind, language, path, meta, meta_lines, body, body_line)
