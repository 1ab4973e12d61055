"""Sitting items pin the question version they were assembled with; statistics per version;
regrades. Existing items and statistics point at version 1 of their question (which keeps
the option ids they store)."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def pin_first_versions(apps, schema_editor):
    Question = apps.get_model("questions", "Question")
    SittingItem = apps.get_model("progress", "SittingItem")
    QuestionStats = apps.get_model("progress", "QuestionStats")
    current = Subquery(
        Question.objects.filter(pk=OuterRef("question_id")).values("current_version_id")[:1]
    )
    SittingItem.objects.update(version_id=current)
    QuestionStats.objects.update(version_id=current)


class Migration(migrations.Migration):
    dependencies = [
        ("progress", "0003_study_groups"),
        ("questions", "0004_question_versions"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="sittingitem",
            name="version",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sitting_items",
                to="questions.questionversion",
            ),
        ),
        migrations.AddField(
            model_name="sittingitem",
            name="scored",
            field=models.BooleanField(
                default=True, help_text="False once a regrade dropped the item from scoring."
            ),
        ),
        migrations.AlterField(
            model_name="questionstats",
            name="question",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="version_stats",
                to="questions.question",
            ),
        ),
        migrations.AddField(
            model_name="questionstats",
            name="version",
            field=models.OneToOneField(
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="stats",
                to="questions.questionversion",
            ),
        ),
        migrations.RunPython(pin_first_versions, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="sittingitem",
            name="version",
            field=models.ForeignKey(
                help_text="The version this item was assembled with: shown, scored and reviewed.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="sitting_items",
                to="questions.questionversion",
            ),
        ),
        migrations.AlterField(
            model_name="questionstats",
            name="version",
            field=models.OneToOneField(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="stats",
                to="questions.questionversion",
            ),
        ),
        migrations.CreateModel(
            name="Regrade",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("method", models.CharField(choices=[("corrected", "Score with the corrected key"), ("both", "Accept the old and the corrected key"), ("drop", "Drop the item from scoring")], max_length=10)),
                ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("changes", models.JSONField(default=list, help_text="[{sitting, user, before, after}] scaled scores before and after, per sitting.")),
                ("corrected", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="questions.questionversion")),
                ("created_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
                ("version", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="regrades", to="questions.questionversion")),
            ],
        ),
    ]
