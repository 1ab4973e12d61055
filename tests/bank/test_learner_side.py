from progress.assembly import start_practice
from questions.models import ProblemReport, Question


def test_misconception_pages_and_api(client, sample_bank):
    page = client.get("/misconceptions/")
    assert "AWS Config rules stop non-compliant resources from being created." in page.text
    card = client.get("/misconceptions/config-rules-are-preventive/")
    assert card.status_code == 200 and "<strong>detective</strong>" in card.text
    body = client.get("/api/v1/misconceptions/").json()
    assert {c["slug"] for c in body} == {"config-rules-are-preventive", "canary-equals-linear"}
    one = client.get("/api/v1/misconceptions/config-rules-are-preventive/").json()
    assert one["domain"] == 6 and one["tasks"] == ["6.2"] and "detective" in one["correction_html"]
    assert client.get("/api/v1/misconceptions/nope/").status_code == 404
    assert (
        client.get("/api/v1/misconceptions/?domain=1").json()[0]["slug"] == "canary-equals-linear"
    )
    assert client.get("/api/v1/misconceptions/?domain=x").status_code == 400


def test_topic_page_shows_note_cards_and_practise_button(alice_client, sample_bank):
    page = alice_client.get("/domains/sdlc-automation/1.4/")
    assert "<h3>Deployment strategies</h3>" in page.text and "<table>" in page.text
    assert "Practise this topic (5 questions)" in page.text
    six = alice_client.get("/domains/security-and-compliance/6.2/")
    assert "AWS Config rules stop non-compliant" in six.text


def test_learner_reports_a_problem_on_a_question_they_have_seen(api, alice, sample_bank):
    sitting = start_practice(alice, tasks=["1.1"], count=5)
    qid = sitting.items.first().question_id
    response = api.post(
        f"/api/v1/questions/{qid}/reports/",
        {"reason": "unclear", "text": "Which region?"},
        format="json",
    )
    assert response.status_code == 201
    assert ProblemReport.objects.get().text == "Which region?"
    assert (
        api.post(
            f"/api/v1/questions/{qid}/reports/", {"reason": "bogus"}, format="json"
        ).status_code
        == 400
    )


def test_reporting_an_unseen_question_is_404(api, sample_bank):
    qid = Question.objects.first().pk
    assert (
        api.post(f"/api/v1/questions/{qid}/reports/", {"reason": "typo"}, format="json").status_code
        == 404
    )


def test_report_form_in_the_browser(alice_client, alice, sample_bank):
    sitting = start_practice(alice, tasks=["2.1"], count=5)
    qid = sitting.items.first().question_id
    assert alice_client.get(f"/questions/{qid}/report/").status_code == 200
    done = alice_client.post(
        f"/questions/{qid}/report/",
        {"reason": "outdated", "text": "", "next": "https://evil.example/"},
    )
    assert done.status_code == 302 and done.url == "/home/"
    assert ProblemReport.objects.filter(question_id=qid, reason="outdated").exists()
