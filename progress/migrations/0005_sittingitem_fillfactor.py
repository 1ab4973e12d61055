from django.db import migrations


def set_fillfactor(apps, schema_editor):
    # Autosaves rewrite the same item rows many times a sitting. With free room on each page
    # PostgreSQL updates them in place (HOT: no new entry in any of the table's indexes), which
    # the default fillfactor of 100 leaves no room for. Pages written from now on keep the room.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE progress_sittingitem SET (fillfactor = 70)")


def reset_fillfactor(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE progress_sittingitem RESET (fillfactor)")


class Migration(migrations.Migration):

    dependencies = [
        ("progress", "0004_item_select_count_and_revision"),
    ]

    operations = [migrations.RunPython(set_fillfactor, reset_fillfactor)]
