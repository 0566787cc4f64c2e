"""Every admin action, admin page of candidate data and /review/ URL, for every role.

Each row of tests/security/role_matrix.py says which roles may use it. An allowed role gets
the effect; any other is sent to the login page, refused with 403, or (an admin action its
role is not offered) told "No action selected", and the database is exactly as before.
Nobody but Recruiters and superusers ever gets a candidate's name or email back.
"""

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, User
from django.contrib.messages import get_messages
from django.test import RequestFactory
from django.urls import reverse

from quizzes import urls as quizzes_urls
from quizzes.models import (
    Answer,
    Attempt,
    AttemptNote,
    Invite,
    OutboundEmail,
    ScoreChange,
    WebhookDelivery,
)
from tests.security.role_matrix import (
    ACTION_CASES,
    ADMIN_PAGE_CASES,
    CANDIDATE_READERS,
    REVIEW_CASES,
    ROLES,
    SECRET_EMAIL,
    SECRET_NAME,
    SIGNED_OUT,
    ActionCase,
    Outcome,
    PageCase,
    build_world,
)

pytestmark = pytest.mark.django_db

# Admin pages that hold candidates' data: every page of these models' admins.
CANDIDATE_DATA_MODELS = (
    Attempt,
    Answer,
    Invite,
    ScoreChange,
    AttemptNote,
    OutboundEmail,
    WebhookDelivery,
)
# Pages of other models that would name candidates if nothing hid them.
PAGES_NAMING_CANDIDATES = {"admin:quizzes_quiz_delete"}
STANDARD_ADMIN_VIEWS = ("_changelist", "_add", "_history", "_delete", "_change")
SNAPSHOT_MODELS = (
    *apps.get_app_config("quizzes").get_models(),
    User,
    Group,
    LogEntry,
    AccessAttempt,
    AccessLog,
    AccessFailureLog,
)


def snapshot() -> dict[str, list[dict]]:
    return {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in SNAPSHOT_MODELS
    }


def sign_in(client, role: str) -> User | None:
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    if role == "anonymous":
        return None
    if role == "superuser":
        user = User.objects.create_superuser("boss", "boss@example.org", "pw")
    else:
        user = User.objects.create_user(role, is_staff=role != "recruiter_not_staff")
        group = {"author": "Authors", "recruiter": "Recruiters"}.get(role.split("_")[0])
        if group:
            user.groups.add(Group.objects.get(name=group))
    client.force_login(user)
    return user


def outcome_of(response, role: str, user: User | None) -> Outcome:
    body = b"".join(response.streaming_content) if response.streaming else response.content
    # Downloads may be binary (the .xlsx): their checks read `body`.
    text = body.decode("utf-8", errors="replace")
    messages = [str(message) for message in get_messages(response.wsgi_request)]
    return Outcome(response=response, text=text, role=role, user=user, messages=messages, body=body)


def assert_refused(outcome: Outcome, *, action: bool) -> None:
    response = outcome.response
    if outcome.role in SIGNED_OUT:
        assert response.status_code == 302, outcome.text[:300]
        assert response["Location"].startswith(reverse("admin:login"))
    elif action and response.status_code == 302:
        # Django does not offer an action its permissions rule out: it runs nothing.
        assert "No action selected." in outcome.messages
    elif action and response.status_code == 200:
        # A list with no action on offer at all: the post is ignored, the list shown.
        assert 'id="changelist"' in outcome.text and not outcome.messages
    else:
        assert response.status_code == 403, outcome.text[:300]


def assert_no_candidate_data(outcome: Outcome) -> None:
    if outcome.role not in CANDIDATE_READERS:
        assert SECRET_NAME not in outcome.text and SECRET_EMAIL not in outcome.text


def check(case: ActionCase | PageCase, outcome: Outcome, world, before, *, action: bool):
    assert_no_candidate_data(outcome)
    if outcome.role in case.allowed:
        case.ran(world, outcome)
        if not case.writes:
            assert snapshot() == before
    else:
        assert_refused(outcome, action=action)
        assert snapshot() == before


def _params(cases):
    return [pytest.param(case, role, id=f"{case.id}-{role}") for case in cases for role in ROLES]


@pytest.mark.parametrize(("case", "role"), _params(ACTION_CASES))
def test_admin_action(client, case: ActionCase, role: str):
    world = build_world()
    user = sign_in(client, role)
    app_label, model_name = case.model.lower().split(".")
    before = snapshot()
    response = client.post(
        reverse(f"admin:{app_label}_{model_name}_changelist"),
        {"action": case.action, "_selected_action": case.selected(world), **case.extra},
    )
    check(case, outcome_of(response, role, user), world, before, action=True)


@pytest.mark.parametrize(("case", "role"), _params(ADMIN_PAGE_CASES + REVIEW_CASES))
def test_page(client, case: PageCase, role: str):
    world = build_world()
    user = sign_in(client, role)
    url = reverse(case.url_name, args=case.args(world)) + case.query(world)
    before = snapshot()
    if case.method == "post":
        response = client.post(url, case.data(world) if case.data else {})
    else:
        response = client.get(url)
    check(case, outcome_of(response, role, user), world, before, action=False)


def _superuser_request():
    request = RequestFactory().get("/admin/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    return request


def test_every_admin_action_has_a_row():
    request = _superuser_request()
    registered = {
        (model._meta.label, name)
        for model, model_admin in admin.site._registry.items()
        for name in model_admin.get_actions(request)
    }
    assert registered == {(case.model, case.action) for case in ACTION_CASES}


def test_every_review_url_has_a_row():
    review_urls = {
        f"quizzes:{pattern.name}"
        for pattern in quizzes_urls.urlpatterns
        if str(pattern.pattern).startswith("review/")
    }
    assert review_urls == {case.url_name for case in REVIEW_CASES}


def test_every_admin_page_of_candidate_data_and_every_custom_admin_view_has_a_get_row():
    required = set(PAGES_NAMING_CANDIDATES)
    for model, model_admin in admin.site._registry.items():
        names = [pattern.name for pattern in model_admin.urls if getattr(pattern, "name", None)]
        if model in CANDIDATE_DATA_MODELS:
            required.update(f"admin:{name}" for name in names)
        if model._meta.app_label == "quizzes":
            required.update(
                f"admin:{name}" for name in names if not name.endswith(STANDARD_ADMIN_VIEWS)
            )
    covered = {case.url_name for case in ADMIN_PAGE_CASES if case.method == "get"}
    assert required - covered == set()


def test_every_admin_action_declares_the_permissions_it_needs():
    request = _superuser_request()
    for model, model_admin in admin.site._registry.items():
        for name, (action, _name, _description) in model_admin.get_actions(request).items():
            permissions = getattr(action, "allowed_permissions", ())
            assert permissions, f"{model._meta.label}.{name} declares no permissions"
            for permission in permissions:
                assert callable(getattr(model_admin, f"has_{permission}_permission", None))
