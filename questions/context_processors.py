from .models import ProblemReport


def report_replies(request):
    """`unseen_report_replies`: how many of the learner's reports an author has answered since
    they last looked (one query, only on pages that show it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unseen_report_replies": lambda: ProblemReport.objects.answered_unseen(user).count()}
