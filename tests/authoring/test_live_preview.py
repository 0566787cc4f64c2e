"""The question page's live preview: who may ask, what comes back, and what is refused."""

import re
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import reverse

from quizzes.admin.live_preview import PREVIEW_MAX_BYTES
from quizzes.markup import MAX_TEXT_CHARS
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db

PREVIEW_URL = reverse("admin:quizzes_question_preview")
CODE = "**жирный**\n\n```python\ndef f():\n    return 1\n```\n"


def staff(username: str, group: str | None = None, *, permissions=()) -> User:
    user = User.objects.create_user(username, is_staff=True)
    if group:
        user.groups.add(Group.objects.get(name=group))
    for codename in permissions:
        user.user_permissions.add(Permission.objects.get(codename=codename))
    return user


@pytest.fixture
def author_client(client):
    client.force_login(staff("author", "Authors"))
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def preview(client, text: str, **fields):
    """Posted as the page's script posts it: form-encoded."""
    return client.post(
        PREVIEW_URL,
        urlencode({"text": text, **fields}),
        content_type="application/x-www-form-urlencoded",
    )


def test_an_author_gets_the_html_candidates_would_see_with_bold_and_highlighted_code(
    author_client,
):
    response = preview(author_client, CODE)
    assert response.status_code == 200
    data = response.json()
    assert data["html"].startswith("<p><strong>жирный</strong></p>")
    assert '<div class="code-language">Python</div><pre class="highlight">' in data["html"]
    assert '<span class="k">def</span>' in data["html"]
    assert (data["errors"], data["warnings"]) == ([], [])


def test_an_option_is_previewed_inline_without_a_paragraph(author_client):
    data = preview(author_client, "**да**", inline="1").json()
    assert data["html"] == "<strong>да</strong>"


def test_a_formula_that_cannot_be_read_comes_back_as_a_warning_in_words(author_client):
    data = preview(author_client, "Дробь:\n\n$\\frac{a$").json()
    assert '<code class="math-error">$\\frac{a$</code>' in data["html"]
    assert data["warnings"] == [
        "Line 3: This formula could not be read and is shown as source: \\frac{a"
    ]


def test_the_warning_speaks_russian_in_the_russian_admin(author_client):
    response = author_client.post(PREVIEW_URL, {"text": "$\\frac{a$"}, HTTP_ACCEPT_LANGUAGE="ru")
    assert response.json()["warnings"] == [
        "Строка 1: Эту формулу не удалось разобрать, она показана как исходный текст: \\frac{a"
    ]


def test_script_and_handlers_are_removed_by_the_sanitizer(author_client):
    data = preview(
        author_client, '<img src="x" onerror="alert(1)"><script>alert(2)</script>'
    ).json()
    assert "onerror" not in data["html"] and "<script" not in data["html"]


def test_a_text_longer_than_the_renderer_takes_is_refused_with_a_message(author_client):
    text = "а" * (MAX_TEXT_CHARS + 1)
    response = preview(author_client, text)
    assert response.status_code == 200
    data = response.json()
    assert data["html"] == ""
    assert data["errors"] == [
        f"Line 1: The text is {MAX_TEXT_CHARS + 1} characters long; "
        f"at most {MAX_TEXT_CHARS} characters are allowed."
    ]


def test_a_body_beyond_any_text_the_renderer_takes_is_refused_unread(author_client):
    response = preview(author_client, "a" * (PREVIEW_MAX_BYTES + 1))
    assert response.status_code == 413
    assert response.json() == {
        "error": f"The text is too long to preview (at most {MAX_TEXT_CHARS} characters)."
    }


def test_the_body_cap_takes_the_longest_text_the_renderer_allows(author_client):
    # Four-byte characters, each percent-encoded: the worst case the cap is sized for.
    response = preview(author_client, "😀" * MAX_TEXT_CHARS)
    assert response.status_code == 200
    data = response.json()
    assert data["errors"] == [] and data["html"] == f"<p>{'😀' * MAX_TEXT_CHARS}</p>\n"


