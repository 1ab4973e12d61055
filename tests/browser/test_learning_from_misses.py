"""Practice feedback's "unsure", peer figures, miss tag and note, and the practice page's live
count: behaviour that lives in the pages' JS, in Debian's chromium."""

from random import Random

import pytest
from playwright.sync_api import expect

from progress import assembly
from progress.models import MissTag, Note, QuestionStats

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def bank(live_server):
    from django.core.management import call_command

    from tests.conftest import SAMPLE_BANK

    call_command("load_blueprint", verbosity=0)
    call_command("import_bank", str(SAMPLE_BANK), verbosity=0)


def test_unsure_right_answer_then_tag_it_guessed_and_keep_a_note(
    logged_in, live_server, alice, bank
):
    from questions.models import Question

    question = Question.objects.get(slug="t6-2-1")
    version = question.current_version
    right = version.choices.get(is_correct=True)
    QuestionStats.objects.create(
        question=question,
        version=version,
        answered=25,
        learners=25,
        facility=0.64,
        option_pick_rates={str(right.id): 0.64},
    )
    sitting = assembly.create_sitting(alice, "practice", [question.id], rng=Random(2))
    item = sitting.items.get()
    page = logged_in
    page.goto(live_server.url + f"/sittings/{sitting.pk}/")
    page.locator("#unsure").check()
    page.locator("#option-list label").nth(item.choice_order.index(right.id)).click()
    expect(page.locator("#unsure")).to_be_checked()  # survives the re-render on choosing
    page.locator("#check").click()
    feedback = page.locator("#feedback")
    expect(feedback).to_contain_text("✓ Correct.")
    expect(feedback).to_contain_text("Other learners: 64 % answered this right (25 learners).")
    expect(page.locator(".option.is-correct .peer-share")).to_have_text(
        " Picked by 64 % of learners."
    )
    expect(page.locator("#unsure")).to_be_disabled()
    page.locator("#miss-reason").select_option("guessed")
    expect(page.locator(".miss-form [role=status]")).to_have_text(" Saved.")
    page.locator("#note-text").fill("Config **detects**, it does not prevent.")
    page.locator("#save-note").click()
    expect(page.locator(".note-form .note strong")).to_have_text("detects")
    item.refresh_from_db()
    assert item.unsure and MissTag.objects.get(item=item).reason == "guessed"
    assert Note.objects.get(user=alice).text == "Config **detects**, it does not prevent."


def test_practice_page_counts_the_choice_before_starting(logged_in, live_server, bank):
    page = logged_in
    page.goto(live_server.url + "/practice/")
    expect(page.locator("#available")).to_have_text("95 questions match your choice.")
    page.get_by_label("Domain 1:", exact=False).check()
    expect(page.locator("#available")).to_contain_text(" questions match your choice.")
    expect(page.locator("#available")).not_to_have_text("95 questions match your choice.")
    page.locator("input[name=sources][value=incorrect]").check()
    expect(page.locator("#available")).to_have_text("0 questions match your choice.")


def test_practice_page_source_counts_follow_the_domains_ticked(logged_in, live_server, alice, bank):
    from questions.models import Question

    # One miss, in domain 1.
    missed = Question.objects.live().for_domain(1).order_by("id").first()
    sitting = assembly.create_sitting(alice, "practice", [missed.id], rng=Random(3))
    item = sitting.items.get()
    wrong = [c.id for c in item.version.choices.all() if not c.is_correct][: item.select_count]
    sitting.save_answer(1, selected=wrong)
    sitting.end()
    in_domain_2 = Question.objects.live().for_domain(2).count()

    page = logged_in
    page.goto(live_server.url + "/practice/")
    incorrect = page.locator('[data-source-count="incorrect"]')
    everything = page.locator('[data-source-count="all"]')
    expect(incorrect).to_have_text("1")
    expect(everything).to_have_text("95")
    page.get_by_label("Domain 2:", exact=False).check()
    expect(incorrect).to_have_text("0")
    expect(everything).to_have_text(str(in_domain_2))
    expect(page.locator('[data-source-count="unused"]')).to_have_text(str(in_domain_2))
    page.get_by_label("Domain 1:", exact=False).check()  # the union of both domains
    expect(incorrect).to_have_text("1")
    page.get_by_label("Domain 2:", exact=False).uncheck()
    page.get_by_label("Domain 1:", exact=False).uncheck()
    expect(everything).to_have_text("95")
