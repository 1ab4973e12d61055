"""Write the bank's JSON Schema files (fixtures/bank/schema/*.json) from questions/schema.py.

Why: authors' editors (VS Code's YAML extension, JetBrains) validate YAML as they type when a
file names its schema; the files are generated from the same rules import_bank applies, and a
test fails if the committed files drift from them. `--check` only compares.
"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from questions.schema import SCHEMAS

DEFAULT_PATH = Path(settings.BASE_DIR) / "fixtures" / "bank" / "schema"


def rendered():
    return {
        name: json.dumps(schema, indent=2, sort_keys=True) + "\n"
        for name, schema in SCHEMAS.items()
    }


class Command(BaseCommand):
    help = "Write (or --check) the JSON Schema files of the YAML bank format."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(DEFAULT_PATH))
        parser.add_argument("--check", action="store_true", help="fail if the files differ")

    def handle(self, *args, path, check, **options):
        folder = Path(path)
        stale = []
        for name, text in rendered().items():
            file = folder / name
            if check:
                if not file.exists() or file.read_text(encoding="utf-8") != text:
                    stale.append(name)
                continue
            folder.mkdir(parents=True, exist_ok=True)
            file.write_text(text, encoding="utf-8")
        if stale:
            raise CommandError(f"out of date: {', '.join(stale)}; run manage.py bank_schema")
        self.stdout.write(
            ("Checked" if check else "Wrote") + f" {len(SCHEMAS)} schema file(s) in {folder}"
        )
