"""Strict import: every malformed construct gets a line-numbered error and nothing is written.

Each case is one bad file in an otherwise valid folder; the published JSON Schema must reject
everything it can see, and import rejects that and what the schema cannot see."""

import json
import shutil
from io import StringIO
from pathlib import Path

import jsonschema
import pytest
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command

from domains.models import MisconceptionCard
from questions.bank import check_bank, read_bank
from questions.models import Question
from tests.conftest import SAMPLE_BANK

SCHEMA_DIR = Path(settings.BASE_DIR) / "fixtures" / "bank" / "schema"

GOOD = """\
- id: {ident}
  domain: 1
  task: "1.1"
  kind: single
  difficulty: 2
  stem: A fine question about pipelines.
  choices:
    - key: a
      text: Option one
      correct: true
      why: It is right.
    - key: b
      text: Option two
      why: It is wrong.
    - key: c
      text: Option three
      why: It is wrong.
    - key: d
      text: Option four
      why: It is wrong.
  references: [https://docs.aws.amazon.com/codepipeline/latest/userguide/welcome.html]
"""


def variant(**replace):
    text = GOOD.format(ident="bad-one")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


# kind -> (file text, expected message, line it is reported on or None, schema sees it)
CASES = {
    "string false counts as true": (
        variant(
            **{
                "      why: It is wrong.\n    - key: c": '      correct: "false"\n      why: It is wrong.\n    - key: c'
            }
        ),
        "choices[1].correct must be a YAML boolean (true or false, unquoted), not 'false'",
        12,
        True,
    ),
    "yaml 1.1 yes is not a boolean": (
        variant(**{"      correct: true": "      correct: yes"}),
        "choices[0].correct must be a YAML boolean (true or false, unquoted), not 'yes'",
        8,
        True,
    ),
    "string no counts as true": (
        variant(**{"      correct: true": '      correct: "no"'}),
        "choices[0].correct must be a YAML boolean (true or false, unquoted), not 'no'",
        8,
        True,
    ),
    "duplicate mapping key": (
        variant(
            **{
                "  stem: A fine question about pipelines.\n": "  stem: A fine question about pipelines.\n  stem: The second stem wins silently.\n"
            }
        ),
        "duplicate key 'stem' (first on line 6)",
        7,
        False,
    ),
    "all of the above": (
        variant(**{"text: Option four": "text: All of the above"}),
        "option d text says 'All of the above'",
        18,
        False,
    ),
    "both A and B": (
        variant(**{"text: Option three": "text: Both A and B"}),
        "option c text says 'Both A and B'",
        15,
        False,
    ),
    "unknown misconception": (
        variant(
            **{
                "      why: It is wrong.\n    - key: d": "      why: It is wrong.\n      misconception: no-such-card\n    - key: d"
            }
        ),
        "unknown misconception 'no-such-card'",
        15,
        False,
    ),
    "unknown key": (
        variant(**{"  difficulty: 2": "  difficulty: 2\n  dificulty: 3"}),
        "unknown key(s): dificulty",
        1,
        True,
    ),
    "missing option key": (
        variant(**{"    - key: b\n      text: Option two": "    - text: Option two"}),
        "choices[1]: missing 'key'",
        12,
        True,
    ),
    "duplicate option key": (
        variant(**{"    - key: c": "    - key: b"}),
        "duplicate option key 'b'",
        15,
        False,
    ),
    "task not quoted": (
        variant(**{'  task: "1.1"': "  task: 1.1"}),
        'task must be a task statement number in quotes, like "1.4", not 1.1',
        1,
        True,
    ),
    "unknown task": (
        variant(**{'  task: "1.1"': '  task: "1.9"'}),
        "unknown task statement '1.9'",
        1,
        False,
    ),
    "task of another domain": (
        variant(**{"  domain: 1": "  domain: 2"}),
        "the task statement belongs to domain 1, not domain 2",
        1,
        False,
    ),
    "difficulty out of range": (
        variant(**{"  difficulty: 2": "  difficulty: 5"}),
        "difficulty must be 1, 2 or 3, not 5",
        1,
        True,
    ),
    "unknown kind": (
        variant(**{"  kind: single": "  kind: matching"}),
        "kind: 'matching' is not one of ['single', 'multiple']",
        1,
        True,
    ),
    "reference not a URL": (
        variant(
            **{
                "  references: [https://docs.aws.amazon.com/codepipeline/latest/userguide/welcome.html]": "  references: [see the docs]"
            }
        ),
        "references[0]: 'see the docs' does not match",
        1,
        True,
    ),
    "option text not text": (
        variant(**{"text: Option two": "text: 42"}),
        "choices[1].text must be text, not 42 (quote it in YAML)",
        12,
        True,
    ),
    "true in a why": (
        variant(**{"      why: It is right.": "      why: true"}),
        "choices[0].why must be text, not True (quote it in YAML)",
        8,
        True,
    ),
    "empty stem": (
        variant(**{"  stem: A fine question about pipelines.": '  stem: " "'}),
        "stem: ' ' does not match",
        1,
        True,
    ),
    "verified not a date": (
        variant(**{"  difficulty: 2": "  difficulty: 2\n  verified: last week"}),
        "verified: 'last week' is not a 'date'",
        1,
        True,
    ),
    "constraints not a list": (
        variant(**{"  difficulty: 2": "  difficulty: 2\n  constraints: cheap"}),
        "constraints: 'cheap' is not of type 'array'",
        1,
        True,
    ),
    "same_item not a boolean": (
        variant(**{"  difficulty: 2": '  difficulty: 2\n  same_item: "yes"'}),
        "same_item must be a YAML boolean",
        1,
        True,
    ),
    "two correct on a single": (
        variant(**{"text: Option two": "text: Option two\n      correct: true"}),
        "a single-response question needs exactly one correct choice, not 2",
        1,
        False,
    ),
    "choices not a list": (
        variant(**{"  choices:\n": "  choices: four options\n  x_choices:\n"}),
        "choices: 'four options' is not of type 'array'",
        1,
        True,
    ),
    "entry not a mapping": ("- just a string\n", "every list item must be a mapping", None, True),
    "file not a list": (
        "id: lonely\nstem: not in a list\n",
        "the file must hold a YAML list",
        1,
        True,
    ),
    "yaml syntax": ("- id: x\n  stem: [unclosed\n", "YAML syntax error", 3, False),
    "duplicate id across files": (
        GOOD.format(ident="t1-1-1"),
        "duplicate question id 't1-1-1'",
        1,
        False,
    ),
}


