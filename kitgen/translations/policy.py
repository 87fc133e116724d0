"""Which translated segments print (``KITGEN_TRANSLATIONS``)."""

from __future__ import annotations

from enum import StrEnum


class TranslationPolicy(StrEnum):
    """Drafts print too (the default: a draft in the reader's language serves them better than
    English), or only segments a reviewer approved."""

    DRAFT = "draft"
    REVIEWED = "reviewed"
