"""Enemy items: two questions that test the same decision never meet in one sitting."""

import random
import shutil
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from progress import assembly
from questions.models import Question
from tests.conftest import SAMPLE_BANK, make_user


def _bank_with_enemies(tmp_path, pairs, one_sided=False):
    root = tmp_path / "bank"
    shutil.copytree(SAMPLE_BANK, root)
    path = root / "questions" / "sample.yaml"
    data = yaml.safe_load(path.read_text())
    by_id = {q["id"]: q for q in data}
    for a, b in pairs:
        by_id[a].setdefault("enemies", []).append(b)
        if not one_sided:
            by_id[b].setdefault("enemies", []).append(a)
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return root


def test_enemies_must_be_declared_on_both_sides_and_exist(blueprint, tmp_path):
    root = _bank_with_enemies(tmp_path, [("t1-1-1", "t1-1-2")], one_sided=True)
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("import_bank", str(root), stdout=StringIO(), stderr=err)
    assert "enemy 't1-1-2' must list 't1-1-1' among its enemies too" in err.getvalue()
    root = _bank_with_enemies(tmp_path / "b", [("t1-1-1", "no-such-question")], one_sided=True)
    with pytest.raises(CommandError):
        call_command("import_bank", str(root), stdout=StringIO(), stderr=err)
    assert "unknown enemy question 'no-such-question'" in err.getvalue()
    assert Question.objects.count() == 0


@pytest.fixture
def enemies_bank(blueprint, tmp_path):
    pairs = [("t1-1-1", "t1-1-2"), ("t1-1-1", "t1-1-3"), ("t6-1-1", "t6-1-2")]
    call_command("import_bank", str(_bank_with_enemies(tmp_path, pairs)), stdout=StringIO())
    out = StringIO()
    call_command("import_bank", str(tmp_path / "bank"), stdout=out)
    assert "Bank unchanged" in out.getvalue()  # the links round-trip
    return pairs


def _pairs_together(question_ids, pairs):
    slugs = set(Question.objects.filter(id__in=question_ids).values_list("slug", flat=True))
    return [(a, b) for a, b in pairs if a in slugs and b in slugs]


def test_practice_sets_never_hold_two_enemies(enemies_bank):
    alice = make_user("alice")
    for seed in range(40):
        ids = assembly.pick_practice_questions(
            alice, tasks=["1.1"], count=5, rng=random.Random(seed)
        )
        assert _pairs_together(ids, enemies_bank) == [], seed
        # 5 questions in 1.1: with t1-1-1 its two enemies drop out (3), without it 4 remain.
        assert len(ids) in (3, 4)


def test_mocks_never_hold_two_enemies(enemies_bank):
    alice = make_user("alice")
    for seed in range(15):
        ids, _ = assembly.pick_mock_questions(alice, rng=random.Random(seed))
        assert _pairs_together(ids, enemies_bank) == [], seed
