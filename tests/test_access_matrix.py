"""Who may use every URL of the site and the API, and every model admin.

Each route has a row saying, for each of eight actors, the status it gets (and, for actions,
whether the action took effect). A URL pattern without a row fails the test, so a new view
cannot ship without deciding who may use it. Every request runs in a savepoint that is rolled
back, so each actor meets the same state.

Actors: anonymous; owner (alice: owns the sittings, the report and the study group); another
learner (bob); group member (carol, in alice's group); outsider (dave, in no group); staff author
(staff in the 'author' group); staff without permissions; superuser.
"""

import random
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import transaction
from django.test import Client

from tests.conftest import make_user
from tests.routes import all_routes, fill

ACTORS = (
    "anonymous",
    "owner",
    "other_learner",
    "group_member",
    "outsider",
    "staff_author",
    "staff_no_perms",
    "superuser",
)
LEARNERS = ("owner", "other_learner", "group_member", "outsider")
STAFF = ("staff_author", "staff_no_perms", "superuser")


def every(status):
    return dict.fromkeys(ACTORS, status)


def signed_in(ok, anon):
    """Anyone signed in gets `ok`; the anonymous visitor `anon` (302 to log in, 401 API)."""
    return {**every(ok), "anonymous": anon}


def only(allowed, ok, anon, other=404, **exceptions):
    """`allowed` actors get `ok`; anonymous `anon`; everyone else `other` (404: not even
    whether it exists); keyword arguments override single actors."""
    expected = {a: (ok if a in allowed else other) for a in ACTORS}
    expected["anonymous"] = anon
    expected.update(exceptions)
    return expected


@dataclass
class Row:
    method: str
    expected: dict
    args: dict = field(default_factory=dict)  # route parameter -> key of the world dict
    data: object = None  # dict, or callable(world, user) -> dict
    json: bool = False
    effect: object = None  # callable(world) -> bool: did the action take effect?
    takes_effect_for: tuple = ()


def author_group():
    """The 'author' group its data migration makes. A transactional test earlier in the run
    flushes the database (permissions come back with post_migrate, the group does not), so it
    is made again here the same way."""
    from importlib import import_module

    from django.contrib.auth.models import Permission

    migration = import_module("questions.migrations.0002_author_group")
    group, created = Group.objects.get_or_create(name="author")
    if created:
        codenames = [
            f"{action}_{model}"
            for models in migration.AUTHOR_PERMISSIONS.values()
            for model in models
            for action in ("add", "change", "view")
        ]
        codenames += ["view_problemreport", "change_problemreport", "view_domain", "delete_choice"]
        group.permissions.set(Permission.objects.filter(codename__in=codenames))
    return group


OWNER = ("owner",)
GROUP = ("owner", "group_member")
SITE, API = 302, 401

