"""No input gives a 5xx: every URL parameter of every route and every JSON body gets a clear
4xx for what it cannot use (NUL characters, huge numbers, deep nesting, junk)."""

import json

import pytest
from rest_framework.test import APIClient

from tests.routes import all_routes, fill

DEEP = "[" * 1000 + "]" * 1000  # ~2 KB, deeper than Python's parser can recurse
BAD_PARAMS = {
    "IntConverter": ["0", "99999999999999999999999999", "2147483648", "32768"],
    "SlugConverter": ["sdlc-automation", "x" * 300, "__", "-"],
    "StringConverter": ["%00", "x%00y", "%C3%A9", "1.1%00", "x" * 300, "%F0%9F%92%A5"],
    "PathConverter": ["%00", "1/%00/change", "x" * 300],
}
QUERIES = [
    "",
    "?domain=%00&task=x%00&show=%00&next=%00&reveal=%00",
    "?domain=99999999999999999999&task=9.9&limit=-1&offset=x&show=x&reveal=1&next=//evil.test",
    "?domain=%C2%B2&task=%C2%B2&show=incorrect&limit=%C2%B2&offset=%C2%B2",  # superscript two
    "?domain=" + "9" * 5000 + "&limit=" + "9" * 5000,  # past int()'s 4,300-digit limit
]
ROUTES = [r for r in all_routes() if r[1] != "admin"]
JSON_ROUTES = [
    "/api/v1/auth/token/",
    "/api/v1/auth/register/",
    "/api/v1/exams/",
    "/api/v1/exams/{sitting}/items/1/",
    "/api/v1/groups/",
    "/api/v1/groups/join/",
    "/api/v1/questions/{question}/reports/",
]
# These take no body: whatever is sent is ignored, never parsed.
BODYLESS_ROUTES = [
    "/api/v1/reports/",
    "/api/v1/exams/{sitting}/submit/",
    "/api/v1/auth/logout-all/",
]


def _bad_urls(route, converters):
    names = list(converters)
    if not names:
        return [fill(route, {})]
    urls = []
    for name in names:
        for bad in BAD_PARAMS[converters[name]]:
            values = {n: "1" if converters[n] == "IntConverter" else "a" for n in names}
            values[name] = bad
            urls.append(fill(route, values))
    return urls


@pytest.fixture
def actors(alice, staff_admin, blueprint):
    from django.test import Client

    learner, admin = Client(), Client()
    learner.force_login(alice)
    admin.force_login(staff_admin)
    return {"anonymous": Client(), "learner": learner, "superuser": admin}


@pytest.mark.parametrize(("route", "name", "converters"), ROUTES, ids=[r[0] for r in ROUTES])
def test_no_url_parameter_gives_a_server_error(route, name, converters, actors):
    for url in _bad_urls(route, converters):
        for who, client in actors.items():
            for query in QUERIES:
                response = client.get(url + query)
                assert response.status_code < 500, (who, url + query)
            response = client.post(url, {"name": "x\x00", "code": "\x00", "next": "\x00"})
            assert response.status_code < 500, (who, "post", url)


def test_a_nul_in_a_url_parameter_is_refused(client, sample_bank):
    assert client.get("/domains/sdlc-automation/%00/").status_code in (400, 404)
    assert client.get("/domains/sdlc-automation/1.1%00/").status_code in (400, 404)
    assert client.get("/domains/?q=%00").status_code == 400


def test_a_nul_in_a_form_body_is_refused(client, db):
    encoded = client.post(
        "/accounts/login/",
        "username=al%00ice&password=x",
        content_type="application/x-www-form-urlencoded",
    )
    assert encoded.status_code == 400
    multipart = client.post("/accounts/signup/", {"username": "al\x00ice", "password1": "x"})
    assert multipart.status_code == 200 and "Null characters are not allowed" in multipart.text


