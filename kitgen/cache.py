"""Content-addressed keys: a key changes exactly when something the render reads changes."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from babel import __version__ as babel_version
from weasyprint import __version__ as weasyprint_version

from kitgen import __version__


def canonical_json(value: Any) -> bytes:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def digest_of(value: Any) -> str:
    return hashlib.sha256(canonical_json(value)).hexdigest()


def versions() -> dict[str, str]:
    # Babel carries CLDR: its version decides countries, dates, digits and names.
    return {"kitgen": __version__, "weasyprint": weasyprint_version, "babel": babel_version}


def document_key(request_part: dict[str, Any], inputs: dict[str, str]) -> str:
    """sha256 over what the document asks for, the digests of every input file, the versions."""
    return digest_of({"request": request_part, "inputs": inputs, "versions": versions()})


def kit_key(request: dict[str, Any], document_keys: list[str]) -> str:
    """A kit is its canonical request and its documents' keys (so it changes when any does)."""
    return digest_of({"request": request, "documents": document_keys, "versions": versions()})