ROWS = {
    # Public pages and health
    "": Row("get", {**every(302), "anonymous": 200}),  # signed in: on to home
    "healthz": Row("get", every(200)),
    "favicon.ico": Row("get", every(301)),
    "session/": Row("get", every(200)),  # {authenticated, csrf_token}: the caller's own
    "domains/": Row("get", every(200)),
    "domains/<slug:slug>/": Row("get", every(200), {"slug": "domain_slug"}),
    "domains/<slug:slug>/<str:number>/": Row(
        "get", every(200), {"slug": "domain_slug", "number": "task_number"}
    ),
    "misconceptions/": Row("get", every(200)),
    "misconceptions/<slug:slug>/": Row("get", every(200), {"slug": "card_slug"}),
    # Accounts
    "accounts/signup/": Row("get", {**every(302), "anonymous": 200}),
    "accounts/login/": Row("get", every(200)),
    "accounts/logout/": Row("post", every(302)),
    "accounts/password_change/": Row("get", signed_in(200, SITE)),
    "accounts/password_change/done/": Row("get", signed_in(200, SITE)),
    "accounts/password_reset/": Row("get", every(200)),
    "accounts/password_reset/done/": Row("get", every(200)),
    "accounts/reset/<uidb64>/<token>/": Row(
        "get", every(200), {"uidb64": "reset_uid", "token": "reset_token"}
    ),  # a bad token: the page says the link is invalid
    "accounts/reset/done/": Row("get", every(200)),
    "profile/": Row("get", signed_in(200, SITE)),
    "profile/time-zone/": Row(
        "post", signed_in(200, SITE), data={"time_zone": "Europe/Berlin"}, json=True
    ),
    "profile/logout-everywhere/": Row("post", signed_in(302, SITE)),
    "profile/export/": Row("get", signed_in(200, SITE)),
    "profile/delete/": Row("get", signed_in(200, SITE)),
    # The learner's own pages
    "home/": Row("get", signed_in(200, SITE)),
    "mock/start/": Row("post", signed_in(302, SITE)),
    "practice/": Row("get", signed_in(200, SITE)),
    "practice/missed/": Row("post", signed_in(302, SITE)),
    "practice/not-reached/": Row("post", signed_in(302, SITE)),
    "reports/mine/": Row("get", signed_in(200, SITE)),  # the caller's own reports only
    "notes/": Row("get", signed_in(200, SITE)),  # the caller's own notes only
    "sittings/<int:pk>/items/<int:position>/note/": Row(
        "post", only(OWNER, 302, SITE), {"pk": "done_sitting", "position": "one"}, {"text": "x"}
    ),
    "sittings/<int:pk>/items/<int:position>/miss/": Row(
        "post", only(OWNER, 302, SITE), {"pk": "done_sitting", "position": "one"}, {"reason": ""}
    ),
    "practice/review/": Row("post", signed_in(302, SITE)),
    "progress/": Row("get", signed_in(200, SITE)),
    "sittings/<int:pk>/": Row("get", only(OWNER, 200, SITE), {"pk": "open_sitting"}),
    "sittings/<int:pk>/end/": Row(
        "post",
        only(OWNER, 302, SITE),
        {"pk": "open_sitting"},
        effect=lambda w: w["open"].__class__.objects.get(pk=w["open_sitting"]).status == "finished",
        takes_effect_for=OWNER,
    ),
    "sittings/<int:pk>/results/": Row("get", only(OWNER, 200, SITE), {"pk": "done_sitting"}),
    "reports/<int:pk>/practice/": Row("post", only(OWNER, 302, SITE), {"pk": "report"}),
    "questions/<int:pk>/report/": Row(
        "get",
        only(OWNER + STAFF, 200, SITE),  # learners who met the question, and staff
        {"pk": "met_question"},
    ),
    # Study groups: members see each other, nobody else does
    "groups/": Row("get", signed_in(200, SITE)),
    "groups/<int:pk>/": Row("get", only(GROUP, 200, SITE), {"pk": "group"}),
    "groups/<int:pk>/members/<int:user_id>/": Row(
        "get", only(GROUP, 200, SITE), {"pk": "group", "user_id": "owner_id"}
    ),
    "groups/<int:pk>/leave/": Row(
        "post",
        only(GROUP, 302, SITE),
        {"pk": "group"},
        effect=lambda w: not w["group_obj"].memberships.filter(user=w["carol"]).exists(),
        takes_effect_for=("group_member",),  # the owner must hand over first
    ),
    "groups/<int:pk>/members/<int:user_id>/remove/": Row(
        "post",
        only(GROUP, 302, SITE),
        {"pk": "group", "user_id": "member_id"},
        effect=lambda w: not w["group_obj"].memberships.filter(user=w["carol"]).exists(),
        takes_effect_for=OWNER,
    ),
    "groups/<int:pk>/code/": Row(
        "post",
        only(OWNER, 302, SITE),
        {"pk": "group"},
        effect=lambda w: (
            w["group_obj"].__class__.objects.get(pk=w["group"]).join_code
            != w["group_obj"].join_code
        ),
        takes_effect_for=OWNER,
    ),
    # API: public
    "api/v1/domains/": Row("get", every(200)),
    "api/v1/misconceptions/": Row("get", every(200)),
    "api/v1/misconceptions/<slug:slug>/": Row("get", every(200), {"slug": "card_slug"}),
    "api/v1/schema/": Row("get", every(200)),
    "api/v1/docs/": Row("get", every(200)),
    "api/v1/auth/register/": Row(
        "post",
        every(201),
        data=lambda w, user: {"username": f"new-{user or 'anon'}", "password": "Quiet-Lamp-4417"},
        json=True,
    ),
    "api/v1/auth/token/": Row(
        "post",
        {**every(200), "anonymous": 400},
        data=lambda w, user: {"username": user or "nobody", "password": f"pw-{user}"},
        json=True,
    ),
    # API: the learner's own
    "api/v1/auth/logout/": Row("post", signed_in(204, API)),
    "api/v1/auth/logout-all/": Row("post", signed_in(200, API)),
    "api/v1/me/export/": Row("get", signed_in(200, API)),
    "api/v1/problem-reports/": Row("get", signed_in(200, API)),  # the caller's own only
    "api/v1/notes/": Row("get", signed_in(200, API)),
    "api/v1/exams/available/": Row("get", signed_in(200, API)),
    "api/v1/exams/<int:pk>/items/<int:position>/note/": Row(
        "put",
        only(OWNER, 200, API),
        {"pk": "done_sitting", "position": "one"},
        data={"text": "x"},
        json=True,
    ),
    "api/v1/exams/<int:pk>/items/<int:position>/miss/": Row(
        "delete", only(OWNER, 200, API), {"pk": "done_sitting", "position": "one"}
    ),
    "api/v1/me/delete/": Row(
        "post",
        signed_in(200, API),
        data=lambda w, user: {"password": f"pw-{user}"},
        json=True,
    ),
    "api/v1/exams/": Row("get", signed_in(200, API)),
    "api/v1/exams/<int:pk>/": Row("get", only(OWNER, 200, API), {"pk": "open_sitting"}),
    "api/v1/exams/<int:pk>/items/<int:position>/": Row(
        "put",
        only(OWNER, 200, API),
        {"pk": "open_sitting", "position": "one"},
        data={"flagged": True},
        json=True,
    ),
    "api/v1/exams/<int:pk>/clock/": Row("get", only(OWNER, 200, API), {"pk": "open_sitting"}),
    "api/v1/exams/<int:pk>/submit/": Row(
        "post",
        only(OWNER, 200, API),
        {"pk": "open_sitting"},
        effect=lambda w: w["open"].__class__.objects.get(pk=w["open_sitting"]).status == "finished",
        takes_effect_for=OWNER,
    ),
    "api/v1/questions/<int:pk>/reports/": Row(
        "post",
        only(OWNER + STAFF, 201, API),
        {"pk": "met_question"},
        data={"reason": "typo", "text": "x"},
        json=True,
    ),
    "api/v1/progress/": Row("get", signed_in(200, API)),
    "api/v1/reports/": Row("get", signed_in(200, API)),
    "api/v1/reports/latest/": Row("get", only(OWNER, 200, API, other=404)),  # others: none yet
    "api/v1/review/due/": Row("get", signed_in(200, API)),
    "api/v1/groups/": Row("get", signed_in(200, API)),
    "api/v1/groups/join/": Row(
        "post",
        only(("other_learner", "outsider") + STAFF, 200, API, owner=200, group_member=200),
        data=lambda w, user: {"code": w["group_obj"].join_code},
        json=True,
    ),
    "api/v1/groups/<int:pk>/": Row("get", only(GROUP, 200, API), {"pk": "group"}),
    "api/v1/groups/<int:pk>/leave/": Row(
        "post",
        only(("group_member",), 204, API, owner=409),  # the owner must hand over first
        {"pk": "group"},
        effect=lambda w: not w["group_obj"].memberships.filter(user=w["carol"]).exists(),
        takes_effect_for=("group_member",),
    ),
}

