"""The "author" role: staff who write and review questions but are not superusers."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

AUTHOR_PERMISSIONS = {
    "questions": ["question", "choice", "tag"],
    "domains": ["misconceptioncard", "taskstatement"],
}


def create_author_group(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name="author")
    codenames = [
        f"{action}_{model}"
        for models in AUTHOR_PERMISSIONS.values()
        for model in models
        for action in ("add", "change", "view")
    ]
    codenames += ["view_problemreport", "change_problemreport", "view_domain", "delete_choice"]
    group.permissions.set(Permission.objects.filter(codename__in=codenames))


def remove_author_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="author").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("questions", "0001_initial"),
        ("domains", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_author_group, remove_author_group)]
