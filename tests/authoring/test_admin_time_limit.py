"""The quiz's time limit in the admin: typed in minutes, shown in minutes, refused in Russian."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from quizzes.models import Quiz
from tests.authoring.forms_html import admin_form_data
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db


def change_url(quiz: Quiz) -> str:
    return reverse("admin:quizzes_quiz_change", args=[quiz.pk])


def save_time_limit(client, quiz: Quiz, typed: str):
    data = admin_form_data(client.get(change_url(quiz)).content.decode(), "quiz_form")
    data["time_limit"] = typed
    return client.post(change_url(quiz), {**data, "_continue": "1"})


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("2", timedelta(minutes=2)),
        ("2 мин", timedelta(minutes=2)),
        ("2m", timedelta(minutes=2)),
        ("2,5", timedelta(minutes=2, seconds=30)),
        ("90 с", timedelta(seconds=90)),
        ("90s", timedelta(seconds=90)),
        ("", None),
        ("0", None),
    ],
)
def test_a_typed_time_limit_is_stored_in_minutes_unless_a_unit_says_otherwise(
    admin_client, typed, stored
):
    quiz = make_quiz(time_limit=timedelta(minutes=45))
    response = save_time_limit(admin_client, quiz, typed)
    assert response.status_code == 302
    quiz.refresh_from_db()
    assert quiz.time_limit == stored


def test_the_page_labels_the_unit_and_shows_the_stored_limit_in_minutes(admin_client):
    quiz = make_quiz(time_limit=timedelta(minutes=2))
    html = admin_client.get(change_url(quiz)).content.decode()
    assert admin_form_data(html, "quiz_form")["time_limit"] == "2"
    assert "Time limit, min" in html and "90 s" in html
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    html = admin_client.get(change_url(quiz)).content.decode()
    assert "Ограничение времени, мин" in html


def test_a_limit_of_seconds_is_shown_in_seconds_in_the_pages_language(admin_client):
    quiz = make_quiz(time_limit=timedelta(seconds=90))
    html = admin_client.get(change_url(quiz)).content.decode()
    assert admin_form_data(html, "quiz_form")["time_limit"] == "90 s"
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    html = admin_client.get(change_url(quiz)).content.decode()
    assert admin_form_data(html, "quiz_form")["time_limit"] == "90 с"
    # Shown in seconds, read back as the same limit: no change to save or log.
    assert save_time_limit(admin_client, quiz, "90 с").status_code == 302
    assert not LogEntry.objects.exists()


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("две минуты", "Введите ограничение времени в минутах, например 2 или 2,5"),
        ("1.5 s", "должно быть целым числом секунд"),
        ("20000", "не больше недели (10080 минут)"),
    ],
)
def test_a_time_limit_that_cannot_be_read_is_refused_in_russian(admin_client, typed, message):
    quiz = make_quiz(time_limit=timedelta(minutes=45))
    admin_client.defaults["HTTP_ACCEPT_LANGUAGE"] = "ru"
    response = save_time_limit(admin_client, quiz, typed)
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    assert f'value="{typed}"' in html  # what was typed stays in the field
    quiz.refresh_from_db()
    assert quiz.time_limit == timedelta(minutes=45)
