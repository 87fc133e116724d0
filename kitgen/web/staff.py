"""The staff API: (re)render specific locales now, on the interactive queue, and say what
changed. Bearer token from KITGEN_STAFF_TOKEN: 401 without one, 403 with a wrong one."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from kitgen.batch.campaign import requested_locales, run_locales
from kitgen.models import KINDS, parse_kinds
from kitgen.web.app import error_response
from kitgen.web.views import kits

router = APIRouter()


class Locale(BaseModel):
    model_config = ConfigDict(extra="forbid")
    country: str = Field(examples=["fr"])
    language: str = Field(examples=["fr"])


class StaffRequestBody(BaseModel):
    """Locales to render now, e.g. after their translation landed."""

    model_config = ConfigDict(extra="forbid")

    locales: list[Locale] = Field(min_length=1, max_length=50)
    kinds: list[str] = Field(default=list(KINDS))
    campaign: str | None = Field(default=None, description="default: the current campaign")
    force: bool = Field(default=False, description="render even where nothing changed")


def refused(request: Request, authorization: str | None) -> Response | None:
    """None when the bearer token matches; else the 401/403 to answer."""
    expected = request.app.state.settings.staff_token
    scheme, _, token = (authorization or "").partition(" ")
    if not token or scheme.lower() != "bearer":
        response = error_response(request, 401, "staff requests need an Authorization: "
                                  "Bearer <token> header")
        response.headers["WWW-Authenticate"] = "Bearer"
        return response
    if expected is None:
        return error_response(request, 403, "the staff API is off: KITGEN_STAFF_TOKEN is "
                              "not set on the server")
    if not secrets.compare_digest(token.encode(), expected.encode()):
        return error_response(request, 403, "this token is not valid for staff requests")
    return None


class StaffRefused(Exception):
    """Raised by the auth dependency, so a request is authenticated before its body is read
    or validated (anonymous callers never see the schema's details)."""

    def __init__(self, response: Response):
        self.response = response


def require_staff(request: Request,
                  authorization: str | None = Header(default=None)) -> None:
    denial = refused(request, authorization)
    if denial is not None:
        raise StaffRefused(denial)


@router.post("/api/staff/kits", dependencies=[Depends(require_staff)], responses={
    401: {"description": "no bearer token"}, 403: {"description": "wrong token"},
    422: {"description": "unknown locale, kind or campaign; lists the valid choices"}})
def staff_request(request: Request, body: StaffRequestBody) -> Any:
    """Render the locales now and answer when they are done: per locale rendered / cached /
    failed, and per document whether it is new, changed or unchanged in the campaign index."""
    service = kits(request)
    settings = service.settings
    locales, campaign = requested_locales(
        settings, [(x.country, x.language) for x in body.locales], body.campaign)
    report = run_locales(settings, service.storage, service.dispatcher, locales,
                         parse_kinds(body.kinds),
                         campaign, force=body.force, retries=1)
    return JSONResponse(report, status_code=200)
