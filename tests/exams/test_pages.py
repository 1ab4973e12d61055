from datetime import timedelta

from django.utils import timezone

from progress.assembly import start_mock, start_practice
from progress.models import Profile, Sitting

from .conftest import correct_ids, wrong_ids


def test_home_offers_mock_practice_and_resume(alice_client, alice, sample_bank):
    page = alice_client.get("/home/")
    assert (
        "Start a mock exam" in page.text
        and "75 questions" in page.text
        and "180 minutes" in page.text
    )
    sitting = start_mock(alice)
    page = alice_client.get("/home/")
    assert "Your mock exam is running" in page.text and f"/sittings/{sitting.pk}/" in page.text
    assert "The clock keeps running while you are away" in page.text


def test_the_instructions_screen_comes_first_and_starts_nothing(alice_client, alice, sample_bank):
    page = alice_client.get("/mock/start/")
    assert "75 questions, 180 minutes" in page.text and "210 with the +30-minute" in page.text
    assert "No partial credit" in page.text and "incomplete" in page.text
    assert "<kbd>M</kbd> mark (flag)" in page.text and 'id="start-exam"' in page.text
    assert not Sitting.objects.exists()
    Profile.objects.update_or_create(user=alice, defaults={"extra_time": True})
    assert "210 minutes" in alice_client.get("/mock/start/").text


def test_the_clock_starts_when_start_is_pressed(alice_client, sample_bank):
    before = timezone.now()
    alice_client.get("/mock/start/")
    alice_client.post("/mock/start/")
    sitting = Sitting.objects.get()
    assert sitting.started_at >= before and sitting.deadline - sitting.started_at == timedelta(
        minutes=180
    )


def test_starting_a_mock_from_the_page_and_again_resumes_it(alice_client, sample_bank):
    first = alice_client.post("/mock/start/")
    assert first.status_code == 302
    again = alice_client.post("/mock/start/")
    assert again.url == first.url
    page = alice_client.get(first.url)
    assert "Question 1 of 75" in page.text and 'id="sitting-state"' in page.text


def test_practice_form_starts_a_set_and_validates(alice_client, sample_bank):
    from domains.models import TaskStatement

    task = TaskStatement.objects.get(number="1.4")
    assert alice_client.get(f"/practice/?task={task.pk}").status_code == 200
    bad = alice_client.post("/practice/", {"count": 2})
    assert "Ensure this value is greater than or equal to 5" in bad.text
    ok = alice_client.post("/practice/", {"tasks": [str(task.pk)], "count": 5})
    assert ok.status_code == 302
    sitting = Sitting.objects.get()
    assert sitting.mode == "practice" and sitting.title == "Practice: 1.4"


def test_results_page_shows_score_chart_review_and_filters(alice_client, alice, sample_bank):
    sitting = start_mock(alice)
    items = list(sitting.items.prefetch_related("version__choices"))
    sitting.save_answer(items[0].position, selected=correct_ids(items[0]), flagged=True)
    sitting.save_answer(items[1].position, selected=wrong_ids(items[1]))
    sitting.finish()
    page = alice_client.get(f"/sittings/{sitting.pk}/results/")
    assert "Scaled score 112" in page.text and "Fail" in page.text
    assert "<svg" in page.text and "Needs improvement" in page.text
    assert "is an estimate" in page.text and "10 of the 75 are unscored" in page.text
    # Right and wrong picks are told in words and signs, not by colour alone.
    assert "✓ Your choice — right." in page.text and "✗ Your choice — wrong." in page.text
    assert "✓ Right option (you did not choose it)." in page.text
    assert "Why option" in page.text and "Explanation for" in page.text
    assert page.text.count('class="review-entry"') == 75
    incorrect = alice_client.get(f"/sittings/{sitting.pk}/results/?show=incorrect")
    assert incorrect.text.count('class="review-entry"') == 74
    flagged = alice_client.get(f"/sittings/{sitting.pk}/results/?show=flagged")
    assert flagged.text.count('class="review-entry"') == 1
    domain = items[0].question.domain.number
    by_domain = alice_client.get(f"/sittings/{sitting.pk}/results/?domain={domain}")
    assert (
        by_domain.text.count('class="review-entry"')
        == sitting.items.filter(question__domain__number=domain).count()
    )


def test_results_show_the_misconception_the_learner_revealed(alice_client, alice, sample_bank):
    sitting = start_practice(alice, domains=[6], count=5)
    item = sitting.items.prefetch_related("version__choices").first()
    linked = [c.id for c in item.version.choices.all() if c.misconception_id]
    sitting.save_answer(item.position, selected=linked[:1])
    sitting.finish()
    page = alice_client.get(f"/sittings/{sitting.pk}/results/")
    assert "Misconception you showed: AWS Config rules stop non-compliant resources" in page.text


def test_another_learners_pages_are_404(client, bob, alice, sample_bank):
    sitting = start_mock(alice)
    client.force_login(bob)
    assert client.get(f"/sittings/{sitting.pk}/").status_code == 404
    assert client.get(f"/sittings/{sitting.pk}/results/").status_code == 404
    assert client.post(f"/sittings/{sitting.pk}/end/").status_code == 404


def test_an_expired_mock_is_scored_when_the_learner_comes_back(alice_client, alice, sample_bank):
    sitting = start_mock(alice)
    item = sitting.items.prefetch_related("version__choices").first()
    sitting.save_answer(item.position, selected=correct_ids(item))
    Sitting.objects.filter(pk=sitting.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    page = alice_client.get(f"/sittings/{sitting.pk}/", follow=True)
    assert "Time ran out" in page.text and "1 of 75 correct" in page.text


def test_profile_sets_the_accommodation(alice_client, alice):
    alice_client.post("/profile/", {"extra_time": "on"})
    assert Profile.for_user(alice).extra_time
    assert "+30 minutes" in alice_client.get("/profile/").text


def test_ending_from_the_page(alice_client, alice, sample_bank):
    sitting = start_mock(alice)
    done = alice_client.post(f"/sittings/{sitting.pk}/end/")
    assert done.url == f"/sittings/{sitting.pk}/results/"
    assert Sitting.objects.get(pk=sitting.pk).status == "finished"


def test_starting_practice_says_what_happened_to_the_open_set(alice_client, alice, sample_bank):
    open_set = start_practice(alice, tasks=["1.1"], count=5, title="Practice: 1.1")
    response = alice_client.post("/practice/missed/", follow=True)  # none missed: nothing starts
    assert "You have no missed questions yet." in response.text
    response = alice_client.post("/practice/", {"count": 5}, follow=True)
    assert "Your open practice set “Practice: 1.1” was finished" in response.text
    open_set.refresh_from_db()
    assert open_set.status == "finished"
    start_mock(alice)
    response = alice_client.post("/practice/", {"count": 5}, follow=True)
    assert "Your mock exam is in progress: finish it before starting another." in response.text


def test_a_small_practice_result_has_no_pass_line_or_verdict(alice_client, alice, sample_bank):
    sitting = start_practice(alice, count=5)
    for item in sitting.items.prefetch_related("version__choices")[:3]:
        sitting.save_answer(item.position, selected=correct_ids(item)[: item.select_count])
    sitting.end()
    page = alice_client.get(f"/sittings/{sitting.pk}/results/")
    assert "3 of 3 correct" in page.text
    assert "pass ≈" not in page.text and "Meets competencies" not in page.text
    assert "Needs improvement" not in page.text and "too small and too narrow" in page.text
