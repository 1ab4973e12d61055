"""A finished mock is scored by ability when its questions are calibrated, and says so; else by
the linear estimate. Readiness follows the same model once the learner's mocks are calibrated."""

import random

import pytest

from domains.blueprint import scaled_score
from progress import assembly
from progress.equating import ReferenceForm, reference_form, score_form
from progress.mastery import learner_progress
from progress.models import ItemCalibration, Sitting
from progress.regrading import apply_regrade
from questions.models import Question

from .conftest import answer

DIFFICULTY_LOGITS = {1: -1.0, 2: 0.0, 3: 1.0}


def calibrate(model="2pl", shift=0.0, only=None):
    """An ItemCalibration for every live version (or those of `only`, question ids): b from the
    author's difficulty tag plus `shift`, a alternating 0.8 / 1.2."""
    questions = Question.objects.live().order_by("pk")
    if only is not None:
        questions = questions.filter(pk__in=only)
    ItemCalibration.objects.bulk_create(
        ItemCalibration(
            version_id=q.current_version_id,
            discrimination=0.8 if i % 2 else 1.2,
            difficulty=DIFFICULTY_LOGITS[q.difficulty] + shift,
            responses=400,
            model=model,
        )
        for i, q in enumerate(questions)
    )


def take_mock(user, right_share=0.8, seed=7, before_finish=None):
    sitting = assembly.start_mock(user, rng=random.Random(seed))
    if before_finish:
        before_finish(sitting)
    items = list(sitting.items.select_related("question").prefetch_related("version__choices"))
    rng = random.Random(seed)
    for item in items:
        answer(sitting, item, right=rng.random() < right_share)
    sitting.finish()
    sitting.refresh_from_db()
    return sitting


@pytest.fixture
def calibrated_bank(sample_bank):
    calibrate()


def test_a_mock_on_calibrated_questions_is_scored_by_ability(alice, calibrated_bank, client):
    sitting = take_mock(alice)
    assert sitting.scoring_method == Sitting.ScoringMethod.EQUATED
    assert sitting.ability is not None and 0 < sitting.ability_sd < 1
    assert sitting.result["calibrated_items"] == sitting.total == 75
    # The score is the linear estimate of the share the ability expects on the bank's average.
    reference = reference_form()
    assert sitting.scaled_score == reference.scaled(sitting.ability)
    assert sitting.passed == (sitting.scaled_score >= 750)
    client.force_login(alice)
    page = client.get(f"/sittings/{sitting.pk}/results/").content.decode()
    assert "How this score was computed: equated." in page
    assert "75 calibrated questions" in page
    assert f"{sitting.correct} of {sitting.total} correct" in page


def test_a_mock_on_uncalibrated_questions_falls_back_to_the_linear_estimate(
    alice, sample_bank, client
):
    sitting = take_mock(alice)
    assert sitting.scoring_method == Sitting.ScoringMethod.LINEAR
    assert sitting.ability is None
    assert sitting.scaled_score == scaled_score(sitting.correct, sitting.total)
    client.force_login(alice)
    page = client.get(f"/sittings/{sitting.pk}/results/").content.decode()
    assert "How this score was computed: linear estimate" in page
    assert "only 0 of this mock" in page


def test_without_a_reference_form_a_calibrated_mock_keeps_the_linear_estimate(
    alice, calibrated_bank, client, monkeypatch
):
    monkeypatch.setattr("progress.equating.MIN_REFERENCE_ITEMS", 96)  # the bank has 95
    sitting = take_mock(alice)
    assert sitting.scoring_method == Sitting.ScoringMethod.LINEAR
    assert sitting.result["linear_reason"] == "bank"
    client.force_login(alice)
    page = client.get(f"/sittings/{sitting.pk}/results/").content.decode()
    assert "too few of the bank's questions are calibrated" in page


def test_author_priors_do_not_make_a_form_calibrated(alice, sample_bank):
    calibrate(model="prior")
    assert take_mock(alice).scoring_method == Sitting.ScoringMethod.LINEAR


