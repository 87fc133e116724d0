"""The kit form: its choices (localized names) and server-side validation, field by field.

Each field is checked on its own so a person sees every problem at once, each beside its field;
the same checks as the core (KitRequest, Personalization) so the two never disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kitgen.errors import InvalidRequest
from kitgen.kinds import REGISTRY
from kitgen.locales import Catalog
from kitgen.models import (
    DEFAULT_VARIANT,
    FIELD_LIMITS,
    KINDS,
    VARIANTS,
    KitRequest,
    Personalization,
)
from kitgen.web.i18n import N_, _

#: English messages; shown through ``_()`` in the page's language.
KIND_MESSAGES = {name: kind.label for name, kind in REGISTRY.items()}
FIELD_MESSAGES = {
    "organization": N_("Organising school or group"),
    "event_name": N_("Event name"),
    "event_date": N_("Event date"),
    "start_time": N_("Start time"),
    "place": N_("Place"),
    "official_name": N_("Official's name"),
    "official_title": N_("Official's title"),
    "jurisdiction": N_("Jurisdiction (city, county, state or school board)"),
}
STATE_MESSAGES = {
    "queued": N_("queued"),
    "rendering": N_("rendering"),
    "done": N_("done"),
    "failed": N_("failed"),
    "cached": N_("ready"),
}
FIELD_TYPES = {"event_date": "date", "start_time": "time"}
#: Kept for callers that want the English labels (the JSON API, the CLI).
KIND_LABELS = dict(KIND_MESSAGES)


def kind_labels() -> dict[str, str]:
    return {kind: _(label) for kind, label in KIND_MESSAGES.items()}


def field_labels() -> dict[str, str]:
    return {name: _(label) for name, label in FIELD_MESSAGES.items()}


def state_labels() -> dict[str, str]:
    return {state: _(label) for state, label in STATE_MESSAGES.items()}


@dataclass
class FormResult:
    values: dict[str, Any]
    errors: dict[str, str] = field(default_factory=dict)
    request: KitRequest | None = None


def choices(catalog: Catalog, ui: str, notes: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Countries and languages named in the page's language (languages in their own too);
    ``notes``: per language, what its kit prints when that is not a reviewed translation."""
    in_language = catalog.language(ui)
    countries = sorted(
        (
            {
                "code": c.code,
                "name": catalog.country_name(c, in_language),
                "languages": list(c.languages),
            }
            for c in catalog.countries.values()
        ),
        key=lambda c: str(c["name"]).casefold(),
    )
    languages = []
    for code, lang in catalog.languages.items():
        name = catalog.list_name(lang, in_language.locale)
        native = catalog.list_name(lang, lang.locale)
        label = name if name == native else f"{name} — {native}"
        languages.append(
            {
                "code": code,
                "name": label,
                "dir": lang.direction,
                "bcp47": lang.bcp47,
                "note": (notes or {}).get(code, ""),
            }
        )
    languages.sort(key=lambda x: x["name"].casefold())
    return {"countries": countries, "languages": languages}


_UI_CHOICES: dict[str, list[dict[str, str]]] = {}


def ui_choices(catalog: Catalog) -> list[dict[str, str]]:
    """The page-language picker: each language in its own name (on every page, so made once
    per catalog: naming 57 languages loads 57 locales' CLDR data)."""
    found = _UI_CHOICES.get(catalog.digest)
    if found is None:
        found = sorted(
            (
                {"code": code, "bcp47": lang.bcp47, "name": catalog.list_name(lang, lang.locale)}
                for code, lang in catalog.languages.items()
            ),
            key=lambda x: x["name"].casefold(),
        )
        _UI_CHOICES[catalog.digest] = found
    return found


def validate(catalog: Catalog, form: Mapping[str, Any]) -> FormResult:
    """Every field checked; ``request`` is set only when there is no error."""
    values: dict[str, Any] = {
        "country": str(form.get("country", "")).strip().lower(),
        "language": str(form.get("language", "")).strip().lower(),
        "kinds": [k for k in _as_list(form.get("kinds")) if k],
        "print_ready": str(form.get("print_ready", "")).lower() in ("1", "on", "true", "yes"),
        "variant": str(form.get("variant") or DEFAULT_VARIANT),
        "personalization": {name: str(form.get(name) or "") for name in FIELD_LIMITS},
    }
    result = FormResult(values)
    if values["country"] not in catalog.countries:
        result.errors["country"] = (
            _("Choose a country from the list.")
            if not values["country"]
            else _("Unknown country %(code)s.", code=values["country"])
        )
    if values["language"] not in catalog.languages:
        result.errors["language"] = (
            _("Choose a language from the list.")
            if not values["language"]
            else _("Unknown language %(code)s.", code=values["language"])
        )
    unknown = [k for k in values["kinds"] if k not in KINDS]
    if not values["kinds"] or unknown:
        result.errors["kinds"] = (
            _("Choose at least one document.")
            if not unknown
            else _("Unknown document kind %(kind)s.", kind=unknown[0])
        )
    if values["variant"] not in VARIANTS:
        result.errors["variant"] = _("Choose a PDF type from the list.")
    labels = field_labels()
    for name, value in values["personalization"].items():
        try:
            Personalization.from_dict({name: value})
        except InvalidRequest as exc:
            result.errors[name] = _field_error(name, value, labels[name], str(exc))
    if not result.errors:
        result.request = KitRequest.from_dict(
            {
                "country": values["country"],
                "language": values["language"],
                "kinds": values["kinds"],
                "print_ready": values["print_ready"],
                "variant": values["variant"],
                "personalization": values["personalization"],
            }
        )
    return result


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [k.strip() for k in str(value).split(",")]


def _field_error(name: str, value: str, label: str, reason: str) -> str:
    """Why a personal field was refused, in the page's language."""
    if "not valid text" in reason:
        return _("%(field)s contains characters that are not valid text.", field=label)
    if "accents or marks" in reason:
        return _("%(field)s stacks too many accents or marks on one letter.", field=label)
    if name == "event_date":
        return _("%(field)s must be a date as YYYY-MM-DD.", field=label)
    if name == "start_time":
        return _("%(field)s must be a 24-hour time as HH:MM.", field=label)
    return _(
        "%(field)s is %(length)s characters long; at most %(limit)s are allowed.",
        field=label,
        length=len(value.strip()),
        limit=FIELD_LIMITS[name],
    )


def variant_labels() -> dict[str, str]:
    """The PDF types offered under the form's advanced options, in the page's language."""
    return {
        "pdf/ua-1": _("Accessible PDF (PDF/UA-1, tagged for screen readers)"),
        "pdf/a-3u": _("Archival PDF (PDF/A-3u, also tagged)"),
    }
