"""Pacing: time spent per question against the real exam's 2.4 minutes (144 s) a question.

Time per item is `SittingItem.time_spent_seconds`: the exam page banks the seconds spent on a
question with each autosave (`seconds`, capped at an hour per save) and when it leaves it.
Every item counts here, pilots included: their time was spent on the exam clock all the same.
Figures come from grouped aggregates in the database, never from loading the items.

- Per domain: questions, seconds, average seconds a question, and whether it is over pace.
- Per third of the exam (by position: 1-25, 26-50, 51-75 in a mock): the same, plus the running
  total against the running allowance (144 s x questions so far); `fell_behind` names the first
  third where the running total went over it ("where the pace fell behind").
- Slow items: those over SLOW_FACTOR x pace (288 s), slowest first, at most MAX_SLOW_ITEMS.
"""

from django.db.models import Case, Count, F, IntegerField, Sum, Value, When

from domains import blueprint

from .models import Sitting

PACE_SECONDS = int(blueprint.MINUTES_PER_QUESTION * 60)  # 144
SLOW_FACTOR = 2
MAX_SLOW_ITEMS = 10


def average_seconds(seconds, questions):
    """Seconds a question, one decimal; None without questions."""
    return round(seconds / questions, 1) if questions else None


def _thirds(count):
    """[(first, last position)] of the three thirds of `count` positions (the last ones take
    any remainder, so 75 gives 1-25, 26-50, 51-75)."""
    size = count // 3
    bounds = [(1, size), (size + 1, 2 * size), (2 * size + 1, count)]
    return [(a, b) for a, b in bounds if a <= b]


def sitting_pace_seconds(sitting, count):
    """Seconds a question the sitting's own clock allows: PACE_SECONDS (144) on a standard mock,
    168 with the +30-minute accommodation (210 minutes for 75), the same share in a timed block;
    PACE_SECONDS for an untimed set."""
    if sitting.deadline is None or not count:
        return PACE_SECONDS
    return round((sitting.deadline - sitting.started_at).total_seconds() / count)


def sitting_pacing(sitting, count=None):
    """The pacing of one sitting: {pace_seconds, questions, seconds, average_seconds, over_pace,
    domains: [{number, name, questions, seconds, average_seconds, over_pace}],
    thirds: [{first, last, questions, seconds, average_seconds, over_pace, running_seconds,
    running_allowance}], fell_behind (index of the third, 0-2, or None), slow_items:
    [{position, seconds, domain}]}. Seconds are integers; averages in seconds, one decimal.
    `count` is the number of items if the caller knows it. Two queries (three without `count`),
    whatever the number of items."""
    if count is None:
        count = sitting.items.count()
    pace = sitting_pace_seconds(sitting, count)
    thirds = _thirds(count)
    which_third = Case(
        *[
            When(position__lte=last, then=Value(index))
            for index, (_, last) in enumerate(thirds[:-1])
        ],
        default=Value(len(thirds) - 1),
        output_field=IntegerField(),
    )
    rows = list(
        sitting.items.values(
            domain_number=F("question__domain__number"),
            domain_name=F("question__domain__name"),
            third=which_third,
        )
        .annotate(questions=Count("id"), seconds=Sum("time_spent_seconds"))
        .order_by()
    )
    domains, per_third = {}, [[0, 0] for _ in thirds]
    for row in rows:
        entry = domains.setdefault(row["domain_number"], [row["domain_name"], 0, 0])
        entry[1] += row["questions"]
        entry[2] += row["seconds"] or 0
        per_third[row["third"]][0] += row["questions"]
        per_third[row["third"]][1] += row["seconds"] or 0
    total_questions = sum(q for q, _ in per_third)
    total_seconds = sum(s for _, s in per_third)
    third_rows, running, running_questions, fell_behind = [], 0, 0, None
    for index, ((first, last), (questions, seconds)) in enumerate(
        zip(thirds, per_third, strict=True)
    ):
        running += seconds
        running_questions += questions
        allowance = running_questions * pace
        if fell_behind is None and running > allowance:
            fell_behind = index
        third_rows.append(
            {
                "first": first,
                "last": last,
                "questions": questions,
                "seconds": seconds,
                "average_seconds": average_seconds(seconds, questions),
                "over_pace": seconds > questions * pace,
                "running_seconds": running,
                "running_allowance": allowance,
            }
        )
    slow = (
        sitting.items.filter(time_spent_seconds__gt=SLOW_FACTOR * pace)
        .order_by("-time_spent_seconds", "position")
        .values("position", "time_spent_seconds", "question__domain__number")[:MAX_SLOW_ITEMS]
    )
    return {
        "pace_seconds": pace,
        "questions": total_questions,
        "seconds": total_seconds,
        "average_seconds": average_seconds(total_seconds, total_questions),
        "over_pace": total_seconds > total_questions * pace,
        "domains": [
            {
                "number": number,
                "name": name,
                "questions": questions,
                "seconds": seconds,
                "average_seconds": average_seconds(seconds, questions),
                "over_pace": seconds > questions * pace,
            }
            for number, (name, questions, seconds) in sorted(domains.items())
        ],
        "thirds": third_rows,
        "fell_behind": fell_behind,
        "slow_items": [
            {
                "position": row["position"],
                "seconds": row["time_spent_seconds"],
                "domain": row["question__domain__number"],
            }
            for row in slow
        ],
    }


def pacing_trend(user):
    """Average seconds a question in each of the learner's finished mocks, oldest first:
    [{sitting, finished_at, questions, seconds, average_seconds}]. One query (a grouped sum)."""
    rows = (
        Sitting.objects.finished()
        .mocks()
        .filter(user=user)
        .annotate(questions=Count("items"), seconds=Sum("items__time_spent_seconds"))
        .order_by("finished_at", "id")
        .values("id", "finished_at", "questions", "seconds")
    )
    return [
        {
            "sitting": row["id"],
            "finished_at": row["finished_at"],
            "questions": row["questions"],
            "seconds": row["seconds"] or 0,
            "average_seconds": average_seconds(row["seconds"] or 0, row["questions"]),
        }
        for row in rows
    ]
