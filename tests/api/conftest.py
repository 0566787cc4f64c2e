"""Users in each role with API tokens, and a client that sends them."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.test import Client
from django.utils import timezone

from quizzes.models import ApiToken
from quizzes.services.api_tokens import create_api_token

ALL_SCOPES = tuple(ApiToken.Scope.values)


def make_role_user(role: str) -> User:
    """A user as tests/security/test_role_matrix.py makes them, named after the role."""
    if role == "superuser":
        return User.objects.create_superuser("boss", "boss@example.org", "pw")
    user = User.objects.create_user(role, is_staff=role != "not_staff")
    group = {"author": "Authors", "recruiter": "Recruiters"}.get(role)
    if group:
        user.groups.add(Group.objects.get(name=group))
    return user


def token_for(user: User, scopes=ALL_SCOPES, **fields) -> str:
    _row, token = create_api_token(user=user, name="test", scopes=scopes, **fields)
    return token


class ApiClient:
    """Django's test client speaking JSON with a bearer token."""

    def __init__(self, client: Client, token: str | None = None):
        self.client = client
        self.token = token

    def _headers(self, headers: dict | None) -> dict:
        sent = {"HTTP_ACCEPT_LANGUAGE": "en"}
        if self.token is not None:
            sent["HTTP_AUTHORIZATION"] = f"Bearer {self.token}"
        for name, value in (headers or {}).items():
            sent["HTTP_" + name.upper().replace("-", "_")] = value
        return sent

    def get(self, path: str, params: dict | None = None, headers: dict | None = None):
        return self.client.get("/api/v1" + path, params or {}, **self._headers(headers))

    def post(self, path: str, body, headers: dict | None = None):
        return self.client.post(
            "/api/v1" + path,
            json.dumps(body, default=str),
            content_type="application/json",
            **self._headers(headers),
        )


@pytest.fixture
def superuser(db) -> User:
    return make_role_user("superuser")


@pytest.fixture
def recruiter(db) -> User:
    return make_role_user("recruiter")


@pytest.fixture
def api(client, superuser) -> ApiClient:
    """A superuser's token with every scope."""
    return ApiClient(client, token_for(superuser))


@pytest.fixture
def api_as(client):
    def make(user: User, scopes=ALL_SCOPES, **fields) -> ApiClient:
        return ApiClient(client, token_for(user, scopes, **fields))

    return make


def in_days(days: int):
    return timezone.now() + timedelta(days=days)
