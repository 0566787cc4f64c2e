"""Every API endpoint × every kind of credential: scope, role, revoked, expired, inactive.

A token acts for its user and never beyond: each operation needs its scope on the token and
its permission on the user, who must be active staff. Refusals are problem documents and
leave the database as it was; only Recruiters and superusers ever get candidates' data.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from quizzes.models import ApiToken, Attempt, Invite, Quiz, WebhookEndpoint
from quizzes.services.api_tokens import revoke_api_tokens
from tests.api.conftest import ALL_SCOPES, ApiClient, make_role_user, token_for
from tests.review.conftest import finish

pytestmark = pytest.mark.django_db

SECRET_NAME = "Секретная Кандидатка"
SECRET_EMAIL = "secret.candidate@example.com"


@dataclass
class World:
    quiz: Quiz
    attempt: Attempt
    invite: Invite


def build_world() -> World:
    from tests.builders import make_quiz

    quiz = make_quiz(title="Права", access=Quiz.Access.INVITE)
    invite = Invite.objects.create(
        quiz=quiz, candidate_name=SECRET_NAME, candidate_email=SECRET_EMAIL
    )
    attempt = finish(quiz, {1: ["MaxPooling"]}, name=SECRET_NAME, email=SECRET_EMAIL)
    return World(quiz=quiz, attempt=attempt, invite=invite)


@dataclass(frozen=True)
class Endpoint:
    name: str
    scope: str
    # The roles whose users hold the operation's permission.
    allowed: frozenset[str]
    call: Callable[[ApiClient, World], object]
    check: Callable[[World, object], None]
    writes: bool = False


CANDIDATE_READERS = frozenset({"recruiter", "superuser"})


def _lists_the_quiz(world: World, response) -> None:
    assert response.status_code == 200, response.content
    assert [quiz["slug"] for quiz in response.json()["quizzes"]] == [world.quiz.slug]


def _invite_created(world: World, response) -> None:
    assert response.status_code == 201, response.content
    invite = Invite.objects.get(pk=response.json()["id"])
    assert invite.candidate_email == "new@example.com" and invite.quiz == world.quiz


def _invites_created(world: World, response) -> None:
    assert response.status_code == 201, response.content
    emails = [invite["email"] for invite in response.json()["invites"]]
    assert emails == ["one@example.com", "two@example.com"]
    assert Invite.objects.filter(candidate_email__in=emails).count() == 2


def _shows_the_invite(world: World, response) -> None:
    assert response.status_code == 200, response.content
    assert response.json()["email"] == SECRET_EMAIL


def _lists_the_attempt(world: World, response) -> None:
    assert response.status_code == 200, response.content
    (attempt,) = response.json()["attempts"]
    assert (attempt["id"], attempt["candidate_name"]) == (world.attempt.pk, SECRET_NAME)


def _shows_the_attempt(world: World, response) -> None:
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["candidate_email"] == SECRET_EMAIL and len(body["questions"]) == 3


def _webhook_created(world: World, response) -> None:
    assert response.status_code == 201, response.content
    endpoint = WebhookEndpoint.objects.get(pk=response.json()["id"])
    assert endpoint.url == "http://127.0.0.1:9/q" and endpoint.events == ["invite.used"]


def _lists_no_secret(world: World, response) -> None:
    assert response.status_code == 200, response.content
    assert response.json() == {"webhooks": []}


ENDPOINTS = [
    Endpoint(
        "GET /quizzes",
        ApiToken.Scope.QUIZZES_READ,
        frozenset({"author", "recruiter", "superuser"}),
        lambda api, world: api.get("/quizzes"),
        _lists_the_quiz,
    ),
    Endpoint(
        "POST /invites",
        ApiToken.Scope.INVITES_WRITE,
        frozenset({"recruiter", "superuser"}),
        lambda api, world: api.post(
            "/invites", {"quiz": world.quiz.slug, "name": "Новый", "email": "new@example.com"}
        ),
        _invite_created,
        writes=True,
    ),
    Endpoint(
        "POST /invites/bulk",
        ApiToken.Scope.INVITES_WRITE,
        frozenset({"recruiter", "superuser"}),
        lambda api, world: api.post(
            "/invites/bulk",
            {
                "quiz": world.quiz.slug,
                "candidates": [
                    {"name": "Один", "email": "one@example.com"},
                    {"name": "Два", "email": "two@example.com"},
                ],
            },
        ),
        _invites_created,
        writes=True,
    ),
    Endpoint(
        "GET /invites/{invite_id}",
        ApiToken.Scope.INVITES_WRITE,
        CANDIDATE_READERS,
        lambda api, world: api.get(f"/invites/{world.invite.pk}"),
        _shows_the_invite,
    ),
    Endpoint(
        "GET /attempts",
        ApiToken.Scope.ATTEMPTS_READ,
        CANDIDATE_READERS,
        lambda api, world: api.get("/attempts"),
        _lists_the_attempt,
    ),
    Endpoint(
        "POST /webhooks",
        ApiToken.Scope.WEBHOOKS_WRITE,
        CANDIDATE_READERS,
        lambda api, world: api.post(
            "/webhooks", {"url": "http://127.0.0.1:9/q", "events": ["invite.used"]}
        ),
        _webhook_created,
        writes=True,
    ),
    Endpoint(
        "GET /webhooks",
        ApiToken.Scope.WEBHOOKS_WRITE,
        CANDIDATE_READERS,
        lambda api, world: api.get("/webhooks"),
        _lists_no_secret,
    ),
    Endpoint(
        "GET /attempts/{attempt_id}",
        ApiToken.Scope.ATTEMPTS_READ,
        CANDIDATE_READERS,
        lambda api, world: api.get(f"/attempts/{world.attempt.pk}"),
        _shows_the_attempt,
    ),
]

# How the request is authenticated: a role's user with a token of every scope, or a
# credential that must be refused whoever holds it (a superuser, to show that it is the
# credential and not the role that is refused).
ROLES = ("staff", "author", "recruiter", "superuser")
BAD_CREDENTIALS = {
    "no token": (401, "about:blank"),
    "malformed header": (401, "urn:quizsite:problem:invalid-token"),
    "unknown token": (401, "urn:quizsite:problem:invalid-token"),
    "revoked": (401, "urn:quizsite:problem:invalid-token"),
    "expired": (401, "urn:quizsite:problem:invalid-token"),
    "inactive user": (401, "urn:quizsite:problem:invalid-token"),
    "user no longer staff": (403, "urn:quizsite:problem:permission-denied"),
    "every scope but the one needed": (403, "urn:quizsite:problem:scope-missing"),
    "session cookie instead of a token": (401, "about:blank"),
}


def snapshot() -> dict:
    return {
        model.__name__: list(model.objects.order_by("pk").values())
        for model in (Quiz, Invite, Attempt, WebhookEndpoint)
    }


def assert_problem(response, status: int, type_: str) -> None:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["type"] == type_
    assert body["title"] and body["detail"]
    assert SECRET_NAME not in response.content.decode()
    assert SECRET_EMAIL not in response.content.decode()
    if status == 401:
        assert response["WWW-Authenticate"].startswith("Bearer")


def _client_with(client, credential: str, endpoint: Endpoint) -> ApiClient:
    user = make_role_user("superuser")
    if credential == "no token":
        return ApiClient(client)
    if credential == "malformed header":
        api = ApiClient(client)
        api.client.defaults["HTTP_AUTHORIZATION"] = "Token " + token_for(user)
        return api
    if credential == "unknown token":
        return ApiClient(client, "qz_" + "x" * 43)
    if credential == "revoked":
        token = token_for(user)
        revoke_api_tokens(ApiToken.objects.all())
        return ApiClient(client, token)
    if credential == "expired":
        return ApiClient(client, token_for(user, expires_at=timezone.now() - timedelta(seconds=1)))
    if credential == "inactive user":
        token = token_for(user)
        User.objects.filter(pk=user.pk).update(is_active=False)
        return ApiClient(client, token)
    if credential == "user no longer staff":
        token = token_for(user)
        User.objects.filter(pk=user.pk).update(is_staff=False)
        return ApiClient(client, token)
    if credential == "every scope but the one needed":
        return ApiClient(client, token_for(user, [s for s in ALL_SCOPES if s != endpoint.scope]))
    if credential == "session cookie instead of a token":
        client.force_login(user)
        return ApiClient(client)
    raise AssertionError(credential)


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize("role", ROLES)
def test_role(client, endpoint: Endpoint, role: str):
    world = build_world()
    api = ApiClient(client, token_for(make_role_user(role)))
    before = snapshot()
    response = endpoint.call(api, world)
    if role in endpoint.allowed:
        endpoint.check(world, response)
        if not endpoint.writes:
            assert snapshot() == before
    else:
        assert_problem(response, 403, "urn:quizsite:problem:permission-denied")
        assert "quizzes." in response.json()["detail"]  # names the missing permission
        assert snapshot() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize("credential", BAD_CREDENTIALS)
def test_refused_credential(client, endpoint: Endpoint, credential: str):
    world = build_world()
    api = _client_with(client, credential, endpoint)
    before = snapshot()
    response = endpoint.call(api, world)
    assert_problem(response, *BAD_CREDENTIALS[credential])
    assert snapshot() == before


@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda e: e.name)
def test_only_the_needed_scope_is_enough(client, endpoint: Endpoint):
    world = build_world()
    api = ApiClient(client, token_for(make_role_user("superuser"), [endpoint.scope]))
    endpoint.check(world, endpoint.call(api, world))


def test_every_api_operation_is_in_the_matrix():
    from quizzes.api import api

    schema = api.get_openapi_schema()
    operations = {
        f"{method.upper()} {path.removeprefix('/api/v1')}"
        for path, methods in schema["paths"].items()
        for method in methods
    }
    assert operations == {endpoint.name for endpoint in ENDPOINTS}
