"""Refit the IRT parameters of the bank now, as the nightly task does.

Useful after an import or a batch of mocks, and to see what a fit would give (`--dry-run`
fits and prints the summary without writing ItemCalibration rows).
"""

from django.core.management.base import BaseCommand

from progress.calibration import calibrate_items


class Command(BaseCommand):
    help = "Fit 2PL/Rasch IRT parameters on first-exposure mock and pilot answers."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="fit and print, but write nothing"
        )

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        summary = calibrate_items(dry_run=dry_run)
        if verbosity >= 1:
            model = summary["model"] or "none (too few answers: every item keeps its prior)"
            self.stdout.write(
                f"{'Would calibrate' if dry_run else 'Calibrated'} {summary['versions']} "
                f"versions ({summary['items']} items): {summary['fitted']} fitted, "
                f"{summary['prior_only']} on their difficulty tag; model {model}; "
                f"{summary['responses']} first-exposure answers from {summary['mocks']} mocks "
                f"in {summary['seconds']} s."
            )
