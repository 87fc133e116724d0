"""Which language a request's pages speak, decided once per request (plain ASGI middleware).

``?lang=`` (the picker; remembered in a cookie), else the cookie, else Accept-Language. The
page catalog of that language is made current for the request (templates, validation
messages, JSON labels) and described in ``scope["state"]["ui"]`` for the templates.
"""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs

from kitgen.locales import load_catalog
from kitgen.settings import Settings
from kitgen.web.i18n import COOKIE, load_translations, negotiate, translating

ONE_YEAR = 365 * 24 * 3600


class UiLanguageMiddleware:
    def __init__(self, app: Any, settings: Settings):
        self.app = app
        self.settings = settings

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        catalog = load_catalog(self.settings.content_dir)
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers") or []}
        asked = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [""])[0]
        cookie = SimpleCookie()
        try:
            cookie.load(headers.get("cookie", ""))
        except Exception:  # a malformed cookie header is ignored, never an error
            cookie = SimpleCookie()
        remembered = cookie[COOKIE].value if COOKIE in cookie else ""
        if asked in catalog.languages:
            code = asked
        elif remembered in catalog.languages:
            code = remembered
        else:
            code = negotiate(catalog, headers.get("accept-language"))
        language = catalog.language(code)
        translations = load_translations(
            self.settings.content_dir, language, self.settings.translation_policy
        )
        scope.setdefault("state", {})["ui"] = {
            "code": code,
            "bcp47": language.bcp47,
            "dir": language.direction,
            "from_browser": not asked and not remembered,
        }

        async def send_with_cookie(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start" and asked == code:
                value = f"{COOKIE}={code}; Path=/; Max-Age={ONE_YEAR}; SameSite=Lax"
                message["headers"] = [*message.get("headers", []), (b"set-cookie", value.encode())]
            await send(message)

        with translating(translations):
            await self.app(scope, receive, send_with_cookie)