@pytest.fixture
def json_targets(alice, sample_bank):
    from progress import assembly

    sitting = assembly.start_practice(alice, count=5)
    return {"sitting": sitting.pk, "question": sitting.items.first().question_id}


BAD_BODIES = pytest.mark.parametrize(
    "body",
    [
        DEEP,
        '{"a": ' * 1000 + "1" + "}" * 1000,
        '{"username": "al\\u0000ice", "password": "x\\u0000", "name": "g\\u0000",'
        ' "code": "\\u0000", "selected": [1], "mode": "practice", "kind": "wrong\\u0000",'
        ' "message": "m\\u0000"}',
        '{"selected": [NaN]}',
        '{"selected": [1e999], "struck": ["x"], "flagged": "maybe", "seconds": 1e99}',
        "not json",
        '"a string"',
        "[]",
        "null",
    ],
    ids=[
        "deep-list",
        "deep-object",
        "nul",
        "nan",
        "junk-types",
        "not-json",
        "string",
        "list",
        "null",
    ],
)


@pytest.mark.parametrize("path", JSON_ROUTES)
@BAD_BODIES
def test_every_json_endpoint_answers_bad_bodies_with_a_4xx(path, body, alice, json_targets):
    api = APIClient()
    api.force_authenticate(alice)
    url = path.format(**json_targets)
    method = api.put if "/items/" in url else api.post
    response = method(url, body, content_type="application/json")
    assert 400 <= response.status_code < 500, (url, response.status_code)
    if body in (DEEP,) or "\\u0000" in body:
        assert response.status_code == 400
        assert response.json()["errors"][0]["detail"]


@pytest.mark.parametrize("path", BODYLESS_ROUTES)
@BAD_BODIES
def test_endpoints_without_a_body_ignore_whatever_is_sent(path, body, alice, json_targets):
    api = APIClient()
    api.force_authenticate(alice)
    response = api.post(path.format(**json_targets), body, content_type="application/json")
    assert response.status_code in (200, 202)


def test_deeply_nested_json_gets_400_naming_the_reason(db):
    response = APIClient().post("/api/v1/auth/token/", DEEP, content_type="application/json")
    assert response.status_code == 400
    assert "nested deeper" in json.dumps(response.json())


def test_query_parameters_that_look_numeric_but_are_not_get_a_4xx_or_are_ignored(
    alice, alice_client, sample_bank
):
    from progress import assembly

    sitting = assembly.start_practice(alice, count=5)
    sitting.finish()
    for value in ("%C2%B2", "9" * 5000, "%D9%A1"):
        assert alice_client.get(f"/api/v1/misconceptions/?domain={value}").status_code == 400
        page = alice_client.get(f"/sittings/{sitting.pk}/results/?domain={value}&show=incorrect")
        assert page.status_code == 200


def test_non_ascii_digits_and_huge_ids_in_forms_and_queries_are_clear_4xx_or_ignored(
    alice_client, alice, sample_bank
):
    import random

    from progress import assembly

    sitting = assembly.start_practice(alice, count=5, rng=random.Random(1))
    sitting.finish()
    for query in ("?domain=²", "?not_counted=²", "?not_counted=1,99999999999999999999"):
        assert alice_client.get(f"/sittings/{sitting.pk}/results/{query}").status_code == 200
    response = alice_client.post("/practice/", {"tasks": ["99999999999999999999"], "count": 5})
    assert response.status_code == 200  # the form says which choice is invalid


def test_over_long_usernames_and_nul_headers_at_sign_in_are_not_a_500(client, db):
    long_name = {"username": "x" * 300, "password": "wrong"}
    assert client.post("/accounts/login/", long_name).status_code in (200, 400, 429)
    assert client.post("/admin/login/", long_name).status_code in (200, 400, 429)
    response = client.post(
        "/accounts/login/", {"username": "a", "password": "b"}, HTTP_USER_AGENT="x\x00y"
    )
    assert response.status_code == 400
