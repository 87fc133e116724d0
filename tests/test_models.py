import json

import pytest

from kitgen.errors import InvalidRequest
from kitgen.models import KINDS, KitRequest, Manifest, Personalization


def test_kinds_are_deduplicated_and_put_in_kit_order():
    request = KitRequest.from_dict(
        {"country": "FR", "language": "fr", "kinds": "agenda,guide,agenda"}
    )
    assert request.kinds == ("guide", "agenda")
    assert request.country == "fr"


def test_unknown_kind_lists_the_kinds():
    with pytest.raises(InvalidRequest) as info:
        KitRequest("fr", "fr", kinds=("guide", "poster"))
    assert "poster" in str(info.value)
    for kind in KINDS:
        assert kind in str(info.value)


def test_unknown_variant_is_refused():
    with pytest.raises(InvalidRequest, match="pdf/ua-1"):
        KitRequest("fr", "fr", variant="pdf/x-4")


def test_canonical_dict_round_trips():
    request = KitRequest.from_dict(
        {
            "country": "us",
            "language": "en",
            "campaign": 2026,
            "personalization": {"organization": "  Lincoln   Elementary ", "start_time": "09:30"},
        }
    )
    data = request.to_dict()
    assert data["campaign"] == "2026"
    assert data["personalization"] == {"organization": "Lincoln Elementary", "start_time": "09:30"}
    assert KitRequest.from_dict(data) == request


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("organization", "x" * 121, "at most 120"),
        ("event_date", "12/07/2026", "YYYY-MM-DD"),
        ("start_time", "25:00", "HH:MM"),
        ("nickname", "Bob", "unknown personalisation field"),
    ],
)
def test_personalisation_is_validated(field, value, message):
    with pytest.raises(InvalidRequest, match=message):
        Personalization.from_dict({field: value})


def test_personalisation_drops_control_characters():
    assert Personalization.from_dict({"place": "Gym\x00\x07 A"}).place == "Gym A"


def test_text_people_type_cannot_reorder_or_overdraw_the_print():
    from kitgen.models import MAX_COMBINING_RUN

    value = Personalization.from_dict({"jurisdiction": "Springfield \u202etxt.exe\u2066"})
    assert value.jurisdiction == "Springfield txt.exe"  # overrides and isolates removed
    assert Personalization.from_dict({"place": "Hà Nội"}).place == "Hà Nội"
    with pytest.raises(InvalidRequest, match="place stacks more than"):
        Personalization.from_dict({"place": "a" + "\u0301" * (MAX_COMBINING_RUN + 2)})
    with pytest.raises(InvalidRequest, match="organization contains characters that are not"):
        Personalization.from_dict({"organization": "A\ud800B"})


def _manifest_json(**changes: object) -> dict:
    """A manifest as a kitgen of an earlier year wrote it (documents list their object)."""
    data = {
        "key": "k" * 64,
        "request": KitRequest("fr", "fr", campaign="2026", kinds=("agenda",)).to_dict(),
        "documents": [
            {
                "kind": "agenda",
                "title": "Programme",
                "key": "d" * 64,
                "content_language": "fr",
                "pages": 1,
                "bytes": 1234,
                "sha256": "s" * 64,
                "fallbacks": [],
                "diagnostics": [],
                "translation": {"printed": "draft", "words": {"draft": 3}},
                "fit": 0,
                "object": f"documents/{'d' * 64}.pdf",
            }
        ],
        "combined": {
            "object": f"kits/{'k' * 64}/kit.pdf",
            "pages": 1,
            "title": "Kit",
            "lang": "fr-FR",
        },
        "fallbacks": [],
        "versions": {"kitgen": "1", "weasyprint": "68"},
        "created_at": "2026-11-30T00:00:00+00:00",
    }
    data.update(changes)
    return data


def test_a_manifest_round_trips_through_the_json_it_is_stored_as():
    data = _manifest_json()
    manifest = Manifest.from_json(json.dumps(data))
    assert manifest.to_dict() == data
    assert Manifest.from_json(manifest.to_json()) == manifest
    assert manifest.kinds == ["agenda"] and manifest.document("agenda") is not None
    assert manifest.documents[0].object == data["documents"][0]["object"]
    assert manifest.file_stem() == "hour-of-code-fr-fr-2026"


def test_older_and_newer_manifests_are_read_for_what_this_kitgen_knows():
    data = _manifest_json()
    data["combined"] |= {
        "bytes": 99,
        "sha256": "c" * 64,
    }  # recorded until the combined PDF was lazy
    data["documents"][0]["printed_by"] = "a later kitgen"
    manifest = Manifest.from_json(json.dumps(data))
    assert manifest.combined.pages == 1 and manifest.documents[0].pages == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("{", "not a kit manifest"),
        ("[]", "not a JSON object"),
        (json.dumps({"key": "k"}), "no combined, created_at, documents"),
    ],
)
def test_what_is_not_a_manifest_is_refused_by_name(text, message):
    with pytest.raises(ValueError, match=message):
        Manifest.from_json(text)
