"""Question versions: an author's edit never changes what a learner already answered."""

import random
import shutil

import pytest
import yaml
from django.core.management import CommandError

from progress import answers, assembly
from progress.models import MisconceptionHit, Regrade, ReviewItem, Sitting
from progress.regrading import RegradeError, apply_regrade, plan_regrade
from progress.review import due_items
from questions.models import Question, QuestionVersion
from tests.conftest import SAMPLE_BANK, make_user

from .conftest import edit_question, practice_item, run


def key_choice(item, correct=True):
    return [c.id for c in item.version.choices.all() if c.is_correct == correct][0]


def test_reimporting_unchanged_yaml_never_creates_a_version(bank):
    out, _ = run("import_bank", str(bank))
    assert "Bank unchanged" in out
    assert QuestionVersion.objects.count() == Question.objects.count() == 95


def test_reordering_options_is_no_change_for_an_open_mock(bank, alice):
    mock = assembly.create_sitting(
        alice, "mock", [Question.objects.get(slug="t1-1-1").id], rng=random.Random(1)
    )
    item = mock.items.select_related("version").get()
    mock.save_answer(1, selected=[key_choice(item)])
    edit_question(bank, "t1-1-1", lambda q: q["choices"].reverse())
    out, _ = run("import_bank", str(bank))
    assert "new version" not in out
    assert Question.objects.get(slug="t1-1-1").versions.count() == 1
    mock.finish()
    mock.refresh_from_db()
    assert mock.correct == 1
    page_item = mock.items.get()
    assert page_item.is_correct is True


def test_a_key_corrected_mid_mock_changes_nothing_for_the_open_sitting(bank, alice, bob):
    question = Question.objects.get(slug="t1-1-1")
    mock = assembly.create_sitting(alice, "mock", [question.id], rng=random.Random(1))
    item = mock.items.select_related("version").get()
    old_key_text = next(c.text for c in item.version.choices.all() if c.is_correct)
    mock.save_answer(1, selected=[key_choice(item)])

    def move_key(q):
        q["choices"][0].pop("correct")
        q["choices"][1]["correct"] = True
        q["choices"][1].pop("misconception", None)

    edit_question(bank, "t1-1-1", move_key)
    out, _ = run("import_bank", str(bank))
    assert "1 new version(s)" in out
    question.refresh_from_db()
    assert question.current_version.number == 2

    # The open sitting still shows and scores version 1.
    state = alice_state = mock.items.select_related("version").get()
    assert state.version.number == 1
    mock.finish()
    mock.refresh_from_db()
    assert mock.correct == 1
    assert alice_state.version.choices.get(is_correct=True).text == old_key_text
    # A new sitting gets version 2.
    _, new_item = practice_item(bob, "t1-1-1")
    assert new_item.version.number == 2 and new_item.version.correct_keys() == {"b"}


def test_option_text_change_is_a_new_version_and_why_change_is_not(bank):
    edit_question(bank, "t1-1-2", lambda q: q["choices"][0].update(why="A better explanation."))
    run("import_bank", str(bank))
    question = Question.objects.get(slug="t1-1-2")
    assert question.versions.count() == 1
    assert question.current_version.choices.get(key="a").why == "A better explanation."
    edit_question(bank, "t1-1-2", lambda q: q["choices"][2].update(text="Reworded option."))
    run("import_bank", str(bank))
    assert question.versions.count() == 2


def test_same_item_keeps_statistics_together_only_for_a_wording_change(bank):
    def reword(q):
        q["stem"] = "Reworded scenario for task 1.1. Which option is right?"
        q["same_item"] = True

    edit_question(bank, "t1-1-3", reword)
    run("import_bank", str(bank))
    question = Question.objects.get(slug="t1-1-3")
    first, second = question.versions.order_by("number")
    assert second.item_root_id == first.item_root_id == first.pk

    def move_key(q):
        q["choices"][0].pop("correct")
        q["choices"][1]["correct"] = True
        q["choices"][1].pop("misconception", None)
        q["same_item"] = True

    edit_question(bank, "t1-1-3", move_key)
    with pytest.raises(CommandError):
        run("import_bank", str(bank))
    assert question.versions.count() == 2  # rolled back


def test_admin_edit_of_the_stem_is_a_new_version_and_of_a_why_is_not(bank, client, staff_admin):
    from tests.bank.test_admin import _form_data

    question = Question.objects.get(slug="t2-1-1")
    client.force_login(staff_admin)
    url = f"/admin/questions/question/{question.pk}/change/"
    response = client.post(url, _form_data(question, **{"choices-1-why": "Sharper reason."}))
    assert response.status_code == 302
    assert question.versions.count() == 1
    assert question.current_version.choices.get(key="b").why == "Sharper reason."
    question.refresh_from_db()
    response = client.post(url, _form_data(question, stem="A new scenario, reworded."))
    assert response.status_code == 302
    question.refresh_from_db()
    assert question.current_version.number == 2
    assert question.current_version.created_by == staff_admin
    page = client.get(url)
    assert "Version 2 (current)" in page.text and "Changes from v1" in page.text


