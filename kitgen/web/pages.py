"""HTML pages: the form, a kit's status page, and file downloads. Usable without JavaScript
(the status page refreshes itself); with it, the page updates in place."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, RedirectResponse, Response

from kitgen.errors import KitgenError, StorageError
from kitgen.locales import Catalog, load_catalog
from kitgen.models import FIELD_LIMITS, KINDS
from kitgen.storage import FilesystemStorage, check_key
from kitgen.web.app import error_response, html_response
from kitgen.web.forms import FIELD_LABELS, FIELD_TYPES, KIND_LABELS, choices, ui_language, validate
from kitgen.web.requestids import request_id
from kitgen.web.views import check_kit_key, kits, status_view

router = APIRouter(include_in_schema=False)


def _form_context(request: Request, catalog: Catalog, values: dict,
                  errors: dict[str, str]) -> dict:
    ui = ui_language(catalog, request.headers.get("accept-language"))
    return {"choices": choices(catalog, ui), "values": values, "errors": errors,
            "kinds": KINDS, "kind_labels": KIND_LABELS, "field_labels": FIELD_LABELS,
            "field_limits": FIELD_LIMITS, "field_types": FIELD_TYPES}


@router.get("/")
def form_page(request: Request, country: str = "", language: str = "") -> Response:
    catalog = load_catalog(request.app.state.settings.content_dir)
    ui = ui_language(catalog, request.headers.get("accept-language"))
    if not country:
        region = (request.headers.get("accept-language") or "").split(",")[0].partition("-")[2]
        country = region.lower() if region.lower() in catalog.countries else ""
    values = {"country": country, "language": language or (ui if country else ""),
              "kinds": list(KINDS), "personalization": {}, "print_ready": False}
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
    submission = await run_in_threadpool(kits(request).submit, result.request,
                                         request_id=request_id.get())
    return RedirectResponse(f"/kits/{submission.key}", status_code=303)


@router.get("/kits/{key}")
def kit_page(request: Request, key: str) -> Response:
    status = kits(request).status(check_kit_key(key))
    if status is None:
        return error_response(request, 404, "No kit with this id is known: it may have expired "
                              "before it was rendered. Ask for it again from the form.")
    return html_response(request, "status.html", {"kit": status_view(request, status),
                                                  "kind_labels": KIND_LABELS})


@router.get("/kits/{key}/files/{name}")
def download(request: Request, key: str, name: str) -> Response:
    service = kits(request)
    manifest = service.manifest(check_kit_key(key))
    if manifest is None:
        return error_response(request, 404, "This kit is not ready (or not known).")
    found = service.object_for(manifest, name)
    if found is None:
        return error_response(request, 404, f"This kit has no file {name!r}.")
    object_key, media_type = found
    filename = next((d.filename for d in service.downloads(manifest) if d.name == name),
                    f"{key[:12]}-{name}")
    url = service.storage.download_url(object_key, filename)
    if url is not None:
        return RedirectResponse(url, status_code=307)
    disposition = "inline" if media_type == "image/png" else "attachment"
    headers = {"Cache-Control": "public, max-age=31536000, immutable"}  # content-addressed
    if isinstance(service.storage, FilesystemStorage):
        return FileResponse(service.storage.path(object_key), media_type=media_type,
                            filename=filename, content_disposition_type=disposition,
                            headers=headers)
    data = service.storage.get(object_key)
    if data is None:
        raise KitgenError(f"the store lost {object_key}")
    headers["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return Response(data, media_type=media_type, headers=headers)


#: What the store's own pages (the campaign index) link to; nothing else is served from it.
PUBLIC_PREFIXES = ("campaigns/", "documents/", "previews/", "kits/")
MEDIA_TYPES = {".html": "text/html; charset=utf-8", ".json": "application/json",
               ".pdf": "application/pdf", ".png": "image/png", ".zip": "application/zip"}


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
