"""Kit requests and results: plain, JSON-serialisable values (they are also task payloads)."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from kitgen.errors import InvalidRequest
from kitgen.kinds import KINDS
from kitgen.objects import document_object

__all__ = ["KINDS"]  # re-exported: the kinds live in kitgen.kinds (most callers import here)

VARIANTS: tuple[str, ...] = ("pdf/ua-1", "pdf/a-3u")
#: Kits go to public bodies that must publish accessible documents: tagged PDF/UA-1 unless
#: the archival PDF/A-3u (tagged too) is asked for.
DEFAULT_VARIANT = "pdf/ua-1"

#: Personalisation fields and their maximum length in characters.
FIELD_LIMITS: dict[str, int] = {
    "organization": 120,
    "event_name": 120,
    "event_date": 10,
    "start_time": 5,
    "place": 160,
    "official_name": 100,
    "official_title": 120,
    "jurisdiction": 160,
}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
#: Bidi embeddings, overrides and isolates: typed into a field they would reorder the rest of
#: the printed line ("Springfield exe.txt"); each value is isolated on the page instead.
_BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
_SURROGATE = re.compile("[\ud800-\udfff]")
#: More combining marks than any script stacks on one letter overdraw the lines around.
MAX_COMBINING_RUN = 4


def _clean_text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise InvalidRequest(name, value, reason=f"{name} must be text")
    if _SURROGATE.search(value):
        raise InvalidRequest(
            name,
            "",
            reason=f"{name} contains characters that are not valid text (a lone surrogate)",
        )
    text = unicodedata.normalize("NFC", _BIDI_CONTROLS.sub("", _CONTROL.sub("", value)))
    text = re.sub(r"\s+", " ", text.strip())
    if _longest_combining_run(text) > MAX_COMBINING_RUN:
        raise InvalidRequest(
            name,
            "",
            reason=f"{name} stacks more than {MAX_COMBINING_RUN} accents or marks on one letter",
        )
    if len(text) > FIELD_LIMITS[name]:
        raise InvalidRequest(
            name,
            value,
            reason=f"{name} is {len(text)} characters long; at most "
            f"{FIELD_LIMITS[name]} are allowed",
        )
    return text


def _longest_combining_run(text: str) -> int:
    longest = run = 0
    for char in text:
        run = run + 1 if unicodedata.combining(char) else 0
        longest = max(longest, run)
    return longest


@dataclass(frozen=True)
class Personalization:
    """What an organizer may print into the proclamation and the agenda; all optional."""

    organization: str = ""
    event_name: str = ""
    event_date: str = ""  # ISO date
    start_time: str = ""  # HH:MM, 24 h
    place: str = ""
    official_name: str = ""
    official_title: str = ""
    jurisdiction: str = ""

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Personalization:
        data = dict(data or {})
        unknown = set(data) - set(FIELD_LIMITS)
        if unknown:
            name = sorted(unknown)[0]
            raise InvalidRequest("personalisation field", name, FIELD_LIMITS)
        values = {k: _clean_text(k, v) for k, v in data.items() if v not in (None, "")}
        if values.get("event_date"):
            try:
                dt.date.fromisoformat(values["event_date"])
            except ValueError:
                raise InvalidRequest(
                    "event_date",
                    values["event_date"],
                    reason="event_date must be a date as YYYY-MM-DD",
                ) from None
        if values.get("start_time") and not re.fullmatch(
            r"([01]\d|2[0-3]):[0-5]\d", values["start_time"]
        ):
            raise InvalidRequest(
                "start_time",
                values["start_time"],
                reason="start_time must be a 24-hour time as HH:MM",
            )
        return cls(**values)

    def to_dict(self) -> dict[str, str]:
        return {k: v for k, v in asdict(self).items() if v}

    @property
    def date(self) -> dt.date | None:
        return dt.date.fromisoformat(self.event_date) if self.event_date else None

    @property
    def time(self) -> dt.time | None:
        return dt.time.fromisoformat(self.start_time) if self.start_time else None


def parse_kinds(kinds: Iterable[str] | str) -> tuple[str, ...]:
    """Kinds as asked ("guide,agenda" or a list), checked, without repeats, in kit order."""
    if isinstance(kinds, str):
        kinds = [k.strip() for k in kinds.split(",") if k.strip()]
    wanted = tuple(dict.fromkeys(kinds))
    if not wanted:
        raise InvalidRequest("kind", "", KINDS, reason="no document kind requested")
    for kind in wanted:
        if kind not in KINDS:
            raise InvalidRequest("kind", kind, KINDS)
    return tuple(k for k in KINDS if k in wanted)


@dataclass(frozen=True)
class KitRequest:
    """One kit: a locale, a campaign, the kinds wanted and how to print them."""

    country: str
    language: str
    campaign: str | None = None  # None: the current campaign, resolved by the pipeline
    kinds: tuple[str, ...] = KINDS
    personalization: Personalization = field(default_factory=Personalization)
    print_ready: bool = False
    variant: str | None = DEFAULT_VARIANT  # None means the default

    def __post_init__(self) -> None:
        kinds = parse_kinds(self.kinds)
        if self.variant is None:
            object.__setattr__(self, "variant", DEFAULT_VARIANT)
        if self.variant not in VARIANTS:
            raise InvalidRequest("variant", str(self.variant), VARIANTS)
        object.__setattr__(self, "country", self.country.strip().lower())
        object.__setattr__(self, "language", self.language.strip().lower())
        object.__setattr__(self, "kinds", kinds)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> KitRequest:
        kinds = parse_kinds(data.get("kinds") or KINDS)
        campaign = data.get("campaign")
        return cls(
            country=str(data.get("country", "")),
            language=str(data.get("language", "")),
            campaign=str(campaign) if campaign else None,
            kinds=kinds,
            personalization=Personalization.from_dict(data.get("personalization")),
            print_ready=bool(data.get("print_ready", False)),
            variant=data.get("variant") or None,
        )

    def to_dict(self) -> dict[str, Any]:
        """Canonical form: the same request always gives the same dict (and cache key)."""
        return {
            "country": self.country,
            "language": self.language,
            "campaign": self.campaign,
            "kinds": list(self.kinds),
            "personalization": self.personalization.to_dict(),
            "print_ready": self.print_ready,
            "variant": self.variant,
        }


@dataclass(frozen=True)
class DocumentResult:
    """One stored PDF of a kit, as the manifest lists it."""

    kind: str
    title: str
    key: str
    content_language: str
    pages: int
    bytes: int
    sha256: str
    fallbacks: tuple[str, ...] = ()
    diagnostics: tuple[str, ...] = ()  # legacy-page repairs and drops, "file:line: …"
    #: how the text printed, for catalog-translated documents:
    #: {"printed": "reviewed" | "draft" | "partial" | "english", "words": {…}}
    translation: dict[str, Any] | None = None
    fit: int = 0  # how much tighter than designed the page was set to fit its budget
    cached: bool = False

    @property
    def object(self) -> str:
        """Its PDF in the store (content-addressed: shared by every kit that prints it)."""
        return document_object(self.key)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["fallbacks"] = list(self.fallbacks)
        data["diagnostics"] = list(self.diagnostics)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DocumentResult:
        return cls(
            **{
                **data,
                "fallbacks": tuple(data.get("fallbacks", ())),
                "diagnostics": tuple(data.get("diagnostics", ())),
            }
        )


@dataclass(frozen=True)
class CombinedEntry:
    """The kit's combined PDF as its manifest names it: made when first needed."""

    object: str
    pages: int
    title: str
    lang: str  # BCP 47 tag of the kit (fr-FR): the combined PDF's /Lang

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CombinedEntry:
        # older manifests also recorded the combined PDF's bytes and digest: not kept
        return cls(
            object=str(data["object"]),
            pages=int(data["pages"]),
            title=str(data["title"]),
            lang=str(data["lang"]),
        )


