from django.core.management.base import BaseCommand

from progress.outbox import drain


class Command(BaseCommand):
    help = "Do the work waiting in the outbox now, in this process (no broker needed)."

    def handle(self, *args, **options):
        self.stdout.write(f"{drain()} outbox row(s) done.")