# The admin: one rule per model admin (its change list), by the permissions each actor holds.
NOT_STAFF = {"anonymous": 302, **dict.fromkeys(LEARNERS, 302)}
AUTHOR_SEES = {
    "domains.domain",
    "domains.taskstatement",
    "domains.misconceptioncard",
    "questions.question",
    "questions.tag",
    "questions.problemreport",
}
ADMIN_MODELS = {
    "auth.group",
    "auth.user",
    "knox.authtoken",
    "axes.accessattempt",
    "axes.accesslog",
    "axes.accessfailurelog",
    "domains.domain",
    "domains.taskstatement",
    "domains.misconceptioncard",
    "questions.question",
    "questions.tag",
    "questions.problemreport",
    "progress.sitting",
    "progress.studygroup",
    "progress.weakdomainreport",
    "progress.outbox",
    "progress.calibrationrun",
    "progress.referenceformversion",
}


def admin_expected(label):
    return {
        **NOT_STAFF,
        "staff_author": 200 if label in AUTHOR_SEES else 403,
        "staff_no_perms": 403,
        "superuser": 200,
    }


@pytest.fixture
def world(sample_bank):
    from progress import assembly
    from progress.models import StudyGroup
    from progress.reports import build_reports
    from questions.models import Question
    from tests.progress.conftest import answer

    alice, bob, carol, dave = (make_user(n) for n in ("alice", "bob", "carol", "dave"))
    author = make_user("author", is_staff=True)
    author.groups.add(author_group())
    users = {
        "owner": alice,
        "other_learner": bob,
        "group_member": carol,
        "outsider": dave,
        "staff_author": author,
        "staff_no_perms": make_user("bare", is_staff=True),
        "superuser": make_user("root", is_staff=True, is_superuser=True),
    }
    done = assembly.start_practice(alice, count=5, rng=random.Random(1))
    for item in done.items.prefetch_related("version__choices"):
        answer(done, item, right=False)
    done.finish()
    build_reports([alice.id])
    open_sitting = assembly.start_practice(alice, count=5, rng=random.Random(2))
    group = StudyGroup.create(alice, "Buddies")
    group.memberships.create(user=carol)
    from domains.models import MisconceptionCard, TaskStatement

    task = TaskStatement.objects.select_related("domain").first()
    return {
        "users": users,
        "carol": carol,
        "open": open_sitting,
        "open_sitting": open_sitting.pk,
        "done_sitting": done.pk,
        "report": alice.weak_domain_reports.get().pk,
        "met_question": done.items.first().question_id,
        "unmet": Question.objects.exclude(sitting_items__sitting__user=alice).first().pk,
        "group": group.pk,
        "group_obj": group,
        "owner_id": alice.pk,
        "member_id": carol.pk,
        "one": 1,
        "domain_slug": task.domain.slug,
        "task_number": task.number,
        "card_slug": MisconceptionCard.objects.first().slug,
        "reset_uid": "MQ",
        "reset_token": "set-password",
    }


