"""The nightly IRT calibration on the database: which answers it fits, pooling, priors, admin."""

from datetime import timedelta
from io import StringIO

import numpy as np
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import timezone

from progress.calibration import calibrate_items, first_exposure_answers
from progress.models import ItemCalibration, Sitting, SittingItem
from questions.models import Question, QuestionVersion

T0 = timezone.now() - timedelta(days=30)


def sitting(user, answers, *, mode="mock", status="finished", hours=0, pilot=()):
    """A sitting of `user` started `hours` after T0 with items [(version, is_correct)]."""
    started = T0 + timedelta(hours=hours)
    s = Sitting.objects.create(
        user=user,
        mode=mode,
        status=status,
        started_at=started,
        finished_at=started + timedelta(hours=1) if status == "finished" else None,
    )
    SittingItem.objects.bulk_create(
        SittingItem(
            sitting=s,
            position=position,
            question_id=version.question_id,
            version=version,
            is_correct=right,
            selected=[1] if right is not None else [],
            is_pilot=version.question_id in pilot,
        )
        for position, (version, right) in enumerate(answers, start=1)
    )
    return s


def learners(count, prefix="learner"):
    User = get_user_model()
    User.objects.bulk_create(User(username=f"{prefix}{n}") for n in range(count))
    return list(User.objects.filter(username__startswith=prefix).order_by("id"))


@pytest.fixture
def bank(sample_bank):
    return list(Question.objects.live().select_related("current_version").order_by("slug"))


def test_only_first_exposure_mock_and_pilot_answers_are_fitted(bank, alice, bob):
    q1, q2, q3, q4 = (q.current_version for q in bank[:4])
    bank[3].status = Question.Status.PILOT
    bank[3].save()
    sitting(alice, [(q1, True)], mode="practice", hours=0)  # seen with feedback first
    first = sitting(
        alice, [(q1, False), (q2, False), (q3, None), (q4, True)], hours=1, pilot={q4.question_id}
    )
    sitting(alice, [(q2, True), (q3, True)], hours=2)  # repeats in a later mock
    sitting(bob, [(q1, True)], mode="mock", status="in_progress", hours=3)  # not finished
    sitting(bob, [(q2, True)], mode="practice", hours=4)  # practice never counts

    rows = sorted(first_exposure_answers())
    # alice's q1 (met in practice), her repeats, the regrade-dropped q3 and bob's open mock: out.
    assert rows == [(first.pk, q2.pk, False), (first.pk, q4.pk, True)]

    summary = calibrate_items()
    assert summary["responses"] == 2 and summary["mocks"] == 1 and summary["model"] is None
    by_version = {c.version_id: c for c in ItemCalibration.objects.all()}
    assert by_version[q1.pk].responses == 0
    assert by_version[q2.pk].responses == 1
    assert by_version[q4.pk].responses == 1  # the pilot got its row and its answer


def test_unanswered_and_pilot_questions_get_prior_rows_from_their_tag(
    bank, django_assert_max_num_queries
):
    easy, medium, hard = bank[0], bank[1], bank[2]
    for question, tag in ((easy, 1), (medium, 2), (hard, 3)):
        question.difficulty = tag
        question.save()
    hard.status = Question.Status.PILOT
    hard.save()
    retired = bank[4]
    retired.status = Question.Status.RETIRED
    retired.save()

    # Versions, whether a scale is set, answers, the upsert and the run (+ transaction).
    with django_assert_max_num_queries(7):
        summary = calibrate_items()

    assert summary["model"] is None and summary["fitted"] == 0
    rows = {c.version_id: c for c in ItemCalibration.objects.all()}
    assert len(rows) == summary["versions"] == len(bank) - 1  # every live and pilot version
    assert retired.current_version_id not in rows
    for question, b in ((easy, -1.0), (medium, 0.0), (hard, 1.0)):
        row = rows[question.current_version_id]
        assert (row.model, row.difficulty, row.difficulty_se) == ("prior", b, 1.0)
        assert row.discrimination == 1.0 and row.responses == 0


def simulate_mocks(bank, users, thin_answers, seed=5):
    """Every user takes one mock with items 0..18; item 19 is in the first `thin_answers` mocks
    only. Answers follow a 2PL with a = 1.2 and b spread over -1.5..1.5; item 19 is easy
    (true b = -1.5)."""
    rng = np.random.default_rng(seed)
    true_b = [*np.linspace(-1.5, 1.5, 19), -1.5]
    versions = [q.current_version for q in bank[:20]]
    for n, user in enumerate(users):
        theta = rng.normal()
        form = range(20) if n < thin_answers else range(19)
        answers = [
            (versions[i], bool(rng.random() < 1 / (1 + np.exp(-1.2 * (theta - true_b[i])))))
            for i in form
        ]
        sitting(user, answers, hours=n)
    return versions


