"""The staff API: (re)render specific locales now, on the interactive queue, and say what
changed. Bearer token from KITGEN_STAFF_TOKEN: 401 without one, 403 with a wrong one."""

from __future__ import annotations

import secrets
import threading
import uuid
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from kitgen.batch.campaign import requested_locales, run_locales
from kitgen.errors import InvalidRequest
from kitgen.models import KINDS, parse_kinds
from kitgen.web.api import document_choices
from kitgen.web.app import error_response
from kitgen.web.views import kits
from kitgen.webhooks import batch_event

router = APIRouter()


class Locale(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra=document_choices)
    country: str = Field(examples=["fr"])
    language: str = Field(examples=["fr"])


class StaffRequestBody(BaseModel):
    """Locales to render now, e.g. after their translation landed."""

    model_config = ConfigDict(extra="forbid", json_schema_extra=document_choices)

    locales: list[Locale] = Field(min_length=1, max_length=50)
    kinds: list[str] = Field(default=list(KINDS))
    campaign: str | None = Field(default=None, description="default: the current campaign")
    force: bool = Field(default=False, description="render even where nothing changed")
    callback_url: str | None = Field(
        default=None,
        max_length=2048,
        description="called (POST, signed JSON) when the batch is done or failed",
    )


def refused(request: Request, authorization: str | None) -> Response | None:
    """None when the bearer token matches; else the 401/403 to answer."""
    expected = request.app.state.settings.staff_token
    scheme, _, token = (authorization or "").partition(" ")
    if not token or scheme.lower() != "bearer":
        response = error_response(
            request, 401, "staff requests need an Authorization: Bearer <token> header"
        )
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    if expected is None:
        return error_response(
            request, 403, "the staff API is off: KITGEN_STAFF_TOKEN is not set on the server"
        )
    if not secrets.compare_digest(token.encode(), expected.encode()):
        return error_response(request, 403, "this token is not valid for staff requests")
    return None


class StaffRefused(Exception):
    """Raised by the auth dependency, so a request is authenticated before its body is read
    or validated (anonymous callers never see the schema's details)."""

    def __init__(self, response: Response):
        self.response = response


def require_staff(request: Request, authorization: str | None = Header(default=None)) -> None:
    denial = refused(request, authorization)
    if denial is not None:
        raise StaffRefused(denial)


@dataclass
class StaffBatch:
    """One staff request rendering in the background; followed at its status URL."""

    id: str
    total: int
    rejected: list[dict[str, Any]]
    state: str = "running"
    finished: int = 0
    report: dict[str, Any] | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "batch": self.id,
            "state": self.state,
            "status_url": status_url(self.id),
            "progress": {"finished": self.finished, "total": self.total},
            "rejected": self.rejected,
            "report": self.report,
            "error": self.error,
        }


def status_url(batch_id: str) -> str:
    return f"/api/staff/batches/{batch_id}"


def _batches(request: Request) -> dict[str, StaffBatch]:
    state = request.app.state
    if not hasattr(state, "staff_batches"):
        state.staff_batches = {}
    batches: dict[str, StaffBatch] = state.staff_batches
    return batches


@router.post(
    "/api/staff/kits",
    status_code=202,
    dependencies=[Depends(require_staff)],
    responses={
        401: {"description": "no bearer token"},
        403: {"description": "wrong token"},
        422: {"description": "no valid locale, or an unknown kind or campaign"},
    },
)
def staff_request(request: Request, body: StaffRequestBody) -> Any:
    """Render the locales now, in the background: 202 with a batch id and a status URL. Each
    locale is checked on its own (a bad one is listed under ``rejected``, the others go
    ahead); a locale named twice renders once. The status URL gives per locale rendered /
    cached / failed and per document new / changed / unchanged in the campaign index."""
    service = kits(request)
    settings = service.settings
    kinds = parse_kinds(body.kinds)
    callback = service.callback_for(body.callback_url, str(request.base_url))
    _, campaign = requested_locales(settings, [], body.campaign)
    locales: list[tuple[str, str]] = []
    rejected: list[dict[str, Any]] = []
    for pair in dict.fromkeys((x.country, x.language) for x in body.locales):
        try:
            locales.extend(requested_locales(settings, [pair], body.campaign)[0])
        except InvalidRequest as exc:
            rejected.append(
                {"country": pair[0], "language": pair[1], "error": str(exc), "field": exc.field}
            )
    if not locales:
        return error_response(
            request, 422, "no valid locale in this request", {"rejected": rejected}
        )
    batch = StaffBatch(uuid.uuid4().hex[:16], len(locales), rejected)
    _batches(request)[batch.id] = batch

    seen: set[tuple[str, str]] = set()

    def progress(job: Any) -> None:
        if job.finished and (job.country, job.language) not in seen:
            seen.add((job.country, job.language))
            batch.finished = len(seen)

    def run() -> None:
        try:
            batch.report = run_locales(
                settings,
                service.storage,
                service.dispatcher,
                locales,
                kinds,
                campaign,
                force=body.force,
                retries=1,
                on_change=progress,
            )
            batch.finished, batch.state = batch.total, "done"
        except Exception as exc:  # reported at the status URL, never lost
            batch.state, batch.error = "failed", str(exc)
        if callback is not None:
            service.dispatcher.send_callback(
                callback, batch_event(batch.to_dict(), callback["base_url"])
            )

    threading.Thread(target=run, daemon=True, name=f"staff-{batch.id}").start()
    return JSONResponse(
        batch.to_dict(), status_code=202, headers={"Location": status_url(batch.id)}
    )


@router.get(
    "/api/staff/batches/{batch_id}",
    dependencies=[Depends(require_staff)],
    responses={404: {"description": "no such batch"}},
)
def staff_batch(request: Request, batch_id: str) -> Any:
    """A staff batch's progress; its full report once done."""
    batch = _batches(request).get(batch_id)
    if batch is None:
        return error_response(request, 404, "no staff batch with this id")
    return batch.to_dict()
