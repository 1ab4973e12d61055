"""A short mock, end to end, in Debian's chromium: answer, flag, strike, reload, review, submit."""

import re
from datetime import timedelta
from random import Random

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from progress import assembly
from progress.models import Sitting, SittingItem

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def short_mock(alice, live_server):
    from django.core.management import call_command

    from tests.conftest import SAMPLE_BANK

    call_command("load_blueprint", verbosity=0)
    call_command("import_bank", str(SAMPLE_BANK), verbosity=0)
    from questions.models import Question

    singles = Question.objects.published().filter(kind="single").order_by("slug")
    ids = [
        singles[0].id,
        singles[1].id,
        Question.objects.filter(kind="multiple").order_by("slug")[0].id,
    ]
    ids += [q.id for q in singles[20:23]]
    return assembly.create_sitting(alice, Sitting.Mode.MOCK, ids, title="Mock exam", rng=Random(7))


def _right_letters(item):
    return [
        "ABCDEF"[item.choice_order.index(c.id)] for c in item.version.choices.all() if c.is_correct
    ]


def test_short_mock_end_to_end(logged_in, live_server, short_mock):
    page = logged_in
    page.goto(live_server.url + f"/sittings/{short_mock.pk}/")
    expect(page.locator("#progress-label")).to_have_text("Question 1 of 6")
    expect(page.locator("#timer")).to_contain_text("2:59:")
    items = list(short_mock.items.prefetch_related("version__choices").order_by("position"))

    # Q1: answer right with the keyboard, flag it (M), strike an option.
    for letter in _right_letters(items[0]):
        page.keyboard.press(letter.lower())
    page.keyboard.press("m")
    expect(page.locator("#flag")).to_have_class(re.compile("is-flagged"))
    page.locator(".strike").last.click()
    expect(page.locator("#save-status")).to_have_text("Saved")
    expect(page.locator(".option.struck")).to_have_count(1)
    page.keyboard.press("n")
    expect(page.locator("#progress-label")).to_have_text("Question 2 of 6")
    # Q2: answer with the mouse.
    page.locator("#option-list label").first.click()
    expect(page.locator("#save-status")).to_have_text("Saved")

    # Reload mid-sitting: everything is still there and the page resumes on question 2.
    page.reload()
    expect(page.locator("#progress-label")).to_have_text("Question 2 of 6")
    expect(page.locator("#option-list input").first).to_be_checked()
    page.keyboard.press("p")
    expect(page.locator("#flag")).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".option.struck")).to_have_count(1)

    # A multiple-response question refuses more than the asked number.
    page.locator("#show-review").click()
    page.locator(".review-item").nth(2).click()
    expect(page.locator("#choose-label")).to_have_text("Choose TWO.")
    for n in range(3):
        page.locator("#option-list label").nth(n).click()
    expect(page.locator("#limit-message")).to_contain_text("only 2")
    expect(page.locator("#option-list input:checked")).to_have_count(2)
    # One box of "Choose TWO" is incomplete, not answered: on the page, the review and the end.
    page.locator("#option-list label").nth(0).click()
    expect(page.locator("#item-status")).to_contain_text("Incomplete: 1 of 2")

    # Review screen and the confirmation that counts what is left.
    page.locator("#show-review").click()
    expect(page.locator("#review-title")).to_be_focused()
    expect(page.locator("#progress-label")).to_be_hidden()  # no "Question 3 of 6" header here
    expect(page.locator("#review-summary")).to_have_text(
        "2 answered, 1 incomplete, 3 unanswered, 1 flagged."
    )
    expect(page.locator(".review-item").nth(2)).to_have_attribute(
        "aria-label", "Question 3: incomplete (1 of 2 chosen)"
    )
    page.locator(".review-filters [data-filter=flagged]").click()
    expect(page.locator(".review-item")).to_have_count(1)
    page.locator(".review-filters [data-filter=unanswered]").click()
    expect(page.locator(".review-item")).to_have_count(3)  # questions 1-3 answered above
    page.locator(".review-filters [data-filter=incomplete]").click()
    expect(page.locator(".review-item")).to_have_count(1)
    page.locator(".review-filters [data-filter=all]").click()
    page.locator("#end").click()
    expect(page.locator("#confirm-text")).to_contain_text(
        "3 unanswered, 1 incomplete, 1 flagged question(s). Unanswered and incomplete questions score zero"
    )
    page.locator("#confirm-end-button").click()
    page.wait_for_url(f"**/sittings/{short_mock.pk}/results/")
    expect(page.locator("svg.chart")).to_be_visible()
    expect(page.locator("#score")).to_contain_text("Scaled score")
    expect(page.locator(".review-entry")).to_have_count(6)
    expect(page.locator(".review-entry").first.locator(".why").first).to_be_visible()
    expect(page.locator("#q3 h3")).to_contain_text("incomplete (1 of 2 chosen)")
    saved = SittingItem.objects.get(sitting=short_mock, position=1)
    assert saved.flagged and saved.struck and saved.is_correct


def test_deadline_passing_with_the_page_open_ends_the_exam(logged_in, live_server, short_mock):
    item = short_mock.items.prefetch_related("version__choices").first()
    Sitting.objects.filter(pk=short_mock.pk).update(deadline=timezone.now() + timedelta(seconds=4))
    page = logged_in
    page.goto(live_server.url + f"/sittings/{short_mock.pk}/")
    for letter in _right_letters(item):
        page.keyboard.press(letter.lower())
    expect(page.locator("#save-status")).to_have_text("Saved")
    page.wait_for_url(f"**/sittings/{short_mock.pk}/results/", timeout=20000)
    short_mock.refresh_from_db()
    assert short_mock.status == "finished"
    assert short_mock.correct == 1


def test_unsent_answers_survive_a_dropped_network(logged_in, live_server, short_mock):
    page = logged_in
    page.goto(live_server.url + f"/sittings/{short_mock.pk}/")
    timer = page.locator("#timer").bounding_box()
    page.context.set_offline(True)
    page.locator("#option-list label").first.click()
    expect(page.locator("#save-status")).to_contain_text("Not saved")
    expect(page.locator("#save-problem")).to_contain_text("kept in this browser")
    assert page.locator("#timer").bounding_box() == timer  # the bar does not shift
    assert SittingItem.objects.get(sitting=short_mock, position=1).selected == []
    page.context.set_offline(False)
    page.reload()  # the pending change waits in localStorage and is sent on load
    expect(page.locator("#save-status")).to_have_text("Saved")
    expect(page.locator("#option-list input").first).to_be_checked()
    assert len(SittingItem.objects.get(sitting=short_mock, position=1).selected) == 1
