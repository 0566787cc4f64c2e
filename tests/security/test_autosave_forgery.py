"""The background save refuses forged answers exactly like the submit does."""

import functools
import time

import pytest
from django.urls import reverse

from quizzes.models import MAX_SAVE_SEQ, SAVE_SEQ_LEAD_MS, Answer, Attempt
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
            # Beyond a 64-bit column (this was a 500), and beyond what a browser counts exactly.
            "seq of 2**63": {field(q2.id): o2[0], "seq": str(2**63)},
            "seq beyond 2**53": {field(q2.id): o2[0], "seq": str(MAX_SAVE_SEQ + 1)},
            "seq far ahead of the clock": {field(q2.id): o2[0], "seq": str(MAX_SAVE_SEQ)},
            "signals with a seq far ahead": {"seq": str(MAX_SAVE_SEQ), "focus_lost": "3"},
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


def now_ms() -> int:
    return int(time.time() * 1000)


def test_a_save_number_far_ahead_is_refused_and_stores_nothing(client, quiz, start):
    attempt = start(quiz)
    q2 = quiz.questions.get(position=2)
    far = now_ms() + SAVE_SEQ_LEAD_MS + 60_000

    response = autosave(client, attempt, {f"q_{q2.id}": str(q2.options.first().id), "seq": far})

    assert response.status_code == 400
    assert response.json() == {"error": "Ответы не приняты."}
    assert_nothing_stored(attempt)
    attempt.refresh_from_db()
    assert attempt.focus_lost_count == 0


def test_the_highest_accepted_number_cannot_freeze_later_saves(client, quiz, start):
    # A client pushes the number as far as it may; the page (reloaded, or told by a
    # stale answer) continues after it, and its saves are still accepted.
    attempt = start(quiz)
    q2 = quiz.questions.get(position=2)
    field = answer_field(attempt, q2.id)
    first_id, second_id = (o.id for o in q2.options.all()[:2])
    first, second = attempt.tokens.option(first_id), attempt.tokens.option(second_id)
    ceiling = now_ms() + SAVE_SEQ_LEAD_MS - 1000
    assert autosave(client, attempt, {field: first, "seq": ceiling}).json()["saved"]

    stale = autosave(client, attempt, {field: second, "seq": now_ms()})
    assert stale.json() == {"saved": False, "stale": True, "seq": ceiling}
    html = client.get(attempt.get_absolute_url()).content.decode()
    assert f'data-seq="{ceiling}"' in html

    again = autosave(client, attempt, {field: second, "seq": ceiling + 1})
    assert again.json() == {"saved": True, "stale": False, "seq": ceiling + 1}
    assert Answer.objects.get(attempt=attempt, question_id=q2.id).selected == [second_id]


def test_the_page_counts_save_numbers_from_the_server_clock(client, quiz, start):
    attempt = start(quiz)
    before = now_ms()
    html = client.get(attempt.get_absolute_url()).content.decode()
    page_now = int(html.split('data-now="')[1].split('"')[0])
    assert before <= page_now <= now_ms()


def test_a_page_post_with_a_save_number_far_ahead_is_refused(client, quiz, start):
    attempt = start(quiz)
    q2 = quiz.questions.get(position=2)
    option = attempt.tokens.option(q2.options.first().id)
    data = {answer_field(attempt, q2.id): option, "action": "save"}
    far = now_ms() + SAVE_SEQ_LEAD_MS + 60_000

    response = client.post(attempt.get_absolute_url(), {**data, "seq": far})

    assert response.status_code == 400
    assert "Номер сохранения вне допустимого диапазона." in response.content.decode()
    assert_nothing_stored(attempt)


def test_a_forgery_against_a_finished_attempt_is_told_it_is_finished(
    client, quiz, start, forgeries
):
    # As before the answers are read: a finished attempt answers every post the same way.
    attempt = start(quiz)
    client.post(attempt.get_absolute_url(), {"action": "finish"})
    result_url = reverse("quizzes:result", args=[attempt.public_id])
    for name, data in forgeries(attempt).items():
        response = autosave(client, attempt, data)
        assert response.status_code == 409, name
        assert response.json() == {"closed": True, "result_url": result_url}, name
        page = client.post(attempt.get_absolute_url(), {**data, "action": "save"})
        assert (page.status_code, page["Location"]) == (302, result_url), name
