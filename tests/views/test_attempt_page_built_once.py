"""The attempt page is built once per revision, language and page, then filled per request.

A warm request reads the session and the attempt with its answers, renders no template and
fills in only what belongs to the request: the CSRF token, the attempt's tokens, the marks,
the time left, the messages, the staff link.
"""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt, Quiz
from quizzes.services.attempts import follow_close_date, save_answers
from quizzes.views import attempt_page
from tests.builders import answer_field, make_large_quiz

pytestmark = pytest.mark.django_db


def per_request_values_blanked(response) -> str:
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "csrf", html)
    return re.sub(r'data-now="\d+"', "now", html)


@pytest.fixture(autouse=True)
def _cold_process():
    attempt_page.KITS.clear()
    attempt_page.FRAMES.clear()


def test_a_warm_page_takes_two_queries_and_renders_no_template(
    client, start, django_assert_num_queries
):
    quiz = make_large_quiz(access="public", questions=40)
    attempt = start(quiz)
    first = attempt.revision.content["questions"][0]
    save_answers(attempt_id=attempt.pk, selections={first["id"]: [first["options"][1]["id"]]})
    # Cold: the revision's content is read once to build the frame and the question kit.
    with django_assert_num_queries(3):
        cold = client.get(attempt.get_absolute_url())
    # Session, then the attempt with its answers.
    with django_assert_num_queries(2):
        warm = client.get(attempt.get_absolute_url())
    assert warm.templates == []
    # The same page, apart from the masked CSRF token and the server's clock.
    assert per_request_values_blanked(warm) == per_request_values_blanked(cold)
    assert warm.content.decode().count(" checked") == 1


def test_a_fresh_worker_takes_the_built_page_from_the_shared_cache(
    client, start, django_assert_num_queries
):
    attempt = start(make_large_quiz(access="public", questions=5))
    client.get(attempt.get_absolute_url())
    attempt_page.KITS.clear()
    attempt_page.FRAMES.clear()
    with django_assert_num_queries(2):
        response = client.get(attempt.get_absolute_url())
    assert response.content.decode().count("<fieldset") == 5


def test_the_csrf_token_filled_in_is_accepted(start):
    browser = Client(enforce_csrf_checks=True)
    quiz = make_large_quiz(access="public", questions=2)
    csrf = browser.get(quiz.get_absolute_url()).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', csrf).group(1)
    started = browser.post(
        quiz.get_absolute_url(),
        {
            "candidate_name": "Анна",
            "candidate_email": "a@example.com",
            "csrfmiddlewaretoken": token,
        },
    )
    attempt = Attempt.objects.get(candidate_email="a@example.com")
    assert started["Location"] == attempt.get_absolute_url()
    browser.get(attempt.get_absolute_url())  # build it
    html = browser.get(attempt.get_absolute_url()).content.decode()
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    # The language switch's form and the answers' form.
    assert len(tokens) == 2 and len(set(tokens)) == 1
    question = attempt.revision.content["questions"][0]
    saved = browser.post(
        attempt.get_absolute_url(),
        {
            answer_field(attempt, question["id"]): attempt.tokens.option(
                question["options"][0]["id"]
            ),
            "action": "save",
            "csrfmiddlewaretoken": tokens[0],
        },
    )
    assert saved.status_code == 302
    assert attempt.answers.get(question_id=question["id"]).selected == [
        question["options"][0]["id"]
    ]


def test_a_message_and_the_current_address_are_filled_in_escaped(client, start):
    quiz = make_large_quiz(access="public", questions=3, navigation=Quiz.Navigation.PAGED)
    attempt = start(quiz)
    client.get(attempt.get_absolute_url())
    client.post(attempt.get_absolute_url(), {"action": "save", "page": "2"})
    html = client.get(attempt.get_absolute_url(), {"q": "2", "x": '"><b>'}).content.decode()
    assert "Ответы сохранены" in html
    assert 'name="next" value="/attempt/' in html
    assert "?q=2&amp;x=%22%3E%3Cb%3E" in html or "&quot;&gt;&lt;b&gt;" in html
    assert '"><b>' not in html
    # The message is shown once.
    assert "Ответы сохранены" not in client.get(attempt.get_absolute_url()).content.decode()


def test_only_staff_see_the_review_link_on_the_page(client, start, django_user_model):
    quiz = make_large_quiz(access="public", questions=2, attempts_allowed=None)
    attempt = start(quiz)
    review = reverse("quizzes:review_attempts")
    assert review not in client.get(attempt.get_absolute_url()).content.decode()
    boss = django_user_model.objects.create_superuser("boss", "boss@example.com", "pw")
    staff_browser = Client()
    staff_browser.force_login(boss)
    staff_browser.post(
        quiz.get_absolute_url(), {"candidate_name": "Boss", "candidate_email": "boss@example.com"}
    )
    own = Attempt.objects.get(candidate_email="boss@example.com")
    assert review in staff_browser.get(own.get_absolute_url()).content.decode()
    assert review not in client.get(attempt.get_absolute_url()).content.decode()


def test_a_close_date_set_later_brings_the_countdown(client, start):
    quiz = make_large_quiz(access="public", questions=2)
    attempt = start(quiz)
    assert 'id="timer"' not in client.get(attempt.get_absolute_url()).content.decode()
    quiz.closes_at = timezone.now() + timedelta(minutes=30)
    quiz.save()
    follow_close_date(quiz=quiz)
    html = client.get(attempt.get_absolute_url()).content.decode()
    seconds = int(re.search(r'data-remaining-seconds="(\d+)"', html).group(1))
    assert 29 * 60 < seconds <= 30 * 60
    assert re.search(r'class="timer-value"[^>]*>(2[89]|30):\d\d<', html)


def test_each_language_gets_its_own_page(client, start):
    attempt = start(make_large_quiz(access="public", questions=2))
    assert "Вопрос 1" in client.get(attempt.get_absolute_url()).content.decode()
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    english = client.get(attempt.get_absolute_url()).content.decode()
    assert "Question 1" in english and "Вопрос 1" not in english


def test_rendering_the_content_again_replaces_the_cached_page(client, start, monkeypatch):
    from django.core.management import call_command

    attempt = start(make_large_quiz(access="public", questions=2))
    assert "rendered again" not in client.get(attempt.get_absolute_url()).content.decode()
    monkeypatch.setattr(
        "quizzes.services.rendering.render_for_storage",
        lambda text, inline=False: "<p>rendered again</p>" if text else "",
    )
    call_command("rerender", verbosity=0)
    html = client.get(attempt.get_absolute_url()).content.decode()
    # Two questions and their options, all from the revision's new HTML.
    assert html.count("<p>rendered again</p>") == 2 + 2 * 5
