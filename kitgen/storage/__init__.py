"""Where rendered PDFs and manifests live: one small protocol, a local folder or an S3 bucket.

Keys are content addresses (see :mod:`kitgen.cache`): an object is written once and never
changes, so readers need no locking. A kit's manifest is written last (see the pipeline), so a
reader that finds it finds every object it names.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from kitgen.storage.base import Storage, check_key
from kitgen.storage.filesystem import FilesystemStorage

if TYPE_CHECKING:
    from kitgen.settings import Settings

__all__ = ["FilesystemStorage", "Storage", "check_key", "open_storage"]


def open_storage(settings: Settings, *, interactive: bool = False) -> Storage:
    """The store the settings name: an S3 bucket when KITGEN_S3_BUCKET is set, else a folder.

    ``interactive``: for the web tier, where a person waits: a silent S3 is given up on in
    seconds (5 s per read, one retry) rather than the workers' patient 30 s and two."""
    if settings.s3_bucket:
        from kitgen.storage.s3 import S3Storage  # boto3 is imported only when S3 is used

        return S3Storage.from_settings(
            settings, read_timeout=5 if interactive else 30, attempts=2 if interactive else 3
        )
    return FilesystemStorage(settings.store_dir)
