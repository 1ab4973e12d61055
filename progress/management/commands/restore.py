from django.core.management.base import BaseCommand, CommandError

from progress.backup import BackupError, restore


class Command(BaseCommand):
    help = (
        "Replace the database with a backup made by `manage.py backup`. Stop the web, worker "
        "and beat processes first. --database-name restores into another PostgreSQL database "
        "(or SQLite file) instead, e.g. to rehearse."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--database-name", help="restore into this database instead")
        parser.add_argument("--yes", action="store_true", help="don't ask for confirmation")

    def handle(self, *args, path, database_name=None, yes=False, **options):
        if not yes and not database_name:
            answer = input("This replaces the current database. Type 'restore' to go on: ")
            if answer.strip() != "restore":
                raise CommandError("Not restored.")
        try:
            target = restore(path, database_name=database_name)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {path} into {target}")
