"""What follows a kit once its result is out, in the render process (nobody waits for it):
first-page previews of the documents just rendered and, for a campaign's kits, the combined
PDF the campaign index links to, so the index at the end of a run finds them made in
parallel rather than making them one after another."""

from __future__ import annotations

import logging

from kitgen.previews import ensure_preview
from kitgen.publish import KitPublisher, ensure_combined
from kitgen.storage import Storage

log = logging.getLogger("kitgen.after_kit")


def after_kit(storage: Storage, kit_key: str, rendered_keys: list[str], *, combined: bool) -> None:
    """Conveniences only: a failure is logged, and whoever needs the file makes it later."""
    for document_key in rendered_keys:
        try:
            ensure_preview(storage, document_key)
        except Exception:
            log.warning("preview of %s failed", document_key[:12], exc_info=True)
    if not combined:
        return
    try:
        found = KitPublisher(storage).lookup(kit_key)
        if found is not None:
            ensure_combined(storage, found.manifest)
    except Exception:
        log.warning("combined PDF of %s failed", kit_key[:12], exc_info=True)
