"""The kit form: its choices (localized names) and server-side validation, field by field.

Each field is checked on its own so a person sees every problem at once, each beside its field;
the same checks as the core (KitRequest, Personalization) so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from babel import Locale, negotiate_locale

from kitgen.errors import InvalidRequest
from kitgen.locales import Catalog
from kitgen.models import FIELD_LIMITS, KINDS, KitRequest, Personalization

KIND_LABELS = {"guide": "How-to guide", "brochure": "Brochure for public officials",
               "proclamation": "Sample proclamation", "agenda": "Event agenda"}
FIELD_LABELS = {
    "organization": "Organising school or group", "event_name": "Event name",
    "event_date": "Event date", "start_time": "Start time", "place": "Place",
    "official_name": "Official's name", "official_title": "Official's title",
    "jurisdiction": "Jurisdiction (city, county, state or school board)",
}
FIELD_TYPES = {"event_date": "date", "start_time": "time"}


@dataclass
class FormResult:
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    request: KitRequest | None = None


def ui_language(catalog: Catalog, accept_language: str | None) -> str:
    """The catalog language that best matches the browser's Accept-Language; English else."""
    wanted = [part.split(";")[0].strip().replace("-", "_")
              for part in (accept_language or "").split(",") if part.strip()]
    by_locale = {str(lang.locale): code for code, lang in catalog.languages.items()}
    match = negotiate_locale(wanted, list(by_locale), sep="_")
    return by_locale.get(match or "", "en")


def choices(catalog: Catalog, ui: str) -> dict[str, Any]:
    """Countries and languages named in the UI language (and languages in their own too)."""
    in_language = catalog.language(ui)
    collation = Locale.parse(str(in_language.locale))
    countries = sorted(
        ({"code": c.code, "name": catalog.country_name(c, in_language),
          "languages": list(c.languages)} for c in catalog.countries.values()),
        key=lambda c: c["name"].casefold())
    languages = []
    for code, lang in catalog.languages.items():
        name, native = catalog.language_name(lang, in_language), catalog.language_name(lang, lang)
        label = name if name == native else f"{name} — {native}"
        languages.append({"code": code, "name": label, "dir": lang.direction})
    languages.sort(key=lambda x: x["name"].casefold())
    return {"countries": countries, "languages": languages, "ui": ui,
            "ui_dir": in_language.direction, "ui_locale": str(collation)}


def validate(catalog: Catalog, form: Mapping[str, Any]) -> FormResult:
    """Every field checked; ``request`` is set only when there is no error."""
    values: dict[str, Any] = {
        "country": str(form.get("country", "")).strip().lower(),
        "language": str(form.get("language", "")).strip().lower(),
        "kinds": [k for k in _as_list(form.get("kinds")) if k],
        "print_ready": str(form.get("print_ready", "")).lower() in ("1", "on", "true", "yes"),
        "personalization": {name: str(form.get(name) or "") for name in FIELD_LIMITS},
    }
    result = FormResult(values)
    if values["country"] not in catalog.countries:
        result.errors["country"] = ("Choose a country from the list." if not values["country"]
                                    else f"Unknown country {values['country']!r}.")
    if values["language"] not in catalog.languages:
        result.errors["language"] = ("Choose a language from the list." if not values["language"]
                                     else f"Unknown language {values['language']!r}.")
    unknown = [k for k in values["kinds"] if k not in KINDS]
    if not values["kinds"] or unknown:
        result.errors["kinds"] = ("Choose at least one document." if not unknown else
                                  f"Unknown document kind {unknown[0]!r}; valid: "
                                  f"{', '.join(KINDS)}.")
    for name, value in values["personalization"].items():
        try:
            Personalization.from_dict({name: value})
        except InvalidRequest as exc:
            message = str(exc)
            if message.startswith(name):  # "event_date must be …" → "Event date must be …"
                message = FIELD_LABELS[name] + message[len(name):]
            result.errors[name] = message + "."
    if not result.errors:
        result.request = KitRequest.from_dict({
            "country": values["country"], "language": values["language"],
            "kinds": values["kinds"], "print_ready": values["print_ready"],
            "personalization": values["personalization"]})
    return result


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [k.strip() for k in str(value).split(",")]
