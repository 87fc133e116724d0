"""The JSON API (documented at /docs): ask for a kit, follow it, find its files; and health."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from kitgen.models import DEFAULT_VARIANT, FIELD_LIMITS, KINDS, VARIANTS, KitRequest
from kitgen.web.app import error_response
from kitgen.web.requestids import request_id
from kitgen.web.views import check_kit_key, client_of, kits, status_view

router = APIRouter()


def document_choices(schema: dict[str, Any]) -> None:
    """Enumerate the known countries, languages and kinds in the OpenAPI document (read from
    the catalog when the document is made; validation stays kitgen's own, naming the
    choices), so clients and generated tests see what is valid."""
    from kitgen.locales import load_catalog
    from kitgen.settings import Settings

    catalog = load_catalog(Settings().content_dir)
    properties = schema.get("properties", {})
    choices = {"country": sorted(catalog.countries), "language": sorted(catalog.languages)}
    for name, values in choices.items():
        if name in properties:
            properties[name]["enum"] = values
    if "kinds" in properties:
        properties["kinds"].setdefault("items", {})["enum"] = list(KINDS)


class KitRequestBody(BaseModel):
    """A kit: a locale, the documents wanted, optional text printed in two of them."""

    # a misspelt field is a 422, not ignored
    model_config = ConfigDict(extra="forbid", json_schema_extra=document_choices)

    country: str = Field(examples=["fr"], description="country code (see the form's list)")
    language: str = Field(examples=["fr"], description="site language code; any is allowed")
    kinds: list[str] = Field(default=list(KINDS), description=f"any of {', '.join(KINDS)}")
    campaign: str | None = Field(default=None, description="campaign year; default: current")
    personalization: dict[str, str] = Field(
        default_factory=dict,
        description="optional: " + ", ".join(f"{k} (≤{n})" for k, n in FIELD_LIMITS.items()),
    )
    print_ready: bool = Field(default=False, description="3 mm bleed and crop marks")
    callback_url: str | None = Field(
        default=None,
        max_length=2048,
        description="called (POST, signed JSON: see README) when the kit is published or "
        "fails; must be a public http(s) address",
    )
    variant: str = Field(
        default=DEFAULT_VARIANT,
        json_schema_extra={"enum": list(VARIANTS)},
        description="pdf/ua-1: tagged, accessible (default); pdf/a-3u: archival, also tagged",
    )


class KitStatusBody(BaseModel):
    key: str
    state: str = Field(description="queued, rendering, done or failed")
    documents: dict[str, str] = Field(description="per document: queued/rendering/done/failed")
    error: str | None = None
    notice: str | None = Field(
        default=None, description="while queued: said when no render worker is running"
    )
    page_url: str
    status_url: str
    downloads: list[dict[str, str]] = Field(description="once done: each PDF, kit.pdf, zip")
    previews: dict[str, str] = Field(description="once done: first-page PNG per document")
    documents_info: list[dict[str, Any]] = Field(
        default_factory=list,
        description="once done: title, pages, bytes, language and how "
        "the text printed (reviewed, draft, partial, "
        "english) per document",
    )
    language_notes: list[str] = Field(
        default_factory=list,
        description="once done: what a reader should know about the "
        "kit's language (printed in English, partly, or as a "
        "draft translation)",
    )
    fallbacks: list[str] = Field(
        default_factory=list,
        description="once done: what printed in English for lack of a translation",
    )
    request: dict[str, Any] | None = Field(
        default=None, description="once done: the request as rendered"
    )


@router.post(
    "/api/kits",
    response_model=KitStatusBody,
    status_code=202,
    responses={
        200: {"description": "already rendered: downloads included"},
        429: {
            "description": "too many renders asked by this client; "
            "Retry-After says when to try again"
        },
        422: {"description": "unknown locale or kind; lists valid choices"},
        503: {"description": "the queue or the store is unreachable"},
    },
)
async def create_kit(request: Request, body: KitRequestBody) -> Any:
    """Ask for a kit: 200 with its files when stored, else 202 and a status URL to follow."""
    fields = body.model_dump()
    callback_url = fields.pop("callback_url")
    kit = KitRequest.from_dict(fields)
    service = kits(request)
    callback = await run_in_threadpool(service.callback_for, callback_url, str(request.base_url))
    submission = await run_in_threadpool(
        service.submit,
        kit,
        request_id=request_id.get(),
        client=client_of(request),
        callback=callback,
    )
    view = status_view(request, submission.status)
    return JSONResponse(
        view,
        status_code=200 if submission.cached else 202,
        headers={"Location": view["status_url"]},
    )


@router.get(
    "/api/kits/{key}", response_model=KitStatusBody, responses={404: {"description": "no such kit"}}
)
def get_kit(request: Request, key: str) -> Any:
    """A kit's state and each document's; download links once it is done."""
    status = kits(request).status(check_kit_key(key))
    if status is None:
        return error_response(request, 404, "no kit with this id is known")
    return status_view(request, status)


#: A health check that has not answered by then is reported down: /healthz never waits on a
#: hung dependency (a silent S3 kept it for 120 s).
CHECK_TIMEOUT = 1.5


def _bounded(check: Callable[[], object]) -> str | None:
    """None when ``check`` passes within CHECK_TIMEOUT; else why not (its own thread, so a
    hung call only costs that thread)."""
    outcome: list[str | None] = []

    def run() -> None:
        try:
            check()
            outcome.append(None)
        except Exception as exc:  # each check reports; health never raises
            outcome.append(str(exc))

    thread = threading.Thread(target=run, daemon=True, name="kitgen-health")
    thread.start()
    thread.join(CHECK_TIMEOUT)
    return outcome[0] if outcome else f"no answer within {CHECK_TIMEOUT:g} s"


def _checks(request: Request, *, workers: bool) -> JSONResponse:
    service = kits(request)
    components: list[tuple[str, Any]] = [
        ("queue", service.dispatcher),
        ("storage", service.storage),
    ]
    checks: dict[str, dict[str, str]] = {}
    for name, component in components:
        problem = _bounded(component.check)
        checks[name] = (
            {"status": "ok", "detail": component.describe()}
            if problem is None
            else {"status": "down", "detail": problem}
        )
    if workers:
        found: list[str] = []
        problem = _bounded(lambda: found.extend(service.dispatcher.workers()))
        checks["workers"] = (
            {"status": "ok", "detail": ", ".join(found)}
            if found
            else {"status": "down", "detail": problem or "no render worker answers"}
        )
    healthy = all(c["status"] == "ok" for c in checks.values())
    return JSONResponse(
        {"status": "ok" if healthy else "down", "checks": checks},
        status_code=200 if healthy else 503,
    )


@router.get("/healthz", responses={503: {"description": "queue or store unreachable"}})
def health(request: Request) -> JSONResponse:
    """Checks the queue (Redis) and the store, each bounded to 1.5 s; 503 naming what is
    down. Answers in under 2 s whatever hangs."""
    return _checks(request, workers=False)


@router.get("/readyz", responses={503: {"description": "queue, store or workers not ready"}})
def ready(request: Request) -> JSONResponse:
    """As /healthz, and whether any render worker is alive (Celery ping; the local pool)."""
    return _checks(request, workers=True)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
def metrics(request: Request) -> Response:
    """Prometheus metrics: kits requested by outcome, render seconds per kind, kits failed by
    reason, queue depth per queue, render-process memory, callback deliveries."""
    from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

    from kitgen.metrics import CONTENT_TYPE_LATEST, exposition

    dispatcher = kits(request).dispatcher

    def live() -> Iterator[Any]:
        depth = GaugeMetricFamily("kitgen_queue_depth", "Kits waiting per queue", labels=["queue"])
        for queue, count in dispatcher.depths().items():
            depth.add_metric([queue], count)
        yield depth
        events = CounterMetricFamily(
            "kitgen_worker_events",
            "What the render workers did (kits rendered and failed, documents, callbacks)",
            labels=["event"],
        )
        for name, count in sorted(dispatcher.counters().items()):
            events.add_metric([name], count)
        yield events

    return Response(exposition(live), media_type=CONTENT_TYPE_LATEST)
