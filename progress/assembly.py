"""Drawing questions for a mock or a practice set, in a constant number of queries."""

import random
from collections import defaultdict

from django.db import IntegrityError, models, transaction
from django.db.models import F, Max, Q, Window
from django.db.models.functions import Coalesce, Random, RowNumber
from django.utils import timezone

from domains import blueprint
from domains.models import Domain
from questions.models import Question, VersionChoice

from .models import Profile, Sitting, SittingItem


class OpenSittingExists(Exception):
    def __init__(self, sitting):
        super().__init__(f"sitting {sitting.pk} is in progress")
        self.sitting = sitting


def last_seen_by_question(user):
    """{question_id: when the learner last got it in a sitting}. One query."""
    rows = (
        SittingItem.objects.filter(sitting__user=user)
        .values("question_id")
        .annotate(last=Max("sitting__started_at"))
    )
    return {row["question_id"]: row["last"] for row in rows}


def _candidates(questions, user, per_task):
    """(id, domain number, task id, status) of the `questions` a draw for `user` could use: up
    to `per_task` never-seen ones per task statement and status (so pilots never crowd out
    published questions), drawn at random by the database, and all those the user has seen
    (bounded by their history). Two queries; what they return does not grow with the bank, so a
    10,000-question bank starts a mock about as fast as a 500 one."""
    seen = SittingItem.objects.filter(sitting__user=user).values("question_id")
    fields = ("id", "domain__number", "task_id", "status")
    fresh = (
        questions.exclude(id__in=seen)
        .annotate(
            draw=Window(RowNumber(), partition_by=[F("task_id"), F("status")], order_by=Random())
        )
        .filter(draw__lte=per_task)
        .values_list(*fields)
    )
    return list(fresh) + list(questions.filter(id__in=seen).values_list(*fields))


def enemies_of(question_ids):
    """{question id: set of its enemy ids} among and around `question_ids`. One query."""
    out = defaultdict(set)
    rows = Question.enemies.through.objects.filter(from_question_id__in=list(question_ids))
    for a, b in rows.values_list("from_question_id", "to_question_id"):
        out[a].add(b)
        out[b].add(a)
    return out


def _spread_over_tasks(
    candidates, count, seen, rng, prefer=frozenset(), enemies=None, blocked=None
):
    """Take `count` from candidates ((id, domain number, task id) tuples), round-robin over
    task statements, best tier first: `prefer` (e.g. missed questions), never seen (in random
    order), then seen longest ago. Draws from each task only as many as it could use, so the
    cost grows with the bank only by one pass over it (a 10,000-question bank: ~2 ms).

    A question whose enemy (same decision, or one gives the other away) was already picked is
    skipped: `blocked` (a set, updated in place) carries that across calls for one sitting."""
    enemies = enemies or {}
    blocked = set() if blocked is None else blocked
    by_task = defaultdict(lambda: ([], [], []))
    for q in candidates:
        qid = q[0]
        by_task[q[2]][0 if qid in prefer else 1 if qid not in seen else 2].append(q)
    queues = []
    for preferred, fresh, old in by_task.values():
        # Enemies can block some, so keep a margin beyond `count` in each tier.
        keep = count + len(enemies) if enemies else count
        queue = [(0, q) for q in rng.sample(preferred, min(len(preferred), keep))]
        queue += [(1, q) for q in rng.sample(fresh, min(len(fresh), keep))]
        old = sorted(rng.sample(old, len(old)), key=lambda q: seen[q[0]])[:keep]
        queue += [(2, q) for q in old]
        queues.append(queue)
    rng.shuffle(queues)
    picked = []
    for tier in (0, 1, 2):
        progress = True
        while len(picked) < count and progress:
            progress = False
            for queue in queues:
                if len(picked) >= count:
                    break
                while queue and queue[0][1][0] in blocked:
                    queue.pop(0)
                if queue and queue[0][0] == tier:
                    chosen = queue.pop(0)[1]
                    picked.append(chosen)
                    blocked.add(chosen[0])
                    blocked.update(enemies.get(chosen[0], ()))
                    progress = True
    return picked


