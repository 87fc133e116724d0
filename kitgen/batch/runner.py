"""Fan a set of locales out to a dispatcher, follow them, retry what may succeed, report.

State lives where it survives the client: finished kits in the store (manifests), kits in
flight in the dispatcher (single flight by key). So a run killed at any point and started
again renders only what is missing, and attaches to what is still rendering.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from kitgen.dispatch import Dispatcher
from kitgen.errors import KitgenError, ServiceUnavailable
from kitgen.models import KitRequest, Manifest
from kitgen.planner import KitPlanner
from kitgen.publish import KitPublisher
from kitgen.settings import Settings
from kitgen.storage import Storage

log = logging.getLogger(__name__)

#: A locale's journey: pending → queued → rendering → rendered | cached | failed.
RENDERED, CACHED, FAILED = "rendered", "cached", "failed"


@dataclass
class LocaleJob:
    country: str
    language: str
    kinds: tuple[str, ...]
    key: str = ""
    request: dict[str, Any] = field(default_factory=dict, repr=False)  # canonical, campaign set
    documents: dict[str, str] = field(default_factory=dict, repr=False)  # kind → document key
    state: str = "pending"
    rendered: int = 0  # documents rendered for this kit; the rest came from the store
    attempts: int = 0
    error: str | None = None
    seconds: float | None = None
    retry_at: float = 0.0
    manifest: Manifest | None = field(default=None, repr=False)

    @property
    def finished(self) -> bool:
        return self.state in (RENDERED, CACHED, FAILED)

    @property
    def label(self) -> str:
        return f"{self.country}/{self.language}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "country": self.country,
            "language": self.language,
            "key": self.key,
            "state": self.state,
            "documents_rendered": self.rendered,
            "documents_cached": len(self.kinds) - self.rendered if self.state != FAILED else 0,
            "attempts": self.attempts,
            "seconds": self.seconds,
            "error": self.error,
            "fallbacks": list(self.manifest.fallbacks) if self.manifest else [],
        }


def valid_locales(
    catalog: Any, countries: Iterable[str] | None = None, languages: Iterable[str] | None = None
) -> list[tuple[str, str]]:
    """Every (country, language) the catalog pairs, narrowed to the given codes."""
    want_countries = set(countries) if countries else None
    want_languages = set(languages) if languages else None
    for code in (want_countries or set()) - set(catalog.countries):
        catalog.country(code)  # raises InvalidRequest listing the choices
    for code in (want_languages or set()) - set(catalog.languages):
        catalog.language(code)
    return sorted(
        (country.code, language)
        for country in catalog.countries.values()
        if want_countries is None or country.code in want_countries
        for language in country.languages
        if want_languages is None or language in want_languages
    )


class BatchRun:
    """Runs locales to completion; ``on_change(job)`` hears every state change."""

    def __init__(
        self,
        settings: Settings,
        storage: Storage,
        dispatcher: Dispatcher,
        *,
        retries: int = 2,
        backoff: float = 2.0,
        poll: float = 0.2,
        outage: float = 120.0,
        on_change: Callable[[LocaleJob], None] = lambda job: None,
    ):
        self.planner = KitPlanner(settings)
        self.publisher = KitPublisher(storage)
        self.dispatcher = dispatcher
        self.retries, self.backoff, self.poll = retries, backoff, poll
        self.outage = outage  # seconds of broker outage a run rides through
        self.on_change = on_change

    def run(
        self,
        locales: Iterable[tuple[str, str]],
        kinds: tuple[str, ...],
        campaign: str | None,
        *,
        force: bool = False,
        jobs: list[LocaleJob] | None = None,
    ) -> list[LocaleJob]:
        """Every locale to a final state. ``jobs``, when given, is filled as the run goes, so
        a caller still holds what finished if the run is interrupted."""
        jobs = [] if jobs is None else jobs
        jobs.extend(LocaleJob(country, language, kinds) for country, language in locales)
        for job in jobs:
            self._riding_out_outages(partial(self._start, job, campaign, force))
        while not all(job.finished for job in jobs):
            time.sleep(self.poll)
            for job in jobs:
                if not job.finished:
                    self._riding_out_outages(partial(self._follow, job, force))
        return jobs

    def _riding_out_outages(self, step: Callable[[], None]) -> None:
        """Run ``step``; while the queue is unreachable (a broker restart) wait with backoff
        and try again, for up to ``outage`` seconds, then give up with the error. Kits the
        restarted broker forgot are asked for again by ``_follow`` (their status is None)."""
        deadline = time.monotonic() + self.outage
        delay = 0.5
        while True:
            try:
                step()
                return
            except ServiceUnavailable as exc:
                if time.monotonic() + delay > deadline:
                    raise
                log.warning("the queue is unreachable (%s); trying again in %.1fs", exc, delay)
                time.sleep(delay)
                delay = min(delay * 2, 5.0)

    def _start(self, job: LocaleJob, campaign: str | None, force: bool) -> None:
        try:
            request = KitRequest.from_dict(
                {
                    "country": job.country,
                    "language": job.language,
                    "campaign": campaign,
                    "kinds": list(job.kinds),
                }
            )
            prepared = self.planner.prepare(request)
        except KitgenError as exc:  # broken content or locale: this one fails, not the run
            self._set(job, FAILED, error=str(exc))
            return
        job.key = prepared.key
        job.request = prepared.request.to_dict()
        job.documents = {plan.kind: plan.key for plan in prepared.plans}
        found = None if force else self.publisher.lookup(job.key)
        if found is not None:
            job.manifest = found.manifest
            self._set(job, CACHED, seconds=0.0)
            return
        self._submit(job, force)

    def _submit(self, job: LocaleJob, force: bool) -> None:
        job.attempts += 1
        self.dispatcher.submit(job.key, job.request, force=force)
        self._set(job, "queued")

    def _follow(self, job: LocaleJob, force: bool) -> None:
        if job.state == "retry-wait":
            if time.monotonic() >= job.retry_at:
                self._submit(job, force)
            return
        status = self.dispatcher.status(job.key)
        if status is None:  # the queue lost it (expired, flushed): ask again
            self._submit(job, force)
            return
        if status.state == "rendering" and job.state != "rendering":
            self._set(job, "rendering")
        elif status.state == "done":
            found = self.publisher.lookup(job.key)
            job.manifest = found.manifest if found else None
            job.rendered = status.rendered
            self._set(job, RENDERED if status.rendered else CACHED, seconds=status.seconds)
        elif status.state == FAILED:
            if status.retryable and job.attempts <= self.retries:
                job.retry_at = time.monotonic() + self.backoff * 2 ** (job.attempts - 1)
                job.error = status.error
                self._set(job, "retry-wait")
            else:
                self._set(job, FAILED, error=status.error, seconds=status.seconds)

    def _set(
        self, job: LocaleJob, state: str, *, error: str | None = None, seconds: float | None = None
    ) -> None:
        job.state = state
        if error is not None or state in (RENDERED, CACHED):
            job.error = error
        if seconds is not None:
            job.seconds = seconds
        self.on_change(job)
