"""An editable copy of the sample bank and a question whose key an author corrected."""

import random
import shutil
from io import StringIO

import pytest
import yaml
from django.core.management import call_command

from progress import answers, assembly
from questions.models import Question
from tests.conftest import SAMPLE_BANK, make_user


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def bank(tmp_path, blueprint):
    """An editable copy of the sample bank, imported."""
    folder = tmp_path / "bank"
    shutil.copytree(SAMPLE_BANK, folder)
    run("import_bank", str(folder))
    return folder


def edit_question(folder, slug, change):
    path = folder / "questions" / "sample.yaml"
    data = yaml.safe_load(path.read_text())
    for q in data:
        if q["id"] == slug:
            change(q)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def practice_item(user, slug):
    question = Question.objects.get(slug=slug)
    sitting = assembly.create_sitting(user, "practice", [question.id], rng=random.Random(3))
    return sitting, sitting.items.select_related("version").get()


def finished_practice(user, slug, key):
    """A finished one-question practice of `slug` in which `user` picked option `key`."""
    sitting, item = practice_item(user, slug)
    by_key = {c.key: c.id for c in item.version.choices.all()}
    answers.save_answer(user, sitting.pk, 1, selected=[by_key[key]])
    sitting.finish()
    return sitting


@pytest.fixture
def flawed(bank):
    """t1-1-1 v1 keyed on option a; the author corrects the key to b (v2)."""
    learners = [make_user(f"learner{i}") for i in range(3)]
    question = Question.objects.get(slug="t1-1-1")
    sittings = [
        finished_practice(user, "t1-1-1", "a" if i == 0 else "b") for i, user in enumerate(learners)
    ]

    def move_key(q):
        q["choices"][0].pop("correct")
        q["choices"][1]["correct"] = True
        q["choices"][1].pop("misconception", None)

    edit_question(bank, "t1-1-1", move_key)
    run("import_bank", str(bank))
    question.refresh_from_db()
    return question, learners, sittings
