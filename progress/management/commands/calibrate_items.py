"""Refit the IRT parameters of the bank now, as the nightly task does.

Useful after an import or a batch of mocks, and to see what a fit would give (`--dry-run`
fits, links and prints the summary without writing ItemCalibration rows or a CalibrationRun).
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
            self.stdout.write(self.linking_line(summary))

    def linking_line(self, summary):
        how = summary["linking"]
        if how == "base":
            return "This fit sets the base scale (the first calibration)."
        if how == "unlinked":
            return self.style.WARNING(
                f"Not linked: only {summary['anchors']} common items with 50+ answers in both "
                "runs; the scale may have moved since the previous calibration."
            )
        if how == "none":
            return "Nothing to link (no item fitted)."
        return (
            f"Linked to the previous calibration ({how}, {summary['anchors']} anchors): "
            f"θ_base = {summary['slope']:.3f} θ_fit {summary['intercept']:+.3f}; the anchors "
            f"moved {summary['anchor_drift']:.3f} logits on average."
        )
