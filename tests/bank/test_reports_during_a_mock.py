"""A problem report made during an open mock names no slug on "My reports": slugs name the
solution ("d3-ecs-capacity-provider-managed-scaling")."""

import random

from progress import assembly
from questions.models import ProblemReport


def test_my_reports_hides_the_slug_of_a_question_in_the_open_mock(alice, alice_client, sample_bank):
    mock = assembly.start_mock(alice, rng=random.Random(2))
    item = mock.items.select_related("question").first()
    ProblemReport.objects.create(
        question=item.question, version=item.version, reporter=alice, reason="typo", text="x"
    )
    page = alice_client.get("/reports/mine/").content.decode()
    assert item.question.slug not in page
    assert "a question of your open mock" in page
    mock.finish()
    page = alice_client.get("/reports/mine/").content.decode()
    assert item.question.slug in page
