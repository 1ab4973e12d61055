from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from domains.models import MisconceptionCard, TaskStatement
from questions.bank import check_bank, read_bank
from questions.models import Choice, Question, Tag
from tests.conftest import SAMPLE_BANK


def run(*args):
    from io import StringIO

    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_sample_bank_imports_and_publishes(blueprint):
    out, _ = run("import_bank", str(SAMPLE_BANK))
    assert "questions: 95 created" in out
    assert Question.objects.published().count() == 95
    assert MisconceptionCard.objects.count() == 2
    assert TaskStatement.objects.get(number="1.4").notes.startswith("## Deployment strategies")
    q = Question.objects.get(slug="t1-4-4")
    assert q.kind == "multiple" and q.select_count == 2 and q.choose_label == "Choose TWO."
    assert sorted(t.name for t in q.tags.all()) == ["CloudWatch", "CodeDeploy"]


def test_second_import_changes_nothing_and_says_so(blueprint):
    run("import_bank", str(SAMPLE_BANK))
    before = list(Question.objects.values_list("id", "updated_at"))
    out, _ = run("import_bank", str(SAMPLE_BANK))
    assert "Bank unchanged" in out
    assert list(Question.objects.values_list("id", "updated_at")) == before


def test_dry_run_writes_nothing(blueprint):
    out, _ = run("import_bank", str(SAMPLE_BANK), "--dry-run")
    assert "Dry run: 95 questions" in out
    assert Question.objects.count() == 0


BROKEN = """\
- id: good-one
  domain: 1
  task: "1.1"
  kind: single
  difficulty: 1
  tags: [CodePipeline]
  stem: A fine question.
  choices:
    - {key: a, text: a, correct: true, why: right}
    - {key: b, text: b, why: wrong}
    - {key: c, text: c, why: wrong}
    - {key: d, text: d, why: wrong}
  references: [https://docs.aws.amazon.com/codepipeline/latest/userguide/welcome.html]
- id: two-correct
  domain: 1
  task: "1.1"
  kind: single
  difficulty: 2
  stem: Two right answers on a single.
  choices:
    - {key: a, text: a, correct: true, why: right}
    - {key: b, text: b, correct: true, why: right}
    - {key: c, text: c, why: wrong}
    - {key: d, text: d, why: wrong, misconception: no-such-card}
  references: [https://docs.aws.amazon.com/]
- id: wrong-task
  domain: 2
  task: "1.1"
  kind: single
  difficulty: 2
  stem: Task of another domain.
  choices:
    - {key: a, text: a, correct: true, why: right}
    - {key: b, text: b}
    - {key: c, text: c, why: wrong}
    - {key: d, text: d, why: wrong}
  references: [https://docs.aws.amazon.com/]
- id: good-one
  domain: 1
  task: "9.9"
  kind: multiple
  difficulty: 5
  stem: Duplicate id, unknown task.
  choices:
    - {key: a, text: a, correct: true, why: right}
  references: []
"""


def test_malformed_bank_reports_every_problem_with_line_and_imports_nothing(blueprint, tmp_path):
    (tmp_path / "questions").mkdir()
    (tmp_path / "questions" / "bad.yaml").write_text(BROKEN)
    (tmp_path / "questions" / "syntax.yaml").write_text("- id: x\n  stem: [unclosed\n")
    with pytest.raises(CommandError, match="problem"):
        run("import_bank", str(tmp_path))
    problems = [str(p) for p in check_bank(read_bank(tmp_path))]
    text = "\n".join(problems)
    assert (
        "bad.yaml:14: two-correct: a single-response question needs exactly one correct choice, not 2"
        in text
    )
    assert "two-correct: unknown misconception 'no-such-card'" in text
    assert "bad.yaml:26: wrong-task: the task statement belongs to domain 1, not domain 2" in text
    assert "wrong-task: choices[1]: missing 'why'" in text
    assert "bad.yaml:38: good-one: duplicate question id 'good-one'" in text
    assert "unknown task statement '9.9'" in text
    assert "difficulty must be 1, 2 or 3" in text
    assert "published question needs at least one reference" in text
    assert "syntax.yaml:3: YAML syntax error" in text


def test_yaml_booleans_in_text_fields_are_reported(blueprint, tmp_path):
    (tmp_path / "questions").mkdir()
    (tmp_path / "questions" / "q.yaml").write_text(BROKEN.replace("why: right}", "why: true}", 1))
    text = "\n".join(str(p) for p in check_bank(read_bank(tmp_path)))
    assert (
        "bad.yaml" not in text
        and "q.yaml:9: good-one: choices[0].why must be text, not True (quote it in YAML)" in text
    )
    assert Question.objects.count() == 0  # not even the good one


