"""Pilots proposed for publishing by their statistics; the author publishes them (#15)."""

import random

import pytest

from progress import assembly
from progress.models import QuestionStats
from questions.models import Question
from questions.publishing import PILOT_MIN_LEARNERS


@pytest.fixture
def author_client(client, staff_admin, pilot_bank):
    client.force_login(staff_admin)
    return client


def stats_for(slug, learners, facility, discrimination):
    question = Question.objects.get(slug=slug)
    QuestionStats.objects.create(
        question=question,
        version=question.current_version,
        answered=learners,
        learners=learners,
        facility=facility,
        discrimination=discrimination,
        median_seconds=125,
    )
    return question


@pytest.fixture
def pilot_stats(pilot_bank):
    return {
        "ready": stats_for("pilot-1", 40, 0.6, 0.3),
        "few": stats_for("pilot-2", PILOT_MIN_LEARNERS - 1, 0.6, 0.3),
        "too_easy": stats_for("pilot-3", 40, 0.97, 0.3),
        "flat": stats_for("pilot-4", 40, 0.6, 0.05),
        "edge": stats_for("pilot-5", PILOT_MIN_LEARNERS, 0.2, 0.11),
        "published": stats_for("t1-1-1", 40, 0.6, 0.3),
    }


def listed(page):
    return {slug for slug in (f"pilot-{n}" for n in range(1, 13)) if f">{slug}<" in page}


def test_the_admin_lists_exactly_the_pilots_the_rule_proposes(author_client, pilot_stats):
    page = author_client.get("/admin/questions/question/?pilot=ready").text
    assert listed(page) == {"pilot-1", "pilot-5"}
    assert ">t1-1-1<" not in page  # published already: not a pilot
    waiting = author_client.get("/admin/questions/question/?pilot=not_yet").text
    assert listed(waiting) == {f"pilot-{n}" for n in range(1, 13)} - {"pilot-1", "pilot-5"}
    everything = author_client.get("/admin/questions/question/?status__exact=pilot").text
    assert "✔ yes" in everything
    assert f"{PILOT_MIN_LEARNERS - 1} of {PILOT_MIN_LEARNERS} learners so far" in everything
    assert "facility 97% outside 20%-95%" in everything
    assert "discrimination +0.05, needs above +0.10" in everything
    assert "no answers analysed yet" in everything
    assert "2:05" in everything  # the median time column


def test_publishing_selected_pilots_publishes_only_the_ready_ones(author_client, pilot_stats):
    chosen = [pilot_stats[k].pk for k in ("ready", "few", "published")]
    page = author_client.post(
        "/admin/questions/question/",
        {"action": "publish_pilots", "_selected_action": chosen},
        follow=True,
    ).text
    assert "Published 1 pilot question" in page
    assert "Not published: pilot-2:" in page and "Not published: t1-1-1: not a pilot" in page
    statuses = dict(Question.objects.filter(pk__in=chosen).values_list("slug", "status"))
    assert statuses == {"pilot-1": "published", "pilot-2": "pilot", "t1-1-1": "published"}
    # Published, it is an ordinary question now: practice may draw it.
    assert Question.objects.live().filter(slug="pilot-1").exists()


def test_a_published_pilot_counts_in_later_mocks(alice, pilot_stats):
    Question.objects.filter(slug="pilot-1").update(status="published")
    for seed in range(4):
        _, pilots, _ = assembly.pick_mock(alice, rng=random.Random(seed))
        assert len(pilots) == 10  # the 11 pilots left
        assert pilot_stats["ready"].pk not in pilots
