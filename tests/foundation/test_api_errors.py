"""Every API error has one shape: {type, errors: [{code, detail, attr}], extra?} (README "API")."""

from progress.assembly import start_mock
from progress.models import StudyGroup
from tests.conftest import make_user


def test_a_blank_group_name_is_a_validation_error_naming_the_field(api):
    response = api.post("/api/v1/groups/", {"name": "  "}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "type": "validation_error",
        "errors": [{"code": "blank", "detail": "This field may not be blank.", "attr": "name"}],
    }


def test_a_bad_list_item_names_its_index(api, sample_bank):
    response = api.post("/api/v1/exams/", {"mode": "practice", "domains": [2, 9]}, format="json")
    assert response.status_code == 400
    assert [(e["attr"], e["code"]) for e in response.json()["errors"]] == [
        ("domains.1", "max_value")
    ]


def test_an_unknown_api_address_answers_json_not_a_page(api):
    response = api.get("/api/v1/exams/not-a-number/")
    assert response.status_code == 404 and response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "not_found"


def test_someone_elses_sitting_is_not_found_in_the_same_shape(api, sample_bank):
    sitting = start_mock(make_user("bob"))
    response = api.get(f"/api/v1/exams/{sitting.pk}/")
    assert response.status_code == 404
    body = response.json()
    assert body["type"] == "client_error" and len(body["errors"]) == 1
    assert body["errors"][0]["code"] == "not_found" and body["errors"][0]["attr"] is None


def test_tagging_a_miss_on_an_open_mock_is_a_conflict_with_a_code(api, alice, sample_bank):
    sitting = start_mock(alice)
    response = api.put(
        f"/api/v1/exams/{sitting.pk}/items/1/miss/", {"reason": "misread"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["errors"][0]["code"] == "answer_hidden"


def test_the_owner_cannot_leave_members_behind(api, alice):
    group = StudyGroup.create(alice, "Tuesday study")
    from progress.groups import join

    join(make_user("bob"), group.join_code)
    response = api.post(f"/api/v1/groups/{group.pk}/leave/")
    assert response.status_code == 409
    body = response.json()
    assert body["type"] == "client_error" and body["errors"][0]["code"] == "owner_has_members"
    assert "Hand the group over" in body["errors"][0]["detail"]


def test_a_wrong_password_on_the_token_endpoint_is_a_coded_validation_error(alice, client):
    response = client.post(
        "/api/v1/auth/token/",
        {"username": "alice", "password": "nope"},
        content_type="application/json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == [
        {
            "code": "invalid_credentials",
            "detail": "Unable to log in with provided credentials.",
            "attr": "non_field_errors",
        }
    ]


def test_a_body_too_large_to_read_answers_the_error_shape_not_a_page(api, sample_bank, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    sitting = api.post("/api/v1/exams/", {"mode": "mock"}, format="json").json()
    body = '{"selected": [' + ", ".join(["1"] * 1000) + "]}"
    api.raise_request_exception = False  # as a real server answers
    response = api.put(
        f"/api/v1/exams/{sitting['id']}/items/1/", body, content_type="application/json"
    )
    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert response.json()["errors"][0]["code"] == "bad_request"


def test_a_refused_answer_names_the_field_at_fault(api, alice, sample_bank):
    sitting = start_mock(alice)
    foreign = [sitting.items.get(position=2).choice_order[0]]
    url = f"/api/v1/exams/{sitting.pk}/items/1/"
    for field in ("selected", "struck"):
        response = api.put(url, {field: foreign}, format="json")
        assert response.status_code == 400
        [error] = response.json()["errors"]
        assert (error["attr"], error["code"]) == (field, "invalid_answer")
