from progress.models import WeakDomainReport
from progress.reports import build_reports


def test_dashboard_shows_readiness_mastery_report_trend_queue_and_history(
    alice_client, alice, finished_mock, django_assert_max_num_queries
):
    from datetime import timedelta

    from django.utils import timezone

    from progress.models import ReviewItem

    build_reports([alice.id])
    ReviewItem.objects.filter(user=alice).update(due=timezone.now() - timedelta(minutes=1))
    with django_assert_max_num_queries(20):
        page = alice_client.get("/progress/")
    assert page.status_code == 200
    text = page.text
    assert "Predicted score" in text and "80 % interval" in text
    assert text.count("<svg") == 2  # mastery bars and score trend
    assert "Mock 1:" in text  # numbers in text for screen readers
    assert "What to study next" in text and "Practise these now" in text
    assert "AWS Config rules stop non-compliant resources" in text
    assert "Review due (" in text
    assert "Mock exam" in text


def test_dashboard_says_not_enough_data(alice_client, sample_bank):
    text = alice_client.get("/progress/").text
    assert "Not enough data yet" in text and "Predicted score" not in text


def test_practise_the_report_with_one_click(alice_client, alice, finished_mock):
    build_reports([alice.id])
    report = WeakDomainReport.objects.get(user=alice)
    response = alice_client.post(f"/reports/{report.pk}/practice/")
    assert response.status_code == 302
    sitting = alice.sittings.get(status="in_progress")
    tasks = set(sitting.items.values_list("question__task__number", flat=True))
    assert tasks <= set(report.practice_tasks)
    missed = set(finished_mock.items.filter(is_correct=False).values_list("question_id", flat=True))
    chosen = list(sitting.items.values_list("question_id", flat=True))
    # Missed questions of those tasks come first.
    assert missed & set(chosen)


def test_another_learners_report_is_404(client, bob, alice, finished_mock):
    build_reports([alice.id])
    report = WeakDomainReport.objects.get(user=alice)
    client.force_login(bob)
    assert client.post(f"/reports/{report.pk}/practice/").status_code == 404


def test_progress_and_report_api(api, alice, finished_mock, django_capture_on_commit_callbacks):
    body = api.get("/api/v1/progress/").json()
    assert [d["number"] for d in body["domains"]] == [1, 2, 3, 4, 5, 6]
    assert set(body["domains"][0]) >= {"number", "answered", "correct", "mastery", "mastery_low"}
    assert len(body["tasks"]) == 19
    assert set(body["readiness"]) == {
        "predicted_score",
        "low",
        "high",
        "pass_probability",
        "unanswered_share",
        "method",
    }
    assert body["readiness"]["method"] == "mastery"  # nothing in the sample bank is calibrated
    assert api.get("/api/v1/reports/latest/").status_code == 404
    with django_capture_on_commit_callbacks(execute=True):  # built after the commit
        queued = api.post("/api/v1/reports/")
    assert queued.status_code == 202
    latest = api.get("/api/v1/reports/latest/").json()
    assert latest["domains"][0]["number"] in (1, 6) and latest["practice_tasks"]
    assert len(api.get("/api/v1/reports/").json()) == 1


def test_progress_api_without_data_has_no_readiness(api, sample_bank):
    assert api.get("/api/v1/progress/").json()["readiness"] is None


def test_openapi_schema_lists_the_endpoints(client, db):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    for path in (
        "/api/v1/exams/",
        "/api/v1/progress/",
        "/api/v1/reports/latest/",
        "/api/v1/review/due/",
        "/api/v1/domains/",
        "/api/v1/misconceptions/",
    ):
        assert path in schema.text


def test_openapi_schema_generates_without_warnings(db):
    from io import StringIO

    from django.core.management import call_command

    err = StringIO()
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=StringIO(), stderr=err)
