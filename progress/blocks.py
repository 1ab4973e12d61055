"""Custom practice blocks: questions drawn from a union of sources, narrowed by domains and
task statements, untimed ("tutor": feedback after each answer) or timed at the exam's pace.

Sources (a learner may combine any of them; "all" makes the others redundant):

- unused: published questions never given to the learner in any sitting;
- incorrect: questions whose latest answer was wrong (the "missed" list);
- flagged: questions the learner flagged in some sitting and has not unflagged since. The flag
  of a question is the one on the latest sitting item the learner touched (answered or
  flagged): flagging in one mock and answering it later without the flag clears it;
- all: every published question.
"""

from django.db.models import Q

from questions.models import Question

from . import assembly
from .models import Sitting, SittingItem

SOURCES = ("unused", "incorrect", "flagged", "all")
SOURCE_LABELS = {
    "unused": "Unused (never given to you)",
    "incorrect": "Incorrect (your latest answer was wrong)",
    "flagged": "Flagged (flagged in a sitting, not unflagged since)",
    "all": "All questions",
}


def _counted_items(user):
    """The learner's sitting items the sources read: all but those of an open mock or timed
    block. While one runs nothing may change with its items: flagging a scored item moved the
    flagged count and flagging a pilot did not, and dealing it lowered "unused" by 75 - k, so
    the counts named the pilots. A block cannot start until it ends anyway."""
    return SittingItem.objects.filter(sitting__user=user).exclude(
        sitting__status=Sitting.Status.IN_PROGRESS, sitting__deadline__isnull=False
    )


def flagged_question_ids(user):
    """Live questions whose latest touched item (answered or flagged; latest by time, see
    assembly.latest_per_question) is flagged. One query."""
    latest = assembly.latest_per_question(
        _counted_items(user).without_pilots().filter(Q(flagged=True) | Q(answered_at__isnull=False))
    )
    return set(
        SittingItem.objects.filter(
            id__in=latest, flagged=True, question__in=Question.objects.live()
        ).values_list("question_id", flat=True)
    )


def source_question_ids(user, source):
    """The question ids of one source; None for "all" (no restriction)."""
    if source == "all":
        return None
    if source == "unused":
        seen = _counted_items(user).values("question_id")
        return set(Question.objects.live().exclude(id__in=seen).values_list("id", flat=True))
    if source == "incorrect":
        return set(assembly.missed_question_ids(user))
    if source == "flagged":
        return flagged_question_ids(user)
    raise ValueError(f"unknown source {source!r}: choose from {', '.join(SOURCES)}")


def union_ids(user, sources):
    """The union of `sources` as a set of question ids, or None when "all" is among them."""
    sources = list(dict.fromkeys(sources)) or ["all"]
    if "all" in sources:
        return None
    ids = set()
    for source in sources:
        ids |= source_question_ids(user, source)
    return ids


def _filtered(domains, tasks):
    qs = Question.objects.live()
    if domains or tasks:
        qs = qs.filter(Q(domain__number__in=domains) | Q(task__number__in=tasks))
    return qs


def available_counts(user, domains=(), tasks=(), sources=()):
    """How many questions each source holds within the domains/task statements chosen (their
    union; nothing chosen = everything), and how many the chosen union of `sources` holds.

    Returns {"sources": {source: count}, "selected": count}. At most 7 queries.
    """
    in_scope = set(_filtered(domains, tasks).values_list("id", flat=True))
    per_source = {}
    for source in SOURCES:
        ids = source_question_ids(user, source)
        per_source[source] = len(in_scope if ids is None else in_scope & ids)
    chosen = list(dict.fromkeys(sources)) or ["all"]
    selected = per_source["all"] if "all" in chosen else len(in_scope & union_ids(user, chosen))
    return {"sources": per_source, "selected": selected}


def block_title(sources, domains, tasks, timed):
    what = " + ".join(s for s in dict.fromkeys(sources) if s != "all") or "all"
    if "all" in sources:
        what = "all"
    scope = [f"Domain {d}" for d in domains] + list(tasks)
    kind = "Timed block" if timed else "Practice"
    return f"{kind}: {what}" + (f" · {', '.join(scope)}" if scope else "")


def start_block(user, *, sources=(), domains=(), tasks=(), count=20, timed=False, now=None):
    """Start a custom block: `count` questions from the union of `sources` within `domains` /
    `tasks`. Timed blocks run at 2.4 minutes a question with no feedback until the end.

    Raises assembly.OpenSittingExists (a mock is open) or ValueError (nothing matches).
    """
    sources = list(dict.fromkeys(sources)) or ["all"]
    ids = union_ids(user, sources)
    if ids is not None and not ids:
        raise ValueError("No published questions match this choice.")
    return assembly.start_practice(
        user,
        domains=list(domains),
        tasks=list(tasks),
        count=count,
        question_ids=ids,
        title=block_title(sources, domains, tasks, timed),
        source="block",
        timed=timed,
        extra_config={"from": sources},
        now=now,
    )
