"""After a mock, with a real worker on Redis, a report appears (CI runs this on PostgreSQL)."""

import random
import time

import pytest

from .conftest import answer


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_finishing_a_mock_builds_a_report_on_the_worker(alice, real_worker):
    from django.core.management import call_command

    from progress import assembly
    from progress.models import WeakDomainReport
    from tests.conftest import SAMPLE_BANK

    call_command("load_blueprint", verbosity=0)
    call_command("import_bank", str(SAMPLE_BANK), verbosity=0)
    sitting = assembly.start_mock(alice, rng=random.Random(12))
    for item in sitting.items.select_related("question__domain").prefetch_related(
        "version__choices"
    ):
        answer(sitting, item, right=item.question.domain.number != 4)
    sitting.finish()  # commits, then enqueues through Redis to the worker
    deadline = time.monotonic() + 30
    while not WeakDomainReport.objects.filter(user=alice).exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    report = WeakDomainReport.objects.get(user=alice)
    assert report.domains[0]["number"] == 4
    assert report.practice_tasks[0].startswith("4.")
