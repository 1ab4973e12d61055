"""Private notes: one markdown note per learner and question, written from practice feedback or
a finished sitting's review (where the answer data is shown), listed on "My notes" by domain.

Notes are the learner's alone: every read and write filters on the user, and the item a note is
written from must be the learner's own and reviewable (misses.reviewable_item). Markdown is
rendered through questions.markdown (sanitised by nh3), like every authored text.
"""

from django.urls import reverse
from django.utils import timezone

from questions.markdown import render_many, render_markdown

from .models import Note, Sitting


def save_note(user, item, text, now=None):
    """Create, replace or (empty text) delete the learner's note on `item`'s question.
    Returns the Note, or None when deleted. ValueError when the text is too long."""
    now = now or timezone.now()
    text = (text or "").strip()
    if len(text) > Note.MAX_LENGTH:
        raise ValueError(f"A note can be at most {Note.MAX_LENGTH} characters.")
    if not text:
        Note.objects.filter(user=user, question_id=item.question_id).delete()
        return None
    note, _ = Note.objects.update_or_create(
        user=user,
        question_id=item.question_id,
        defaults={"text": text, "item": item, "updated_at": now},
        create_defaults={"text": text, "item": item, "updated_at": now, "created_at": now},
    )
    return note


def note_for(user, question_id):
    return Note.objects.filter(user=user, question_id=question_id).first()


def notes_for_questions(user, question_ids):
    """{question id: Note} of the learner for these questions. One query."""
    return {n.question_id: n for n in Note.objects.filter(user=user, question_id__in=question_ids)}


def note_output(note):
    return {"text": note.text, "html": render_markdown(note.text), "updated_at": note.updated_at}


def link_back(note):
    """Where the learner wrote the note: the review entry of a finished sitting, or the open
    practice set; None if that sitting is gone."""
    item = note.item
    if item is None:
        return None
    if item.sitting.status == Sitting.Status.FINISHED:
        return reverse("progress:results", args=[item.sitting_id]) + f"#q{item.position}"
    return reverse("progress:sitting", args=[item.sitting_id])


def my_notes(user):
    """The learner's notes grouped by domain: [{number, name, notes: [{note, html, stem_html,
    url, task}]}], domains in order, newest note first. One query (plus a markdown cache
    round trip), whatever the count."""
    notes = list(
        Note.objects.filter(user=user)
        .select_related(
            "question__domain",
            "question__task",
            "question__current_version",
            "item__sitting",
            "item__version",
        )
        .order_by("question__domain__number", "-updated_at")
    )
    stems = [_stem(n) for n in notes]
    html = render_many([n.text for n in notes] + stems)
    groups = {}
    for note, stem in zip(notes, stems, strict=True):
        domain = note.question.domain
        group = groups.setdefault(
            domain.number, {"number": domain.number, "name": domain.name, "notes": []}
        )
        group["notes"].append(
            {
                "note": note,
                "html": html[note.text],
                "stem_html": html.get(stem, ""),
                "task": note.question.task.number,
                "url": link_back(note),
            }
        )
    return list(groups.values())


def _stem(note):
    if note.item is not None:
        return note.item.version.stem
    version = note.question.current_version
    return version.stem if version else ""


def notes_export(user):
    """The learner's notes as a JSON-able list for the data export:
    [{question, question_slug, domain, task, text, created_at, updated_at}] (ISO 8601 times),
    oldest first. One query."""
    return [
        {
            "question": n.question_id,
            "question_slug": n.question.slug,
            "domain": n.question.domain.number,
            "task": n.question.task.number,
            "text": n.text,
            "created_at": n.created_at.isoformat(),
            "updated_at": n.updated_at.isoformat(),
        }
        for n in Note.objects.filter(user=user)
        .select_related("question__domain", "question__task")
        .order_by("created_at", "id")
    ]
