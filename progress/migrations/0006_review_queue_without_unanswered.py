"""Take questions the learner never answered out of the review queue.

Until now an unanswered mock question (the rest of a mock whose time ran out) entered the FSRS
queue as if answered wrong. Such entries are removed; questions answered at least once stay.
"""

from django.db import migrations
from django.db.models import Exists, OuterRef


def drop_unanswered(apps, schema_editor):
    ReviewItem = apps.get_model("progress", "ReviewItem")
    SittingItem = apps.get_model("progress", "SittingItem")
    answered = SittingItem.objects.filter(
        sitting__user_id=OuterRef("user_id"),
        question_id=OuterRef("question_id"),
        answered_at__isnull=False,
    )
    ReviewItem.objects.filter(question__isnull=False).exclude(Exists(answered)).delete()


class Migration(migrations.Migration):
    dependencies = [("progress", "0005_merge_20261130_1134")]

    operations = [migrations.RunPython(drop_unanswered, migrations.RunPython.noop)]
