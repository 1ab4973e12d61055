"""Question versions and stable option keys.

Every existing question gets version 1, a frozen copy of its stem and options. The copy's
options keep the ids of the existing options, so the choice ids that sitting items and item
statistics already store still mean the same options (no learner's history changes meaning).
Options get keys a, b, c ... in their current order.
"""

import hashlib
import json
import string

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.core.management.color import no_style
from django.db import migrations, models


def _normalise(text):
    lines = str(text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def _hash(kind, stem, choices):
    data = {
        "kind": kind,
        "stem": _normalise(stem),
        "choices": sorted([k, _normalise(t), bool(c)] for k, t, c in choices),
    }
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def create_first_versions(apps, schema_editor):
    Question = apps.get_model("questions", "Question")
    Choice = apps.get_model("questions", "Choice")
    QuestionVersion = apps.get_model("questions", "QuestionVersion")
    VersionChoice = apps.get_model("questions", "VersionChoice")
    for question in Question.objects.all().iterator():
        choices = list(Choice.objects.filter(question=question).order_by("position", "id"))
        for letter, choice in zip(string.ascii_lowercase, choices, strict=False):
            choice.key = letter
        Choice.objects.bulk_update(choices, ["key"])
        correct = sum(c.is_correct for c in choices)
        version = QuestionVersion.objects.create(
            question=question,
            number=1,
            kind=question.kind,
            stem=question.stem,
            select_count=1 if question.kind == "single" else correct,
            content_hash=_hash(
                question.kind, question.stem, [(c.key, c.text, c.is_correct) for c in choices]
            ),
            created_at=question.updated_at,
        )
        version.item_root = version
        version.save(update_fields=["item_root"])
        VersionChoice.objects.bulk_create(
            [
                VersionChoice(
                    id=c.id,
                    version=version,
                    key=c.key,
                    position=c.position,
                    text=c.text,
                    is_correct=c.is_correct,
                    why=c.why,
                    misconception_id=c.misconception_id,
                )
                for c in choices
            ]
        )
        question.current_version = version
        question.from_bank = bool(question.source_hash)
        question.save(update_fields=["current_version", "from_bank"])
    for sql in schema_editor.connection.ops.sequence_reset_sql(no_style(), [VersionChoice]):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("domains", "0002_source_hash"),
        ("questions", "0003_source_hash"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="choice",
            name="key",
            field=models.SlugField(
                blank=True,
                default="",
                help_text="Stable option key (a, b, c ...); reordering keeps it. Blank: the next free one.",
                max_length=8,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="question",
            name="from_bank",
            field=models.BooleanField(
                default=False, editable=False, help_text="Came from the YAML bank (import_bank)."
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="source_file",
            field=models.CharField(
                blank=True,
                editable=False,
                help_text="Its YAML file inside the bank.",
                max_length=300,
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="constraints",
            field=models.JSONField(
                blank=True, default=list, help_text="The deciding constraints the stem states."
            ),
        ),
        migrations.AddField(
            model_name="question",
            name="verified",
            field=models.DateField(
                blank=True,
                null=True,
                help_text="When a reviewer last verified it blind against AWS docs.",
            ),
        ),
        migrations.CreateModel(
            name="QuestionVersion",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("number", models.PositiveIntegerField()),
                ("kind", models.CharField(choices=[("single", "Single response"), ("multiple", "Multiple response")], max_length=10)),
                ("stem", models.TextField()),
                ("select_count", models.PositiveSmallIntegerField()),
                ("content_hash", models.CharField(max_length=64)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("note", models.CharField(blank=True, max_length=300)),
                ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("item_root", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to="questions.questionversion")),
                ("question", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="versions", to="questions.question")),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("question", "number"), name="unique_version_number")],
            },
        ),
        migrations.CreateModel(
            name="VersionChoice",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("key", models.SlugField(max_length=8)),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("text", models.TextField()),
                ("is_correct", models.BooleanField(default=False)),
                ("why", models.TextField()),
                ("misconception", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="version_choices", to="domains.misconceptioncard")),
                ("version", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="choices", to="questions.questionversion")),
            ],
            options={
                "ordering": ["position"],
                "constraints": [models.UniqueConstraint(fields=("version", "key"), name="unique_version_choice_key")],
            },
        ),
        migrations.AddField(
            model_name="question",
            name="current_version",
            field=models.ForeignKey(
                blank=True,
                editable=False,
                help_text="The version new sittings are given.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to="questions.questionversion",
            ),
        ),
        migrations.RunPython(create_first_versions, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="choice",
            constraint=models.UniqueConstraint(fields=("question", "key"), name="unique_choice_key"),
        ),
    ]