@pytest.mark.parametrize(("uncalibrated", "method"), [(7, "equated"), (8, "linear")])
def test_a_form_needs_90_percent_of_its_questions_calibrated(
    alice, sample_bank, uncalibrated, method
):
    def calibrate_all_but_some(sitting):
        left_out = sitting.items.order_by("position").values_list("question_id", flat=True)
        calibrate()
        ItemCalibration.objects.filter(version__question__in=list(left_out[:uncalibrated])).delete()

    sitting = take_mock(alice, before_finish=calibrate_all_but_some)
    assert sitting.scoring_method == method  # 68 of 75 is 90.7 %, 67 of 75 is 89.3 %
    assert sitting.result["calibrated_items"] == 75 - uncalibrated


def test_pilot_items_count_nowhere_in_the_equated_score(alice, calibrated_bank):
    sitting = assembly.start_mock(alice, rng=random.Random(5))
    items = list(sitting.items.order_by("position"))
    pilots = items[:10]
    sitting.items.filter(pk__in=[i.pk for i in pilots]).update(is_pilot=True)
    # The pilots' versions aren't calibrated: the form is still fully calibrated without them.
    ItemCalibration.objects.filter(version__in=[i.version_id for i in pilots]).delete()
    for item in sitting.items.prefetch_related("version__choices"):
        answer(sitting, item, right=item.is_pilot)  # pilots right, everything scored wrong
    sitting.finish()
    sitting.refresh_from_db()
    assert sitting.scoring_method == Sitting.ScoringMethod.EQUATED
    assert sitting.result["calibrated_items"] == 65
    assert sitting.scaled_score < 300  # all 65 scored answers wrong; the pilots lifted nothing


def test_the_same_answers_score_higher_when_the_questions_were_harder(alice, sample_bank):
    sitting = take_mock(alice)
    items = list(sitting.items.all())
    # One fixed reference, so that only the form's difficulty changes between the two scorings.
    reference = ReferenceForm((1.0,) * 75, (0.0,) * 75)
    scored = {}
    for shift in (-0.5, +0.5):
        ItemCalibration.objects.all().delete()
        calibrate(shift=shift)
        scored[shift] = score_form(items, reference)
    easy, hard = scored[-0.5], scored[+0.5]
    assert easy["scoring_method"] == hard["scoring_method"] == "equated"
    assert hard["ability"] > easy["ability"] + 0.3
    assert hard["scaled_score"] > easy["scaled_score"]


def test_regrade_re_equates_the_mock(alice, calibrated_bank):
    sitting = take_mock(alice)
    before = (sitting.ability, sitting.result["calibrated_items"])
    wrong = sitting.items.filter(is_correct=False).first()
    apply_regrade(wrong.version, "drop")
    sitting.refresh_from_db()
    assert sitting.scoring_method == Sitting.ScoringMethod.EQUATED
    assert sitting.result["calibrated_items"] == before[1] - 1
    assert sitting.ability > before[0]  # a wrong answer no longer counts against the ability
    assert sitting.scaled_score == reference_form().scaled(sitting.ability)


def test_api_result_names_the_scoring_method(alice, api, calibrated_bank):
    sitting = take_mock(alice)
    result = api.get(f"/api/v1/exams/{sitting.pk}/").json()["result"]
    assert result["scoring_method"] == "equated"
    assert result["ability"] == pytest.approx(sitting.ability)
    assert result["ability_sd"] == pytest.approx(sitting.ability_sd)
    assert result["calibrated_items"] == 75
    assert result["scaled_score"] == sitting.scaled_score


def test_readiness_comes_from_ability_once_mocks_are_calibrated(
    alice, calibrated_bank, client, django_assert_max_num_queries
):
    take_mock(alice, right_share=0.9)
    # 8: the IRT forecast also counts the pilots a mock now carries (its scored length).
    with django_assert_max_num_queries(8):
        readiness = learner_progress(alice)["readiness"]
    assert readiness["method"] == "irt"
    assert readiness["answers"] == 75
    assert readiness["low"] <= readiness["predicted_score"] <= readiness["high"]
    assert 0 <= readiness["pass_probability"] <= 1
    client.force_login(alice)
    page = client.get("/progress/").content.decode()
    assert "From your ability" in page
    assert "Every score here is equated" in page


def test_readiness_stays_with_mastery_without_calibration(alice, sample_bank):
    take_mock(alice, right_share=0.9)
    assert learner_progress(alice)["readiness"]["method"] == "mastery"