@dataclass(frozen=True)
class Manifest:
    """What a published kit is; written last, so a kit is visible only when whole. It crosses
    every boundary as JSON (:meth:`from_json`, :meth:`to_json`); each document is listed with
    its storage object, so readers of the JSON (the zip, the campaign index) need no code."""

    key: str
    request: dict[str, Any]  # canonical (KitRequest.to_dict), with the campaign resolved
    documents: tuple[DocumentResult, ...]
    combined: CombinedEntry
    fallbacks: tuple[str, ...]
    versions: dict[str, str]
    created_at: str  # ISO 8601, UTC

    @property
    def country(self) -> str:
        return str(self.request["country"])

    @property
    def language(self) -> str:
        return str(self.request["language"])

    @property
    def campaign(self) -> str:
        return str(self.request["campaign"])

    @property
    def kinds(self) -> list[str]:
        return [d.kind for d in self.documents]

    def document(self, kind: str) -> DocumentResult | None:
        return next((d for d in self.documents if d.kind == kind), None)

    def file_stem(self) -> str:
        """What a kit's files are saved as (``hour-of-code-fr-fr-2026-guide.pdf``), wherever
        they are downloaded from; the store's own names are content hashes."""
        return f"hour-of-code-{self.country}-{self.language}-{self.campaign}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "request": self.request,
            "documents": [
                {k: v for k, v in d.to_dict().items() if k != "cached"} | {"object": d.object}
                for d in self.documents
            ],
            "combined": self.combined.to_dict(),
            "fallbacks": list(self.fallbacks),
            "versions": self.versions,
            "created_at": self.created_at,
        }

    def to_json(self) -> bytes:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, data: bytes | str) -> Manifest:
        """A stored manifest; a ValueError naming what is missing when it is not one."""
        try:
            found = json.loads(data)
        except ValueError as exc:
            raise ValueError(f"not a kit manifest: {exc}") from None
        if not isinstance(found, dict):
            raise ValueError("not a kit manifest: not a JSON object")
        missing = [name for name in _MANIFEST_FIELDS if name not in found]
        if missing:
            raise ValueError(f"not a kit manifest: no {', '.join(sorted(missing))}")
        return cls(
            key=str(found["key"]),
            request=dict(found["request"]),
            documents=tuple(_document_from_manifest(d) for d in found["documents"]),
            combined=CombinedEntry.from_dict(found["combined"]),
            fallbacks=tuple(found["fallbacks"]),
            versions=dict(found["versions"]),
            created_at=str(found["created_at"]),
        )


_MANIFEST_FIELDS = tuple(f.name for f in fields(Manifest))
_DOCUMENT_FIELDS = frozenset(f.name for f in fields(DocumentResult)) - {"cached"}


def _document_from_manifest(data: dict[str, Any]) -> DocumentResult:
    # "object" is derived from the key; fields a newer kitgen may add are not this one's
    return DocumentResult.from_dict({k: v for k, v in data.items() if k in _DOCUMENT_FIELDS})


@dataclass(frozen=True)
class KitResult:
    """A stored kit: its manifest, and per document whether this build rendered it."""

    manifest: Manifest
    documents: tuple[DocumentResult, ...]  # the manifest's, each marked cached or not
    cached: bool

    @property
    def key(self) -> str:
        return self.manifest.key

    @property
    def request(self) -> dict[str, Any]:
        return self.manifest.request

    @property
    def combined_key(self) -> str:
        return self.manifest.combined.object

    @property
    def rendered_count(self) -> int:
        return sum(1 for d in self.documents if not d.cached)
