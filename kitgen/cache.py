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


def document_object(key: str) -> str:
    return f"documents/{key}.pdf"


def document_meta_object(key: str) -> str:
    return f"documents/{key}.json"


def kit_object(key: str, name: str) -> str:
    return f"kits/{key}/{name}"


def request_object(key: str) -> str:
    """The request a kit key was made from, kept while the kit renders: a queue that lost
    the task (a Redis restart) can be given it again from the key alone. Never public."""
    return f"requests/{key}.json"
