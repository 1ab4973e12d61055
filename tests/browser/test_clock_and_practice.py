"""The clock's warnings and hiding, and practice feedback, in Debian's chromium."""

from datetime import timedelta
from random import Random

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from progress import assembly
from progress.models import Sitting

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bank(live_server):
    from django.core.management import call_command

    from tests.conftest import SAMPLE_BANK

    call_command("load_blueprint", verbosity=0)
    call_command("import_bank", str(SAMPLE_BANK), verbosity=0)


def test_five_minute_warning_is_announced_once_and_the_timer_can_be_hidden(
    logged_in, live_server, alice, bank
):
    ids, _ = assembly.pick_mock_questions(alice, rng=Random(1), total=5)
    sitting = assembly.create_sitting(alice, "mock", ids, rng=Random(1))
    Sitting.objects.filter(pk=sitting.pk).update(
        deadline=timezone.now() + timedelta(minutes=5, seconds=3)
    )
    page = logged_in
    page.goto(live_server.url + f"/sittings/{sitting.pk}/")
    expect(page.locator("#timer")).to_contain_text("0:05:0")
    expect(page.locator("#time-alert")).to_have_text("5 minutes remaining.", timeout=10000)
    expect(page.locator("#time-banner")).to_be_visible()
    # The live region carries only the threshold message, not a ticking clock.
    assert page.locator("#timer").get_attribute("aria-hidden") == "true"
    page.locator("#toggle-timer").click()
    expect(page.locator("#timer")).to_be_hidden()
    expect(page.locator("#toggle-timer")).to_have_text("Show timer")
    page.locator("#toggle-timer").click()
    expect(page.locator("#timer")).to_be_visible()


def test_practice_shows_feedback_and_the_misconception_revealed(
    logged_in, live_server, alice, bank
):
    from questions.models import Question

    question = Question.objects.get(slug="t6-2-1")
    sitting = assembly.create_sitting(
        alice, "practice", [question.id], title="Practice", rng=Random(2)
    )
    item = sitting.items.get()
    wrong = item.version.choices.get(misconception__isnull=False)
    letter_index = item.choice_order.index(wrong.id)
    page = logged_in
    page.goto(live_server.url + f"/sittings/{sitting.pk}/")
    expect(page.locator("#timer")).to_have_count(0)  # practice is untimed
    page.locator("#option-list label").nth(letter_index).click()
    page.locator("#check").click()
    expect(page.locator("#feedback")).to_contain_text("Not quite.")
    expect(page.locator("#feedback")).to_contain_text(
        "Misconception: AWS Config rules stop non-compliant"
    )
    expect(page.locator(".option.is-correct")).to_have_count(1)
    expect(page.locator(".why")).to_have_count(4)
    expect(page.locator("#check")).to_be_hidden()
    page.locator("#show-review").click()
    page.locator("#end").click()
    page.locator("#confirm-end-button").click()
    page.wait_for_url(f"**/sittings/{sitting.pk}/results/")
    expect(page.locator("#score")).to_contain_text("0 of 1 correct")
