"""The miss log: tagging why a question was missed, where it may be tagged, what it changes
(the dashboard, the weak-domain report, the review queue), and "unsure" answers."""

import random
from datetime import timedelta

from django.utils import timezone
from rest_framework.test import APIClient

from progress import assembly, misses
from progress.models import MissTag, ReviewItem, Sitting, WeakDomainReport
from progress.reports import build_reports, latest_report
from progress.review import due_items


def _wrong_items(sitting, domain):
    return list(sitting.items.filter(question__domain__number=domain, is_correct=False))


def test_learner_tags_a_missed_mock_question_from_the_api_and_the_page(
    api, alice_client, finished_mock
):
    wrong = _wrong_items(finished_mock, 1)[0]
    url = f"/api/v1/exams/{finished_mock.id}/items/{wrong.position}/miss/"
    assert api.put(url, {"reason": "misread"}, format="json").json() == {"reason": "misread"}
    assert MissTag.objects.get(item=wrong).reason == "misread"
    # A right answer takes only "guessed right"; a wrong one never does.
    assert api.put(url, {"reason": "guessed"}, format="json").status_code == 400
    assert api.put(url, {"reason": "bogus"}, format="json").status_code == 400
    assert api.put(url, {}, format="json").status_code == 400
    page = alice_client.post(
        f"/sittings/{finished_mock.id}/items/{wrong.position}/miss/", {"reason": "time"}
    )
    assert page.status_code == 302 and page.url.endswith(f"#q{wrong.position}")
    assert MissTag.objects.get(item=wrong).reason == "time"
    review = alice_client.get(f"/sittings/{finished_mock.id}/results/")
    assert '<option value="time" selected>Ran out of time</option>' in review.text
    assert (
        alice_client.post(
            f"/sittings/{finished_mock.id}/items/{wrong.position}/miss/", {"reason": "<x>"}
        ).status_code
        == 302
    )
    assert api.delete(url).json() == {"reason": None}
    assert not MissTag.objects.filter(item=wrong).exists()


def test_nobody_else_can_tag_and_an_open_mock_cannot_be_tagged(bob, alice, finished_mock):
    wrong = _wrong_items(finished_mock, 1)[0]
    intruder = APIClient()
    intruder.force_authenticate(bob)
    url = f"/api/v1/exams/{finished_mock.id}/items/{wrong.position}/miss/"
    assert intruder.put(url, {"reason": "misread"}, format="json").status_code == 404
    assert (
        intruder.put(url.replace("miss", "note"), {"text": "x"}, format="json").status_code == 404
    )
    owner = APIClient()
    owner.force_authenticate(alice)
    assert (
        owner.put(
            f"/api/v1/exams/{finished_mock.id}/items/999/miss/",
            {"reason": "misread"},
            format="json",
        ).status_code
        == 404
    )
    open_mock = assembly.start_mock(alice, rng=random.Random(2))
    for kind, body in (("miss", {"reason": "time"}), ("note", {"text": "hint"})):
        refused = owner.put(f"/api/v1/exams/{open_mock.id}/items/1/{kind}/", body, format="json")
        assert refused.status_code == 409
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(alice)
    assert (
        client.post(
            f"/sittings/{finished_mock.id}/items/{wrong.position}/miss/", {"reason": "time"}
        ).status_code
        == 403
    )
    assert not MissTag.objects.exists()


def test_tutor_practice_item_can_be_tagged_once_checked(api, alice, sample_bank):
    sitting = assembly.start_practice(alice, count=5, rng=random.Random(5))
    item = sitting.items.select_related("version").get(position=1)
    url = f"/api/v1/exams/{sitting.id}/items/1/miss/"
    assert api.put(url, {"reason": "reasoning"}, format="json").status_code == 409
    # A complete wrong answer: tutor mode checks only complete ones.
    wrong = [c.id for c in item.version.choices.all() if not c.is_correct][: item.select_count]
    checked = api.put(f"/api/v1/exams/{sitting.id}/items/1/", {"selected": wrong}, format="json")
    feedback = checked.json()["feedback"]
    assert feedback["miss_reason"] is None and "guessed" not in feedback["miss_reasons"]
    assert api.put(url, {"reason": "reasoning"}, format="json").status_code == 200
    state = api.get(f"/api/v1/exams/{sitting.id}/").json()
    assert state["items"][0]["feedback"]["miss_reason"] == "reasoning"


