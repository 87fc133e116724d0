"""The two batch jobs staff run: regenerate a whole campaign, and (re)render a few locales now.

Both are one BatchRun over a dispatcher, then the campaign index and a report; the CLI and the
staff API only parse their input and format the result.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from kitgen.batch.index import load_index, update_index
from kitgen.batch.report import summarize, translation_health
from kitgen.batch.runner import BatchRun, LocaleJob, valid_locales
from kitgen.campaign_dates import load_campaigns
from kitgen.dispatch import Dispatcher
from kitgen.locales import load_catalog
from kitgen.settings import Settings
from kitgen.storage import Storage

Listener = Callable[[LocaleJob], None]


def campaign_locales(
    settings: Settings,
    campaign: str,
    countries: Iterable[str] | None,
    languages: Iterable[str] | None,
) -> list[tuple[str, str]]:
    """Every valid (country, language) of a campaign year that exists, narrowed as asked."""
    load_campaigns(settings.content_dir).get(campaign, "nonus")  # unknown year → 422-style error
    return valid_locales(load_catalog(settings.content_dir), countries, languages)


def requested_locales(
    settings: Settings, pairs: Iterable[tuple[str, str]], campaign: str | None
) -> tuple[list[tuple[str, str]], str]:
    """What staff ask for: any (country, language) pair, not only the catalog's pairings.
    Every code and the campaign year are checked (InvalidRequest lists the valid choices)."""
    catalog = load_catalog(settings.content_dir)
    locales = [
        (catalog.country(c.strip().lower()).code, catalog.language(lang.strip().lower()).code)
        for c, lang in pairs
    ]
    return locales, load_campaigns(settings.content_dir).get(campaign, "nonus").year


def run_locales(
    settings: Settings,
    storage: Storage,
    dispatcher: Dispatcher,
    locales: list[tuple[str, str]],
    kinds: tuple[str, ...],
    campaign: str,
    *,
    force: bool = False,
    retries: int = 2,
    backoff: float = 2.0,
    on_change: Listener = lambda job: None,
) -> dict[str, Any]:
    """Render the locales (or find them), update the campaign index, return the report.

    Interrupted (Ctrl-C), the kits that finished still go into the index before it re-raises;
    what was queued keeps rendering on the workers and a re-run picks it up."""
    started = time.perf_counter()
    previous = load_index(storage, campaign)["kits"]
    run = BatchRun(
        settings, storage, dispatcher, retries=retries, backoff=backoff, on_change=on_change
    )
    jobs: list[LocaleJob] = []
    try:
        jobs = run.run(locales, kinds, campaign, force=force, jobs=jobs)
    finally:
        if jobs:
            update_index(
                storage,
                campaign,
                [job for job in jobs if job.finished],
                load_catalog(settings.content_dir),
            )
    report = summarize(
        jobs, time.perf_counter() - started, campaign, translation_health(settings, jobs)
    )
    for kit, job in zip(report["kits"], jobs, strict=True):
        kit["changes"] = document_changes(previous.get(f"{job.country}-{job.language}"), job)
    return report


def document_changes(previous: dict[str, Any] | None, job: LocaleJob) -> dict[str, str]:
    """Per document: ``new`` (not in the index before), ``changed`` or ``unchanged``, judged
    by content key, so it is known before anything renders."""
    before = {d["kind"]: d["key"] for d in (previous or {}).get("documents", [])}
    return {
        kind: "new" if kind not in before else "unchanged" if before[kind] == key else "changed"
        for kind, key in job.documents.items()
    }
