"""The equated scale stays where it was set: the nightly fit is linked to the previous one, the
reference form is a stored version that only an author replaces, and a finished mock keeps the
version (and the score) it was given."""

from io import StringIO

import numpy as np
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from progress.calibration import calibrate_items
from progress.equating import new_reference_version, reference_form, score_form
from progress.models import CalibrationRun, ItemCalibration, ReferenceFormVersion, Sitting
from progress.regrading import apply_regrade
from questions.models import Question
from tests.concurrency import run_on_sqlite_file

from .reference_race import dashboards_at_once
from .test_calibration_service import learners, sitting
from .test_equated_scores import calibrate, take_mock


def cohort(versions, users, mean_ability, a, b, rng):
    """Each user takes one mock of every version in `versions`; answers follow the 2PL."""
    for n, user in enumerate(users):
        theta = rng.normal(mean_ability, 1.0)
        p = 1.0 / (1.0 + np.exp(-a * (theta - b)))
        right = (rng.random(len(versions)) < p).tolist()
        sitting(user, list(zip(versions, right, strict=True)), hours=n)


def stored(versions, field="difficulty"):
    rows = dict(ItemCalibration.objects.values_list("version_id", field))
    return np.array([rows[v.pk] for v in versions])


def test_the_nightly_fit_keeps_unchanged_items_where_a_more_able_cohort_would_move_them(
    sample_bank,
):
    rng = np.random.default_rng(8)
    versions = [q.current_version for q in Question.objects.live().order_by("pk")[:24]]
    a, b = rng.lognormal(0.0, 0.25, 24), np.linspace(-1.5, 1.5, 24)
    first = learners(400, "first")
    cohort(versions, first, 0.0, a, b, rng)
    calibrate_items()
    base, base_fit = stored(versions), stored(versions, "fit_difficulty")

    # The first cohort's mocks are gone (say, erased on request); the next one is half a
    # logit more able and answers the same, unchanged, questions.
    Sitting.objects.filter(user__in=first).delete()
    cohort(versions, learners(400, "second"), 0.5, a, b, rng)
    out = StringIO()
    call_command("calibrate_items", stdout=out)
    linked = stored(versions)
    run = CalibrationRun.objects.order_by("id").last()
    own_scale = (stored(versions, "fit_difficulty") - run.intercept) / run.slope

    print(
        f"\nDatabase, 24 questions, 400 + 400 learners: the fit's own scale mean Δb "
        f"{np.mean(own_scale - base_fit):+.3f}; linked mean Δb {np.mean(linked - base):+.3f}"
        f" (mean |Δb| {np.mean(np.abs(linked - base)):.3f}); run 2: A = {run.slope:.3f}, "
        f"B = {run.intercept:+.3f}, {run.anchors} anchors"
    )
    assert list(CalibrationRun.objects.order_by("id").values_list("linking", "anchors")) == [
        ("base", 0),
        ("stocking_lord", 24),
    ]
    assert 0.3 < run.intercept < 0.7 and np.mean(own_scale - base_fit) < -0.3
    assert abs(np.mean(linked - base)) < 0.1
    assert "Linked to the previous calibration (stocking_lord, 24 anchors)" in out.getvalue()


@pytest.fixture
def bank_with_pilots(sample_bank):
    """75 live calibrated questions and 20 pilots (uncalibrated); returns the pilots."""
    pilots = list(Question.objects.order_by("-pk")[:20])
    Question.objects.filter(pk__in=[q.pk for q in pilots]).update(status=Question.Status.PILOT)
    calibrate()
    return pilots


def test_publishing_and_retiring_questions_leave_a_fixed_answer_pattern_scored_the_same(
    alice, bank_with_pilots
):
    mock = take_mock(alice, right_share=0.7)
    assert mock.scoring_method == "equated" and mock.reference_version_id == 1
    items = list(mock.items.all())

    # Authors publish the 20 pilots, which turned out hard, and retire 10 easy questions.
    Question.objects.filter(pk__in=[q.pk for q in bank_with_pilots]).update(
        status=Question.Status.PUBLISHED
    )
    ItemCalibration.objects.bulk_create(
        ItemCalibration(
            version_id=q.current_version_id, discrimination=1.2, difficulty=2.0, model="2pl"
        )
        for q in bank_with_pilots
    )
    easy = Question.objects.live().filter(difficulty=1).order_by("pk")[:10]
    Question.objects.filter(pk__in=list(easy.values_list("pk", flat=True))).update(
        status=Question.Status.RETIRED
    )

    again = score_form(items)
    rebuilt = score_form(items, reference_form(new_reference_version(note="rebuilt").number))
    print(
        f"\nThe same answers: {mock.scaled_score} when finished, {again['scaled_score']} on "
        f"reference v1 after publishing 20 hard questions and retiring 10 easy ones, "
        f"{rebuilt['scaled_score']} on a reference rebuilt from today's live bank"
    )
    assert again["scaled_score"] == mock.scaled_score and again["reference_version"] == 1
    assert rebuilt["reference_version"] == 2
    assert rebuilt["scaled_score"] <= mock.scaled_score - 20  # what the old, live reference did