def test_guessed_right_sends_the_question_to_spaced_review(api, alice, finished_mock):
    right = finished_mock.items.filter(is_correct=True).first()
    assert not ReviewItem.objects.filter(user=alice, question=right.question_id).exists()
    url = f"/api/v1/exams/{finished_mock.id}/items/{right.position}/miss/"
    assert api.put(url, {"reason": "misread"}, format="json").status_code == 400
    assert api.put(url, {"reason": "guessed"}, format="json").status_code == 200
    entry = ReviewItem.objects.get(user=alice, question=right.question_id)
    # Failed ("Again"): due again within FSRS's first learning step, like a wrong answer.
    assert entry.lapses == 1 and entry.reviews == 1
    assert entry.due <= timezone.now() + timedelta(minutes=10)
    assert due_items(alice, entry.due).filter(question=right.question_id).exists()


def test_unsure_but_right_practice_answer_goes_to_spaced_review(api, alice, sample_bank):
    sitting = assembly.start_practice(alice, count=5, rng=random.Random(6))
    sure, unsure = sitting.items.select_related("version").order_by("position")[:2]

    def right(item):
        return [c.id for c in item.version.choices.all() if c.is_correct]

    api.put(f"/api/v1/exams/{sitting.id}/items/1/", {"selected": right(sure)}, format="json")
    body = api.put(
        f"/api/v1/exams/{sitting.id}/items/2/",
        {"selected": right(unsure), "unsure": True},
        format="json",
    ).json()
    assert body["feedback"]["correct"] is True and body["feedback"]["unsure"] is True
    queued = set(ReviewItem.objects.filter(user=alice).values_list("question_id", flat=True))
    assert unsure.question_id in queued and sure.question_id not in queued
    # "Unsure" belongs to the answer: it cannot be changed once checked.
    api.put(f"/api/v1/exams/{sitting.id}/items/2/", {"unsure": False}, format="json")
    assert sitting.items.get(position=2).unsure is True


def test_dashboard_and_api_show_misses_by_reason_and_domain(api, alice_client, finished_mock):
    d1, d6 = _wrong_items(finished_mock, 1), _wrong_items(finished_mock, 6)
    for item in d1[:3]:
        api.put(
            f"/api/v1/exams/{finished_mock.id}/items/{item.position}/miss/", {"reason": "misread"}
        )
    api.put(
        f"/api/v1/exams/{finished_mock.id}/items/{d6[0].position}/miss/", {"reason": "didnt_know"}
    )
    assert api.get("/api/v1/progress/").json()["misses"] == [
        {"reason": "didnt_know", "domain": 6, "count": 1},
        {"reason": "misread", "domain": 1, "count": 3},
    ]
    page = alice_client.get("/progress/")
    assert 'id="miss-table"' in page.text
    assert (
        '<th scope="row">Misread the scenario</th><td class="num">3</td>'
        + '<td class="num">0</td>' * 5
        + '<td class="num">3</td>'
    ) in page.text


def test_misreads_and_timing_get_test_taking_advice_not_more_content(alice, finished_mock):
    build_reports([alice.id])
    before = latest_report(alice)
    d1_before = next(d for d in before.domains if d["number"] == 1)
    d6_before = next(d for d in before.domains if d["number"] == 6)
    wrong = _wrong_items(finished_mock, 1)
    for item in wrong:
        misses.tag(alice, misses.reviewable_item(alice, finished_mock.id, item.position), "misread")
    assert build_reports([alice.id]) == 1
    after = latest_report(alice)
    d1 = next(d for d in after.domains if d["number"] == 1)
    d6 = next(d for d in after.domains if d["number"] == 6)
    # Domain 1's misses were misreads: its content gap shrinks; domain 6's is untouched.
    assert d1["test_taking_misses"] == len(wrong)
    assert d1["expected_points"] < d1_before["expected_points"]
    assert d6["expected_points"] == d6_before["expected_points"]
    assert after.domains.index(d6) < before.domains.index(d6_before) or after.domains[0] == d6
    assert not any(t["domain"] == 1 for t in after.tasks[:3])
    assert after.miss_advice[0]["reason"] == "misread"
    assert after.miss_advice[0]["count"] == len(wrong)
    assert "last sentence of the stem" in after.miss_advice[0]["advice"]
    # Knowledge misses stay in the content ranking and get no test-taking advice first.
    item = _wrong_items(finished_mock, 6)[0]
    misses.tag(alice, misses.reviewable_item(alice, finished_mock.id, item.position), "didnt_know")
    build_reports([alice.id])
    report = WeakDomainReport.objects.filter(user=alice).order_by("-id").first()
    assert [a["reason"] for a in report.miss_advice] == ["misread", "didnt_know"]


