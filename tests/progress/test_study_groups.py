"""Study groups share progress with each other, and with nobody else."""

import pytest
from rest_framework.test import APIClient

from progress.models import Membership, StudyGroup
from tests.conftest import make_user


@pytest.fixture
def charlie(db):
    return make_user("charlie")


@pytest.fixture
def group(alice, bob, finished_mock):
    group = StudyGroup.create(alice, "Tuesday study")
    Membership.objects.create(group=group, user=bob)
    return group


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_members_see_each_others_progress(client, bob, alice, group):
    client.force_login(bob)
    page = client.get(f"/groups/{group.pk}/")
    assert page.status_code == 200 and "alice" in page.text and "(owner)" in page.text
    assert group.join_code not in page.text  # only the owner sees the code
    member = client.get(f"/groups/{group.pk}/members/{alice.pk}/")
    assert (
        member.status_code == 200
        and "alice's progress" in member.text
        and "Predicted score" in member.text
    )
    body = client_for(bob).get(f"/api/v1/groups/{group.pk}/").json()
    alice_row = next(m for m in body["members"] if m["username"] == "alice")
    assert alice_row["answered"] == 75 and alice_row["latest_mock_score"] is not None
    assert alice_row["readiness"] is not None


def test_outsiders_see_nothing(client, charlie, alice, group):
    client.force_login(charlie)
    assert client.get(f"/groups/{group.pk}/").status_code == 404
    assert client.get(f"/groups/{group.pk}/members/{alice.pk}/").status_code == 404
    assert client_for(charlie).get(f"/api/v1/groups/{group.pk}/").status_code == 404
    assert client_for(charlie).get("/api/v1/groups/").json() == []


def test_a_member_cannot_view_someone_outside_the_group_through_it(client, bob, charlie, group):
    client.force_login(bob)
    assert client.get(f"/groups/{group.pk}/members/{charlie.pk}/").status_code == 404


def test_joining_by_code_and_leaving(client, charlie, group):
    api = client_for(charlie)
    bad = api.post("/api/v1/groups/join/", {"code": "NOPE"}, format="json")
    assert bad.status_code == 400 and "No group has that code" in bad.json()["errors"][0]["detail"]
    joined = api.post("/api/v1/groups/join/", {"code": group.join_code.lower()}, format="json")
    assert joined.status_code == 200 and joined.json()["name"] == "Tuesday study"
    assert api.get(f"/api/v1/groups/{group.pk}/").status_code == 200
    assert api.post(f"/api/v1/groups/{group.pk}/leave/").status_code == 204
    assert api.get(f"/api/v1/groups/{group.pk}/").status_code == 404


def test_owner_rotates_the_code_and_removes_members(client, alice, bob, charlie, group):
    old = group.join_code
    client.force_login(alice)
    client.post(f"/groups/{group.pk}/code/")
    group.refresh_from_db()
    assert group.join_code != old
    stale = client_for(charlie).post("/api/v1/groups/join/", {"code": old}, format="json")
    assert stale.status_code == 400
    client.post(f"/groups/{group.pk}/members/{bob.pk}/remove/")
    assert not group.memberships.filter(user=bob).exists()
    client.force_login(bob)
    assert client.get(f"/groups/{group.pk}/").status_code == 404


def test_only_the_owner_removes_and_the_owner_cannot_abandon_members(client, alice, bob, group):
    client.force_login(bob)
    client.post(f"/groups/{group.pk}/members/{alice.pk}/remove/")
    assert group.memberships.filter(user=alice).exists()
    assert client.post(f"/groups/{group.pk}/code/").status_code == 404
    assert client_for(alice).post(f"/api/v1/groups/{group.pk}/leave/").status_code == 409


def test_creating_a_group_in_the_browser(client, alice, db):
    client.force_login(alice)
    response = client.post("/groups/", {"create": "1", "name": "Night owls"})
    group = StudyGroup.objects.get(name="Night owls")
    assert response.url == f"/groups/{group.pk}/"
    assert group.join_code in client.get(response.url).text
    assert client.post("/groups/", {"join": "1", "code": "XXXX"}).status_code == 200


def test_group_page_queries_do_not_grow_with_members(
    client, alice, group, django_assert_max_num_queries, django_user_model
):
    client.force_login(alice)
    client.get("/home/")  # the first request of a session loads the learner's time zone
    for n in range(10):
        Membership.objects.create(group=group, user=django_user_model.objects.create_user(f"m{n}"))
    with django_assert_max_num_queries(12):
        assert client.get(f"/groups/{group.pk}/").status_code == 200