def test_a_new_version_scores_new_mocks_while_a_regrade_keeps_the_old_one(
    alice, bob, bank_with_pilots, client
):
    before = take_mock(alice, right_share=0.7)
    assert before.reference_version_id == 1 and before.result["reference_version"] == 1
    ItemCalibration.objects.filter(model="2pl").update(difficulty=0.8)  # a much harder bank
    call_command("new_reference_form", "--note", "blueprint change", stdout=StringIO())

    after = take_mock(bob, right_share=0.7)
    assert after.reference_version_id == 2

    wrong = before.items.filter(is_correct=False, is_pilot=False).first()
    apply_regrade(wrong.version, "drop")
    before.refresh_from_db()
    assert before.reference_version_id == 1
    assert before.scaled_score == reference_form(1).scaled(before.ability)
    assert before.scaled_score != reference_form(2).scaled(before.ability)
    client.force_login(alice)
    page = client.get(f"/sittings/{before.pk}/results/").content.decode()
    assert "reference form, version 1," in page


def test_recalibration_does_not_rewrite_a_finished_mocks_score(alice, bank_with_pilots):
    mock = take_mock(alice, right_share=0.7)
    stored = (mock.scaled_score, mock.ability, mock.reference_version_id)

    calibrate_items()  # one mock is too few to fit: every calibration falls back to its tag

    mock.refresh_from_db()
    assert ItemCalibration.objects.filter(model="prior").count() == 95
    assert (mock.scaled_score, mock.ability, mock.reference_version_id) == stored
    assert ReferenceFormVersion.objects.count() == 1  # the nightly job never makes a version


def test_the_command_makes_a_version_only_when_asked_and_shows_what_it_moves(
    alice, bank_with_pilots
):
    take_mock(alice)  # scoring made version 1 from the calibrated bank
    ItemCalibration.objects.filter(model="2pl").update(difficulty=0.5)

    out = StringIO()
    call_command("new_reference_form", "--note", "check", "--dry-run", stdout=out)
    assert "Would make reference form v2 from 75 live calibrated questions" in out.getvalue()
    assert "v1 (75 questions) put 750 at ability" in out.getvalue()
    assert ReferenceFormVersion.objects.count() == 1

    out = StringIO()
    call_command("new_reference_form", "--note", "2027 blueprint", "--author", "alice", stdout=out)
    made = ReferenceFormVersion.objects.current()
    assert (made.number, made.note, made.created_by, len(made.items)) == (
        2,
        "2027 blueprint",
        alice,
        75,
    )
    assert made.cut_ability > ReferenceFormVersion.objects.get(number=1).cut_ability
    assert "Made reference form v2" in out.getvalue()
    # Nothing changed since: a third version would only repeat the second.
    with pytest.raises(CommandError, match="v2 already holds exactly these 75 questions"):
        call_command("new_reference_form", "--note", "again", stdout=StringIO())
    assert ReferenceFormVersion.objects.count() == 2

    ItemCalibration.objects.filter(model="2pl").update(model="prior")
    with pytest.raises(CommandError, match="0 live questions have a fitted calibration"):
        call_command("new_reference_form", "--note", "too early", stdout=StringIO())


def test_the_command_refuses_a_note_too_long_to_store(bank_with_pilots):
    with pytest.raises(CommandError, match="the note has 201 characters; at most 200"):
        call_command("new_reference_form", "--note", "x" * 201, stdout=StringIO())
    assert not ReferenceFormVersion.objects.exists()


ONE_FIRST_VERSION = {"statuses": [200] * 4, "versions": [[1, "First version (automatic)"]]}


def test_dashboards_loading_at_once_make_one_automatic_first_version(tmp_path):
    # Each load finds no version and makes one; on SQLite the others waited for the first and
    # then made versions 2, 3 and 4 of the same bank.
    seen = run_on_sqlite_file("tests.progress.sqlite_reference_race", tmp_path)
    assert seen == ONE_FIRST_VERSION


@pytest.mark.django_db(transaction=True)
def test_dashboards_loading_at_once_make_one_first_version_on_the_configured_database(
    sample_bank,
):
    if connection.vendor == "sqlite":
        pytest.skip("covered on a SQLite file by the test above")
    assert dashboards_at_once() == ONE_FIRST_VERSION


def test_calibration_runs_cannot_be_deleted_in_the_admin(client, sample_bank):
    # With no run left, the next nightly fit would set a new base scale (its own learners as
    # average) instead of linking to the stored one, and equated scores would drift.
    from tests.conftest import make_user

    run = CalibrationRun.objects.create(linking="base", fit_model="2pl", fitted=24)
    client.force_login(make_user("root", is_staff=True, is_superuser=True))
    assert client.get(f"/admin/progress/calibrationrun/{run.pk}/delete/").status_code == 403
    client.post(
        "/admin/progress/calibrationrun/",
        {"action": "delete_selected", "_selected_action": [run.pk], "post": "yes"},
    )
    assert CalibrationRun.objects.filter(pk=run.pk).exists()
