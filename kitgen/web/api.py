"""The JSON API (documented at /docs): ask for a kit, follow it, find its files; and health."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from kitgen.models import FIELD_LIMITS, KINDS, KitRequest
from kitgen.web.app import error_response
from kitgen.web.requestids import request_id
from kitgen.web.views import check_kit_key, client_of, kits, status_view

router = APIRouter()


class KitRequestBody(BaseModel):
    """A kit: a locale, the documents wanted, optional text printed in two of them."""

    model_config = ConfigDict(extra="forbid")  # a misspelt field is a 422, not ignored

    country: str = Field(examples=["fr"], description="country code (see the form's list)")
    language: str = Field(examples=["fr"], description="site language code; any is allowed")
    kinds: list[str] = Field(default=list(KINDS), description=f"any of {', '.join(KINDS)}")
    campaign: str | None = Field(default=None, description="campaign year; default: current")
    personalization: dict[str, str] = Field(
        default_factory=dict,
        description="optional: " + ", ".join(f"{k} (≤{n})" for k, n in FIELD_LIMITS.items()))
    print_ready: bool = Field(default=False, description="3 mm bleed and crop marks")


class KitStatusBody(BaseModel):
    key: str
    state: str = Field(description="queued, rendering, done or failed")
    documents: dict[str, str] = Field(description="per document: queued/rendering/done/failed")
    error: str | None = None
    page_url: str
    status_url: str
    downloads: list[dict[str, str]] = Field(description="once done: each PDF, kit.pdf, zip")
    previews: dict[str, str] = Field(description="once done: first-page PNG per document")
    documents_info: list[dict[str, Any]] = Field(
        default_factory=list, description="once done: title, pages, bytes, language and how "
                                          "the text printed (reviewed, draft, partial, "
                                          "english) per document")
    language_notes: list[str] = Field(
        default_factory=list, description="once done: what a reader should know about the "
                                          "kit's language (printed in English, partly, or as a "
                                          "draft translation)")
    fallbacks: list[str] = Field(default_factory=list,
                                 description="once done: what printed in English for lack of "
                                             "a translation")
    request: dict[str, Any] | None = Field(default=None, description="once done: the request "
                                                                     "as rendered")


@router.post("/api/kits", response_model=KitStatusBody, status_code=202,
             responses={200: {"description": "already rendered: downloads included"},
                        429: {"description": "too many renders asked by this client; "
                                             "Retry-After says when to try again"},
                        422: {"description": "unknown locale or kind; lists valid choices"},
                        503: {"description": "the queue or the store is unreachable"}})
async def create_kit(request: Request, body: KitRequestBody) -> Any:
    """Ask for a kit: 200 with its files when stored, else 202 and a status URL to follow."""
    kit = KitRequest.from_dict(body.model_dump())
    submission = await run_in_threadpool(kits(request).submit, kit,
                                         request_id=request_id.get(),
                                         client=client_of(request))
    view = status_view(request, submission.status)
    return JSONResponse(view, status_code=200 if submission.cached else 202,
                        headers={"Location": view["status_url"]})


@router.get("/api/kits/{key}", response_model=KitStatusBody,
            responses={404: {"description": "no such kit"}})
def get_kit(request: Request, key: str) -> Any:
    """A kit's state and each document's; download links once it is done."""
    status = kits(request).status(check_kit_key(key))
    if status is None:
        return error_response(request, 404, "no kit with this id is known")
    return status_view(request, status)


@router.get("/healthz", responses={503: {"description": "queue or store unreachable"}})
def health(request: Request) -> JSONResponse:
    """Checks the queue (Redis) and the store; 503 naming what is down."""
    service = kits(request)
    checks: dict[str, dict[str, str]] = {}
    for name, component in (("queue", service.dispatcher), ("storage", service.storage)):
        try:
            component.check()
            checks[name] = {"status": "ok", "detail": component.describe()}
        except Exception as exc:  # each check reports; health never raises
            checks[name] = {"status": "down", "detail": str(exc)}
    healthy = all(c["status"] == "ok" for c in checks.values())
    return JSONResponse({"status": "ok" if healthy else "down", "checks": checks},
                        status_code=200 if healthy else 503)
