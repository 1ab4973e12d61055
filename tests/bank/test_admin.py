import pytest

from questions.models import ProblemReport, Question


@pytest.fixture
def admin_client(client, staff_admin, sample_bank):
    client.force_login(staff_admin)
    return client


def _form_data(question, **overrides):
    choices = list(question.choices.all())
    data = {
        "slug": question.slug,
        "status": question.status,
        "domain": question.domain_id,
        "task": question.task_id,
        "kind": question.kind,
        "difficulty": question.difficulty,
        "tags": [t.pk for t in question.tags.all()],
        "stem": question.stem,
        "explanation": question.explanation,
        "references": '["https://docs.aws.amazon.com/"]',
        "author": "",
        "choices-TOTAL_FORMS": len(choices),
        "choices-INITIAL_FORMS": len(choices),
        "choices-MIN_NUM_FORMS": 0,
        "choices-MAX_NUM_FORMS": 1000,
    }
    for i, c in enumerate(choices):
        data.update(
            {
                f"choices-{i}-id": c.pk,
                f"choices-{i}-question": question.pk,
                f"choices-{i}-key": c.key,
                f"choices-{i}-position": c.position,
                f"choices-{i}-text": c.text,
                f"choices-{i}-why": c.why,
                f"choices-{i}-misconception": c.misconception_id or "",
            }
        )
        if c.is_correct:
            data[f"choices-{i}-is_correct"] = "on"
    data.update(overrides)
    return data


def test_admin_pages_render(admin_client):
    question = Question.objects.get(slug="t6-2-1")
    assert admin_client.get("/admin/questions/question/").status_code == 200
    assert (
        admin_client.get(
            "/admin/questions/question/?kind__exact=multiple&domain__id__exact=1"
        ).status_code
        == 200
    )
    assert admin_client.get("/admin/questions/question/?q=Option+3").status_code == 200
    assert admin_client.get(f"/admin/questions/question/{question.pk}/change/").status_code == 200
    assert admin_client.get("/admin/domains/misconceptioncard/").status_code == 200
    card_page = admin_client.get("/admin/domains/misconceptioncard/1/change/")
    assert card_page.status_code == 200 and "t" in card_page.text


def test_preview_shows_the_question_as_a_learner_sees_it(admin_client):
    question = Question.objects.get(slug="t1-4-4")
    page = admin_client.get(f"/admin/questions/question/{question.pk}/preview/")
    assert page.status_code == 200
    assert "Choose TWO." in page.text and "Option 0 of 1.4-4" in page.text
    assert "Why option 0 is right" not in page.text
    assert (
        "Why option 0 is right"
        in admin_client.get(f"/admin/questions/question/{question.pk}/preview/?reveal=1").text
    )


def test_admin_refuses_a_single_question_with_two_correct_choices(admin_client):
    question = Question.objects.get(slug="t2-1-1")
    data = _form_data(question, **{"choices-1-is_correct": "on"})
    page = admin_client.post(f"/admin/questions/question/{question.pk}/change/", data)
    assert page.status_code == 200
    assert "exactly one correct choice, not 2" in page.text
    assert question.choices.filter(is_correct=True).count() == 1


def test_admin_saves_a_valid_edit(admin_client):
    question = Question.objects.get(slug="t2-1-1")
    page = admin_client.post(
        f"/admin/questions/question/{question.pk}/change/", _form_data(question, stem="New stem")
    )
    assert page.status_code == 302
    question.refresh_from_db()
    assert question.stem == "New stem"


def test_bulk_actions_publish_only_what_validates(admin_client):
    good = Question.objects.get(slug="t3-1-1")
    bad = Question.objects.get(slug="t3-1-2")
    Question.objects.filter(pk__in=[good.pk, bad.pk]).update(status="draft")
    Question.objects.filter(pk=bad.pk).update(references=[])
    page = admin_client.post(
        "/admin/questions/question/",
        {"action": "publish", "_selected_action": [good.pk, bad.pk]},
        follow=True,
    )
    assert "Published 1 question" in page.text and "Not published: t3-1-2" in page.text
    good.refresh_from_db()
    bad.refresh_from_db()
    assert good.status == "published" and bad.status == "draft"
    admin_client.post(
        "/admin/questions/question/", {"action": "retire", "_selected_action": [good.pk]}
    )
    good.refresh_from_db()
    assert good.status == "retired"


def test_author_group_can_edit_questions_but_not_users(db, client):
    from django.contrib.auth.models import Group

    from tests.conftest import make_user

    author = make_user("writer", is_staff=True)
    author.groups.add(Group.objects.get(name="author"))
    client.force_login(author)
    assert client.get("/admin/questions/question/").status_code == 200
    assert client.get("/admin/auth/user/").status_code == 403


def test_resolving_a_report_records_who_and_when(admin_client, staff_admin, alice):
    question = Question.objects.first()
    report = ProblemReport.objects.create(
        question=question, reporter=alice, reason="typo", text="teh"
    )
    admin_client.post(
        "/admin/questions/problemreport/",
        {"action": "mark_fixed", "_selected_action": [report.pk]},
    )
    report.refresh_from_db()
    assert report.resolved_by == staff_admin and report.resolved_at is not None
    assert report.status == "fixed"


def test_progress_admin_pages_render(admin_client, alice):
    from progress.assembly import start_practice
    from progress.models import StudyGroup

    start_practice(alice, count=5)
    StudyGroup.create(alice, "g")
    for url in (
        "/admin/progress/sitting/",
        "/admin/progress/studygroup/",
        "/admin/progress/weakdomainreport/",
        "/admin/progress/studygroup/add/",
    ):
        assert admin_client.get(url).status_code == 200, url
