"""Nothing of an open timed mock leaks its answers: walk every response a learner can get
while the mock is open (every page and API read, every save of every item, the report form of
every question) and look for its explanations, the options' reasons and any correctness."""

import json

import pytest

from tests.routes import fill
from tests.test_access_matrix import ROWS, world  # noqa: F401 - the fixture

FORBIDDEN_KEYS = {
    "is_correct",
    "correct",
    "feedback",
    "explanation_html",
    "why_html",
    "result",
    "is_pilot",
    "pilot",
    "pilot_positions",
}


@pytest.fixture
def open_mock(world):  # noqa: F811
    from progress import assembly
    from progress.models import Sitting, SittingItem

    alice = world["users"]["owner"]
    Sitting.objects.filter(pk=world["open_sitting"]).delete()
    seen = set(SittingItem.objects.filter(sitting__user=alice).values_list("question", flat=True))
    mock = assembly.start_mock(alice)
    secrets = []
    for item in mock.items.select_related("question", "version").prefetch_related(
        "version__choices"
    ):
        question = item.question
        if question.id in seen:
            continue  # seen and explained in an earlier practice: not this mock's secret
        question.explanation = f"Secret explanation {question.id} zq"
        question.save(update_fields=["explanation"])
        secrets.append(question.explanation)
        for choice in item.version.choices.all():  # the options this mock shows
            choice.why = f"Secret reason {choice.id} zq"
            choice.save(update_fields=["why"])
            secrets.append(choice.why)
    return {**world, "open_sitting": mock.pk, "mock": mock, "secrets": secrets}


def _keys(value):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


def _dicts(value):
    if isinstance(value, dict):
        yield value
        for inner in value.values():
            yield from _dicts(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _dicts(inner)


def test_no_response_during_an_open_mock_carries_its_answers(open_mock, client):
    mock = open_mock["mock"]
    client.force_login(open_mock["users"]["owner"])
    responses = []
    for route, row in sorted(ROWS.items()):
        if row.method != "get" or not route or route.startswith("accounts/reset/"):
            continue
        values = {name: open_mock[key] for name, key in row.args.items()}
        if "pk" in values and route.startswith("questions/"):
            continue  # below, for every question of the mock
        responses.append((route, client.get(fill(route, values))))
    sitting_urls = [f"/sittings/{mock.pk}/", f"/api/v1/exams/{mock.pk}/"]
    for item in mock.items.prefetch_related("version__choices"):
        saved = client.put(
            f"/api/v1/exams/{mock.pk}/items/{item.position}/",
            {"selected": list(range(1, item.select_count + 1)), "flagged": True},
            content_type="application/json",
        )
        assert saved.status_code == 200
        responses.append((f"PUT item {item.position}", saved))
        responses.append(
            (f"report {item.question_id}", client.get(f"/questions/{item.question_id}/report/"))
        )
    for url in sitting_urls:
        responses.append((url + " after answering", client.get(url)))

    assert len(responses) > 150
    secrets = open_mock["secrets"]
    assert len(secrets) > 100
    for name, response in responses:
        assert response.status_code in (200, 301, 302, 404), name
        text = response.content.decode()
        leaked = [s for s in secrets if s in text]
        assert leaked == [], name
        if not response.get("Content-Type", "").startswith("application/json"):
            continue
        body = json.loads(text)
        if str(mock.pk) in name and ("exams" in name or "item" in name):
            assert FORBIDDEN_KEYS.isdisjoint(_keys(body)), name
        for entry in _dicts(body):  # the mock in a list (sittings, export): nothing graded
            if entry.get("id") == mock.pk and entry.get("mode") == "mock":
                keys = FORBIDDEN_KEYS | {"scaled_score", "passed"}
                graded = {k: entry[k] for k in keys if k in entry}
                assert set(graded.values()) <= {None}, (name, graded)


def _page_state(response):
    import re

    found = re.search(
        r'<script id="sitting-state" type="application/json">(.*?)</script>', response.text, re.S
    )
    return json.loads(found.group(1))


def test_an_open_mock_tells_no_question_from_another(open_mock, client):
    """Question ids grow with authoring time and domains count against the blueprint: while
    the mock is open, neither its page, its API nor the report forms may tie an item to one."""
    from progress.models import SittingItem
    from questions.models import ProblemReport

    mock, alice = open_mock["mock"], open_mock["users"]["owner"]
    client.force_login(alice)
    for state in (
        _page_state(client.get(f"/sittings/{mock.pk}/")),
        client.get(f"/api/v1/exams/{mock.pk}/").json(),
    ):
        assert len(state["items"]) == 75
        for item in state["items"]:
            question = item["question"]
            assert {"id", "version", "domain", "task"}.isdisjoint(question)
            assert [c["id"] for c in question["choices"]] == list(
                range(1, len(question["choices"]) + 1)
            )
    met_elsewhere = set(
        SittingItem.objects.filter(sitting__user=alice)
        .exclude(sitting=mock)
        .values_list("question_id", flat=True)
    )
    only_here = [i.question_id for i in mock.items.all() if i.question_id not in met_elsewhere]
    assert len(only_here) > 30
    for question_id in only_here:
        assert client.get(f"/questions/{question_id}/report/").status_code == 404
        api = client.post(
            f"/api/v1/questions/{question_id}/reports/",
            {"reason": ProblemReport.Reason.choices[0][0], "text": "The stem is unclear."},
            content_type="application/json",
        )
        assert api.status_code == 404
    client.post(f"/api/v1/exams/{mock.pk}/submit/")
    # Once it has ended, the review names everything and the questions can be reported.
    finished = client.get(f"/api/v1/exams/{mock.pk}/").json()["items"][0]["question"]
    assert {"id", "version", "domain", "task"} <= set(finished)
    assert client.get(f"/questions/{only_here[0]}/report/").status_code == 200


def test_no_other_page_names_a_question_met_only_in_the_open_mock(open_mock, client):
    """A page listing the learner's questions (notes, reports, export, dashboards...) that
    named an open mock's question by slug or stem would tie it to its id and age."""
    from progress.models import SittingItem

    mock, alice = open_mock["mock"], open_mock["users"]["owner"]
    met_elsewhere = set(
        SittingItem.objects.filter(sitting__user=alice)
        .exclude(sitting=mock)
        .values_list("question_id", flat=True)
    )
    only_here = [
        i
        for i in mock.items.select_related("question", "version")
        if i.question_id not in met_elsewhere
    ]
    marks = {i.question.slug for i in only_here} | {i.version.stem[:60] for i in only_here}
    client.force_login(alice)
    checked = 0
    for route, row in sorted(ROWS.items()):
        if row.method != "get" or not route or route.startswith("accounts/reset/"):
            continue
        values = {name: open_mock[key] for name, key in row.args.items()}
        url = fill(route, values)
        if url.rstrip("/").endswith((f"sittings/{mock.pk}", f"exams/{mock.pk}")):
            continue  # the mock itself shows its stems (and nothing else, see above)
        text = client.get(url).content.decode()
        named = [m for m in marks if m in text]
        assert named == [], url
        checked += 1
    assert checked > 40
    # The check can see stems: the mock's own page shows most of them as written.
    page = client.get(f"/sittings/{mock.pk}/").content.decode()
    assert sum(m in page for m in marks) >= len(only_here) // 2
