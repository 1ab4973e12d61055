"""Count the bank's questions per in-scope AWS service and task statement; write COVERAGE.md.

Why a command: the exam guide lists the services in scope, and a bank that never asks about one
of them (or asks about a heavily weighted topic only twice) has a hole a candidate meets on exam
day. The map of services to task statements is kept by hand in `<bank>/coverage.yaml`; this
command counts the published questions from their tags (no database) and writes
`<bank>/COVERAGE.md`. The logic lives in `questions/coverage.py`.

`--check` writes nothing and exits 1 when COVERAGE.md is out of date or a heavily weighted topic
has fewer questions than its minimum (CI runs the same check); 2 when the bank or the map can't
be read.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from questions import coverage as cov
from questions.bank import read_bank

DEFAULT_PATH = settings.BASE_DIR / "fixtures" / "bank"
BLUEPRINT = settings.BASE_DIR / "fixtures" / "blueprint.yaml"


def build(path):
    """(Coverage, rendered Markdown) for the bank folder `path`; CommandError (2) if unreadable."""
    root = Path(path)
    if not root.is_dir():
        raise CommandError(f"{root}: not a bank folder.", returncode=2)
    tasks = cov.load_tasks(BLUEPRINT)
    coverage_map, problems = cov.load_map(root / cov.MAP_FILE, set(tasks))
    bank = read_bank(root)
    problems += [str(p) for p in bank.problems]
    if problems:
        raise CommandError(
            f"{len(problems)} problem(s) reading {root}:\n" + "\n".join(problems), returncode=2
        )
    coverage = cov.measure(coverage_map, bank.questions, tasks)
    return coverage, cov.render(coverage)


class Command(BaseCommand):
    help = (
        "Count published questions per in-scope AWS service, task statement and heavily "
        "weighted topic (from <bank>/coverage.yaml and the questions' tags) and write "
        "<bank>/COVERAGE.md; --check fails if it is stale or a topic is thin."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "path",
            nargs="?",
            default=str(DEFAULT_PATH),
            help="The bank folder holding coverage.yaml and questions/ (default fixtures/bank).",
        )
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--check",
            action="store_true",
            help="Write nothing; exit 1 if COVERAGE.md is out of date or a topic is below its "
            "minimum.",
        )
        mode.add_argument(
            "--dry-run", action="store_true", help="Print the table instead of writing it."
        )

    def handle(self, *args, path, check, dry_run, verbosity, **options):
        coverage, text = build(path)
        target = Path(path) / cov.TABLE_FILE
        if dry_run:
            self.stdout.write(text, ending="")
            return
        current = target.read_text(encoding="utf-8") if target.exists() else None
        if verbosity >= 1:
            self._summary(coverage)
        if not check:
            if current == text:
                self.stdout.write(f"{target} is up to date.")
            else:
                target.write_text(text, encoding="utf-8")
                self.stdout.write(self.style.SUCCESS(f"Wrote {target}."))
            return
        failures = []
        if current != text:
            state = "missing" if current is None else "out of date"
            failures.append(f"{target} is {state}: run `{cov.COMMAND} {path}` and commit it")
        for row in coverage.thin_topics:
            failures.append(
                f"topic '{row.topic.name}' has {row.questions} question(s), needs "
                f"{row.topic.minimum}"
            )
        if failures:
            raise CommandError("\n".join(failures), returncode=1)
        self.stdout.write(self.style.SUCCESS(f"{target} is up to date; every topic is covered."))

    def _summary(self, coverage):
        w = self.stdout.write
        w(f"{coverage.questions} published questions.")
        for row in coverage.topics:
            mark = "SHORT" if row.thin else "ok   "
            w(f"  {mark} {row.questions:4d} / {row.topic.minimum:<3d} {row.topic.name}")
        if coverage.missing:
            w("In-scope services with no question: " + ", ".join(s.name for s in coverage.missing))
        if coverage.unmapped:
            w(
                "Tags not mapped to an in-scope service: "
                + ", ".join(f"{name} ({n})" for name, n in coverage.unmapped)
            )
