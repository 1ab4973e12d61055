"""Pages for learning from misses: the forms on a finished sitting's review (tag a miss, keep a
note; they work without JavaScript) and "My notes"."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import misses, notes
from .models import MissTag, Note


def _back(item):
    if item.sitting.is_open:
        return redirect(item.sitting.get_absolute_url())
    return redirect(reverse("progress:results", args=[item.sitting_id]) + f"#q{item.position}")


def _item_or_refusal(request, pk, position):
    try:
        return misses.reviewable_item(request.user, pk, position), None
    except misses.NotReviewable:
        return None, HttpResponse(
            "The answer to this question is not shown yet.", status=409, content_type="text/plain"
        )


@login_required
@require_POST
def item_miss(request, pk, position):
    item, refusal = _item_or_refusal(request, pk, position)
    if refusal:
        return refusal
    reason = request.POST.get("reason", "")
    if reason == "":
        misses.untag(request.user, item)
        messages.success(request, f"Question {item.position}: tag removed.")
        return _back(item)
    if reason not in MissTag.Reason.values:
        messages.error(request, "Choose one of the reasons listed.")
        return _back(item)
    try:
        misses.tag(request.user, item, reason)
    except ValueError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, f"Question {item.position} tagged: {MissTag.Reason(reason).label.lower()}."
        )
    return _back(item)


@login_required
@require_POST
def item_note(request, pk, position):
    item, refusal = _item_or_refusal(request, pk, position)
    if refusal:
        return refusal
    text = request.POST.get("text", "")
    try:
        note = notes.save_note(request.user, item, text)
    except ValueError as exc:
        # Keep what was typed: the learner loses nothing (the form shows it again).
        messages.error(request, f"{exc} Your text is below; shorten it and save again.")
        request.session["unsaved_note"] = {
            "position": item.position,
            "text": text[: Note.MAX_LENGTH * 2],
        }
        return _back(item)
    messages.success(request, f"Note on question {item.position} {'saved' if note else 'deleted'}.")
    return _back(item)


@login_required
def my_notes(request):
    return render(request, "progress/notes.html", {"groups": notes.my_notes(request.user)})