def pick_mock(user, rng=None, total=blueprint.QUESTIONS_PER_EXAM, max_pilots=None):
    """Choose a mock's questions: k = min(`max_pilots`, pilots the learner has never seen)
    unscored pilot questions (blueprint.UNSCORED_ON_REAL_EXAM by default; no enemies of each
    other) and `total` - k published questions split by the blueprint, all shuffled together so
    pilots sit at random positions. Only unseen pilots: a pilot met again would be the one kind
    of repeat in a mock whose scored questions are all fresh, which gives it away, and a repeat
    tells its statistics nothing (they count first exposures).

    Returns (question ids in position order, set of the pilot ids among them, notice). The
    notice never tells pilots apart, nor how many there are.
    """
    rng = rng or random.Random()
    if max_pilots is None:
        max_pilots = blueprint.UNSCORED_ON_REAL_EXAM
    domains = list(Domain.objects.order_by("number"))
    pool, pilot_pool = defaultdict(list), []
    questions = Question.objects.live()
    if max_pilots:
        questions = questions | Question.objects.pilots()
    seen = last_seen_by_question(user)
    for row in _candidates(questions, user, per_task=total):
        if row[3] != Question.Status.PILOT:
            pool[row[1]].append(row)
        elif row[0] not in seen:
            pilot_pool.append(row)
    enemies = enemies_of(
        [q[0] for rows in pool.values() for q in rows] + [q[0] for q in pilot_pool]
    )
    blocked = set()
    # Pilots first, so the scored draw below steers clear of their enemies.
    pilots = _spread_over_tasks(
        pilot_pool, min(max_pilots, len(pilot_pool)), seen, rng, enemies=enemies, blocked=blocked
    )
    scored_total = max(0, total - len(pilots))
    quotas = blueprint.split_by_weight(scored_total, {d.number: d.weight_percent for d in domains})
    picked, short = [], 0
    for domain in domains:
        chosen = _spread_over_tasks(
            pool[domain.number], quotas[domain.number], seen, rng, enemies=enemies, blocked=blocked
        )
        short += quotas[domain.number] - len(chosen)
        picked += chosen
    if short:
        # A domain has too few questions: fill from the others, heaviest domains first.
        chosen_ids = {q[0] for q in picked}
        for number in pool:
            pool[number] = [q for q in pool[number] if q[0] not in chosen_ids]
        for domain in sorted(domains, key=lambda d: -d.weight_percent):
            extra = _spread_over_tasks(
                pool[domain.number], short, seen, rng, enemies=enemies, blocked=blocked
            )
            picked += extra
            short -= len(extra)
    picked += pilots
    repeats = sum(1 for q in picked if q[0] in seen)
    notice = ""
    if repeats:
        notice = (
            f"The bank is too small to avoid repeats: {repeats} of these {len(picked)} questions "
            "are ones you have seen before (the ones you saw longest ago)."
        )
    if len(picked) < total:
        notice = (
            # Not "N published questions": with pilots among them, that would count the pilots.
            f"The bank is too small for a full mock, so this mock has {len(picked)} questions "
            f"instead of {total}. " + notice
        ).strip()
    rng.shuffle(picked)
    return [q[0] for q in picked], {q[0] for q in pilots}, notice


def pick_mock_questions(user, rng=None, total=blueprint.QUESTIONS_PER_EXAM):
    """Choose `total` published questions split by the blueprint, no pilots. Returns
    (questions, notice)."""
    ids, _, notice = pick_mock(user, rng=rng, total=total, max_pilots=0)
    return ids, notice


def pick_practice_questions(
    user, *, domains=(), tasks=(), count=20, question_ids=None, prefer=frozenset(), rng=None
):
    rng = rng or random.Random()
    qs = Question.objects.live()
    if question_ids is not None:
        qs = qs.filter(id__in=question_ids)
    # Domains and task statements add up (a union), as the practice form says.
    if domains or tasks:
        qs = qs.filter(Q(domain__number__in=domains) | Q(task__number__in=tasks))
    candidates = _candidates(qs, user, per_task=count)
    seen = last_seen_by_question(user)
    enemies = enemies_of(q[0] for q in candidates)
    picked = _spread_over_tasks(candidates, count, seen, rng, prefer, enemies=enemies)
    rng.shuffle(picked)
    return [q[0] for q in picked]


def latest_per_question(items):
    """Of `items` (a SittingItem queryset), the one per question the learner touched last, as a
    queryset of ids for `id__in`. Touched = answered (`answered_at`), else dealt (its sitting's
    start; a learner has one open sitting at a time, so sittings never overlap); ties go to the
    later sitting, then the higher id. Not by id alone: ids follow when items were made, not when
    the learner answered them (a restored backup, a sitting dealt earlier and answered later)."""
    touched = Coalesce("answered_at", "sitting__started_at")
    return (
        items.annotate(
            recency=Window(
                RowNumber(),
                partition_by=[F("question_id")],
                order_by=[touched.desc(), F("sitting__started_at").desc(), F("id").desc()],
            )
        )
        .filter(recency=1)
        .values("id")
    )


def missed_question_ids(user):
    """Questions whose latest answer by `user` was wrong. Questions left unanswered are not
    "missed" (see not_reached_question_ids). One query."""
    latest = latest_per_question(
        SittingItem.objects.without_pilots().filter(
            sitting__user=user,
            is_correct__isnull=False,
            answered_at__isnull=False,
            question__in=Question.objects.live(),
        )
    )
    return list(
        SittingItem.objects.filter(id__in=latest, is_correct=False).values_list(
            "question_id", flat=True
        )
    )


def not_reached_question_ids(user):
    """Questions the learner left unanswered in a finished mock and has not answered since
    (typically the rest of a mock whose time ran out). They score zero but say nothing about
    knowledge, so they are kept out of the review queue and the missed list. One query."""
    latest = latest_per_question(
        SittingItem.objects.without_pilots().filter(
            sitting__user=user, sitting__status=Sitting.Status.FINISHED
        )
    )
    return list(
        SittingItem.objects.filter(
            id__in=latest, answered_at__isnull=True, sitting__mode=Sitting.Mode.MOCK
        ).values_list("question_id", flat=True)
    )