def test_one_bad_question_rolls_back_everything(blueprint, tmp_path):
    import shutil

    shutil.copytree(SAMPLE_BANK, tmp_path / "bank")
    (tmp_path / "bank" / "questions" / "zz-bad.yaml").write_text(BROKEN)
    with pytest.raises(CommandError):
        run("import_bank", str(tmp_path / "bank"))
    assert Question.objects.count() == 0 and MisconceptionCard.objects.count() == 0


def test_import_export_import_is_lossless(blueprint, tmp_path):
    run("import_bank", str(SAMPLE_BANK))
    snapshot = _snapshot()
    run("export_bank", str(tmp_path / "out"))
    Question.objects.all().delete()
    MisconceptionCard.objects.all().delete()
    TaskStatement.objects.update(notes="", references=[])
    Tag.objects.all().delete()
    out, _ = run("import_bank", str(tmp_path / "out"))
    assert "95 created" in out
    assert _snapshot() == snapshot
    out, _ = run("import_bank", str(tmp_path / "out"))
    assert "Bank unchanged" in out


def _snapshot():
    from questions.bank import card_to_dict, question_to_dict, topic_to_dict

    questions = Question.objects.prefetch_related("tags", "choices__misconception").select_related(
        "domain", "task"
    )
    return (
        sorted((question_to_dict(q) for q in questions), key=lambda d: d["id"]),
        sorted((card_to_dict(c) for c in MisconceptionCard.objects.all()), key=lambda d: d["id"]),
        [topic_to_dict(t) for t in TaskStatement.objects.exclude(notes="").order_by("number")],
    )


def test_reimport_of_a_why_text_updates_the_current_version_in_place(blueprint, tmp_path):
    run("import_bank", str(SAMPLE_BANK))
    question = Question.objects.get(slug="t1-1-1")
    version_choices = list(question.current_version.choices.values_list("id", flat=True))
    run("export_bank", str(tmp_path))
    path = tmp_path / "questions" / "domain-1.yaml"
    path.write_text(path.read_text().replace("Why option 1 is wrong.", "Because it is not.", 1))
    out, _ = run("import_bank", str(tmp_path))
    assert "1 updated" in out and "new version" not in out
    question.refresh_from_db()
    assert question.versions.count() == 1
    assert list(question.current_version.choices.values_list("id", flat=True)) == version_choices
    assert question.current_version.choices.get(key="b").why == "Because it is not."
    assert Choice.objects.get(question=question, key="b").why == "Because it is not."


def test_missing_path_is_a_clear_error(blueprint):
    with pytest.raises(CommandError):
        run("import_bank", str(Path("/nonexistent/bank")))


def test_reimport_keeps_admin_edits_unless_forced(blueprint, tmp_path):
    import shutil

    run("import_bank", str(SAMPLE_BANK))
    Question.objects.filter(slug="t1-1-1").update(stem="Edited by an author in the admin.")
    bank = tmp_path / "bank"
    shutil.copytree(SAMPLE_BANK, bank)
    sample = bank / "questions" / "sample.yaml"
    sample.write_text(
        sample.read_text().replace("Sample scenario 1 for task 1.1.", "New YAML text 1.1.")
    )
    sample.write_text(
        sample.read_text().replace("Sample scenario 2 for task 1.1.", "New YAML text 1.1 two.")
    )
    out, err = run("import_bank", str(bank))
    assert "1 updated" in out and "1 kept (edited in the admin)" in out
    assert "Kept 1 item(s) edited in the admin" in err and "t1-1-1" in err
    assert Question.objects.get(slug="t1-1-1").stem == "Edited by an author in the admin."
    assert Question.objects.get(slug="t1-1-2").stem.startswith("New YAML text 1.1 two.")
    out, _ = run("import_bank", str(bank), "--force")
    assert Question.objects.get(slug="t1-1-1").stem.startswith("New YAML text 1.1.")


def test_make_run_twice_keeps_everything(blueprint):
    from django.core.management import call_command

    run("import_bank", str(SAMPLE_BANK))
    Question.objects.filter(slug="t2-1-1").update(explanation="Improved in the admin.")
    call_command("load_blueprint", verbosity=0)
    out, _ = run("import_bank", str(SAMPLE_BANK))
    assert Question.objects.get(slug="t2-1-1").explanation == "Improved in the admin."
