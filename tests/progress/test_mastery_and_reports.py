from datetime import timedelta

from django.utils import timezone

from progress.mastery import learner_progress, mastery_rows
from progress.models import MisconceptionHit, WeakDomainReport
from progress.reports import build_reports, latest_report
from progress.tasks import build_weak_domain_report


def test_mastery_per_domain_and_task_comes_from_aggregation(
    alice, finished_mock, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        progress = learner_progress(alice)
    domains = {d["number"]: d for d in progress["domains"]}
    assert domains[1]["answered"] == 17 and domains[1]["correct"] == 0
    assert domains[2]["answered"] == 13 and domains[2]["correct"] == 13
    assert domains[1]["mastery_low"] < domains[1]["mastery"] < 0.2
    assert domains[2]["mastery_low"] > 0.7
    tasks = {t["number"]: t for t in progress["tasks"]}
    assert sum(t["answered"] for t in progress["tasks"]) == 75
    assert tasks["6.2"]["correct"] == 0
    assert progress["readiness"]["pass_probability"] < 0.5
    assert (
        progress["readiness"]["low"]
        <= progress["readiness"]["predicted_score"]
        <= progress["readiness"]["high"]
    )


def test_mastery_query_count_is_flat_in_history(
    alice, bob, sample_bank, django_assert_max_num_queries
):
    import random

    from progress import assembly

    from .conftest import answer

    for _ in range(3):
        sitting = assembly.start_practice(alice, count=30, rng=random.Random(1))
        for item in sitting.items.prefetch_related("version__choices"):
            answer(sitting, item, right=item.position % 2 == 0)
        sitting.finish()
    with django_assert_max_num_queries(2):
        rows = mastery_rows([alice.id, bob.id], "domain")
    assert sum(m.answered for m in rows.values()) == 90


def test_old_answers_weigh_less_than_recent_ones(alice, sample_bank):
    import random

    from progress import assembly
    from progress.models import SittingItem

    from .conftest import answer

    sitting = assembly.start_practice(alice, domains=[3], count=10, rng=random.Random(2))
    items = list(sitting.items.prefetch_related("version__choices"))
    for item in items:
        answer(sitting, item, right=item.position <= 5)
    old = [i.pk for i in items if i.position <= 5]
    SittingItem.objects.filter(pk__in=old).update(answered_at=timezone.now() - timedelta(days=200))
    mastery = mastery_rows([alice.id], "domain")[(alice.id, 3)]
    assert mastery.answered == 10 and mastery.correct == 5
    assert mastery.mean < (2.4 + 5) / (4 + 10)  # the old right answers count a quarter


def test_report_ranks_weak_domains_and_lists_revealed_misconceptions(alice, finished_mock):
    assert build_reports([alice.id]) == 1
    report = latest_report(alice)
    assert [d["number"] for d in report.domains[:2]] == [1, 6]
    assert report.domains[0]["expected_points"] > report.domains[-1]["expected_points"]
    assert report.tasks[0]["domain"] in (1, 6)
    assert len(report.practice_tasks) == 3
    slugs = {m["slug"] for m in report.misconceptions}
    assert slugs == {"config-rules-are-preventive", "canary-equals-linear"}
    hits = MisconceptionHit.objects.filter(
        user=alice, card__slug="config-rules-are-preventive"
    ).count()
    assert (
        next(m for m in report.misconceptions if m["slug"] == "config-rules-are-preventive")[
            "times"
        ]
        == hits
    )
    assert report.readiness is not None


def test_building_twice_for_the_same_data_gives_one_report(alice, finished_mock):
    build_weak_domain_report.apply(kwargs={"user_id": alice.id})
    build_weak_domain_report.apply(kwargs={"user_id": alice.id})
    assert WeakDomainReport.objects.filter(user=alice).count() == 1


def test_a_new_answer_gives_a_new_report_and_keeps_history(alice, finished_mock):
    import random

    from progress import assembly

    from .conftest import answer

    build_reports([alice.id])
    sitting = assembly.start_practice(alice, domains=[1], count=5, rng=random.Random(3))
    item = sitting.items.prefetch_related("version__choices").first()
    answer(sitting, item, right=True)
    build_reports([alice.id])
    assert WeakDomainReport.objects.filter(user=alice).count() == 2


def test_finishing_a_sitting_enqueues_the_report_on_commit(
    alice, finished_mock, django_capture_on_commit_callbacks
):
    import random

    from progress import assembly

    sitting = assembly.start_practice(alice, domains=[2], count=5, rng=random.Random(4))
    from .conftest import answer

    answer(sitting, sitting.items.prefetch_related("version__choices").first(), right=False)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sitting.finish()
    assert len(callbacks) == 1
    assert latest_report(alice) is not None


def test_report_for_many_learners_costs_constant_queries(
    alice, bob, finished_mock, sample_bank, django_assert_max_num_queries
):
    import random

    from progress import assembly

    from .conftest import answer

    sitting = assembly.start_practice(bob, count=10, rng=random.Random(5))
    for item in sitting.items.prefetch_related("version__choices"):
        answer(sitting, item, right=True)
    with django_assert_max_num_queries(14):
        assert build_reports([alice.id, bob.id]) == 2
