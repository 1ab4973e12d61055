"""The admin's regrade runs on a worker (eager Celery here): preview, then apply, each a
RegradeJob whose page refreshes itself until it is done, applies once, and can be retried."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from progress import regrading
from progress.models import Regrade, RegradeJob, Sitting
from progress.tasks import run_regrade_job
from questions.models import Question
from tests.conftest import make_user

from .conftest import finished_practice

CORRECTED = {"flawed": 1, "method": "corrected", "corrected": 2}


@pytest.fixture
def boss(client):
    admin = make_user("boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    return admin


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST to the regrade page; what it queued runs after the commit, as the eager default
    does. Returns the response."""

    def post(question, data, run=True):
        with django_capture_on_commit_callbacks(execute=run):
            return client.post(regrade_url(question), data)

    return post


def regrade_url(question):
    return f"/admin/questions/question/{question.pk}/regrade/"


def scores(sittings):
    return [Sitting.objects.get(pk=s.pk).correct for s in sittings]


def test_preview_then_apply_run_as_jobs_and_the_page_shows_each_result(flawed, boss, client, post):
    question, _, sittings = flawed
    queued = post(question, {**CORRECTED, "action": "preview"})
    job = RegradeJob.objects.get()
    assert queued.status_code == 302 and queued.url == f"{regrade_url(question)}?job={job.pk}"
    assert (job.step, job.status, job.requested_by) == ("preview", "done", boss)
    page = client.get(queued.url)
    assert "Preview: 3 finished sitting(s) used v1" in page.text and "learner1" in page.text
    assert "Apply this regrade" in page.text and 'http-equiv="refresh"' not in page.text
    assert not Regrade.objects.exists() and scores(sittings) == [1, 0, 0]

    applied = post(question, {"job": job.pk, "action": "apply"})
    assert applied.url == queued.url
    job.refresh_from_db()
    assert (job.step, job.status) == ("apply", "done")
    assert job.regrade == Regrade.objects.get() and job.regrade.created_by == boss
    assert scores(sittings) == [0, 1, 1]
    page = client.get(applied.url)
    assert "Re-scored 3 finished sitting(s)" in page.text and "3 score(s) changed" in page.text
    assert "Apply this regrade" not in page.text


def test_a_queued_preview_page_refreshes_itself_until_the_job_is_done(
    flawed, boss, client, django_capture_on_commit_callbacks
):
    question, _, _ = flawed
    with django_capture_on_commit_callbacks() as handed_over:
        queued = client.post(regrade_url(question), CORRECTED)
    waiting = client.get(queued.url)
    assert RegradeJob.objects.get().status == "queued"
    assert 'http-equiv="refresh"' in waiting.text and "Preview queued" in waiting.text
    assert "Apply this regrade" not in waiting.text
    for callback in handed_over:  # the worker gets to it
        callback()
    done = client.get(queued.url)
    assert 'http-equiv="refresh"' not in done.text and "Apply this regrade" in done.text


def test_applying_the_same_job_twice_regrades_once(flawed, boss, client, post):
    question, _, sittings = flawed
    job_url = post(question, CORRECTED).url
    job = RegradeJob.objects.get()
    post(question, {"job": job.pk, "action": "apply"})
    again = post(question, {"job": job.pk, "action": "apply"})
    assert "nothing was done twice" in client.get(again.url).text
    run_regrade_job.delay(job_id=job.pk)  # a task delivered twice
    assert Regrade.objects.count() == 1 and scores(sittings) == [0, 1, 1]
    assert "Re-scored 3 finished sitting(s)" in client.get(job_url).text


def test_apply_needs_a_finished_preview(flawed, boss, client, post):
    question, _, sittings = flawed
    post(question, CORRECTED, run=False)  # queued, no worker yet
    job = RegradeJob.objects.get()
    page = post(question, {"job": job.pk, "action": "apply"})
    assert page.status_code == 200 and "the preview has not finished" in page.text
    job.refresh_from_db()
    assert (job.step, job.status) == ("preview", "queued")
    assert not Regrade.objects.exists() and scores(sittings) == [1, 0, 0]


