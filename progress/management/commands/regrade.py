"""Re-score finished sittings that used a flawed version of a question.

Why a command as well as the admin action: a key correction found in review may affect
thousands of sittings, and an operator wants to see every learner's score change (--dry-run)
before anything is written, from a terminal and in a deploy script.

    manage.py regrade QUESTION_ID_OR_SLUG --flawed 1 --method corrected --dry-run
    manage.py regrade QUESTION --flawed 1 --method corrected          # corrected = current version
    manage.py regrade QUESTION --flawed 1 --method both --corrected 2
    manage.py regrade QUESTION --flawed 1 --method drop
"""

from django.core.management.base import BaseCommand, CommandError

from progress.models import Regrade
from progress.regrading import RegradeError, apply_regrade, plan_regrade
from questions.models import Question


class Command(BaseCommand):
    help = "Re-score finished sittings that used a flawed version of a question."

    def add_arguments(self, parser):
        parser.add_argument("question", help="question slug or numeric id")
        parser.add_argument("--flawed", type=int, required=True, help="the flawed version number")
        parser.add_argument("--method", choices=Regrade.Method.values, required=True)
        parser.add_argument(
            "--corrected", type=int, help="the corrected version number (default: the current)"
        )
        parser.add_argument("--dry-run", action="store_true", help="list changes, write nothing")

    def handle(self, *args, question, flawed, method, corrected, dry_run, **options):
        version = flawed
        lookup = {"pk": int(question)} if question.isdigit() else {"slug": question}
        try:
            q = Question.objects.get(**lookup)
            bad = q.versions.get(number=version)
            fixed = None
            if method != Regrade.Method.DROP:
                fixed = q.versions.get(number=corrected) if corrected else q.current_version
        except Question.DoesNotExist as exc:
            raise CommandError(f"no question {question!r}") from exc
        except q.versions.model.DoesNotExist as exc:
            raise CommandError(f"{q.slug} has no version {corrected or version}") from exc
        try:
            changes = (
                plan_regrade(bad, method, fixed)
                if dry_run
                else apply_regrade(bad, method, fixed).changes
            )
        except RegradeError as exc:
            raise CommandError(str(exc)) from exc
        rows = [c.as_dict() if hasattr(c, "as_dict") else c for c in changes]
        for row in rows:
            delta = row["after"] - row["before"]
            self.stdout.write(
                f"sitting {row['sitting']:>6}  {row['username']:<20} "
                f"{row['before']:>4} -> {row['after']:>4} ({delta:+d})"
            )
        changed = sum(1 for row in rows if row["after"] != row["before"])
        verb = "would change" if dry_run else "changed"
        self.stdout.write(
            f"{len(rows)} finished sitting(s) used {q.slug} v{version}; {changed} score(s) {verb}."
            + (" Nothing was written (dry run)." if dry_run else "")
        )
