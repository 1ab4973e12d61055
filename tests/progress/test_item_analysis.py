import random

from progress import assembly
from progress.item_analysis import compute_item_statistics, point_biserial
from progress.models import QuestionStats

from .conftest import answer


def test_point_biserial_matches_the_textbook_formula():
    # x = right/wrong, y = scores: right answers from the stronger learners.
    xs = [1, 1, 1, 0, 0]
    ys = [900.0, 800.0, 700.0, 400.0, 300.0]
    r = point_biserial(
        5, 3, sum(ys), sum(y * y for y in ys), sum(x * y for x, y in zip(xs, ys, strict=True))
    )
    n = 5
    mx, my = 3 / 5, sum(ys) / n
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / n
    sx = (sum((x - mx) ** 2 for x in xs) / n) ** 0.5
    sy = (sum((y - my) ** 2 for y in ys) / n) ** 0.5
    assert abs(r - cov / (sx * sy)) < 1e-9
    assert point_biserial(5, 0, 1, 1, 0) is None


def test_item_statistics_flag_a_question_strong_learners_get_wrong(sample_bank, django_user_model):
    from questions.models import Question

    target = Question.objects.get(slug="t3-1-1")
    for n in range(6):
        user = django_user_model.objects.create_user(f"learner{n}")
        ids, _ = assembly.pick_mock_questions(user, rng=random.Random(n))
        if target.id not in ids:
            ids[0] = target.id
        sitting = assembly.create_sitting(user, "mock", ids, rng=random.Random(n))
        strong = n >= 2
        items = sitting.items.select_related("version").prefetch_related("version__choices")
        for item in items:
            if item.question_id == target.id:
                answer(sitting, item, right=not strong)  # strong learners miss it: a broken key?
            else:
                answer(sitting, item, right=strong or item.position % 3 == 0)
        sitting.finish()
    assert compute_item_statistics() > 0
    stats = QuestionStats.objects.get(version=target.current_version)
    assert stats.answered == 6 and abs(stats.facility - 2 / 6) < 1e-3
    assert stats.discrimination is not None and stats.discrimination < 0
    assert stats.wrong_beats_right
    assert abs(sum(stats.option_pick_rates.values()) - 1.0) < 1e-6


def test_admin_shows_item_statistics_and_filters(
    client, staff_admin, sample_bank, django_user_model
):
    from questions.models import Question

    question = Question.objects.get(slug="t2-2-1")
    QuestionStats.objects.create(
        question=question,
        version=question.current_version,
        answered=40,
        facility=0.95,
        discrimination=-0.2,
        option_pick_rates={str(question.current_version.choices.first().id): 0.95},
        wrong_beats_right=False,
    )
    client.force_login(staff_admin)
    listing = client.get("/admin/questions/question/?analysis=negative")
    assert listing.status_code == 200 and "t2-2-1" in listing.text and "t2-2-2" not in listing.text
    assert "-0.20" in listing.text and "95%" in listing.text
    assert "t2-2-1" in client.get("/admin/questions/question/?analysis=easy").text
    assert "t2-2-1" not in client.get("/admin/questions/question/?analysis=hard").text
    change = client.get(f"/admin/questions/question/{question.pk}/change/")
    assert "picked by 95%" in change.text
