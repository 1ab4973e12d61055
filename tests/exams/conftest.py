import random

import pytest

from progress import assembly


@pytest.fixture
def mock(alice, sample_bank):
    return assembly.start_mock(alice, rng=random.Random(1))


def correct_ids(item):
    return sorted(c.id for c in item.version.choices.all() if c.is_correct)


def wrong_ids(item):
    return [c.id for c in item.version.choices.all() if not c.is_correct][:1]