def test_over_the_rate_limit_an_author_gets_429_with_a_message(author_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "preview": "2/m"}
    assert preview(author_client, "один").status_code == 200
    assert preview(author_client, "два").status_code == 200
    response = preview(author_client, "три")
    assert response.status_code == 429
    assert response.json() == {
        "error": "Too many previews in a short time; the next one comes shortly."
    }


def test_the_rate_limit_counts_per_user_not_per_address(author_client, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "preview": "1/m"}
    assert preview(author_client, "один").status_code == 200
    assert preview(author_client, "два").status_code == 429
    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    other.force_login(staff("colleague", "Authors"))
    assert preview(other, "один").status_code == 200


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = preview(client, "**x**")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    ("group", "permissions"),
    [(None, ()), ("Recruiters", ()), (None, ("view_question",))],
    ids=["plain staff", "recruiter", "may only view questions"],
)
def test_staff_who_may_not_write_questions_are_refused(client, group, permissions):
    client.force_login(staff("someone", group, permissions=permissions))
    response = preview(client, "**x**")
    assert response.status_code == 403
    assert b"<strong>" not in response.content


@pytest.mark.parametrize("codename", ["add_question", "change_question"])
def test_either_the_right_to_add_or_to_change_questions_is_enough(client, codename):
    client.force_login(staff("writer", permissions=[codename]))
    assert preview(client, "**x**").json()["html"] == "<p><strong>x</strong></p>\n"


def test_reading_the_endpoint_is_not_allowed(author_client):
    response = author_client.get(PREVIEW_URL, {"text": "**x**"})
    assert response.status_code == 405


def test_a_post_without_the_csrf_token_is_refused(db):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff("author", "Authors"))
    response = client.post(PREVIEW_URL, {"text": "**x**"}, HTTP_X_REQUESTED_WITH="fetch")
    assert response.status_code == 403
    assert "reload it" in response.json()["error"]


def test_the_token_in_the_question_pages_form_is_accepted(db):
    client = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(staff("author", "Authors"))
    page = client.get(reverse("admin:quizzes_question_add")).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response = client.post(PREVIEW_URL, {"csrfmiddlewaretoken": token, "text": "**x**"})
    assert response.json()["html"] == "<p><strong>x</strong></p>\n"


def textareas(html: str) -> dict[str, str]:
    return {
        match.group(1): match.group(0)
        for match in re.finditer(r'<textarea name="([^"]+)"[^>]*>', html)
    }


def test_the_question_page_marks_every_markdown_field_and_loads_the_script(author_client):
    question = make_quiz().questions.get(position=1)
    html = author_client.get(reverse("admin:quizzes_question_change", args=[question.pk]))
    html = html.content.decode()
    fields = textareas(html)
    for name, inline in [
        ("text", "0"),
        ("explanation", "0"),
        ("options-0-text", "1"),
        ("options-0-feedback", "0"),
        ("options-__prefix__-text", "1"),  # rows added with "Add another"
        ("options-__prefix__-feedback", "0"),
    ]:
        assert f'data-preview-url="{PREVIEW_URL}"' in fields[name], name
        assert f'data-preview-inline="{inline}"' in fields[name], name
        assert 'data-preview-label="Preview while typing"' in fields[name]
    assert '<script src="/static/quizzes/live_preview.js">' in html
    # The saved question's own preview is still there.
    assert 'class="question-preview"' in html


def test_the_script_inserts_html_only_where_the_server_rendered_it():
    source = (Path(settings.BASE_DIR) / "static" / "quizzes" / "live_preview.js").read_text()
    assert source.count("innerHTML") == 1
    assert "panel.body.innerHTML = data.html;" in source
    assert not re.search(r"\beval\(|new Function|insertAdjacentHTML|outerHTML", source)