def test_questions_that_left_their_yaml_are_retired_and_admin_questions_untouched(bank):
    admin_made = Question.objects.get(slug="t3-1-1")
    Question.objects.filter(pk=admin_made.pk).update(from_bank=False, source_file="")
    path = bank / "questions" / "sample.yaml"
    data = [q for q in yaml.safe_load(path.read_text()) if q["id"] not in ("t1-2-1", "t3-1-1")]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    out, _ = run("import_bank", str(bank))
    assert "1 retired (no longer in the YAML): t1-2-1" in out
    assert Question.objects.get(slug="t1-2-1").status == "retired"
    assert Question.objects.get(slug="t3-1-1").status == "published"
    # Put back in the YAML, it is simply published again (not "kept as an admin edit").
    shutil.copy(SAMPLE_BANK / "questions" / "sample.yaml", path)
    out, err = run("import_bank", str(bank))
    assert Question.objects.get(slug="t1-2-1").status == "published" and "Kept" not in err


def test_retired_question_leaves_the_review_queue_at_once(bank, alice):
    from django.utils import timezone

    sitting, item = practice_item(alice, "t1-3-1")
    answers.save_answer(alice, sitting.pk, 1, selected=[key_choice(item, correct=False)])
    now = timezone.now() + timezone.timedelta(days=30)
    assert due_items(alice, now).filter(question__slug="t1-3-1").exists()
    Question.objects.filter(slug="t1-3-1").update(status="retired")
    assert not due_items(alice, now).filter(question__slug="t1-3-1").exists()
    assert ReviewItem.objects.filter(user=alice, question__slug="t1-3-1").exists()  # history kept


# --- Regrade -------------------------------------------------------------------------------


def test_regrade_dry_run_lists_changes_and_writes_nothing(flawed):
    question, learners, sittings = flawed
    v1 = question.versions.get(number=1)
    changes = plan_regrade(v1, "corrected", question.current_version)
    assert [(c.username, c.before_correct, c.after_correct) for c in changes] == [
        ("learner0", 1, 0),
        ("learner1", 0, 1),
        ("learner2", 0, 1),
    ]
    assert not Regrade.objects.exists()
    assert [Sitting.objects.get(pk=s.pk).correct for s in sittings] == [1, 0, 0]
    out, _ = run("regrade", "t1-1-1", "--flawed", "1", "--method", "corrected", "--dry-run")
    assert "3 finished sitting(s) used t1-1-1 v1; 3 score(s) would change" in out
    assert "Nothing was written" in out and not Regrade.objects.exists()


def test_regrade_with_the_corrected_key_updates_scores_queue_and_results_page(flawed, client):
    question, learners, sittings = flawed
    v1 = question.versions.get(number=1)
    wrong_before = ReviewItem.objects.filter(user=learners[1], question=question).exists()
    assert wrong_before
    regrade = apply_regrade(v1, "corrected", question.current_version)
    assert len(regrade.changes) == 3
    assert [Sitting.objects.get(pk=s.pk).correct for s in sittings] == [0, 1, 1]
    # The learner who was right under the flawed key now has it in review; the others don't.
    assert ReviewItem.objects.filter(user=learners[0], question=question).exists()
    assert not ReviewItem.objects.filter(user=learners[1], question=question).exists()
    assert assembly.missed_question_ids(learners[0]) == [question.id]
    assert assembly.missed_question_ids(learners[1]) == []
    assert not MisconceptionHit.objects.filter(user=learners[1]).exists()
    client.force_login(learners[1])
    page = client.get(f"/sittings/{sittings[1].pk}/results/")
    assert "Re-scored on" in page.text and "after a correction to question 1" in page.text


def test_regrade_accepting_both_keys_and_dropping_the_item(flawed):
    question, learners, sittings = flawed
    v1 = question.versions.get(number=1)
    apply_regrade(v1, "both", question.current_version)
    assert [Sitting.objects.get(pk=s.pk).correct for s in sittings] == [1, 1, 1]
    run("regrade", "t1-1-1", "--flawed", "1", "--method", "drop")
    assert [Sitting.objects.get(pk=s.pk).total for s in sittings] == [0, 0, 0]
    assert Regrade.objects.count() == 2


def test_a_dropped_item_counts_again_once_a_later_regrade_corrects_its_key(flawed, client):
    question, learners, sittings = flawed
    v1 = question.versions.get(number=1)
    apply_regrade(v1, "drop")
    apply_regrade(v1, "corrected", question.current_version)  # the latest regrade wins
    assert [Sitting.objects.get(pk=s.pk).total for s in sittings] == [1, 1, 1]
    assert [Sitting.objects.get(pk=s.pk).correct for s in sittings] == [0, 1, 1]
    client.force_login(learners[1])
    state = client.get(f"/api/v1/exams/{sittings[1].pk}/").json()
    feedback = state["items"][0]["feedback"]
    assert feedback["scored"] is True and feedback["correct"] is True


