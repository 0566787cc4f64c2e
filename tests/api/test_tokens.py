"""Tokens: hashed at rest, last use noted sparingly, rate-limited, issued by admin and command."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes.models import ApiToken, Invite
from quizzes.services.api_tokens import hash_secret
from tests.api.conftest import ApiClient, make_role_user, token_for
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db


def test_only_a_hash_of_the_token_is_stored(superuser):
    token = token_for(superuser)
    row = ApiToken.objects.get()
    stored = json.dumps(list(ApiToken.objects.values()), default=str)
    assert token not in stored and token[len(row.prefix) :] not in stored
    assert row.secret_hash == hash_secret(token) and token.startswith(row.prefix)
    assert token.startswith("qz_") and len(token) >= 40


def test_last_use_is_written_at_most_once_a_minute(client, superuser):
    api = ApiClient(client, token_for(superuser))
    with time_machine.travel(timezone.now(), tick=False) as clock:
        api.get("/quizzes")
        first = ApiToken.objects.get().last_used_at
        assert first == timezone.now()
        clock.shift(timedelta(seconds=30))
        with CaptureQueriesContext(connection) as queries:
            api.get("/quizzes")
        assert not [q for q in queries if q["sql"].startswith('UPDATE "quizzes_apitoken"')]
        assert ApiToken.objects.get().last_used_at == first
        clock.shift(timedelta(seconds=31))
        api.get("/quizzes")
        assert ApiToken.objects.get().last_used_at == first + timedelta(seconds=61)


def test_a_token_over_its_rate_gets_429_with_retry_after(client, settings, superuser):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api": "3/m"}
    api = ApiClient(client, token_for(superuser))
    assert [api.get("/quizzes").status_code for _ in range(3)] == [200, 200, 200]

    response = api.get("/quizzes")

    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert 1 <= int(response["Retry-After"]) <= 60
    body = response.json()
    assert body["type"] == "urn:quizsite:problem:rate-limited" and body["status"] == 429
    assert f"{response['Retry-After']} seconds" in body["detail"]
    # The limit is the token's, not the address's or the user's.
    assert ApiClient(client, token_for(superuser)).get("/quizzes").status_code == 200


def test_a_signed_in_browser_is_anonymous_here_and_needs_no_csrf_token(superuser):
    quiz = make_quiz(title="CSRF")
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(superuser)
    body = json.dumps({"quiz": quiz.slug, "name": "A", "email": "a@example.com"})

    with_session = browser.post("/api/v1/invites", body, content_type="application/json")
    assert with_session.status_code == 401
    with_token = browser.post(
        "/api/v1/invites",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(superuser)}",
    )
    assert with_token.status_code == 201
    assert Invite.objects.count() == 1


def test_problem_documents_in_english_and_russian(client):
    english = client.get("/api/v1/quizzes", HTTP_ACCEPT_LANGUAGE="en").json()
    assert english == {
        "type": "about:blank",
        "title": "Not authenticated",
        "status": 401,
        "detail": "Send an API token in the header “Authorization: Bearer <token>”.",
    }
    russian = client.get("/api/v1/quizzes", HTTP_ACCEPT_LANGUAGE="ru").json()
    assert russian["title"] == "Нет аутентификации" and "Bearer" in russian["detail"]


# --- the admin -----------------------------------------------------------------------------


def test_admin_shows_a_new_token_once_and_only_its_hash_is_kept(client):
    recruiter = make_role_user("recruiter")
    client.force_login(recruiter)
    response = client.post(
        reverse("admin:quizzes_apitoken_add"),
        {"name": "Huntflow", "scopes": ["attempts:read"], "expires_at_0": "", "expires_at_1": ""},
    )

    assert response.status_code == 200, response.content.decode()[:2000]
    row = ApiToken.objects.get()
    page = response.content.decode()
    token = page.split('id="api-token" class="api-token" readonly size="60" value="')[1][:46]
    assert hash_secret(token) == row.secret_hash
    assert (row.user, row.name, row.scopes) == (recruiter, "Huntflow", ["attempts:read"])
    # It works, and is never shown again.
    assert ApiClient(Client(), token).get("/attempts").status_code == 200
    change = client.get(reverse("admin:quizzes_apitoken_change", args=[row.pk])).content.decode()
    assert token not in change and row.prefix in change
    assert token not in client.get(reverse("admin:quizzes_apitoken_changelist")).content.decode()


def test_admin_users_see_and_revoke_only_their_own_tokens(client):
    recruiter, author = make_role_user("recruiter"), make_role_user("author")
    own = ApiToken.objects.get(pk=_row(recruiter).pk)
    others = _row(author)
    client.force_login(recruiter)

    listing = client.get(reverse("admin:quizzes_apitoken_changelist")).content.decode()
    assert own.prefix in listing and others.prefix not in listing
    assert client.get(reverse("admin:quizzes_apitoken_change", args=[others.pk])).status_code == 302
    client.post(
        reverse("admin:quizzes_apitoken_changelist"),
        {"action": "revoke", "_selected_action": [own.pk, others.pk]},
    )
    own.refresh_from_db()
    others.refresh_from_db()
    assert own.revoked_at is not None and others.revoked_at is None


def test_a_superuser_issues_tokens_for_others_and_sees_them_all(client, superuser):
    recruiter = make_role_user("recruiter")
    _row(recruiter)
    client.force_login(superuser)
    response = client.post(
        reverse("admin:quizzes_apitoken_add"),
        {
            "user": recruiter.pk,
            "name": "ATS",
            "scopes": ["attempts:read", "quizzes:read"],
            "expires_at_0": "",
            "expires_at_1": "",
        },
    )
    assert response.status_code == 200
    assert ApiToken.objects.filter(user=recruiter).count() == 2
    listing = client.get(reverse("admin:quizzes_apitoken_changelist")).content.decode()
    assert all(row.prefix in listing for row in ApiToken.objects.all())


def _row(user: User) -> ApiToken:
    token_for(user)
    return ApiToken.objects.filter(user=user).latest("pk")


# --- manage.py create_api_token ----------------------------------------------------------


def test_command_prints_a_working_token_once(client):
    recruiter = make_role_user("recruiter")
    out, err = io.StringIO(), io.StringIO()
    call_command(
        "create_api_token",
        "--user",
        "recruiter",
        "--scope",
        "attempts:read",
        "--scope",
        "invites:write",
        "--name",
        "Greenhouse",
        "--expires-days",
        "30",
        stdout=out,
        stderr=err,
    )
    token = out.getvalue().strip()
    row = ApiToken.objects.get()
    assert (row.user, row.name, row.scopes) == (
        recruiter,
        "Greenhouse",
        ["attempts:read", "invites:write"],
    )
    assert timedelta(days=29) < row.expires_at - timezone.now() <= timedelta(days=30)
    assert ApiClient(client, token).get("/attempts").status_code == 200
    # A Recruiter may do both: no warning.
    assert "lacks" not in err.getvalue()


def test_command_warns_of_a_scope_its_user_may_not_use():
    make_role_user("author")
    err = io.StringIO()
    call_command(
        "create_api_token",
        "--user",
        "author",
        "--scope",
        "attempts:read",
        stdout=io.StringIO(),
        stderr=err,
    )
    # An Author may not read attempts: the command says so rather than fail later unseen.
    assert "author lacks quizzes.view_attempt" in err.getvalue()


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--user", "nobody", "--scope", "quizzes:read"], "No user with the username 'nobody'"),
        (["--user", "boss", "--scope", "quizzes:write"], "Unknown scope 'quizzes:write'"),
        (["--user", "boss", "--scope", "quizzes:read", "--expires-days", "0"], "1 or more"),
    ],
)
def test_command_refuses_unknown_users_and_scopes(superuser, arguments, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_api_token", *arguments, stdout=io.StringIO())
    assert not ApiToken.objects.exists()
