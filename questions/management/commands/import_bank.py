"""Import the question bank from YAML (fixtures/bank by default).

Why a command and not loaddata: the bank is reviewed like code, so import must check every
rule, report every problem at once with file, line and id, and write nothing unless all is well.
Creates or updates by id; a second run changes nothing and says so.
"""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from questions.bank import BankError, apply_bank, check_bank, read_bank

DEFAULT_PATH = settings.BASE_DIR / "fixtures" / "bank"


class Command(BaseCommand):
    help = (
        "Import (create or update by id) questions, misconception cards and topic notes from YAML."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_PATH))
        parser.add_argument("--dry-run", action="store_true", help="Check only; write nothing.")
        parser.add_argument(
            "--force",
            action="store_true",
            help="Overwrite what was edited in the admin since its last import.",
        )

    def handle(self, *args, path, dry_run, force, verbosity, **options):
        bank = read_bank(path)
        problems = check_bank(bank)
        if problems:
            for problem in problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(problems)} problem(s) found; nothing was imported.")
        counts = (
            f"{len(bank.questions)} questions, {len(bank.cards)} cards, "
            f"{len(bank.topics)} topic notes"
        )
        if dry_run:
            self.stdout.write(f"Dry run: {counts} are valid. Nothing was written.")
            return
        progress = self._progress_bar if verbosity >= 1 and sys.stdout.isatty() else None
        try:
            summary = apply_bank(bank, progress=progress, force=force)
        except BankError as exc:
            raise CommandError(f"{exc}; nothing was imported.") from exc
        if progress:
            self.stdout.write("")
        kept = [ident for s in summary.values() for ident in s.kept]
        if kept:
            self.stderr.write(
                f"Kept {len(kept)} item(s) edited in the admin since their last import, not "
                f"overwritten: {', '.join(kept)}. Run export_bank to bring the edits into the "
                "YAML, or import_bank --force to replace them with the YAML."
            )
        retired = summary["questions"].retired
        if retired:
            self.stderr.write(
                f"Retired {len(retired)} question(s) no longer in their YAML file (kept for "
                f"learners' history): {', '.join(retired)}."
            )
        if not any(s.changed for s in summary.values()):
            self.stdout.write(f"Bank unchanged: {counts} already up to date.")
            return
        self.stdout.write("Imported: " + "; ".join(f"{what}: {s}" for what, s in summary.items()))

    def _progress_bar(self, done, total):
        width = 30
        filled = width * done // total
        self.stdout.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}", ending="")
        self.stdout.flush()
