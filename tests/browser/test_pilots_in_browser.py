"""A mock with pilot items in Debian's chromium: told on the instructions, hidden on the exam
page, revealed and left out of the score on the results (#15)."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from progress.models import Sitting, SittingItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bank_with_pilots(alice, live_server, tmp_path):
    from tests.conftest import SAMPLE_BANK, write_pilot_bank

    call_command("load_blueprint", verbosity=0)
    call_command("import_bank", str(SAMPLE_BANK), verbosity=0)
    call_command("import_bank", str(write_pilot_bank(tmp_path)), verbosity=0)


def test_a_mock_with_pilots_in_the_browser(logged_in, live_server, bank_with_pilots):
    page = logged_in
    page.goto(live_server.url + "/mock/start/")
    expect(page.locator("#unscored-items")).to_contain_text("up to 10 unscored questions")
    page.locator("#start-exam").click()
    page.wait_for_url("**/sittings/*/")
    sitting = Sitting.objects.get(status="in_progress")
    expect(page.locator("#progress-label")).to_have_text("Question 1 of 75")
    assert "pilot" not in page.content().lower()
    assert "unscored" not in page.content().lower()

    page.locator("#option-list label").first.click()
    expect(page.locator("#save-status")).to_have_text("Saved")
    page.locator("#show-review").click()
    page.locator("#end").click()
    page.locator("#confirm-end-button").click()
    page.wait_for_url(f"**/sittings/{sitting.pk}/results/")

    pilots = SittingItem.objects.filter(sitting=sitting, is_pilot=True)
    assert pilots.count() == 10
    expect(page.locator("#pilot-rule")).to_contain_text(
        "65 questions count here; the other 10 were unscored pilot questions"
    )
    expect(page.locator(".review-entry .pilot-label")).to_have_count(10)
    position = pilots.order_by("position").first().position
    expect(page.locator(f"#q{position} h3")).to_contain_text("Unscored (pilot)")
    expect(page.locator(f"#q{position} .miss-form")).to_have_count(0)
    sitting.refresh_from_db()
    assert sitting.total == 65