@pytest.fixture
def folder(tmp_path):
    root = tmp_path / "bank"
    shutil.copytree(SAMPLE_BANK, root)
    return root


def import_output(root):
    err = StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("import_bank", str(root), stdout=StringIO(), stderr=err)
    return err.getvalue()


@pytest.mark.parametrize("kind", CASES)
def test_each_malformed_kind_is_reported_with_its_line_and_nothing_is_written(
    blueprint, folder, kind
):
    text, message, line, _ = CASES[kind]
    (folder / "questions" / "zz-bad.yaml").write_text(text)
    output = import_output(folder)
    problems = [str(p) for p in check_bank(read_bank(folder))]
    mine = [p for p in problems if "zz-bad.yaml" in p]
    assert any(message in p for p in mine), mine
    if line is not None:
        assert any(f"zz-bad.yaml:{line}:" in p and message in p for p in mine), mine
    assert message in output
    assert Question.objects.count() == 0 and MisconceptionCard.objects.count() == 0


def _schema(name):
    return json.loads((SCHEMA_DIR / name).read_text())


@pytest.mark.parametrize("kind", [k for k, case in CASES.items() if case[3]])
def test_what_the_published_schema_rejects_import_rejects(blueprint, folder, kind):
    from questions.bank import LineLoader, _for_schema

    text = CASES[kind][0]
    # Read as YAML 1.2, as an editor validating against the schema does (yes is a string).
    data = _for_schema(yaml.load(text, Loader=LineLoader))
    validator = jsonschema.Draft202012Validator(
        _schema("questions.schema.json"),
        format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
    )
    assert list(validator.iter_errors(json.loads(json.dumps(data, default=str))))
    (folder / "questions" / "zz-bad.yaml").write_text(text)
    import_output(folder)


def test_the_shipped_bank_and_sample_bank_validate_against_the_published_schema():
    for root in (Path(settings.BASE_DIR) / "fixtures" / "bank", SAMPLE_BANK):
        validator = jsonschema.Draft202012Validator(
            _schema("questions.schema.json"),
            format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER,
        )
        for path in sorted((root / "questions").rglob("*.yaml")):
            data = json.loads(json.dumps(yaml.safe_load(path.read_text()), default=str))
            assert [e.message for e in validator.iter_errors(data)] == [], path


def test_published_schema_files_match_the_rules_import_uses():
    call_command("bank_schema", "--check", stdout=StringIO())


def test_cards_already_in_the_database_can_be_referenced(blueprint, folder, tmp_path):
    call_command("import_bank", str(folder), stdout=StringIO())
    only_questions = tmp_path / "only"
    (only_questions / "questions").mkdir(parents=True)
    text = GOOD.format(ident="new-one").replace(
        "      why: It is wrong.\n    - key: c",
        "      why: It is wrong.\n      misconception: canary-equals-linear\n    - key: c",
        1,
    )
    (only_questions / "questions" / "new.yaml").write_text(text)
    out = StringIO()
    call_command("import_bank", str(only_questions), stdout=out)
    assert Question.objects.get(slug="new-one").choices.get(key="b").misconception.slug == (
        "canary-equals-linear"
    )
