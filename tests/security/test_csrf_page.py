"""A form with a missing or stale CSRF token: the site's own 403 page, translated, nothing stored.

Django's default page is English, unstyled and speaks of CSRF; a candidate whose page sat
open too long needs to hear that reloading fixes it and that saved answers are safe.
"""

import re

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from quizzes.models import Answer, Attempt
from quizzes.services.attempts import save_answers
from quizzes.views.errors import csrf_failure
from tests.builders import ALL_RIGHT, answer_post, option_ids
from tests.security.html_audit import executable_content

pytestmark = pytest.mark.django_db

STALE = "x" * 64
CANDIDATE = {"candidate_name": "Анна", "candidate_email": "anna@example.com"}


@pytest.fixture
def browser():
    """A client that checks CSRF tokens as a real browser's requests are checked."""
    return Client(enforce_csrf_checks=True)


def token(browser: Client) -> str:
    return browser.cookies["csrftoken"].value


def start_properly(browser: Client, quiz) -> Attempt:
    browser.get(quiz.get_absolute_url())
    response = browser.post(
        quiz.get_absolute_url(), {**CANDIDATE, "csrfmiddlewaretoken": token(browser)}
    )
    assert response.status_code == 302
    return Attempt.objects.get(candidate_email=CANDIDATE["candidate_email"])


def test_starting_with_a_stale_token_shows_the_reload_page_and_starts_nothing(browser, quiz):
    url = quiz.get_absolute_url()
    browser.get(url)

    response = browser.post(url, {**CANDIDATE, "csrfmiddlewaretoken": STALE})

    assert response.status_code == 403
    html = response.content.decode()
    assert "<title>Страница устарела · quizsite</title>" in html
    assert "Форму не удалось принять" in html
    assert "Обновите страницу и отправьте форму ещё раз" in html
    assert "Сохранённые ранее ответы не потеряны" in html
    assert f'<a class="btn btn-primary" href="{url}">Обновить страницу</a>' in html
    assert "CSRF" not in html
    assert not Attempt.objects.exists()
    # Reloading, as the page says, gives a form that is accepted.
    browser.get(url)
    assert (
        browser.post(url, {**CANDIDATE, "csrfmiddlewaretoken": token(browser)}).status_code == 302
    )
    assert Attempt.objects.count() == 1


def test_the_reload_page_speaks_english_on_request(browser, quiz):
    response = browser.post(quiz.get_absolute_url(), {**CANDIDATE}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 403
    html = response.content.decode()
    assert "<title>Page expired · quizsite</title>" in html
    assert "The form could not be accepted because its security check failed." in html
    assert "Reload the page, then send the form again. Answers you saved before are safe." in html
    assert (
        f'<a class="btn btn-primary" href="{quiz.get_absolute_url()}">Reload the page</a>' in html
    )
    assert not Attempt.objects.exists()


def test_submitting_with_a_stale_token_keeps_the_attempt_open_with_its_saved_answers(browser, quiz):
    attempt = start_properly(browser, quiz)
    q2 = quiz.questions.get(position=2)
    saved = option_ids(quiz, 2, *ALL_RIGHT[2])
    save_answers(attempt_id=attempt.pk, selections={q2.id: saved}, seq=1)

    response = browser.post(
        attempt.get_absolute_url(),
        {**answer_post(attempt, ALL_RIGHT), "csrfmiddlewaretoken": STALE},
    )

    assert response.status_code == 403
    html = response.content.decode()
    assert "Сохранённые ранее ответы не потеряны" in html
    assert f'href="{attempt.get_absolute_url()}"' in html
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS and attempt.score is None
    assert list(Answer.objects.filter(attempt=attempt).values_list("question_id", "selected")) == [
        (q2.id, saved)
    ]
    # The page the button opens shows the saved answer, ready to be sent again.
    page = browser.get(attempt.get_absolute_url()).content.decode()
    assert len(re.findall(r"<input[^>]* checked", page)) == len(saved) == 1


def test_a_background_save_with_a_stale_token_gets_a_json_error_and_saves_nothing(browser, quiz):
    attempt = start_properly(browser, quiz)
    url = reverse("quizzes:autosave", args=[attempt.public_id])

    response = browser.post(
        url,
        {**answer_post(attempt, {2: ALL_RIGHT[2]}), "seq": 1},
        HTTP_X_REQUESTED_WITH="fetch",
        HTTP_X_CSRFTOKEN=STALE,
    )

    assert response.status_code == 403
    assert response.json() == {
        "error": "Страница устарела, обновите её. Сохранённые ранее ответы не потеряны."
    }
    attempt.refresh_from_db()
    assert attempt.save_seq == 0
    assert not Answer.objects.filter(attempt=attempt).exists()


def test_the_reload_page_is_styled_like_the_site_and_runs_no_inline_code(browser, quiz):
    html = browser.post(quiz.get_absolute_url(), CANDIDATE).content.decode()
    assert 'href="/static/quizzes/site.css"' in html
    assert '<main id="main"' in html
    # The header's language switch works from here: it carries a fresh token.
    assert 'name="csrfmiddlewaretoken"' in html
    assert f'name="next" value="{quiz.get_absolute_url()}"' in html
    assert executable_content(html) == []


def test_the_reload_button_never_leads_to_another_site():
    request = RequestFactory().post("//evil.example/quiz/x/")
    html = csrf_failure(request, reason="CSRF cookie not set.").content.decode()
    assert "evil.example" not in html
    assert f'href="{reverse("quizzes:home")}"' in html
