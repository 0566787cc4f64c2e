"""The background save refuses forged answers exactly like the submit does."""

import functools

import pytest
from django.urls import reverse

from quizzes.models import Answer, Attempt
from tests.builders import answer_field, make_quiz

pytestmark = pytest.mark.django_db


def autosave(client, attempt, data, **extra):
    return client.post(reverse("quizzes:autosave", args=[attempt.public_id]), data, **extra)


def assert_nothing_stored(attempt):
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.IN_PROGRESS
    assert attempt.save_seq == 0
    assert not Answer.objects.filter(attempt=attempt).exists()


@pytest.fixture
def forgeries(quiz):
    """Forged autosaves against an attempt, named as its page names things (tokens)."""
    other = make_quiz(title="Другой")
    q1, q2 = quiz.questions.get(position=1), quiz.questions.get(position=2)
    foreign_q = other.questions.get(position=2)
    foreign_option = foreign_q.options.first().id

    def for_attempt(attempt):
        option = attempt.tokens.option
        field = functools.partial(answer_field, attempt)
        o2 = [option(o.id) for o in q2.options.all()]
        return {
            "option of another question": {field(q2.id): option(q1.options.first().id)},
            "option of another quiz": {field(q2.id): option(foreign_option)},
            "question of another quiz": {field(foreign_q.id): option(foreign_option)},
            "shown question of another quiz": {"shown": attempt.tokens.question(foreign_q.id)},
            "repeated option": {field(q1.id): [option(q1.options.first().id)] * 2},
            "two answers to a single choice": {field(q2.id): o2[:2]},
            "non-token option": {field(q2.id): "abc"},
            "database ids instead of tokens": {f"q_{q2.id}": str(q2.options.first().id)},
            "non-numeric seq": {field(q2.id): o2[0], "seq": "later"},
            "negative seq": {field(q2.id): o2[0], "seq": "-5"},
        }

    return for_attempt


def test_every_forgery_is_refused_with_a_json_400_and_stores_nothing(
    client, quiz, start, forgeries
):
    attempt = start(quiz)
    for name, data in forgeries(attempt).items():
        response = autosave(client, attempt, data)
        assert response.status_code == 400, name
        assert response.json() == {"error": "Ответы не приняты."}, name
        assert_nothing_stored(attempt)


def test_non_utf8_and_oversized_autosaves_are_refused(client, quiz, start, settings):
    attempt = start(quiz)
    q2 = quiz.questions.get(position=2)
    url = reverse("quizzes:autosave", args=[attempt.public_id])
    response = client.post(
        url,
        f"{answer_field(attempt, q2.id)}=%FF&seq=1".encode(),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert "UTF-8" in response.content.decode()
    response = client.post(
        url, {"seq": "1", "pad": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)}
    )
    assert response.status_code == 400
    assert_nothing_stored(attempt)


def test_another_browsers_attempt_cannot_be_autosaved(client, quiz, start):
    from django.test import Client

    attempt = start(quiz)
    stranger = Client()
    q2 = quiz.questions.get(position=2)
    data = {answer_field(attempt, q2.id): attempt.tokens.option(q2.options.first().id), "seq": 1}
    response = autosave(stranger, attempt, data)
    assert response.status_code == 404
    assert_nothing_stored(attempt)
