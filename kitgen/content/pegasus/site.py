"""The legacy site tree on disk: pages per language, string tables, images, and the mapping.

Layout (as code-dot-org keeps ``pegasus/sites.v3/hourofcode.com``): ``public/<path>.<ext>``
English pages, ``i18n/public/<lang>/<path>.<ext>`` translations, ``i18n/<lang>.yml`` strings
(top key the language code), ``public/images/`` pictures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kitgen.content.files import digest, load, load_yaml_mapping, parse_yaml
from kitgen.errors import ContentError
from kitgen.models import FIELD_LIMITS, KINDS

REFERENCE = "en"
_PARTIAL_VALUE = re.compile(r"(drop|country|language)|(url|date)\s+(\S+)")


@dataclass(frozen=True)
class KindMapping:
    page: str
    part: str | None  # None: the whole page; "last-table": the run-of-show table only
    cta: str | None


@dataclass(frozen=True)
class SourceConfig:
    """``content/sources/pegasus.yaml``, validated: how pages become documents."""

    path: Path
    extensions: tuple[str, ...]
    kinds: dict[str, KindMapping]
    partials: dict[str, tuple[str, str]]
    partial_prefixes: dict[str, str]
    placeholders: dict[str, str]


def _partial_rule(value: Any, path: Path, name: str) -> tuple[str, str]:
    match = _PARTIAL_VALUE.fullmatch(str(value).strip())
    if not match:
        raise ContentError(
            f"partial {name!r}: {value!r} is not drop, country, language, "
            "'url <path>' or 'date <format>'",
            path,
            key=name,
        )
    return (match[1], "") if match[1] else (match[2], match[3])


def load_source_config(path: Path) -> SourceConfig:
    raw, _ = load_yaml_mapping(path)
    kinds: dict[str, KindMapping] = {}
    ctas = raw.get("cta") or {}
    for kind, entry in (raw.get("kinds") or {}).items():
        if kind not in KINDS or not isinstance(entry, dict) or not entry.get("page"):
            raise ContentError(f"kinds.{kind}: needs a known kind and a page", path, key=kind)
        part = entry.get("part")
        if part not in (None, "last-table"):
            raise ContentError(f"kinds.{kind}.part: {part!r} is not 'last-table'", path, key=kind)
        kinds[kind] = KindMapping(str(entry["page"]).strip("/"), part, ctas.get(kind))
    missing = [k for k in KINDS if k not in kinds]
    if missing:
        raise ContentError(f"kinds: no page for {', '.join(missing)}", path, key="kinds")
    placeholders = {str(k).upper(): str(v) for k, v in (raw.get("placeholders") or {}).items()}
    for label, name in placeholders.items():
        if name not in FIELD_LIMITS:
            raise ContentError(f"placeholder {label!r}: unknown field {name!r}", path, key=label)
    return SourceConfig(
        path=path,
        extensions=tuple(raw.get("extensions") or ("md.partial", "md.erb", "md")),
        kinds=kinds,
        partials={
            str(k): _partial_rule(v, path, str(k)) for k, v in (raw.get("partials") or {}).items()
        },
        partial_prefixes={str(k): str(v) for k, v in (raw.get("partial_prefixes") or {}).items()},
        placeholders=placeholders,
    )


@dataclass(frozen=True)
class PageFiles:
    """An English page and its translation for one language (None: not translated)."""

    page: str
    english: Path
    translation: Path | None

    @property
    def source(self) -> Path:
        return self.translation or self.english


def _parse_strings(text: str, path: Path) -> dict[str, str]:
    raw = parse_yaml(text, path)
    if not isinstance(raw, dict):
        raise ContentError("a strings file must be a mapping under the language code", path, 1)
    # The top key is the language code; YAML 1.1 reads `no:` as False, so take the only value.
    body = next(iter(raw.values())) if len(raw) == 1 else raw.get(path.stem)
    if not isinstance(body, dict):
        raise ContentError(f"expected the strings under a top key {path.stem!r}", path, 1)
    return {str(k): str(v) for k, v in body.items() if isinstance(v, (str, int, float))}


class PegasusSite:
    """Read-only access to one site tree; every file read is below ``root``."""

    def __init__(self, root: Path, config: SourceConfig):
        self.root = root.resolve()
        self.config = config
        if not (self.root / "public").is_dir():
            raise ContentError("not a legacy site tree (no public/ folder)", self.root)

    @staticmethod
    def find_root(page: Path) -> Path | None:
        """The site tree a page file belongs to (``public/…`` or ``i18n/public/<lang>/…``)."""
        parts = page.resolve().parts
        for n in range(len(parts) - 1, 0, -1):
            if parts[n] == "public":
                root = (
                    Path(*parts[: n - 1]) if n >= 2 and parts[n - 1] == "i18n" else Path(*parts[:n])
                )
                if (root / "public").is_dir():
                    return root
        return None

    def page(self, page: str, language: str) -> PageFiles:
        for ext in self.config.extensions:
            english = self.root / "public" / f"{page}.{ext}"
            if english.is_file():
                translated = self.root / "i18n" / "public" / language / f"{page}.{ext}"
                use = translated if language != REFERENCE and translated.is_file() else None
                return PageFiles(page, english, use)
        raise ContentError(
            f"page {page!r} not found (tried {', '.join(self.config.extensions)})",
            self.root / "public",
        )

    def strings_path(self, language: str) -> Path:
        return self.root / "i18n" / f"{language}.yml"

    def strings(self, language: str) -> dict[str, str]:
        path = self.strings_path(language)
        if not path.is_file():
            return {}
        return load(path, _parse_strings)[0]

    def languages(self) -> list[str]:
        """Languages with any translation: a strings file or a translated page folder."""
        found = {p.stem for p in (self.root / "i18n").glob("*.yml")}
        found |= {p.name for p in (self.root / "i18n" / "public").glob("*") if p.is_dir()}
        return sorted(found - {REFERENCE})

    @property
    def images_dir(self) -> Path:
        return self.root / "public" / "images"

    def find_image(self, src: str) -> str | None:
        """A ``/images/[fit-N/]name`` picture of the site tree as a file URL, else None."""
        match = re.fullmatch(r"/?images/(?:fit-\d+/)?([\w\-./]+)", src.split("?")[0])
        if not match or ".." in match[1]:
            return None
        path = (self.images_dir / match[1]).resolve()
        if not path.is_file() or not path.is_relative_to(self.images_dir.resolve()):
            return None
        return path.as_uri()

    def inputs(self, files: PageFiles, language: str) -> dict[str, str]:
        """Digests of every file a document of this page reads, for its cache key."""
        found = {
            f"site:{p.relative_to(self.root)}": digest(p)
            for p in (files.english, files.translation)
            if p is not None
        }
        for lang in {REFERENCE, language}:
            path = self.strings_path(lang)
            if path.is_file():
                found[f"site:{path.relative_to(self.root)}"] = digest(path)
        found["source-config"] = digest(self.config.path)
        return found
