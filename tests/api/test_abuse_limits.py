"""The API against clients that send too much or guess tokens: bounded, answered in JSON."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quizzes.models import Invite
from tests.api.conftest import ApiClient, token_for
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db


def _token_lookups(queries) -> int:
    return sum('FROM "quizzes_apitoken"' in query["sql"] for query in queries)


def test_wrong_tokens_are_limited_per_address_before_they_are_looked_up(client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_auth": "3/m"}
    guesser = ApiClient(client, "qz_" + "A" * 43)
    assert [guesser.get("/quizzes").status_code for _ in range(3)] == [401, 401, 401]

    with CaptureQueriesContext(connection) as queries:
        refused = guesser.get("/quizzes")

    assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
    assert refused["Content-Type"] == "application/problem+json"
    assert json.loads(refused.content)["type"] == "urn:quizsite:problem:rate-limited"
    assert _token_lookups(queries) == 0
    # Another address is not affected.
    other = client.get(
        "/api/v1/quizzes", HTTP_AUTHORIZATION="Bearer qz_x", REMOTE_ADDR="203.0.113.9"
    )
    assert other.status_code == 401


def test_a_valid_token_is_not_counted_as_a_wrong_one(client, settings, superuser):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_auth": "2/m"}
    api = ApiClient(client, token_for(superuser))
    assert {api.get("/quizzes").status_code for _ in range(5)} == {200}
    assert ApiClient(client, "qz_wrong").get("/quizzes").status_code == 401


def test_revoked_and_malformed_tokens_count_as_wrong(client, settings, superuser):
    from quizzes.models import ApiToken
    from quizzes.services.api_tokens import revoke_api_tokens

    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "api_auth": "2/m"}
    revoked = token_for(superuser)
    revoke_api_tokens(ApiToken.objects.all())
    assert ApiClient(client, revoked).get("/quizzes").status_code == 401
    basic = client.get("/api/v1/quizzes", HTTP_AUTHORIZATION="Basic YTpi")
    assert basic.status_code == 401
    assert ApiClient(client, revoked).get("/quizzes").status_code == 429


def test_a_body_over_the_upload_limit_is_a_413_problem_not_an_html_page(client, superuser):
    api = ApiClient(client, token_for(superuser))
    make_quiz(slug="big")
    body = {"quiz": "big", "name": "x" * 3_000_000, "email": "a@example.com"}

    response = api.post("/invites", body)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/problem+json"
    problem = json.loads(response.content)
    assert problem["type"] == "urn:quizsite:problem:too-large" and "bytes" in problem["detail"]
    assert Invite.objects.count() == 0


def test_a_bulk_of_a_thousand_longest_candidates_fits_the_limit(client, superuser):
    api = ApiClient(client, token_for(superuser))
    make_quiz(slug="cohort")
    local = "a" * 60
    candidates = [
        {"name": "Я" * 200, "email": f"{local}{n:04d}@{'b' * 60}.{'c' * 60}.example.com"}
        for n in range(1000)
    ]
    assert all(len(c["email"]) <= 254 for c in candidates)

    response = api.post("/invites/bulk", {"quiz": "cohort", "candidates": candidates})

    assert response.status_code == 201, response.content[:300]
    assert len(json.loads(response.content)["invites"]) == 1000


@pytest.mark.parametrize(
    "body",
    ["[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000, "not json", "1" * 5000],
    ids=["deep list", "deep object", "not json", "huge number"],
)
def test_bodies_that_cannot_be_parsed_are_a_400_problem(client, superuser, body):
    token = token_for(superuser)
    response = client.post(
        "/api/v1/invites",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"
    assert Invite.objects.count() == 0


def test_a_huge_body_without_a_token_is_not_read(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.post("/api/v1/invites", "x" * 3_000_000, content_type="application/json")
    assert response.status_code == 401 and _token_lookups(queries) == 0
