"""Load the DOP-C02 blueprint (domains and task statements) from fixtures/blueprint.yaml.

Idempotent: updates names and weights in place and never touches topic notes or cards, so
running it on every `make run` loses nothing an admin wrote.
"""

from pathlib import Path

import yaml
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from domains.models import Domain, TaskStatement

DEFAULT_PATH = Path(settings.BASE_DIR) / "fixtures" / "blueprint.yaml"


def load_blueprint(path=DEFAULT_PATH):
    data = yaml.safe_load(Path(path).read_text())
    changed = 0
    with transaction.atomic():
        for entry in data:
            domain, created = Domain.objects.update_or_create(
                number=entry["number"],
                defaults={
                    "name": entry["name"],
                    "slug": entry["slug"],
                    "weight_percent": entry["weight_percent"],
                },
            )
            changed += created
            for number, title in entry["tasks"].items():
                _, created = TaskStatement.objects.update_or_create(
                    number=number, defaults={"domain": domain, "title": title}
                )
                changed += created
    return changed


class Command(BaseCommand):
    help = "Load the DOP-C02 exam blueprint (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_PATH))

    def handle(self, *args, path, **options):
        created = load_blueprint(path)
        self.stdout.write(
            f"Blueprint: {Domain.objects.count()} domains, "
            f"{TaskStatement.objects.count()} task statements ({created} new)."
        )