def test_report_page_shows_the_advice(alice_client, alice, finished_mock):
    item = _wrong_items(finished_mock, 1)[0]
    misses.tag(alice, misses.reviewable_item(alice, finished_mock.id, item.position), "time")
    build_reports([alice.id])
    page = alice_client.get("/progress/")
    assert "From your miss log" in page.text and "2.4 minutes a question" in page.text
    assert Sitting.objects.filter(user=alice).count() == 1


def test_review_and_dashboard_queries_do_not_grow_with_tags_and_notes(
    alice, alice_client, finished_mock, django_assert_max_num_queries
):
    from progress import notes

    items = list(finished_mock.items.order_by("position"))
    wrong = [i for i in items if not i.is_correct]
    right = [i for i in items if i.is_correct]

    def tag_and_note(some):
        for item in some:
            reviewable = misses.reviewable_item(alice, finished_mock.id, item.position)
            misses.tag(alice, reviewable, "guessed" if item.is_correct else "reasoning")
            notes.save_note(alice, item, f"note on {item.position}")

    tag_and_note(wrong[:1] + right[:1])
    with django_assert_max_num_queries(40) as review:
        alice_client.get(f"/sittings/{finished_mock.id}/results/")
    with django_assert_max_num_queries(60) as dashboard:
        alice_client.get("/progress/")
    tag_and_note(wrong[1:] + right[1:20])
    with django_assert_max_num_queries(len(review.captured_queries)):
        page = alice_client.get(f"/sittings/{finished_mock.id}/results/")
    assert page.text.count("note on ") >= 20
    with django_assert_max_num_queries(len(dashboard.captured_queries)):
        alice_client.get("/progress/")


def test_ran_out_of_time_is_offered_and_accepted_only_against_a_clock(
    api, alice, alice_client, sample_bank
):
    from progress import blocks

    def wrong(item):
        return [c.id for c in item.version.choices.all() if not c.is_correct][: item.select_count]

    tutor = assembly.start_practice(alice, count=5, rng=random.Random(7))
    item = tutor.items.select_related("version").get(position=1)
    checked = api.put(
        f"/api/v1/exams/{tutor.id}/items/1/", {"selected": wrong(item)}, format="json"
    )
    assert "time" not in checked.json()["feedback"]["miss_reasons"]
    assert "misread" in checked.json()["feedback"]["miss_reasons"]
    state = api.get(f"/api/v1/exams/{tutor.id}/").json()
    assert "time" not in state["items"][0]["feedback"]["miss_reasons"]
    url = f"/api/v1/exams/{tutor.id}/items/1/miss/"
    refused = api.put(url, {"reason": "time"}, format="json")
    error = refused.json()["errors"][0]
    assert refused.status_code == 400 and error["attr"] == "reason"
    assert "ran out of time" not in error["detail"]
    alice_client.post(f"/sittings/{tutor.id}/items/1/miss/", {"reason": "time"})
    assert not MissTag.objects.exists()
    tutor.end()
    review = alice_client.get(f"/sittings/{tutor.id}/results/")
    assert 'value="misread"' in review.text and 'value="time"' not in review.text

    timed = blocks.start_block(alice, count=5, timed=True)
    item = timed.items.select_related("version").get(position=1)
    timed.save_answer(1, selected=wrong(item))
    timed.end()
    state = api.get(f"/api/v1/exams/{timed.id}/").json()
    assert "time" in state["items"][0]["feedback"]["miss_reasons"]
    tagged = api.put(f"/api/v1/exams/{timed.id}/items/1/miss/", {"reason": "time"}, format="json")
    assert tagged.status_code == 200
    review = alice_client.get(f"/sittings/{timed.id}/results/")
    assert '<option value="time" selected>Ran out of time</option>' in review.text
