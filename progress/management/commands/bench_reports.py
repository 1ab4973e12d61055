"""Benchmark the nightly runs (weak-domain reports, item analysis) on synthetic learners.

Seeds LEARNERS synthetic learners ("bench-NNNNN", removed first and, unless --keep, afterwards)
with ANSWERS graded answers each from the published bank, then times the nightly work: reports
for every learner active in the last day, built in the same chunks the Celery tasks use. Prints
answers/s. Run it on PostgreSQL: `DATABASE_URL=postgres://... make bench`.
"""

import random
import time
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from progress.item_analysis import compute_item_statistics
from progress.models import Sitting, SittingItem
from progress.reports import build_reports
from progress.tasks import NIGHTLY_CHUNK
from questions.models import Question, VersionChoice

PREFIX = "bench-"


class Command(BaseCommand):
    help = "Seed synthetic learners and time the nightly report run (prints answers/s)."

    def add_arguments(self, parser):
        parser.add_argument("--learners", type=int, default=10_000)
        parser.add_argument("--answers", type=int, default=100)
        parser.add_argument("--keep", action="store_true", help="Keep the synthetic data.")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, learners, answers, keep, seed, **options):
        rng = random.Random(seed)
        User = get_user_model()
        bank = list(Question.objects.live().values_list("id", flat=True))
        versions = dict(Question.objects.live().values_list("id", "current_version_id"))
        if len(bank) < answers:
            raise CommandError(f"The bank has {len(bank)} published questions; import it first.")
        choices = {}
        for qid, cid, right in VersionChoice.objects.filter(
            version_id__in=versions.values()
        ).values_list("version__question_id", "id", "is_correct"):
            choices.setdefault(qid, ([], []))[0 if right else 1].append(cid)
        self.stdout.write(
            f"Database: {connection.vendor}. Seeding {learners} learners x {answers} answers…"
        )
        User.objects.filter(username__startswith=PREFIX).delete()
        started = time.perf_counter()
        now = timezone.now()
        with transaction.atomic():
            users = User.objects.bulk_create(
                [User(username=f"{PREFIX}{n:05d}", password="!") for n in range(learners)],
                batch_size=2000,
            )
            if users[0].pk is None:  # backends without RETURNING
                users = list(User.objects.filter(username__startswith=PREFIX).order_by("username"))
            sittings = Sitting.objects.bulk_create(
                [
                    Sitting(
                        user=u,
                        mode="practice",
                        status="finished",
                        started_at=now - timedelta(hours=3),
                        finished_at=now - timedelta(hours=2),
                        title="bench",
                    )
                    for u in users
                ],
                batch_size=2000,
            )
            if sittings[0].pk is None:
                sittings = list(
                    Sitting.objects.filter(user__username__startswith=PREFIX).order_by(
                        "user__username"
                    )
                )
            batch = []
            for sitting in sittings:
                ability = rng.uniform(0.4, 0.9)
                for position, qid in enumerate(rng.sample(bank, answers), start=1):
                    right_ids, wrong_ids = choices[qid]
                    correct = rng.random() < ability
                    batch.append(
                        SittingItem(
                            sitting=sitting,
                            position=position,
                            question_id=qid,
                            version_id=versions[qid],
                            choice_order=[],
                            selected=right_ids if correct else wrong_ids[:1],
                            is_correct=correct,
                            answered_at=now - timedelta(minutes=rng.randint(60, 180)),
                        )
                    )
                if len(batch) >= 20_000:
                    SittingItem.objects.bulk_create(batch, batch_size=5000)
                    batch = []
            SittingItem.objects.bulk_create(batch, batch_size=5000)
        seeded = time.perf_counter() - started
        total_answers = learners * answers
        self.stdout.write(f"Seeded {total_answers} answers in {seeded:.1f} s.")

        user_ids = [u.pk for u in users]
        started = time.perf_counter()
        created = 0
        for start in range(0, len(user_ids), NIGHTLY_CHUNK):
            created += build_reports(user_ids[start : start + NIGHTLY_CHUNK])
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Nightly reports: {created} reports for {learners} learners in {elapsed:.1f} s "
            f"({total_answers / elapsed:,.0f} answers/s, chunks of {NIGHTLY_CHUNK})."
        )
        started = time.perf_counter()
        again = sum(
            build_reports(user_ids[start : start + NIGHTLY_CHUNK])
            for start in range(0, len(user_ids), NIGHTLY_CHUNK)
        )
        elapsed = time.perf_counter() - started
        self.stdout.write(f"Second run (nothing changed): {again} new reports in {elapsed:.1f} s.")
        started = time.perf_counter()
        analysed = compute_item_statistics()
        elapsed = time.perf_counter() - started
        self.stdout.write(
            f"Item analysis: {analysed} questions over {total_answers} answers in {elapsed:.1f} s."
        )
        if not keep:
            User.objects.filter(username__startswith=PREFIX).delete()
            self.stdout.write("Synthetic learners removed.")
