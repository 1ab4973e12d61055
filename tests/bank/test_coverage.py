"""bank_coverage: questions per in-scope service, task statement and heavily weighted topic.

The fixture bank (tests/data/coverage/) has four published questions and a draft; its tags mix
spellings ("codedeploy", "ELB" next to "Elastic Load Balancing") on purpose.
"""

import shutil
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from questions import coverage as cov
from questions.bank import read_bank
from questions.management.commands.bank_coverage import build

DATA = Path(__file__).parent.parent / "data" / "coverage"
SHIPPED = Path(settings.BASE_DIR) / "fixtures" / "bank"
TASKS = cov.load_tasks(Path(settings.BASE_DIR) / "fixtures" / "blueprint.yaml")


def run(*args):
    out = StringIO()
    call_command("bank_coverage", *map(str, args), stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def bank(tmp_path):
    """A writable copy of the fixture bank."""
    target = tmp_path / "bank"
    shutil.copytree(DATA, target)
    return target


def measured(path=DATA):
    coverage_map, problems = cov.load_map(path / cov.MAP_FILE, set(TASKS))
    assert problems == []
    return cov.measure(coverage_map, read_bank(path).questions, TASKS)


def test_services_are_counted_from_tags_in_their_tasks_and_in_total():
    rows = {row.service.name: row for row in measured().services}
    # CodeDeploy: two questions in 1.4 (its task), one more in 5.3; "codedeploy" is the same tag.
    assert (rows["AWS CodeDeploy"].mapped, rows["AWS CodeDeploy"].total) == (2, 3)
    # A question tagged with both spellings of Elastic Load Balancing counts once.
    assert (rows["Elastic Load Balancing"].mapped, rows["Elastic Load Balancing"].total) == (2, 2)
    # The only CodeGuru question is a draft: learners never see it.
    assert (rows["AWS CodeGuru"].mapped, rows["AWS CodeGuru"].total) == (0, 0)


def test_task_statements_count_questions_and_the_services_they_reach():
    tasks = {row.task: row for row in measured().tasks}
    assert len(tasks) == 19
    assert (tasks["1.4"].questions, tasks["1.4"].services, tasks["1.4"].covered) == (2, 2, 2)
    assert (tasks["1.2"].questions, tasks["1.2"].services, tasks["1.2"].covered) == (0, 1, 0)
    assert (tasks["5.3"].questions, tasks["5.3"].services) == (1, 0)


def test_missing_services_and_unmapped_tags_are_listed():
    coverage = measured()
    assert [s.name for s in coverage.missing] == ["AWS CodeGuru"]
    assert coverage.unmapped == [("Route 53", 2)]


def test_topics_count_tag_and_task_rules_and_mentions_in_stem_or_key():
    topics = {row.topic.name: row.questions for row in measured().topics}
    assert topics["Deployment strategies"] == 2  # CodeDeploy in 1.4 only, not the 5.3 one
    # "blue/green" in a key counts; the same words in a wrong option do not.
    assert topics["Blue/green anywhere"] == 1


def test_command_writes_the_table_and_check_then_passes(bank):
    out = run(bank)
    assert "Wrote" in out
    table = (bank / cov.TABLE_FILE).read_text()
    assert "| AWS CodeDeploy | CodeDeploy | 1.4 | 2 | 3 |" in table
    assert "| Elastic Load Balancing | Elastic Load Balancing, ELB | 1.4, 3.1 | 2 | 2 |" in table
    assert "- AWS CodeGuru (Developer Tools): a note for authors" in table
    assert "| Route 53 | 2 |" in table
    assert "| Deployment strategies | 2 | 2 | ok |" in table
    assert "up to date" in run(bank, "--check")
    assert "up to date" in run(bank)  # a second run rewrites nothing


def test_check_fails_when_the_table_is_stale_and_names_the_command(bank):
    run(bank)
    questions = bank / "questions" / "sample.yaml"
    data = yaml.safe_load(questions.read_text())
    data[-1]["status"] = "published"  # the CodeGuru draft is published
    questions.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(CommandError) as failure:
        run(bank, "--check")
    assert failure.value.returncode == 1
    assert "out of date" in str(failure.value)
    assert "python manage.py bank_coverage" in str(failure.value)
    run(bank)
    assert "up to date" in run(bank, "--check")


def test_check_fails_when_the_table_is_missing(bank):
    with pytest.raises(CommandError, match="missing") as failure:
        run(bank, "--check")
    assert failure.value.returncode == 1
    assert not (bank / cov.TABLE_FILE).exists()  # --check writes nothing


def test_check_fails_on_a_thin_topic_even_with_a_current_table(bank):
    mapping = bank / cov.MAP_FILE
    mapping.write_text(mapping.read_text().replace("minimum: 2", "minimum: 3"))
    run(bank)
    with pytest.raises(CommandError) as failure:
        run(bank, "--check")
    assert failure.value.returncode == 1
    message = str(failure.value)
    assert "topic 'Deployment strategies' has 2 question(s), needs 3" in message
    assert "out of date" not in message
    assert "| Deployment strategies | 2 | 3 | **1 short** |" in (bank / cov.TABLE_FILE).read_text()


def test_a_broken_map_is_refused_with_every_problem(bank):
    mapping = bank / cov.MAP_FILE
    text = mapping.read_text()
    text = text.replace('tasks: ["1.2"]', 'tasks: ["1.9"]')
    text = text.replace(
        "tags: [Elastic Load Balancing, ELB]", "tags: [Elastic Load Balancing, CodeDeploy]"
    )
    text = text.replace("mentions: 'blue/green'", "mentions: 'blue/(green'")
    mapping.write_text(text)
    with pytest.raises(CommandError) as failure:
        run(bank, "--check")
    assert failure.value.returncode == 2
    message = str(failure.value)
    assert "unknown task statement '1.9'" in message
    assert "tag 'codedeploy' already belongs to AWS CodeDeploy" in message
    assert "`mentions` is not a regular expression" in message


def test_a_missing_bank_folder_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="not a bank folder") as failure:
        run(tmp_path / "nowhere", "--check")
    assert failure.value.returncode == 2


def test_shipped_coverage_table_is_current():
    coverage, text = build(SHIPPED)
    current = (SHIPPED / cov.TABLE_FILE).read_text(encoding="utf-8")
    assert current == text, (
        "fixtures/bank/COVERAGE.md is out of date with the bank or coverage.yaml: run "
        "`python manage.py bank_coverage` and commit fixtures/bank/COVERAGE.md"
    )


def test_shipped_map_gives_every_task_statement_services_and_every_topic_a_minimum():
    coverage, _ = build(SHIPPED)
    assert [row.task for row in coverage.tasks if row.services == 0] == []
    assert len(coverage.topics) == 8
    assert all(row.topic.minimum >= 6 for row in coverage.topics)
