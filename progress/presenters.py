"""Plain dicts describing a sitting for the page and the API.

The one rule here: while a sitting is open, nothing that tells which option is right leaves the
server (no is_correct, no why, no explanation, no misconception). Only `item_feedback` and
`item_review` carry answer data, and they are called only for checked practice items and for
finished sittings.
"""

from django.db.models import Prefetch
from django.urls import reverse

from questions.markdown import render_many
from questions.models import VersionChoice

from .models import Sitting
from .pacing import sitting_pacing
from .peers import question_peers, sitting_standing
from .scoring import accepted_keys


def load_items(sitting, position=None):
    """Items (all, or the one at `position`) with their pinned versions (and the versions' item
    statistics), questions and the versions' options: 2 queries."""
    items = sitting.items.all() if position is None else sitting.items.filter(position=position)
    return list(
        items.select_related(
            "version__stats", "question__domain", "question__task__domain"
        ).prefetch_related(
            Prefetch(
                "version__choices",
                queryset=VersionChoice.objects.select_related("misconception").order_by("position"),
            )
        )
    )


def _texts(items, with_answers):
    texts = []
    for item in items:
        texts.append(item.version.stem)
        if with_answers:
            texts.append(item.question.explanation)
        for choice in item.version.choices.all():
            texts.append(choice.text)
            if with_answers:
                texts.append(choice.why)
                if choice.misconception_id:
                    texts.append(choice.misconception.correction)
    return render_many(texts)


def question_public(item, html):
    """A question as shown while answering. While the sitting names options by place (an open
    mock or timed block) it carries no id, version, domain or task and its options are numbered
    1..n in the order shown; otherwise ids are the question's and the options' own."""
    version = item.version
    by_place = item.sitting.names_options_by_place
    choices = item.ordered_choices()
    data = {
        "kind": version.kind,
        "select_count": version.select_count,
        "choose_label": version.choose_label,
        "stem_html": html[version.stem],
        "choices": [
            {"id": n if by_place else c.id, "text_html": html[c.text]}
            for n, c in enumerate(choices, 1)
        ],
    }
    if not by_place:
        q = item.question
        data.update(id=q.id, version=version.number, domain=q.domain.number, task=q.task.number)
    return data


def item_public(item, html):
    return {
        "position": item.position,
        "question": question_public(item, html),
        **item.public_answer(),
        "flagged": item.flagged,
        "time_spent_seconds": item.time_spent_seconds,
        "revision": item.revision,
    }


def card_public(card, html):
    return {
        "slug": card.slug,
        "belief": card.belief,
        "correction_html": html.get(card.correction, ""),
        "url": reverse("domains:misconception", args=[card.slug]),
    }


def item_feedback(item, html, regraded=None):
    """What a learner sees once an item is checked (practice) or the sitting has ended.

    `regraded` is `scoring.accepted_keys` of the sitting's items: after a regrade the review
    marks as right exactly the options the score accepted (the corrected key, or both)."""
    q = item.question
    chosen = set(item.selected)
    accepted = (regraded or {}).get(item.version_id)
    right_keys = set().union(*accepted) if accepted else item.version.correct_keys()
    return {
        "correct": bool(item.is_correct),
        "scored": item.scored,
        # Revealed only here, once the sitting has ended: the item counted nowhere.
        "pilot": item.is_pilot,
        "unsure": item.unsure,
        "correct_choice_ids": sorted(c.id for c in item.ordered_choices() if c.key in right_keys),
        "choices": [
            {
                "id": c.id,
                "is_correct": c.key in right_keys,
                "why_html": html[c.why],
                "misconception": card_public(c.misconception, html) if c.misconception_id else None,
            }
            for c in item.ordered_choices()
        ],
        "revealed_misconceptions": [
            card_public(c.misconception, html)
            for c in item.ordered_choices()
            if c.id in chosen and c.misconception_id and c.key not in right_keys
        ],
        "explanation_html": html[q.explanation] if q.explanation else "",
        "references": q.references,
        "topic_url": q.task.get_absolute_url(),
        "peers": question_peers(item),
    }


def add_learner_notes(user_id, items, payload):
    """Add the learner's miss tag, the reasons that fit and their note to each feedback in
    `payload` (dicts built from `items`, same order). Two queries and a cache round trip."""
    from .misses import allowed_reasons, tags_for_items
    from .notes import notes_for_questions

    shown = [(item, data) for item, data in zip(items, payload, strict=True) if "feedback" in data]
    if not shown:
        return
    tags = tags_for_items([item.id for item, _ in shown])
    notes = notes_for_questions(user_id, [item.question_id for item, _ in shown])
    html = render_many([n.text for n in notes.values()])
    for item, data in shown:
        note = notes.get(item.question_id)
        data["feedback"]["miss_reason"] = tags.get(item.id)
        data["feedback"]["miss_reasons"] = [str(r) for r in allowed_reasons(item)]
        data["feedback"]["note"] = (
            {"text": note.text, "html": html[note.text], "updated_at": note.updated_at}
            if note
            else None
        )


def sitting_state(sitting, now=None):
    """The sitting as the exam page and `GET /api/v1/exams/<id>/` show it."""
    items = load_items(sitting)
    finished = sitting.status == Sitting.Status.FINISHED
    practice = sitting.gives_feedback
    with_answers = finished or (practice and any(i.answered_at for i in items))
    html = _texts(items, with_answers)
    regraded = accepted_keys(items) if finished else None
    payload = []
    for item in items:
        data = item_public(item, html)
        if finished or (practice and item.answered_at):
            data["feedback"] = item_feedback(item, html, regraded)
        payload.append(data)
    if with_answers:
        add_learner_notes(sitting.user_id, items, payload)
    state = {
        "id": sitting.id,
        "mode": sitting.mode,
        "status": sitting.status,
        "title": sitting.title,
        "started_at": sitting.started_at,
        "deadline": sitting.deadline,
        "remaining_seconds": sitting.remaining_seconds(now),
        "timed": sitting.is_timed,
        "current_position": sitting.current_position,
        "notice": sitting.notice,
        "items": payload,
    }
    if finished:
        state["result"] = sitting_result(sitting)
        state["standing"] = sitting_standing(sitting)
        state["pacing"] = sitting_pacing(sitting, count=len(items))
    return state


def sitting_result(sitting):
    """A finished sitting's result with how its score was computed (stored on the sitting, so
    sittings scored before equating existed read as linear)."""
    return {
        "calibrated_items": None,
        "linear_reason": None,
        **(sitting.result or {}),
        "scoring_method": sitting.scoring_method,
        "ability": sitting.ability,
        "ability_sd": sitting.ability_sd,
    }


def sitting_summary(sitting, now=None):
    return {
        "id": sitting.id,
        "mode": sitting.mode,
        "status": sitting.status,
        "title": sitting.title,
        "started_at": sitting.started_at,
        "finished_at": sitting.finished_at,
        "deadline": sitting.deadline,
        "remaining_seconds": sitting.remaining_seconds(now) if sitting.is_open else None,
        "scaled_score": sitting.scaled_score,
        "passed": sitting.passed,
        "correct": sitting.correct,
        "total": sitting.total,
    }
