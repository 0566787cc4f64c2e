"""The generated OpenAPI document is valid, public, and names the v1 contract."""

import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_the_schema_validates_and_documents_every_operation(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    schema = response.json()
    validate(schema)
    assert schema["info"]["title"] == "quizsite API"
    assert set(schema["paths"]) == {
        "/api/v1/quizzes",
        "/api/v1/invites",
        "/api/v1/invites/bulk",
        "/api/v1/invites/{invite_id}",
        "/api/v1/attempts",
        "/api/v1/attempts/{attempt_id}",
        "/api/v1/webhooks",
    }
    create = schema["paths"]["/api/v1/invites"]["post"]
    assert {"201", "401", "403", "422", "429"} <= set(create["responses"])
    assert any(p["name"] == "Idempotency-Key" for p in create["parameters"])
    assert create["security"] == [{"TokenAuth": []}]
    listing = schema["paths"]["/api/v1/attempts"]["get"]
    assert {p["name"] for p in listing["parameters"]} == {
        "quiz",
        "state",
        "submitted_after",
        "cursor",
        "limit",
    }


def test_the_docs_page_loads_swagger_from_our_own_static_files(client):
    response = client.get("/api/v1/docs")
    page = response.content.decode()
    assert response.status_code == 200
    assert "/static/ninja/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    # The site's strict policy applies unchanged (the browser test runs it for real).
    assert "script-src 'self';" in response["Content-Security-Policy"] + ";"


@pytest.mark.parametrize("path", ["/api/v1/quizes", "/api/v1/"])
def test_an_unknown_api_path_is_a_problem_document_too(client, path):
    # The root too: a client checking the base URL it was given gets JSON back.
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["detail"] == "No such API path: see /api/v1/docs."


def test_a_bug_answers_a_problem_document_without_the_traceback(client, monkeypatch, caplog):
    from django.contrib.auth.models import User

    from tests.api.conftest import ApiClient, token_for

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr("quizzes.api.quizzes.api_quizzes", broken)
    api = ApiClient(client, token_for(User.objects.create_superuser("boss", "b@x.org", "pw")))
    response = api.get("/quizzes")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["title"] == "Server error" and "secret internals" not in response.content.decode()
    assert "secret internals" in caplog.text