def _client(world, actor, cache=None):
    """A client signed in as `actor`, reused from `cache` until a response touched its
    session cookie (a logout, a deletion)."""
    if cache is not None and actor in cache:
        return cache[actor]
    client = Client(REMOTE_ADDR="192.0.2.10")
    if actor != "anonymous":
        client.force_login(world["users"][actor])
    if cache is not None:
        cache[actor] = client
    return client


def _request(client, row, url, world, actor):
    user = world["users"].get(actor)
    data = row.data(world, user and user.username) if callable(row.data) else row.data
    if row.json:
        return getattr(client, row.method)(url, data, content_type="application/json")
    return getattr(client, row.method)(url, data or {})


def test_every_url_pattern_has_a_row():
    routes = {route for route, name, _ in all_routes() if name != "admin"}
    assert routes - set(ROWS) == set(), "add a row to ROWS for each new URL"
    assert set(ROWS) - routes == set(), "rows for URLs that no longer exist"


def test_every_model_admin_has_a_rule():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == ADMIN_MODELS


def test_who_may_use_each_url(world):
    """One world for every row (each request is rolled back): mismatches are listed per URL."""
    wrong, clients = {}, {}
    for route, row in sorted(ROWS.items()):
        url = fill(route, {name: world[key] for name, key in row.args.items()})
        got, effects = {}, {}
        for actor in ACTORS:
            client = _client(world, actor, clients)
            with transaction.atomic():
                response = _request(client, row, url, world, actor)
                got[actor] = response.status_code
                if "sessionid" in response.cookies:
                    clients.pop(actor)
                if row.effect:
                    effects[actor] = row.effect(world)
                transaction.set_rollback(True)
        if got != row.expected:
            wrong[route] = {
                a: (got[a], row.expected[a]) for a in ACTORS if got[a] != row.expected[a]
            }
        took = {a for a, done in effects.items() if done}
        if row.effect and took != set(row.takes_effect_for):
            wrong[route + " (effect)"] = sorted(took)
    assert wrong == {}, "route: {actor: (got, expected)}"


def test_who_may_use_each_model_admin(world):
    wrong = {}
    clients = {actor: _client(world, actor) for actor in ACTORS}
    for label in sorted(ADMIN_MODELS):
        app, model = label.split(".")
        got = {a: c.get(f"/admin/{app}/{model}/").status_code for a, c in clients.items()}
        if got != admin_expected(label):
            wrong[label] = got
    assert wrong == {}


def test_the_admin_index_and_question_preview(world):
    preview = f"/admin/questions/question/{world['met_question']}/preview/?reveal=1"
    index, shown = {}, {}
    for actor in ACTORS:
        client = _client(world, actor)
        index[actor] = client.get("/admin/").status_code
        shown[actor] = client.get(preview).status_code
    assert index == {**NOT_STAFF, "staff_author": 200, "staff_no_perms": 200, "superuser": 200}
    assert shown == {**NOT_STAFF, "staff_author": 200, "staff_no_perms": 403, "superuser": 200}
