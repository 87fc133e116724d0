"""HTML pages: the form, a kit's status page, and file downloads. Usable without JavaScript
(the status page refreshes itself); with it, the page updates in place."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, RedirectResponse, Response

from kitgen.errors import KitgenError, StorageError, TooManyRequests
from kitgen.locales import Catalog, load_catalog
from kitgen.models import DEFAULT_VARIANT, FIELD_LIMITS, KINDS
from kitgen.objects import PUBLIC_PREFIXES
from kitgen.storage import check_key
from kitgen.web.app import error_response, html_response
from kitgen.web.forms import (
    FIELD_TYPES,
    choices,
    field_labels,
    kind_labels,
    state_labels,
    validate,
    variant_labels,
)
from kitgen.web.i18n import _, browser_country
from kitgen.web.requestids import request_id
from kitgen.web.views import check_kit_key, client_of, kits, status_view

router = APIRouter(include_in_schema=False)


def _form_context(
    request: Request, catalog: Catalog, values: dict[str, Any], errors: dict[str, str]
) -> dict[str, Any]:
    ui = request.state.ui["code"]
    notes = language_print_notes(request)
    return {
        "choices": choices(catalog, ui, notes),
        "values": values,
        "errors": errors,
        "kinds": KINDS,
        "kind_labels": kind_labels(),
        "field_labels": field_labels(),
        "field_limits": FIELD_LIMITS,
        "field_types": FIELD_TYPES,
        "variant_labels": variant_labels(),
    }


def language_print_notes(request: Request) -> dict[str, str]:
    """Per language, what its kit prints when that is not a reviewed translation: the
    language list says so (the same states as ``kitgen translations status``)."""
    from kitgen.translations.workflow import translation_status

    settings = request.app.state.settings
    printed: dict[str, set[str]] = {}
    for row in translation_status(settings):
        if row.kind not in KINDS:  # the pages' own catalog says nothing about the kit
            continue
        if row.whole_file:
            state = "reviewed"
        elif not row.prints_fully and row.reviewed + row.draft == 0:
            state = "english"
        elif not row.prints_fully:
            state = "partial"
        else:
            state = "draft" if row.draft else "reviewed"
        printed.setdefault(row.language, set()).add(state)
    notes = {}
    for language, states in printed.items():
        if states == {"english"}:
            notes[language] = _("prints in English")
        elif "english" in states or "partial" in states:
            notes[language] = _("partly in English")
        elif "draft" in states:
            notes[language] = _("draft translation")
    return notes


@router.get("/")
def form_page(request: Request, country: str = "", language: str = "") -> Response:
    catalog = load_catalog(request.app.state.settings.content_dir)
    ui = request.state.ui["code"]
    accept = request.headers.get("accept-language")
    if country not in catalog.countries:
        country = browser_country(catalog, accept)
    chosen = language in catalog.languages
    if not chosen:
        # The page's language when the country speaks it (or none is known), else the
        # country's first language.
        offered = catalog.countries[country].languages if country else ()
        language = ui if (not offered or ui in offered) else offered[0]
    # The page script keeps this language while the chosen country speaks it, and moves to
    # the country's first language otherwise, unless the person picked one (?language=).
    values = {
        "country": country,
        "language": language,
        "kinds": list(KINDS),
        "personalization": {},
        "print_ready": False,
        "variant": DEFAULT_VARIANT,
        "language_chosen": chosen,
    }
    return html_response(request, "form.html", _form_context(request, catalog, values, {}))


@router.post("/")
async def submit_form(request: Request) -> Response:
    form = await request.form()
    data = {key: form.getlist(key) if key == "kinds" else form.get(key) for key in form}
    catalog = load_catalog(request.app.state.settings.content_dir)
    result = validate(catalog, data)
    if result.request is None:
        context = _form_context(request, catalog, result.values, result.errors)
        return html_response(request, "form.html", context, status_code=422)
    try:
        submission = await run_in_threadpool(
            kits(request).submit,
            result.request,
            request_id=request_id.get(),
            client=client_of(request),
        )
    except TooManyRequests as exc:
        # Beside the button, with everything the person typed kept.
        context = _form_context(request, catalog, result.values, {})
        context["refusal"] = str(exc)
        response = html_response(request, "form.html", context, status_code=exc.http_status)
        response.headers["Retry-After"] = str(exc.retry_after)
        return response
    return RedirectResponse(f"/kits/{submission.key}", status_code=303)


@router.get("/kits/{key}")
def kit_page(request: Request, key: str) -> Response:
    status = kits(request).status(check_kit_key(key))
    if status is None:
        return error_response(
            request,
            404,
            _(
                "No kit with this id is known: it may have expired before it was rendered. Ask "
                "for it again from the form."
            ),
        )
    return html_response(
        request,
        "status.html",
        {
            "kit": status_view(request, status),
            "kind_labels": kind_labels(),
            "state_labels": state_labels(),
        },
    )


@router.get("/kits/{key}/files/{name}")
def download(request: Request, key: str, name: str) -> Response:
    service = kits(request)
    manifest = service.manifest(check_kit_key(key))
    if manifest is None:
        return error_response(request, 404, _("This kit is not ready (or not known)."))
    found = service.object_for(manifest, name)
    if found is None:
        return error_response(request, 404, _("This kit has no file %(name)s.", name=name))
    object_key, media_type = found
    filename = next(
        (d.filename for d in service.downloads(manifest) if d.name == name), f"{key[:12]}-{name}"
    )
    url = service.storage.download_url(object_key, filename)
    if url is not None:
        return RedirectResponse(url, status_code=307)
    disposition = "inline" if media_type == "image/png" else "attachment"
    headers = {"Cache-Control": "public, max-age=31536000, immutable"}  # content-addressed
    local = service.storage.local_file(object_key)
    if local is not None:
        return FileResponse(
            local,
            media_type=media_type,
            filename=filename,
            content_disposition_type=disposition,
            headers=headers,
        )
    data = service.storage.get(object_key)
    if data is None:
        raise KitgenError(f"the store lost {object_key}")
    headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return Response(data, media_type=media_type, headers=headers)


MEDIA_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".json": "application/json",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".zip": "application/zip",
}


@router.get("/store/{path:path}")
def store_object(request: Request, path: str) -> Response:
    """The campaign index (``/store/campaigns/<year>/index.html``) and what it links to."""
    service = kits(request)
    suffix = "." + path.rpartition(".")[2]
    if not path.startswith(PUBLIC_PREFIXES) or suffix not in MEDIA_TYPES:
        return error_response(request, 404, "no such file")
    try:
        data = service.storage.get(check_key(path))
    except StorageError:
        data = None  # not a valid key: nothing by that name
    if data is None:
        return error_response(request, 404, "no such file in the store")
    return Response(data, media_type=MEDIA_TYPES[suffix])