def test_a_thin_item_sits_near_its_tag_and_a_well_answered_one_follows_the_data(bank):
    versions = simulate_mocks(bank, learners(150), thin_answers=25)

    def fit_with_tag(tag):
        Question.objects.filter(pk__in=[v.question_id for v in versions]).update(difficulty=tag)
        summary = calibrate_items()
        rows = {c.version_id: c for c in ItemCalibration.objects.all()}
        return summary, rows[versions[19].pk], rows[versions[9].pk]

    summary, thin_easy, full_easy = fit_with_tag(1)  # prior b = -1
    _, thin_hard, full_hard = fit_with_tag(3)  # prior b = +1

    assert summary["model"] == "2pl" and summary["fitted"] == 20 and summary["mocks"] == 150
    assert thin_easy.responses == 25 and full_easy.responses == 150
    assert thin_hard.model == "rasch" and full_hard.model == "2pl"
    assert thin_hard.discrimination == 1.0 and thin_hard.discrimination_se is None
    # 25 answers: the tag still pulls (SE ~0.5); 150 answers on a 20-item form: it barely does.
    thin_shift = thin_hard.difficulty - thin_easy.difficulty
    full_shift = full_hard.difficulty - full_easy.difficulty
    assert thin_shift > 0.25 and 0 <= full_shift < 0.15
    assert thin_hard.difficulty < 0.0  # tagged hard, but the data say easy: moved well off +1
    assert thin_hard.difficulty_se > full_hard.difficulty_se
    assert abs(full_hard.difficulty) < 0.4 and 0.6 < full_hard.discrimination < 2.0


def test_versions_an_author_marked_as_the_same_item_are_fitted_together(bank):
    users = learners(40)
    question = bank[0]
    v1 = question.current_version
    v2 = QuestionVersion.objects.create(
        question=question,
        number=2,
        kind=v1.kind,
        stem=v1.stem + " (reworded)",
        select_count=v1.select_count,
        content_hash="reworded",
        item_root=v1,
    )
    v3 = QuestionVersion.objects.create(
        question=question,
        number=3,
        kind=v1.kind,
        stem="A new decision",
        select_count=v1.select_count,
        content_hash="new",
        item_root=None,
    )
    other = bank[1].current_version
    for n, user in enumerate(users):
        version = v1 if n < 12 else v2  # 12 + 28 answers: 40 when pooled
        sitting(user, [(version, n % 3 != 0), (other, n % 2 == 0)], hours=n)

    calibrate_items()

    rows = {c.version_id: c for c in ItemCalibration.objects.all()}
    assert rows[v1.pk].responses == rows[v2.pk].responses == 40
    assert rows[v1.pk].model == "rasch"
    assert (rows[v1.pk].difficulty, rows[v1.pk].difficulty_se) == (
        rows[v2.pk].difficulty,
        rows[v2.pk].difficulty_se,
    )
    assert rows[v3.pk].responses == 0 and rows[v3.pk].model == "prior"


def test_dry_run_command_prints_the_summary_and_writes_nothing(bank):
    out = StringIO()
    call_command("calibrate_items", "--dry-run", stdout=out)
    assert "Would calibrate" in out.getvalue() and f"{len(bank)} versions" in out.getvalue()
    assert not ItemCalibration.objects.exists()
    call_command("calibrate_items", stdout=StringIO())
    assert ItemCalibration.objects.count() == len(bank)


def test_nightly_task_is_scheduled_and_stores_rows(bank, settings):
    from progress.tasks import calibrate_items as task

    assert any(
        entry["task"] == "progress.tasks.calibrate_items"
        for entry in settings.CELERY_BEAT_SCHEDULE.values()
    )
    summary = task.delay().get()
    assert summary["versions"] == len(bank) == ItemCalibration.objects.count()


# The change page with three calibrated versions: 18 queries, the same with six.
QUERIES = 18


def test_admin_shows_irt_parameters_and_the_information_curve(
    client, staff_admin, bank, django_assert_max_num_queries
):
    question = bank[0]
    ItemCalibration.objects.create(
        version=question.current_version,
        discrimination=1.37,
        difficulty=-0.42,
        discrimination_se=0.21,
        difficulty_se=0.15,
        responses=480,
        model="2pl",
    )
    for number in (2, 3):  # more versions, each calibrated: still no query per version
        version = QuestionVersion.objects.create(
            question=question,
            number=number,
            kind=question.kind,
            stem=f"v{number}",
            select_count=1,
            content_hash=str(number),
        )
        ItemCalibration.objects.create(version=version, discrimination=1, difficulty=0)
    client.force_login(staff_admin)
    with django_assert_max_num_queries(QUERIES):
        page = client.get(f"/admin/questions/question/{question.pk}/change/")
    assert page.status_code == 200
    text = page.text
    assert "a = 1.37 (SE 0.21)" in text and "b = -0.42 logits (SE 0.15)" in text
    assert "480 first-exposure answers" in text and "2PL" in text
    assert (
        "<svg" in text
        and "<polyline" in text
        and "style=" not in text.split("<svg", 1)[1].split("</svg>")[0]
    )
    other = client.get(f"/admin/questions/question/{bank[1].pk}/change/")
    assert "IRT: not calibrated yet" in other.text
