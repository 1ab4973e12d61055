"""A mock with the keyboard only, the warnings after a reload, and every page at 375 px, in
Debian's chromium."""

import re
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


def tab_to(page, selector, limit=100):
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(f"document.activeElement.matches({selector!r})"):
            return
    raise AssertionError(f"Tab never reached {selector}")


def focused(page, expression="document.activeElement.id"):
    return page.evaluate(expression)


def test_a_mock_with_the_keyboard_only(logged_in, live_server, bank):
    page = logged_in
    page.goto(live_server.url + "/home/")
    tab_to(page, "a[href='/mock/start/']")
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_have_text("Mock exam: before you start")
    assert not Sitting.objects.exists()  # the clock has not started
    tab_to(page, "#start-exam")
    page.keyboard.press("Enter")
    page.wait_for_url("**/sittings/*/")
    # Exam mode: nothing of the site's navigation on the page.
    expect(page.locator("nav[aria-label=Main]")).to_have_count(0)
    expect(page.locator("#keys")).to_contain_text("M mark (flag)")

    page.keyboard.press("a")
    expect(page.locator("#option-list input").nth(0)).to_be_checked()
    page.keyboard.press("n")
    expect(page.locator("#progress-label")).to_have_text("Question 2 of 75")
    expect(page.locator("#progress-label")).to_be_focused()
    page.keyboard.press("Tab")  # into the question, not back to the skip link
    assert focused(page, "!!document.activeElement.closest('#question-view')")
    page.keyboard.press("Shift+B")
    expect(page.locator(".option").nth(1)).to_have_class("option struck")
    assert focused(page).startswith("strike-")
    page.keyboard.press("m")
    expect(page.locator("#flag")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("f")  # F chooses option F (or nothing on a 4-option question), never flags
    expect(page.locator("#flag")).to_have_attribute("aria-pressed", "true")
    page.keyboard.press("t")
    expect(page.locator("#time-alert")).to_have_text(
        re.compile(r"^(3 hours|2 hours 59 minutes) remaining\.$")
    )
    expect(page.locator("#save-status")).to_have_text("Saved")
    assert page.locator("#save-status").get_attribute("role") is None  # not announced

    page.keyboard.press("r")
    expect(page.locator("#review-title")).to_be_focused()
    expect(page.locator("#review-summary")).to_contain_text("74 unanswered, 1 flagged")
    tab_to(page, "#end")
    page.keyboard.press("Enter")
    expect(page.locator("#confirm-end")).to_be_visible()
    tab_to(page, "#confirm-end-button")
    page.keyboard.press("Enter")
    page.wait_for_url("**/results/")
    expect(page.locator("nav[aria-label=Main]")).to_have_count(1)


def test_warnings_after_a_reload_say_the_real_time_and_only_once(
    logged_in, live_server, alice, bank
):
    ids, _ = assembly.pick_mock_questions(alice, rng=Random(1), total=3)
    sitting = assembly.create_sitting(alice, "mock", ids, rng=Random(1))
    Sitting.objects.filter(pk=sitting.pk).update(
        deadline=timezone.now() + timedelta(minutes=20, seconds=3)
    )
    page = logged_in
    url = live_server.url + f"/sittings/{sitting.pk}/"
    page.goto(url)
    expect(page.locator("#time-alert")).to_have_text("20 minutes remaining.")
    expect(page.locator("#time-banner")).to_have_text("20 minutes remaining.")
    page.reload()  # the 30-minute warning was given in this sitting: not again
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(1000)
    expect(page.locator("#time-alert")).to_have_text("")
    expect(page.locator("#time-banner")).to_be_hidden()
    Sitting.objects.filter(pk=sitting.pk).update(
        deadline=timezone.now() + timedelta(minutes=5, seconds=3)
    )
    page.reload()
    expect(page.locator("#time-alert")).to_have_text("5 minutes remaining.")


LONG_CODE = "```\n" + "aws deploy create-deployment --deployment-config-name " * 12 + "\n```"
LONG_TOKEN = "`CodeDeployDefault.ECSCanary10Percent5Minutes`"
LONG_URL = "https://docs.aws.amazon.com/codedeploy/latest/userguide/" + "x" * 120 + ".html"


def no_sideways_scroll(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} is {width} px wide"


def test_every_page_fits_a_375_px_phone(logged_in, live_server, alice, bank):
    from questions.models import Question, QuestionVersion, VersionChoice

    question = Question.objects.filter(kind="single").order_by("slug").first()
    Question.objects.filter(pk=question.pk).update(references=[LONG_URL])
    QuestionVersion.objects.filter(pk=question.current_version_id).update(
        stem="Which configuration?\n\n" + LONG_CODE
    )
    for choice in question.current_version.choices.all():
        VersionChoice.objects.filter(pk=choice.pk).update(
            text=f"{LONG_TOKEN} with {LONG_TOKEN} ({choice.pk})"
        )
    others = list(Question.objects.exclude(pk=question.pk).values_list("id", flat=True)[:3])
    sitting = assembly.create_sitting(alice, "mock", [question.id, *others], rng=Random(4))
    page = logged_in
    page.set_viewport_size({"width": 375, "height": 800})

    page.goto(live_server.url + f"/sittings/{sitting.pk}/")
    page.wait_for_load_state("networkidle")  # the page re-renders once it has re-read the sitting
    expect(page.locator(".option")).to_have_count(4)
    no_sideways_scroll(page)
    strike = page.locator(".strike").first.bounding_box()
    assert strike["x"] + strike["width"] <= 375
    page.keyboard.press("r")
    no_sideways_scroll(page)

    page.wait_for_load_state("networkidle")  # the review screen saves the time spent first
    sitting.end()
    page.goto(live_server.url + f"/sittings/{sitting.pk}/results/")
    expect(page.locator(".review-entry")).to_have_count(4)
    no_sideways_scroll(page)
    for path in ("/practice/", "/progress/", "/home/"):
        page.goto(live_server.url + path)
        no_sideways_scroll(page)


def test_times_are_shown_in_the_browsers_time_zone(browser, live_server, alice, bank):
    from datetime import UTC, datetime

    sitting = assembly.start_practice(alice, count=5)
    sitting.end(now=datetime(2026, 1, 15, 23, 30, tzinfo=UTC))
    context = browser.new_context(timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto(live_server.url + "/accounts/login/")
    page.fill("#id_username", "alice")
    page.fill("#id_password", "pw-alice")
    page.click("button[type=submit]")
    page.wait_for_url("**/home/")
    # The page reports the zone and reloads itself to show local times.
    expect(page.locator("time").first).to_have_text("16 Jan 2026, 08:30 JST")
    context.close()