def test_a_sitting_finished_after_a_regrade_is_scored_like_the_regraded_ones(bank, alice):
    sitting, item = practice_item(alice, "t1-1-1")
    by_key = {c.key: c.id for c in item.version.choices.all()}
    answers.save_answer(alice, sitting.pk, 1, selected=[by_key["b"]])
    v1 = item.version
    apply_regrade(v1, "drop")
    sitting.finish()
    sitting.refresh_from_db()
    assert sitting.total == 0


def test_regrade_refuses_what_makes_no_sense(flawed):
    question, _, _ = flawed
    v1 = question.versions.get(number=1)
    other = Question.objects.get(slug="t1-1-2").current_version
    with pytest.raises(RegradeError):
        plan_regrade(v1, "corrected", other)
    with pytest.raises(RegradeError):
        plan_regrade(v1, "corrected", None)
    with pytest.raises(CommandError):
        run("regrade", "t1-1-1", "--flawed", "9", "--method", "drop")


def test_admin_regrade_previews_then_applies(flawed, client, django_capture_on_commit_callbacks):
    question, learners, sittings = flawed
    admin = make_user("boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = f"/admin/questions/question/{question.pk}/regrade/"
    # Both steps run as jobs after the commit (tests/bank/test_regrade_jobs.py).
    with django_capture_on_commit_callbacks(execute=True):
        queued = client.post(url, {"flawed": 1, "method": "corrected", "corrected": 2})
    preview = client.get(queued.url)
    assert preview.status_code == 200
    assert "3 finished sitting(s) used v1" in preview.text and "learner1" in preview.text
    assert not Regrade.objects.exists()
    job = queued.url.split("job=")[1]
    with django_capture_on_commit_callbacks(execute=True):
        applied = client.post(url, {"job": job, "action": "apply"})
    assert applied.status_code == 302
    assert Regrade.objects.get().created_by == admin
    assert [Sitting.objects.get(pk=s.pk).correct for s in sittings] == [0, 1, 1]


def test_regrade_needs_the_change_permission(flawed, client):
    from django.contrib.auth.models import Permission

    viewer = make_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_question"))
    client.force_login(viewer)
    question, _, _ = flawed
    url = f"/admin/questions/question/{question.pk}/regrade/"
    assert client.post(url, {"flawed": 1, "method": "drop"}).status_code == 403
    assert not Regrade.objects.exists()


def test_every_admin_change_is_in_the_audit_trail_with_its_author(bank, client, staff_admin):
    from tests.bank.test_admin import _form_data

    question = Question.objects.get(slug="t2-1-2")
    client.force_login(staff_admin)
    url = f"/admin/questions/question/{question.pk}/change/"
    data = _form_data(question, explanation="Clarified after a learner's report.")
    assert client.post(url, data).status_code == 302
    latest = question.history.first()
    assert latest.history_user == staff_admin
    assert latest.explanation == "Clarified after a learner's report."
    page = client.get(f"{url.removesuffix('change/')}history/")
    assert page.status_code == 200 and staff_admin.username in page.text


def test_after_a_regrade_the_review_marks_what_the_score_accepted(flawed, client):
    question, learners, sittings = flawed
    v1 = question.versions.get(number=1)
    apply_regrade(v1, "corrected", question.current_version)
    client.force_login(learners[1])  # picked option b, right under the corrected key
    state = client.get(f"/api/v1/exams/{sittings[1].pk}/").json()
    feedback = state["items"][0]["feedback"]
    by_id = {c.id: c.key for c in v1.choices.all()}
    assert feedback["correct"] is True
    assert [by_id[i] for i in feedback["correct_choice_ids"]] == ["b"]
    assert {by_id[c["id"]]: c["is_correct"] for c in feedback["choices"]}["a"] is False


def test_a_sitting_finished_after_a_regrade_says_it_was_scored_with_the_correction(
    bank, alice, client
):
    sitting, item = practice_item(alice, "t1-1-1")
    by_key = {c.key: c.id for c in item.version.choices.all()}
    answers.save_answer(alice, sitting.pk, 1, selected=[by_key["a"]])
    apply_regrade(item.version, "drop")
    sitting.finish()
    sitting.refresh_from_db()
    assert [r["positions"] for r in sitting.result["regrades"]] == [[1]]
    client.force_login(alice)
    assert "after a correction to question 1" in client.get(f"/sittings/{sitting.pk}/results/").text


def test_a_new_option_in_the_admin_never_takes_a_key_an_old_version_used(bank, client):
    from tests.bank.test_admin import _form_data

    admin = make_user("boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    question = Question.objects.get(slug="t2-1-3")
    data = _form_data(question, **{"choices-3-DELETE": "on"})  # drop option d
    data.update(
        {
            "choices-TOTAL_FORMS": 5,
            "choices-4-key": "",
            "choices-4-position": 5,
            "choices-4-text": "A brand-new option",
            "choices-4-why": "Why the brand-new option is wrong.",
        }
    )
    assert client.post(f"/admin/questions/question/{question.pk}/change/", data).status_code == 302
    keys = sorted(question.choices.values_list("key", flat=True))
    assert keys == ["a", "b", "c", "e"]
