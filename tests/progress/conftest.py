import random

import pytest

from progress import answers, assembly


def answer(sitting, item, right, now=None):
    choices = list(item.version.choices.all())
    if right:
        selected = [c.id for c in choices if c.is_correct]
    else:
        # A complete wrong answer (tutor mode checks only complete ones), linked options first
        # so it reveals a misconception where the question has one.
        linked = [c.id for c in choices if not c.is_correct and c.misconception_id]
        others = [c.id for c in choices if not c.is_correct and not c.misconception_id]
        selected = (linked + others)[: item.select_count]
    answers.save_answer(sitting.user, sitting.pk, item.position, selected=selected, now=now)


@pytest.fixture
def finished_mock(alice, sample_bank):
    """A mock where alice gets domain 1 and 6 wrong and everything else right."""
    sitting = assembly.start_mock(alice, rng=random.Random(11))
    for item in sitting.items.select_related("question__domain").prefetch_related(
        "version__choices"
    ):
        answer(sitting, item, right=item.question.domain.number not in (1, 6))
    sitting.finish()
    return sitting
