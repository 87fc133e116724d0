"""Markdown → HTML with a fixed extension list, one converter per thread (they are stateful)."""

from __future__ import annotations

import threading

import markdown

EXTENSIONS = ["extra", "sane_lists", "toc"]
EXTENSION_CONFIGS = {"toc": {"permalink": False}}
_local = threading.local()


def markdown_to_html(text: str) -> str:
    """Convert kitgen's own (trusted) Markdown; user text never reaches this function."""
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
        _local.converter = converter
    return str(converter.reset().convert(text))