def _current_versions(question_ids, rng):
    """{question_id: (current version id, its option ids shuffled, options to select)}.
    One query."""
    versions = {}
    for qid, vid, select_count, cid in VersionChoice.objects.filter(
        version__question__current_version=models.F("version"),
        version__question_id__in=question_ids,
    ).values_list("version__question_id", "version_id", "version__select_count", "id"):
        versions.setdefault(qid, (vid, [], select_count))[1].append(cid)
    for _, ids, _ in versions.values():
        rng.shuffle(ids)
    return versions


def open_sitting(user):
    return Sitting.objects.in_progress().filter(user=user).first()


def create_sitting(
    user,
    mode,
    question_ids,
    *,
    title="",
    config=None,
    notice="",
    rng=None,
    now=None,
    timed=False,
    pilot_ids=frozenset(),
):
    """Start a sitting with these questions. An open mock blocks it (OpenSittingExists); an open
    practice set is finished (scored on what was checked) and returned as `sitting.replaced`.
    A `timed` practice set gets a deadline at the exam's pace (2.4 minutes a question, more with
    the extra-time accommodation, in the same proportion as a mock). Items of `pilot_ids` are
    unscored pilots (`SittingItem.is_pilot`).

    Starts by one learner are serialised on their profile row, so twenty starts at once behave
    like twenty in a row: each finishes the practice set before it, none reports a phantom mock.
    """
    rng = rng or random.Random()
    now = now or timezone.now()
    replaced = None
    with transaction.atomic():
        profile, _ = Profile.objects.select_for_update().get_or_create(user=user)
        current = Sitting.objects.select_for_update().in_progress().filter(user=user).first()
        if current is not None and not current.finish_if_expired(now):
            if current.is_mock or current.deadline is not None:  # a mock or a timed block
                raise OpenSittingExists(current)
            current.finish(now=now)
            replaced = current
        deadline = None
        if mode == Sitting.Mode.MOCK:
            minutes = profile.exam_minutes
            deadline = now + timezone.timedelta(minutes=minutes)
        elif timed:
            minutes = float(blueprint.MINUTES_PER_QUESTION) * len(question_ids)
            minutes *= profile.exam_minutes / blueprint.EXAM_MINUTES
            deadline = now + timezone.timedelta(minutes=minutes)
        try:
            # A savepoint, so a lost race (two starts at once: the unique constraint on open
            # sittings) reports the winner instead of breaking the transaction.
            with transaction.atomic():
                sitting = Sitting.objects.create(
                    user=user,
                    mode=mode,
                    title=title,
                    started_at=now,
                    deadline=deadline,
                    config=config or {},
                    notice=notice,
                )
        except IntegrityError:
            raise OpenSittingExists(Sitting.objects.in_progress().get(user=user)) from None
        # Each item pins the version current now; an edit made later never reaches it.
        versions = _current_versions(question_ids, rng)
        SittingItem.objects.bulk_create(
            SittingItem(
                sitting=sitting,
                position=i,
                question_id=qid,
                version_id=versions[qid][0],
                choice_order=versions[qid][1],
                select_count=versions[qid][2],
                is_pilot=qid in pilot_ids,
            )
            for i, qid in enumerate(question_ids, start=1)
        )
    sitting.replaced = replaced
    return sitting


def start_mock(user, rng=None, now=None):
    rng = rng or random.Random()
    existing = open_sitting(user)
    if existing and existing.deadline is not None and not existing.finish_if_expired(now):
        raise OpenSittingExists(existing)
    question_ids, pilot_ids, notice = pick_mock(user, rng=rng)
    return create_sitting(
        user,
        Sitting.Mode.MOCK,
        question_ids,
        title="Mock exam",
        notice=notice,
        rng=rng,
        now=now,
        pilot_ids=pilot_ids,
    )


def start_practice(
    user,
    *,
    domains=(),
    tasks=(),
    count=20,
    question_ids=None,
    prefer=frozenset(),
    title="Practice",
    source="drill",
    rng=None,
    now=None,
    timed=False,
    extra_config=None,
):
    rng = rng or random.Random()
    existing = open_sitting(user)
    if existing and existing.deadline is not None and not existing.finish_if_expired(now):
        raise OpenSittingExists(existing)
    ids = pick_practice_questions(
        user,
        domains=domains,
        tasks=tasks,
        count=count,
        question_ids=question_ids,
        prefer=prefer,
        rng=rng,
    )
    if not ids:
        raise ValueError("No published questions match this choice.")
    config = {"domains": list(domains), "tasks": list(tasks), "count": count, "source": source}
    config.update(extra_config or {}, timed=bool(timed))
    return create_sitting(
        user, Sitting.Mode.PRACTICE, ids, title=title, config=config, rng=rng, now=now, timed=timed
    )
