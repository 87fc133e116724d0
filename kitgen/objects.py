"""Every name kitgen gives an object in the store, in one place: what is where, and which
prefixes the web tier may serve from ``/store/`` (never ``requests/``)."""

from __future__ import annotations


def document_object(key: str) -> str:
    """A document's PDF (content-addressed: shared by every kit that prints it)."""
    return f"documents/{key}.pdf"


def document_meta_object(key: str) -> str:
    """What the manifest says of a document, kept beside its PDF."""
    return f"documents/{key}.json"


def kit_object(key: str, name: str) -> str:
    """A kit's own files: ``manifest.json`` (written last), ``kit.pdf``, ``kit.zip``."""
    return f"kits/{key}/{name}"


def request_object(key: str) -> str:
    """The request a kit key was made from, kept while the kit renders: a queue that lost
    the task (a Redis restart) can be given it again from the key alone. Never public."""
    return f"requests/{key}.json"


def preview_object(document_key: str) -> str:
    """A document's first page as a PNG (the status page and the campaign index)."""
    return f"previews/{document_key}.png"


def index_object(campaign: str, name: str) -> str:
    """A campaign's index: ``index.html`` (staff's page) and ``index.json``."""
    return f"campaigns/{campaign}/{name}"


#: What ``/store/…`` may serve: the campaign index and what it links to.
PUBLIC_PREFIXES = ("campaigns/", "documents/", "previews/", "kits/")
