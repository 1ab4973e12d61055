"""What grading records beyond the score: misconceptions revealed and the spaced-review queue.

The queue is scheduled with FSRS (the `fsrs` package, the scheduler Anki uses). A question
enters it when the learner answers it wrong, or right but marked "unsure" (or later tagged
"guessed right" in the miss log): luck is not knowledge. A card enters when the learner reveals
it. Answering a due item in practice reviews it: right is "Good", wrong is "Again". A question
never answered (the rest of a mock whose time ran out, say) scores zero but is no evidence of
what the learner knows: it stays out of the queue (see assembly.not_reached_question_ids).
"""

from django.db.models import Q
from fsrs import Card, Rating, Scheduler

from .models import MisconceptionHit, ReviewItem

SCHEDULER = Scheduler(enable_fuzzing=False)


def _review(entry, rating, now):
    card = Card.from_dict(entry.fsrs_card) if entry.fsrs_card else Card(due=now)
    card, _ = SCHEDULER.review_card(card, rating, review_datetime=now)
    entry.fsrs_card = card.to_dict()
    entry.due = card.due
    entry.reviews += 1
    entry.lapses += rating == Rating.Again
    entry.last_reviewed = now


def record_graded(user, items, now, practice, queue=True):
    """After items were graded: store misconception hits and update the review queue.

    `items` have their version's choices loaded. A constant number of queries.
    """
    hits, wrong_questions, revealed_cards, right_questions = [], set(), set(), set()
    for item in items:
        if item.is_correct is None:
            continue
        chosen = set(item.selected)
        choices = list(item.version.choices.all())
        for choice in choices:
            if choice.id in chosen and not choice.is_correct and choice.misconception_id:
                hits.append(
                    MisconceptionHit(
                        user=user, card_id=choice.misconception_id, item=item, created_at=now
                    )
                )
                revealed_cards.add(choice.misconception_id)
        if item.is_correct and not getattr(item, "unsure", False):
            right_questions.add(item.question_id)
        elif item.selected:
            wrong_questions.add(item.question_id)
    if hits:
        MisconceptionHit.objects.bulk_create(hits, ignore_conflicts=True)
    if not queue:
        return
    cards_answered_right = {
        c.misconception_id
        for item in items
        if item.is_correct and not getattr(item, "unsure", False)
        for c in item.version.choices.all()
        if c.misconception_id
    }
    queue = {
        (e.question_id, e.card_id): e
        for e in ReviewItem.objects.filter(user=user).filter(
            Q(question_id__in=wrong_questions | right_questions)
            | Q(card_id__in=revealed_cards | cards_answered_right)
        )
    }
    changed, created = [], []

    def touch(key, rating, only_if_due):
        entry = queue.get(key)
        if entry is None:
            if rating != Rating.Again:
                return
            entry = ReviewItem(user=user, question_id=key[0], card_id=key[1], due=now)
            created.append(entry)
            queue[key] = entry
        elif only_if_due and entry.due > now:
            return
        else:
            changed.append(entry)
        _review(entry, rating, now)

    for qid in wrong_questions:
        touch((qid, None), Rating.Again, only_if_due=False)
    for cid in revealed_cards:
        touch((None, cid), Rating.Again, only_if_due=False)
    if practice:
        for qid in right_questions:
            touch((qid, None), Rating.Good, only_if_due=True)
        for cid in cards_answered_right - revealed_cards:
            touch((None, cid), Rating.Good, only_if_due=True)
    if created:
        ReviewItem.objects.bulk_create(created, ignore_conflicts=True)
    if changed:
        ReviewItem.objects.bulk_update(
            changed, ["fsrs_card", "due", "reviews", "lapses", "last_reviewed"]
        )


def due_items(user, now):
    """The learner's due review entries whose question is live (published, with a version) or
    whose card is revealed by a wrong option of a live question: retiring or unpublishing a
    question takes it out of every queue at once."""
    from domains.models import MisconceptionCard
    from questions.models import Question

    live = Question.objects.live()
    cards = MisconceptionCard.objects.filter(
        choices__question__in=live, choices__is_correct=False
    ).values("id")
    return ReviewItem.objects.filter(user=user, due__lte=now).filter(
        Q(question__in=live.values("id")) | Q(card__in=cards)
    )


def due_question_ids(user, now):
    """Questions to practise for the due items: the due questions, and for each due card one
    published question with an option that reveals it. Two queries."""
    from questions.models import Question

    due = list(due_items(user, now).values_list("question_id", "card_id"))
    ids = [q for q, _ in due if q]
    cards = {c for _, c in due if c}
    if cards:
        seen = set(ids)
        for qid, card in (
            Question.objects.live()
            .filter(choices__misconception_id__in=cards, choices__is_correct=False)
            .values_list("id", "choices__misconception_id")
            .order_by("id")
        ):
            if card in cards and qid not in seen:
                ids.append(qid)
                seen.add(qid)
                cards.discard(card)
    return ids


def requeue_question(user, question_id, now):
    """Put a question into the learner's review queue as failed ("Again"): a right answer the
    learner says was a guess. Two or three queries."""
    entry = ReviewItem.objects.filter(user=user, question_id=question_id).first()
    if entry is None:
        entry = ReviewItem(user=user, question_id=question_id, due=now)
    _review(entry, Rating.Again, now)
    entry.save()
