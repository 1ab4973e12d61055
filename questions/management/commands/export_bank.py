"""Export the bank (questions, misconception cards, topic notes) to YAML in the import format,
so what admins authored in the Django admin can be reviewed and committed like code."""

from django.core.management.base import BaseCommand

from questions.bank import export_bank


class Command(BaseCommand):
    help = "Write the question bank to PATH as YAML (the import_bank format)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, path, **options):
        counts = export_bank(path)
        self.stdout.write(
            f"Exported {counts['questions']} questions, {counts['cards']} cards and "
            f"{counts['topics']} topic notes to {path}."
        )
