import pytest

from kitgen.errors import InvalidRequest
from kitgen.models import KINDS, KitRequest, Personalization


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
