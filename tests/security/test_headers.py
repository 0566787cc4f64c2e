"""Security headers and cookies on real responses."""

import pytest
from django.urls import reverse

from tests.security.html_audit import executable_content

pytestmark = pytest.mark.django_db


def csp(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def candidate_pages(client, quiz, start):
    attempt = start(quiz)
    pages = {
        "home": client.get("/"),
        "quiz": client.get(quiz.get_absolute_url()),
        "attempt": client.get(attempt.get_absolute_url()),
        "404": client.get("/no/such/page/"),
    }
    client.post(attempt.get_absolute_url(), {})
    pages["result"] = client.get(reverse("quizzes:result", args=[attempt.public_id]))
    pages["no attempt left"] = client.post(
        quiz.get_absolute_url(), {"candidate_name": "Б", "candidate_email": "b@example.com"}
    )
    assert pages["no attempt left"].status_code == 403
    return pages


def test_every_page_sends_a_strict_content_security_policy(client, quiz, start):
    pages = candidate_pages(client, quiz, start)
    pages["admin login"] = client.get(reverse("admin:login"))
    for name, response in pages.items():
        policy = csp(response)
        assert policy["default-src"] == ["'self'"], name
        assert policy["script-src"] == ["'self'"], name
        assert policy["style-src"] == ["'self'"], name
        assert policy["img-src"] == ["'self'", "data:", "https:"], name
        assert policy["frame-ancestors"] == ["'none'"], name
        assert policy["form-action"] == ["'self'"], name
        assert policy["base-uri"] == ["'none'"], name
        assert policy["object-src"] == ["'none'"], name
        assert "unsafe-inline" not in response["Content-Security-Policy"], name
        assert "unsafe-eval" not in response["Content-Security-Policy"], name


def test_pages_forbid_framing_sniffing_and_cross_site_referrers(client, quiz, start):
    for name, response in candidate_pages(client, quiz, start).items():
        assert response["X-Frame-Options"] == "DENY", name
        assert response["X-Content-Type-Options"] == "nosniff", name
        assert response["Referrer-Policy"] == "same-origin", name
        assert response["Cross-Origin-Opener-Policy"] == "same-origin", name


def test_candidate_pages_comply_with_the_policy_they_send(client, quiz, start):
    # What the CSP would block must not be there in the first place: no inline scripts,
    # styles or handlers, so nothing breaks when the browser enforces it.
    for name, response in candidate_pages(client, quiz, start).items():
        assert executable_content(response.content.decode()) == [], name


def test_session_cookie_is_http_only_and_same_site(client, quiz, start):
    start(quiz)
    session_cookie = client.cookies["sessionid"]
    assert session_cookie["httponly"] is True
    assert session_cookie["samesite"] == "Lax"


def test_csrf_cookie_is_same_site(client, quiz):
    client.get(quiz.get_absolute_url())
    assert client.cookies["csrftoken"]["samesite"] == "Lax"
