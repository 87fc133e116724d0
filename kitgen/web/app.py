"""The web app factory: the form, the JSON API, downloads and health, over one KitService.

``create_app(settings)`` picks the store (folder or S3) and the dispatcher (Celery when
KITGEN_REDIS_URL is set, else a local process pool) from the settings.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates

from kitgen import __version__
from kitgen.dispatch import Dispatcher, open_dispatcher
from kitgen.errors import (
    InvalidRequest,
    KitgenError,
    StorageError,
    TooManyRequests,
)
from kitgen.settings import Settings
from kitgen.storage import Storage, open_storage
from kitgen.web.i18n import gettext
from kitgen.web.limits import BodyLimitMiddleware, SecurityHeadersMiddleware
from kitgen.web.requestids import RequestIdMiddleware, request_id
from kitgen.web.service import KitService
from kitgen.web.uilanguage import UiLanguageMiddleware

HERE = Path(__file__).resolve().parent
log = logging.getLogger("kitgen.web")


def create_app(
    settings: Settings, *, storage: Storage | None = None, dispatcher: Dispatcher | None = None
) -> FastAPI:
    storage = storage or open_storage(settings, interactive=True)
    owned_dispatcher = dispatcher is None
    dispatcher = dispatcher or open_dispatcher(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        log.info(
            "kitgen %s: store %s; renders by %s",
            __version__,
            storage.describe(),
            dispatcher.describe(),
        )
        yield
        if owned_dispatcher:
            dispatcher.close()

    app = FastAPI(
        title="kitgen",
        version=__version__,
        lifespan=lifespan,
        description="Print-ready Hour of Code event kits for every country and "
        "language: ask for a kit, follow its render, download the PDFs.",
    )
    app.state.settings = settings
    app.state.kits = KitService(settings, storage, dispatcher)
    app.state.templates = page_templates()
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.add_middleware(UiLanguageMiddleware, settings=settings)
    app.add_middleware(BodyLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestIdMiddleware)

    from kitgen.web import api, pages, staff

    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(staff.router)
    _error_handlers(app)
    return app


def page_templates() -> Jinja2Templates:
    """The pages' templates with Jinja2's i18n extension bound to the request's catalog."""
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.add_extension("jinja2.ext.i18n")
    templates.env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda message: gettext(message),
        ngettext=lambda singular, plural, n: gettext(singular if n == 1 else plural),
        newstyle=True,
    )
    return templates


def wants_html(request: Request) -> bool:
    return not request.url.path.startswith(
        ("/api/", "/healthz")
    ) and "text/html" in request.headers.get("accept", "")


def error_response(
    request: Request, status: int, message: str, extra: dict[str, Any] | None = None
) -> Response:
    """A user-safe error, as a page for browsers and as JSON for the API; never a traceback."""
    rid = request_id.get()
    if wants_html(request):
        return html_response(
            request,
            "error.html",
            {"status": status, "message": message, "request_id": rid},
            status_code=status,
        )
    return JSONResponse({"error": message, "request_id": rid, **(extra or {})}, status_code=status)


def _error_handlers(app: FastAPI) -> None:
    from kitgen.web.staff import StaffRefused

    @app.exception_handler(StaffRefused)
    async def staff_refused(request: Request, exc: StaffRefused) -> Response:
        return exc.response

    @app.exception_handler(KitgenError)
    async def kitgen_error(request: Request, exc: KitgenError) -> Response:
        """The status each error class declares (kitgen.errors), with what helps the caller."""
        message = str(exc)
        extra: dict[str, Any] | None = None
        if isinstance(exc, StorageError):
            message = f"the kit store cannot be used right now: {exc}"
        if isinstance(exc, InvalidRequest):
            extra = {"field": exc.field, "choices": exc.choices}
        if isinstance(exc, TooManyRequests):
            extra = {"retry_after": exc.retry_after}
        if exc.http_status >= 500:
            log.warning("%d: %s", exc.http_status, message)
        response = error_response(request, exc.http_status, message, extra)
        if isinstance(exc, TooManyRequests):
            response.headers["Retry-After"] = str(exc.retry_after)
        return response

    @app.exception_handler(Exception)
    async def internal(request: Request, exc: Exception) -> Response:
        log.exception("internal error on %s", request.url.path)
        return error_response(
            request,
            500,
            f"internal error; the service log has details under request id {request_id.get()}",
        )


def html_response(
    request: Request, template: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    response: HTMLResponse = request.app.state.templates.TemplateResponse(
        request, template, {**page_context(request), **context}, status_code=status_code
    )
    return response


def page_context(request: Request) -> dict[str, Any]:
    """What every page needs: its language (with the picker's choices) and the strings its
    scripts show."""
    from kitgen.locales import load_catalog
    from kitgen.web.forms import kind_labels, state_labels, ui_choices

    ui = dict(getattr(request.state, "ui", None) or {"code": "en", "bcp47": "en-US", "dir": "ltr"})
    ui["choices"] = ui_choices(load_catalog(request.app.state.settings.content_dir))
    ui["action"] = request.url.path if request.method == "GET" else "/"
    strings = {
        "kinds": kind_labels(),
        "states": state_labels(),
        "download": gettext("Download"),
        "ready": gettext("Your kit is ready"),
        "failed": gettext("Your kit could not be made"),
        "noAnswer": gettext("The service did not answer."),
        "firstPage": gettext("First page of %(title)s"),
        "pages": gettext("pages: %(count)s"),
        "languagesOf": gettext("Languages of %(country)s"),
        "sending": gettext("Sending…"),
    }
    return {"ui": ui, "ui_strings": strings}