def test_a_failed_preview_shows_its_message_and_a_retry_works(
    flawed, boss, client, post, monkeypatch
):
    question, _, _ = flawed

    def database_went_away(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(regrading, "plan_regrade", database_went_away)
    job_url = post(question, CORRECTED).url
    job = RegradeJob.objects.get()
    assert (job.status, job.error) == ("failed", "RuntimeError: database went away")
    page = client.get(job_url)
    assert "The preview failed: RuntimeError: database went away" in page.text
    assert "Retry the preview" in page.text and 'http-equiv="refresh"' not in page.text

    monkeypatch.undo()
    post(question, {"job": job.pk, "action": "retry"})
    job.refresh_from_db()
    assert (job.status, job.error, len(job.plan)) == ("done", "", 3)
    assert "Preview: 3 finished sitting(s) used v1" in client.get(job_url).text


def test_a_failed_apply_writes_nothing_keeps_the_preview_and_a_retry_applies_it(
    flawed, boss, client, post, monkeypatch
):
    question, learners, sittings = flawed
    job_url = post(question, CORRECTED).url
    job = RegradeJob.objects.get()

    def fail_after_the_first_rescore(sitting, *args):
        raise RuntimeError(f"lost the connection at sitting {sitting.pk}")

    monkeypatch.setattr(regrading, "_update_learning_records", fail_after_the_first_rescore)
    post(question, {"job": job.pk, "action": "apply"})
    job.refresh_from_db()
    assert (job.step, job.status, len(job.plan)) == ("apply", "failed", 3)
    assert not Regrade.objects.exists() and scores(sittings) == [1, 0, 0]
    page = client.get(job_url)
    assert "The regrade failed: RuntimeError: lost the connection" in page.text
    assert "learner1" in page.text and "Retry the regrade" in page.text

    monkeypatch.undo()
    post(question, {"job": job.pk, "action": "retry"})
    assert Regrade.objects.count() == 1 and scores(sittings) == [0, 1, 1]


def test_a_preview_another_regrade_overtook_is_not_applied(flawed, boss, client, post):
    question, _, sittings = flawed
    post(question, CORRECTED)
    post(question, {"flawed": 1, "method": "drop"})
    first, second = RegradeJob.objects.order_by("pk")
    post(question, {"job": first.pk, "action": "apply"})
    page = post(question, {"job": second.pk, "action": "apply"})
    assert "v1 was regraded after this preview: preview again" in page.text
    assert Regrade.objects.get().method == "corrected" and scores(sittings) == [0, 1, 1]


def test_a_job_lost_with_its_worker_can_be_queued_again(flawed, boss, client, post):
    question, _, _ = flawed
    job_url = post(question, CORRECTED, run=False).url
    job = RegradeJob.objects.get()
    assert "Retry the preview" not in client.get(job_url).text
    RegradeJob.objects.filter(pk=job.pk).update(
        status="running", updated_at=timezone.now() - RegradeJob.STUCK_AFTER - timedelta(1)
    )
    assert "Retry the preview" in client.get(job_url).text
    post(question, {"job": job.pk, "action": "retry"})
    job.refresh_from_db()
    assert job.status == "done"


def test_a_job_is_only_shown_on_its_own_questions_page(flawed, boss, client, post):
    question, _, _ = flawed
    job_url = post(question, CORRECTED).url
    other = Question.objects.get(slug="t1-1-2")
    assert client.get(f"{regrade_url(other)}?{job_url.split('?')[1]}").status_code == 404


def test_the_regrade_page_makes_no_query_per_sitting(
    bank, boss, client, post, django_assert_max_num_queries
):
    question = Question.objects.get(slug="t1-1-1")
    for i in range(2):
        finished_practice(make_user(f"early{i}"), "t1-1-1", "a")
    small_url = post(question, {"flawed": 1, "method": "drop"}).url
    for i in range(10):
        finished_practice(make_user(f"late{i}"), "t1-1-1", "b")
    large_url = post(question, {"flawed": 1, "method": "drop"}).url
    with CaptureQueriesContext(connection) as small:
        assert "Preview: 2 finished sitting(s)" in client.get(small_url).text
    with django_assert_max_num_queries(len(small)):
        assert "Preview: 12 finished sitting(s)" in client.get(large_url).text


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_on_a_real_worker_the_page_waits_then_shows_the_preview(flawed, boss, client, real_worker):
    import time

    from progress.tasks import dispatch_outbox

    question, _, _ = flawed
    job_url = client.post(regrade_url(question), CORRECTED).url  # commits job and outbox row
    assert 'http-equiv="refresh"' in client.get(job_url).text
    dispatch_outbox.delay()  # what beat sends every few seconds, through Redis to the worker
    deadline = time.monotonic() + 30
    while RegradeJob.objects.get().pending and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "Preview: 3 finished sitting(s) used v1" in client.get(job_url).text


@pytest.mark.django_db(transaction=True)
def test_a_preview_run_while_another_regrade_applies_waits_for_it(flawed, monkeypatch):
    """On PostgreSQL a preview read the scores an unfinished apply was changing and then
    counted as newer than it, so its stale figures could still be applied."""
    import threading
    import time

    if connection.vendor == "sqlite":
        pytest.skip("SQLite runs one writer at a time: the preview cannot overlap the apply")
    question, _, sittings = flawed
    v1 = question.versions.get(number=1)
    dropping = RegradeJob.objects.create(version=v1, method="drop")
    regrading.run_job(dropping.pk)
    dropping.queue_apply()
    correcting = RegradeJob.objects.create(
        version=v1, method="corrected", corrected=question.current_version
    )
    applying, release = threading.Event(), threading.Event()
    rescore = regrading._update_learning_records

    def slow(*args):  # the apply is halfway through a large regrade
        applying.set()
        release.wait(5)
        return rescore(*args)

    monkeypatch.setattr(regrading, "_update_learning_records", slow)

    def run(job_id):
        try:
            regrading.run_job(job_id)
        finally:
            connection.close()

    apply = threading.Thread(target=run, args=(dropping.pk,))
    apply.start()
    assert applying.wait(5)
    preview = threading.Thread(target=run, args=(correcting.pk,))
    preview.start()
    time.sleep(1)
    release.set()
    apply.join(10)
    preview.join(10)

    correcting.refresh_from_db()
    assert Regrade.objects.get().method == "drop" and scores(sittings) == [0, 0, 0]
    assert correcting.status == "done"
    # Its figures start from the scores the drop left, so applying it changes what it says.
    assert [c["before_correct"] for c in correcting.plan] == [0, 0, 0]


@pytest.mark.django_db(transaction=True)
def test_a_mock_finishing_while_a_regrade_applies_is_scored_with_it(flawed, monkeypatch):
    """The apply re-scores the sittings finished when it looked; on PostgreSQL one that finished
    while it ran was scored with the flawed key and never re-scored."""
    import threading
    import time

    from progress.models import SittingItem

    from .conftest import practice_item

    if connection.vendor == "sqlite":
        pytest.skip("SQLite runs one writer at a time: the finish cannot overlap the apply")
    question, _, _ = flawed
    v1 = question.versions.get(number=1)
    learner = make_user("late-finisher")
    open_sitting, item = practice_item(learner, "t1-1-1")
    flawed_choices = {c.key: c.id for c in v1.choices.all()}
    SittingItem.objects.filter(pk=item.pk).update(
        version=v1, choice_order=list(flawed_choices.values())
    )
    regrading_started, release = threading.Event(), threading.Event()
    update_records = regrading._update_learning_records

    def slow(*args):  # the apply is halfway through a large regrade
        regrading_started.set()
        release.wait(5)
        return update_records(*args)

    monkeypatch.setattr(regrading, "_update_learning_records", slow)

    def in_thread(work):
        def run():
            try:
                work()
            finally:
                connection.close()

        return threading.Thread(target=run)

    apply = in_thread(lambda: regrading.apply_regrade(v1, "drop"))
    apply.start()
    assert regrading_started.wait(5)
    # v1's key was option a: right when answered, dropped once the regrade commits.
    from progress import answers

    answers.save_answer(learner, open_sitting.pk, 1, selected=[flawed_choices["a"]])
    finish = in_thread(lambda: Sitting.objects.get(pk=open_sitting.pk).finish())
    finish.start()
    time.sleep(1)
    assert finish.is_alive(), "the finish waits for the apply"
    release.set()
    apply.join(10)
    finish.join(10)

    finished = Sitting.objects.get(pk=open_sitting.pk)
    assert finished.status == "finished"
    assert (finished.correct, finished.total) == (0, 0)
