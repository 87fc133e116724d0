"""The campaign index: every kit of a campaign in one manifest, and a static HTML page with
first-page previews that staff can hand to regional partners.

Both live in the store under ``campaigns/<year>/``; links are relative to that folder, so the
page works from a copy of the store folder, from a bucket served as a website, or through the
web app's ``/store/`` route.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from kitgen.batch.runner import FAILED, LocaleJob
from kitgen.locales import Catalog
from kitgen.models import Manifest
from kitgen.objects import index_object, preview_object
from kitgen.previews import ensure_preview
from kitgen.publish import ensure_combined
from kitgen.storage import Storage
from kitgen.translations.notes import english_percent, printed_as


def load_index(storage: Storage, campaign: str) -> dict[str, Any]:
    raw = storage.get(index_object(campaign, "index.json"))
    return json.loads(raw) if raw else {"campaign": campaign, "kits": {}}


def kit_entry(manifest: Manifest, names: dict[str, str]) -> dict[str, Any]:
    stem = manifest.file_stem()
    return {
        "country": manifest.country,
        "language": manifest.language,
        "country_name": names.get(manifest.country, manifest.country),
        "language_name": names.get(f"lang:{manifest.language}", manifest.language),
        "kinds": manifest.kinds,
        "key": manifest.key,
        "documents": [
            {
                "kind": d.kind,
                "title": d.title,
                "object": d.object,
                "filename": f"{stem}-{d.kind}.pdf",
                "preview": preview_object(d.key),
                "pages": d.pages,
                "bytes": d.bytes,
                "sha256": d.sha256,
                "key": d.key,
                "content_language": d.content_language,
                "printed": printed_as(d),
                "english_percent": english_percent(d),
            }
            for d in manifest.documents
        ],
        "combined": manifest.combined.to_dict() | {"filename": f"{stem}-kit.pdf"},
        "rendered_at": manifest.created_at,
        "fallbacks": list(manifest.fallbacks),
    }


def update_index(
    storage: Storage, campaign: str, jobs: Iterable[LocaleJob], catalog: Catalog
) -> dict[str, Any]:
    """Merge finished kits into the campaign's index (failed ones keep their last good kit)
    and write the JSON and the HTML page; previews are made for documents that lack one."""
    english = catalog.language("en")
    names = {code: catalog.country_name(c, english) for code, c in catalog.countries.items()}
    names |= {
        f"lang:{code}": catalog.language_name(lang, english)
        for code, lang in catalog.languages.items()
    }
    index = load_index(storage, campaign)
    kits: dict[str, Any] = index["kits"]
    failures: dict[str, str] = {}
    for job in jobs:
        locale = f"{job.country}-{job.language}"
        if job.state == FAILED:
            failures[locale] = job.error or "failed"
        elif job.manifest is not None:
            ensure_combined(storage, job.manifest)  # the index links to it
            kits[locale] = kit_entry(job.manifest, names)
            ensure_previews(storage, kits[locale])
    index.update(
        {
            "campaign": campaign,
            "kits": dict(sorted(kits.items())),
            "failures": failures,
            "updated_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        }
    )
    storage.put(
        index_object(campaign, "index.json"),
        json.dumps(index, indent=2, ensure_ascii=False).encode(),
        "application/json",
    )
    storage.put(
        index_object(campaign, "index.html"),
        render_html(index).encode(),
        "text/html; charset=utf-8",
    )
    return index


def ensure_previews(storage: Storage, entry: dict[str, Any]) -> None:
    """Workers made them as they rendered; this covers kits from before that, or a lost one."""
    for doc in entry["documents"]:
        ensure_preview(storage, doc["key"])


_env = Environment(
    loader=PackageLoader("kitgen.batch", "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render_html(index: dict[str, Any]) -> str:
    """Links are relative to ``campaigns/<year>/``: two levels up is the store's root."""
    return _env.get_template("index.html").render(index=index, root="../../")
