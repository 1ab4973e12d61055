"""Learners whose mocks became calibrated overnight load their dashboards at the same instant,
and each load finds no reference form version yet (tests/progress/test_fixed_scale.py runs it on
a SQLite file and on the configured database)."""

from tests.concurrency import at_once, logged_in_client
from tests.conftest import make_user


def dashboards_at_once(learners=4):
    """{statuses: [status of each GET /progress/], versions: [[number, note], ...] afterwards}."""
    from progress.models import ReferenceFormVersion

    from .test_equated_scores import calibrate, take_mock

    users = [make_user(f"learner{i}") for i in range(learners)]
    for n, user in enumerate(users):
        take_mock(user, right_share=0.7, seed=n)  # scored linearly: nothing is calibrated yet
    calibrate()  # the nightly fit; it never makes a reference form version
    clients = [logged_in_client(user) for user in users]
    statuses = at_once([lambda c=c: c.get("/progress/").status_code for c in clients])
    versions = ReferenceFormVersion.objects.order_by("number").values_list("number", "note")
    return {
        "statuses": [str(s) if isinstance(s, Exception) else s for s in statuses],
        "versions": [list(v) for v in versions],
    }
