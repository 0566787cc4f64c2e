"""Attempts side by side: content, refusals (never a 500), constant query count."""

import re
import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Answer, Attempt
from quizzes.services.attempts import start_attempt, submit_attempt
from tests.builders import ALL_RIGHT, make_quiz
from tests.review.conftest import finish

pytestmark = pytest.mark.django_db

URL = reverse("quizzes:review_compare")


def compare(client, *attempts, raw=None):
    ids = raw if raw is not None else [str(attempt.public_id) for attempt in attempts]
    return client.get(URL, {"ids": ids})


def cells(html: str, question_id: int) -> list[str]:
    pattern = rf'<tr class="compared-question" data-question="{question_id}">(.*?)</tr>'
    row = re.search(pattern, html, re.S)
    assert row, question_id
    return re.findall(r'<td class="compared-answer[^"]*"(.*?)</td>', row.group(1), re.S)


def test_two_attempts_side_by_side_with_points_letters_verdicts_and_time(recruiter_client, quiz):
    anna = finish(quiz, {1: ["MaxPooling", "Dropout", "ReLU"], 3: ["Переобучение"]}, name="Анна")
    boris = finish(quiz, {1: ["Полносвязный слой"], 2: ALL_RIGHT[2]}, name="Борис", email="b@x.org")
    first = quiz.questions.get(position=1)
    Answer.objects.filter(attempt=anna, question_id=first.id).update(time_spent=75)

    response = compare(recruiter_client, anna, boris)

    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Анна") < html.index("Борис")  # in the order they were chosen
    q1 = cells(html, first.id)
    # Letters in the authored order (A MaxPooling, B Полносвязный слой, C Dropout, ... F ReLU).
    assert 'data-points="1"' in q1[0] and 'data-choices="A C F"' in q1[0]
    assert 'data-seconds="75"' in q1[0] and "1:15" in q1[0]
    assert 'data-points="0"' in q1[1] and 'data-choices="B"' in q1[1]
    assert "answer-right" in html and "answer-wrong" in html
    q2 = cells(html, quiz.questions.get(position=2).id)
    assert "Ответа нет" not in q2[1] and "нет ответа" in q2[0]
    assert html.count('class="compared-score" data-score="1"') == 2
    assert "data-print" in html and "quizzes/report" in html  # print button and print CSS


def test_a_question_missing_from_one_version_says_so(recruiter_client, quiz):
    old = finish(quiz, ALL_RIGHT, name="Раньше")
    quiz.questions.get(position=3).delete()
    new = finish(quiz, {1: ALL_RIGHT[1]}, name="Позже", email="later@x.org")
    html = compare(recruiter_client, old, new).content.decode()
    assert html.count('class="compared-question"') == 3
    assert "не было в этой версии теста" in html


def test_an_open_attempt_shows_no_points_yet(recruiter_client, quiz):
    done = finish(quiz, ALL_RIGHT)
    still = start_attempt(quiz=quiz, candidate_name="Идёт", candidate_email="go@x.org")
    html = compare(recruiter_client, done, still).content.decode()
    assert "В процессе" in html
    assert 'data-points="—"' in html


def test_time_ran_out_is_named(recruiter_client, quiz):
    done = finish(quiz, ALL_RIGHT)
    late = start_attempt(quiz=quiz, candidate_name="Поздно", candidate_email="l@x.org")
    Attempt.objects.filter(pk=late.pk).update(deadline=timezone.now() - timedelta(minutes=5))
    submit_attempt(attempt_id=late.pk, selections={})
    html = compare(recruiter_client, done, late).content.decode()
    assert 'Закрыта без отправки, <span class="time-ran-out">время вышло</span>' in html


@pytest.mark.parametrize("count", [0, 1, 6])
def test_fewer_than_two_or_more_than_five_are_refused(recruiter_client, quiz, count):
    attempts = [finish(quiz, {}, name=f"К{n}", email=f"k{n}@x.org") for n in range(count)]
    response = compare(recruiter_client, *attempts)
    assert response.status_code == 400
    assert f"Для сравнения выберите от 2 до 5 попыток; выбрано: {count}." in (
        response.content.decode()
    )


def test_the_same_attempt_twice_counts_once(recruiter_client, quiz):
    attempt = finish(quiz, {})
    response = compare(recruiter_client, attempt, attempt)
    assert response.status_code == 400 and "выбрано: 1." in response.content.decode()


def test_attempts_of_different_quizzes_are_refused(recruiter_client, quiz):
    other = make_quiz(title="Другой тест")
    response = compare(recruiter_client, finish(quiz, {}), finish(other, {}, email="o@x.org"))
    assert response.status_code == 400
    text = response.content.decode()
    assert "Сравнивать можно только попытки одного теста" in text and "Другой тест" in text


@pytest.mark.parametrize("bad", ["not-a-uuid", "", "1", "\x00"])
def test_malformed_ids_are_refused_with_a_message(recruiter_client, quiz, bad):
    attempt = finish(quiz, {})
    response = compare(recruiter_client, raw=[str(attempt.public_id), bad])
    assert response.status_code == 400
    assert "несуществующая попытка" in response.content.decode()


def test_unknown_ids_are_refused_with_a_message(recruiter_client, quiz):
    attempt = finish(quiz, {})
    response = compare(recruiter_client, raw=[str(attempt.public_id), str(uuid.uuid4())])
    assert response.status_code == 400
    assert "1 из выбранных попыток не существует" in response.content.decode()


def test_query_count_does_not_grow_with_attempts_or_questions(recruiter_client, quiz):
    two = [finish(quiz, ALL_RIGHT, email=f"{n}@x.org") for n in range(2)]
    with CaptureQueriesContext(connection) as few:
        assert compare(recruiter_client, *two).status_code == 200
    five = [finish(quiz, ALL_RIGHT, email=f"five{n}@x.org") for n in range(5)]
    with CaptureQueriesContext(connection) as many:
        assert compare(recruiter_client, *five).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_list_offers_checkboxes_and_the_compare_button(recruiter_client, quiz):
    attempt = finish(quiz, {})
    html = recruiter_client.get(reverse("quizzes:review_attempts")).content.decode()
    assert f'<form method="get" action="{URL}"' in html
    assert f'name="ids" value="{attempt.public_id}"' in html
    assert 'aria-label="Сравнить: Анна"' in html
    assert "Сравнить выбранные" in html
