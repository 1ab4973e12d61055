from django.core.management.base import BaseCommand, CommandError

from progress.backup import BackupError, backup, default_path


class Command(BaseCommand):
    help = "Snapshot the database (SQLite file or pg_dump) to PATH or var/backups/."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="where to write the backup")

    def handle(self, *args, path=None, **options):
        try:
            written = backup(path or default_path())
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backup written to {written}")
