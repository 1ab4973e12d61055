from io import StringIO

import pytest

from domains.blueprint import scaled_score, split_by_weight

WEIGHTS = {1: 22, 2: 17, 3: 15, 4: 15, 5: 14, 6: 17}


def test_a_75_question_mock_splits_17_13_11_11_10_13():
    assert split_by_weight(75, WEIGHTS) == {1: 17, 2: 13, 3: 11, 4: 11, 5: 10, 6: 13}


@pytest.mark.parametrize("total", [0, 1, 7, 10, 20, 65, 75, 100, 333])
def test_split_always_adds_up_to_the_total(total):
    assert sum(split_by_weight(total, WEIGHTS).values()) == total


def test_ties_go_to_the_heavier_domain_then_the_lower_number():
    # 2 seats over equal remainders: the heavier domain wins, then the lower number.
    assert split_by_weight(1, {1: 10, 2: 20}) == {1: 0, 2: 1}
    assert split_by_weight(1, {1: 10, 2: 10}) == {1: 1, 2: 0}
    assert split_by_weight(2, {3: 1, 1: 1, 2: 1}) == {1: 1, 2: 1, 3: 0}


def test_split_rejects_nonsense():
    with pytest.raises(ValueError):
        split_by_weight(-1, WEIGHTS)
    with pytest.raises(ValueError):
        split_by_weight(5, {1: 0})


def test_scaled_score_is_linear_from_100_to_1000():
    assert scaled_score(0, 75) == 100
    assert scaled_score(75, 75) == 1000
    assert scaled_score(54, 75) == 748  # 72 % correct is just below the pass mark
    assert scaled_score(55, 75) == 760


def test_domains_api_lists_six_domains_and_19_task_statements(client, blueprint):
    body = client.get("/api/v1/domains/").json()
    assert [d["number"] for d in body] == [1, 2, 3, 4, 5, 6]
    assert [d["weight_percent"] for d in body] == [22, 17, 15, 15, 14, 17]
    assert sum(len(d["task_statements"]) for d in body) == 19
    assert body[0]["task_statements"][3] == {
        "number": "1.4",
        "title": "Implement deployment strategies for instance, container, and serverless environments",
    }
    assert body[5]["name"] == "Security and Compliance"


def test_blueprint_pages_render(client, blueprint):
    page = client.get("/domains/")
    assert page.status_code == 200
    assert "SDLC Automation" in page.text and "22 %" in page.text
    assert client.get("/domains/sdlc-automation/").status_code == 200
    assert "1.4 Implement deployment strategies" in client.get("/domains/sdlc-automation/1.4/").text
    assert client.get("/domains/sdlc-automation/9.9/").status_code == 404


def test_loading_the_blueprint_twice_keeps_topic_notes(blueprint):
    from django.core.management import call_command

    from domains.models import TaskStatement

    TaskStatement.objects.filter(number="1.1").update(notes="my note")
    call_command("load_blueprint", stdout=StringIO())
    assert TaskStatement.objects.get(number="1.1").notes == "my note"
    assert TaskStatement.objects.count() == 19
