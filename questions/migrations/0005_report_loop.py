import django.db.models.deletion
from django.db import migrations, models


def resolved_reports_are_fixed(apps, schema_editor):
    ProblemReport = apps.get_model("questions", "ProblemReport")
    ProblemReport.objects.filter(resolved_at__isnull=False).update(status="fixed")


class Migration(migrations.Migration):
    dependencies = [
        ("questions", "0004_question_versions"),
    ]

    operations = [
        migrations.AddField(
            model_name="problemreport",
            name="status",
            field=models.CharField(
                choices=[
                    ("open", "Open"),
                    ("in_review", "In review"),
                    ("fixed", "Fixed"),
                    ("declined", "Declined"),
                ],
                default="open",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="problemreport",
            name="seen_at",
            field=models.DateTimeField(
                blank=True, help_text="When the learner first saw the resolution.", null=True
            ),
        ),
        migrations.AddField(
            model_name="problemreport",
            name="version",
            field=models.ForeignKey(
                blank=True,
                help_text="The version the learner saw.",
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="reports",
                to="questions.questionversion",
            ),
        ),
        migrations.AlterField(
            model_name="problemreport",
            name="resolution",
            field=models.TextField(
                blank=True,
                help_text="Shown to the learner on My reports.",
                verbose_name="reply to the learner",
            ),
        ),
        migrations.AddIndex(
            model_name="problemreport",
            index=models.Index(fields=["reporter", "status"], name="questions_p_reporte_91c55a_idx"),
        ),
        migrations.RunPython(resolved_reports_are_fixed, migrations.RunPython.noop),
    ]
