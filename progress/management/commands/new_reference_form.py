"""Freeze the live bank's calibrated questions as the next reference form version.

Why a command: the reference form fixes where 750 sits on the equated scale, so it must not
move by itself. The nightly calibration never makes a version; an author makes one on purpose,
typically after a blueprint change or when the live bank has changed a lot, and first sees what
it would do (`--dry-run`): how many questions it holds and how the pass mark's ability moves.
New mocks are then scored on the new version; finished mocks keep their scores and the version
that scored them.

    manage.py new_reference_form --note "2027 blueprint" --dry-run
    manage.py new_reference_form --note "2027 blueprint" --author alice
"""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, transaction

from progress.equating import (
    ReferenceForm,
    ReferenceFormError,
    live_reference_items,
    new_reference_version,
    reference_form,
)
from progress.models import ReferenceFormVersion


class Command(BaseCommand):
    help = "Make the next reference form version from the live bank's calibrated questions."

    def add_arguments(self, parser):
        parser.add_argument("--note", required=True, help="why (e.g. a blueprint change)")
        parser.add_argument("--author", help="username recorded as the version's author")
        parser.add_argument("--dry-run", action="store_true", help="show the effect, write nothing")

    def handle(self, *args, note, author=None, dry_run=False, verbosity=1, **options):
        longest = ReferenceFormVersion._meta.get_field("note").max_length
        if len(note) > longest:
            # PostgreSQL would refuse it with a DataError traceback; SQLite would keep it all.
            raise CommandError(f"the note has {len(note)} characters; at most {longest}")
        user = None
        if author:
            try:
                user = get_user_model().objects.get_by_natural_key(author)
            except get_user_model().DoesNotExist as exc:
                raise CommandError(f"no user {author!r}") from exc
        current = ReferenceFormVersion.objects.current()
        items = live_reference_items()
        if current is not None and sorted(map(tuple, current.items)) == sorted(map(tuple, items)):
            raise CommandError(
                f"v{current.number} already holds exactly these {len(items)} questions and "
                "parameters: a new version would change nothing"
            )
        try:
            with transaction.atomic():
                made = new_reference_version(user=user, note=note, items=items)
                if dry_run:
                    transaction.set_rollback(True)
        except ReferenceFormError as exc:
            raise CommandError(str(exc)) from exc
        except IntegrityError as exc:
            raise CommandError(
                "another reference form version was made at the same moment; run again to see "
                "what a further one would change"
            ) from exc
        if verbosity < 1:
            return
        new = ReferenceForm(made.discrimination, made.difficulty, made.number)
        verb = "Would make" if dry_run else "Made"
        self.stdout.write(
            f"{verb} reference form v{made.number} from {len(items)} live calibrated questions; "
            f"750 needs ability {made.cut_ability:.3f}."
        )
        if current is not None:
            old = reference_form(current.number)
            self.stdout.write(
                f"v{current.number} ({len(current.items)} questions) put 750 at ability "
                f"{current.cut_ability:.3f}: that ability scores {new.scaled(old.cut_ability())} "
                f"on v{made.number}."
            )
        if not dry_run:
            self.stdout.write(
                f"New mocks are scored on v{made.number}; finished mocks keep their scores."
            )
