"""Submitting: confirmation first (here the page that works without JavaScript), where
Submit appears, the answered count, stale submits and saying that time ran out."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Answer, Attempt
from quizzes.opaque import question_element_id
from quizzes.services.attempts import DEADLINE_GRACE, save_answers, submit_attempt
from tests.builders import ALL_RIGHT, answer_post, make_large_quiz, make_quiz, option_ids, shown

pytestmark = pytest.mark.django_db


def confirm_url(attempt):
    return reverse("quizzes:confirm_submit", args=[attempt.public_id])


def q(quiz, position):
    return quiz.questions.get(position=position)


def test_submit_without_javascript_saves_and_asks_to_confirm(client, quiz, start):
    attempt = start(quiz)
    data = {**answer_post(attempt, {2: ALL_RIGHT[2]}), "action": "submit"}

    response = client.post(attempt.get_absolute_url(), data)

    assert response.status_code == 302 and response["Location"] == confirm_url(attempt)
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS
    saved = dict(Answer.objects.filter(attempt=attempt).values_list("question_id", "selected"))
    assert saved[q(quiz, 2).id] == option_ids(quiz, 2, *ALL_RIGHT[2])


def test_the_confirmation_lists_unanswered_questions_as_links_to_them(client, quiz, start):
    attempt = start(quiz)
    client.post(
        attempt.get_absolute_url(), {**answer_post(attempt, {2: ALL_RIGHT[2]}), "action": "submit"}
    )

    html = client.get(confirm_url(attempt)).content.decode()

    assert "Отправить ответы?" in html
    assert "Отвечено: 1 из 3" in html
    links = re.findall(r'<li><a href="([^"]+)">Вопрос (\d+)</a></li>', html)
    url = attempt.get_absolute_url()
    assert links == [
        (f"{url}#{question_element_id(attempt.tokens.question(q(quiz, n).id))}", str(n))
        for n in (1, 3)
    ]
    # The anchors name the attempt page's own question ids.
    page = client.get(url).content.decode()
    for href, _number in links:
        assert f'id="{href.split("#")[1]}"' in page


def test_a_paged_quiz_links_unanswered_questions_to_their_pages(client, start):
    quiz = make_quiz(access="public", navigation="paged")
    attempt = start(quiz)
    save_answers(attempt_id=attempt.pk, selections={q(quiz, 1).id: option_ids(quiz, 1, "ReLU")})
    html = client.get(confirm_url(attempt)).content.decode()
    url = attempt.get_absolute_url()
    assert re.findall(r'<li><a href="([^"]+)">', html) == [f"{url}?q=2", f"{url}?q=3"]


def test_confirming_submits_the_saved_answers(client, quiz, start):
    attempt = start(quiz)
    save_answers(
        attempt_id=attempt.pk,
        selections={q(quiz, n).id: option_ids(quiz, n, *ALL_RIGHT[n]) for n in (1, 3)},
    )
    response = client.post(confirm_url(attempt))
    assert response.status_code == 302
    assert response["Location"] == reverse("quizzes:result", args=[attempt.public_id])
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED and attempt.score == 2
    # Confirming again changes nothing and leads to the result.
    again = client.post(confirm_url(attempt))
    assert again["Location"] == reverse("quizzes:result", args=[attempt.public_id])
    assert client.get(confirm_url(attempt))["Location"] == again["Location"]


def test_the_confirmation_is_this_browsers_only_and_needs_the_csrf_token(client, quiz, start):
    attempt = start(quiz)
    assert Client().get(confirm_url(attempt)).status_code == 404
    assert Client().post(confirm_url(attempt)).status_code == 404
    strict = Client(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    assert strict.post(confirm_url(attempt)).status_code == 403
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS


def test_an_overdue_attempt_goes_from_the_confirmation_to_its_result(client, start):
    quiz = make_quiz(access="public", time_limit=timedelta(minutes=1))
    attempt = start(quiz)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    response = client.get(confirm_url(attempt), follow=True)
    assert "Время вышло" in response.content.decode()
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.CLOSED


@pytest.mark.parametrize("count", [1, 40])
def test_confirmation_page_query_budget(client, start, django_assert_max_num_queries, count):
    quiz = make_large_quiz(access="public", questions=count)
    attempt = start(quiz)
    first = quiz.questions.first()
    save_answers(attempt_id=attempt.pk, selections={first.id: [first.options.first().id]})
    # Session, attempt with quiz and revision, answers.
    with django_assert_max_num_queries(3):
        response = client.get(confirm_url(attempt))
    assert response.content.decode().count("<li><a href=") == count - 1


# --- the attempt page ---------------------------------------------------------------------


def test_a_paged_quiz_offers_submit_on_its_last_page_and_in_the_navigator(client, start):
    quiz = make_quiz(access="public", navigation="paged")
    attempt = start(quiz)
    submit_buttons = r'<button type="submit" name="action" value="submit"[^>]*>([^<]*)</button>'
    first = client.get(attempt.get_absolute_url() + "?q=1").content.decode()
    last = client.get(attempt.get_absolute_url() + "?q=3").content.decode()
    assert re.findall(submit_buttons, first) == ["Завершить тест"]
    assert re.findall(submit_buttons, last) == ["Отправить ответы", "Завершить тест"]


def test_the_bar_counts_the_answered_questions_of_every_page(client, start):
    quiz = make_quiz(access="public", navigation="paged")
    attempt = start(quiz)
    save_answers(
        attempt_id=attempt.pk,
        selections={
            q(quiz, 1).id: option_ids(quiz, 1, "ReLU"),
            q(quiz, 3).id: option_ids(quiz, 3, "Переобучение"),
            # Answered, then cleared: no answer.
            q(quiz, 2).id: [],
        },
    )
    html = client.get(attempt.get_absolute_url() + "?q=2").content.decode()
    assert re.search(r'class="answered-progress[^"]*"[^>]*>Отвечено: 2 из 3</p>', html)
    assert 'data-template="Отвечено: {answered} из 3"' in html


def test_the_countdown_gets_the_remaining_milliseconds(client, start):
    quiz = make_quiz(access="public", time_limit=timedelta(minutes=10))
    attempt = start(quiz)
    html = client.get(attempt.get_absolute_url()).content.decode()
    seconds = int(re.search(r'data-remaining-seconds="(\d+)"', html).group(1))
    milliseconds = int(re.search(r'data-remaining-ms="(\d+)"', html).group(1))
    assert seconds == milliseconds // 1000 and 595_000 < milliseconds <= 600_000


def test_the_confirmation_dialog_is_on_the_page_for_the_script(client, quiz, start):
    attempt = start(quiz)
    html = client.get(attempt.get_absolute_url()).content.decode()
    dialog = re.search(r'<dialog class="confirm-submit".*?</dialog>', html, re.S).group(0)
    assert 'data-question-label="Вопрос {number}"' in dialog
    assert 'name="action" value="finish"' in dialog
    assert "Вернуться к вопросам" in dialog
    # Each question says its number, for the dialog's links.
    assert len(re.findall(r'<fieldset [^>]*data-number="\d"', html)) == 3


# --- stale submits and time running out ----------------------------------------------------


def test_a_submit_older_than_another_tabs_save_grades_the_newer_answers(client, quiz, start):
    attempt = start(quiz)
    right = answer_post(attempt, {3: ALL_RIGHT[3]})
    wrong = answer_post(attempt, {3: ["Переобучение"]})
    third = shown(attempt, q(quiz, 3).id)
    client.post(
        reverse("quizzes:autosave", args=[attempt.public_id]), {**right, "seq": 50, "shown": third}
    )

    response = client.post(
        attempt.get_absolute_url(),
        {**wrong, "seq": 40, "shown": third, "action": "finish"},
        follow=True,
    )

    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED and attempt.score == 1
    assert "были сохранены более новые ответы: оценены они" in response.content.decode()


def test_the_service_grades_posted_answers_when_their_number_is_newest(quiz):
    from quizzes.services.attempts import start_attempt

    attempt = start_attempt(quiz=quiz, candidate_name="A", candidate_email="a@example.com")
    third = q(quiz, 3)
    save_answers(
        attempt_id=attempt.pk, selections={third.id: option_ids(quiz, 3, "Переобучение")}, seq=10
    )
    outcome = submit_attempt(
        attempt_id=attempt.pk, selections={third.id: option_ids(quiz, 3, *ALL_RIGHT[3])}, seq=11
    )
    assert outcome.graded_now and not outcome.kept_newer_answers
    assert outcome.attempt.score == 1


def test_an_attempt_closed_overdue_says_when_time_ran_out(client, start):
    quiz = make_quiz(access="public", review_after_attempt="score", time_limit=timedelta(minutes=1))
    attempt = start(quiz)
    deadline = timezone.now() - DEADLINE_GRACE - timedelta(minutes=3)
    Attempt.objects.filter(pk=attempt.pk).update(deadline=deadline)
    html = client.get(attempt.get_absolute_url(), follow=True).content.decode()
    local = timezone.localtime(deadline)
    assert f"Время вышло в {local:%H:%M}" in html
    assert html.count("Время вышло") == 1
    english = client.get(
        reverse("quizzes:result", args=[attempt.public_id]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert f"Time ran out at {local:%H:%M}" in english
    assert "The answers saved until then were graded." in english


def test_time_ran_out_reads_the_same_in_a_query(client, start):
    from quizzes.models import TIME_RAN_OUT

    quiz = make_quiz(access="public", time_limit=timedelta(minutes=1), attempts_allowed=None)
    in_time = start(quiz, email="early@example.com")
    client.post(in_time.get_absolute_url(), {})
    late = start(quiz, email="late@example.com")
    Attempt.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(seconds=3))
    client.post(late.get_absolute_url(), {})
    open_attempt = start(quiz, email="open@example.com")

    by_property = {a.pk for a in Attempt.objects.all() if a.time_ran_out}
    by_query = set(Attempt.objects.filter(TIME_RAN_OUT).values_list("pk", flat=True))
    assert by_property == by_query == {late.pk}
    assert open_attempt.pk not in by_query
