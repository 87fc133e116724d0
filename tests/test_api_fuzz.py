"""The HTTP API under generated input, against ``kitgen serve`` on a real socket: Schemathesis
over every operation of the OpenAPI document, then Hypothesis over what people type into a
valid request. Bounded to a few hundred cases; the one property: no server error, ever."""

from __future__ import annotations

import json
from collections import Counter
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error

from kitgen.models import FIELD_LIMITS, KINDS
from tests.services import Stack

pytestmark = pytest.mark.slow

FUZZ = settings(
    max_examples=50, deadline=None, database=None, suppress_health_check=list(HealthCheck)
)


@pytest.fixture
def web(embedded: Stack) -> Stack:
    embedded.start_web(KITGEN_STAFF_TOKEN="fuzz-token")
    return embedded


def test_every_operation_answers_generated_requests_without_a_server_error(web: Stack) -> None:
    schema = schemathesis.openapi.from_url(web.web_url + "/openapi.json")
    seen: dict[str, Counter[int]] = {}

    def call(case: Any) -> None:
        response = case.call(
            base_url=web.web_url, timeout=30, headers={"Authorization": "Bearer fuzz-token"}
        )
        name = f"{case.operation.method.upper()} {case.operation.path}"
        seen.setdefault(name, Counter())[response.status_code] += 1
        case.validate_response(response, checks=[not_a_server_error])

    for result in schema.get_all_operations():
        FUZZ(given(case=result.ok().as_strategy())(call))()
    assert "POST /api/kits" in seen and "POST /api/staff/kits" in seen, seen
    assert all(code < 500 or code == 503 for counts in seen.values() for code in counts), seen


TYPED = st.text(st.characters(codec=None), max_size=60)  # any code point, surrogates too


@st.composite
def kit_requests(draw: st.DrawFn) -> dict[str, Any]:
    """A valid locale and kinds, and whatever a person might paste into the fields."""
    country, language = draw(
        st.sampled_from(
            [("fr", "fr"), ("us", "en"), ("eg", "ar"), ("jp", "ja"), ("il", "he"), ("in", "hi")]
        )
    )
    fields = draw(st.dictionaries(st.sampled_from(sorted(FIELD_LIMITS)), TYPED, max_size=4))
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=1, max_size=2, unique=True))
    return {"country": country, "language": language, "kinds": kinds, "personalization": fields}


def test_what_people_type_is_a_kit_or_a_422_naming_the_field(web: Stack) -> None:
    accepted: list[str] = []

    @FUZZ
    @given(body=kit_requests())
    def ask(body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()  # json keeps lone surrogates as \ud800 escapes
        status, _, answer = http_raw(web.web_url + "/api/kits", raw)
        assert status in (200, 202, 422, 429), (status, answer[:300])
        if status == 422:
            named = json.loads(answer)
            assert any(field in json.dumps(named) for field in body["personalization"]), named
        elif status == 202:
            accepted.append(json.loads(answer)["key"])

    ask()
    assert accepted, "no generated request was valid: the strategy tests nothing but errors"
    for key in accepted[:12]:  # the ones that render print what was typed, or say why not
        assert web.wait_done(key, timeout=120)["state"] == "done"


def http_raw(url: str, data: bytes) -> tuple[int, dict[str, str], bytes]:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        url, data=data, method="POST", headers={"Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()
