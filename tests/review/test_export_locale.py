"""The CSV as spreadsheets of each locale open it: separator, decimal mark, time zone, notes,
hiring status, and attempts whose time ran out."""

import csv
import io
from datetime import datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt
from quizzes.services.attempts import close_overdue_attempts, start_attempt
from quizzes.services.review import add_attempt_note, set_hiring_status
from tests.builders import ALL_RIGHT, make_quiz
from tests.review.conftest import finish

pytestmark = pytest.mark.django_db

URL = reverse("quizzes:review_export")
CANDIDATE, STATE, STARTED, SUBMITTED, PERCENT, HIRING, NOTES = 0, 3, 5, 6, 10, 12, 13


def body(response) -> str:
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")  # Excel reads UTF-8 only after a BOM
    return text[1:]


def rows(response, delimiter) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body(response), newline=""), delimiter=delimiter))


@pytest.fixture
def two_thirds(quiz):
    """An attempt scoring 2 of 3 (66.67%), for decimal marks."""
    return finish(quiz, {2: ALL_RIGHT[2], 3: ALL_RIGHT[3]})


def test_russian_readers_get_semicolons_and_decimal_commas(recruiter_client, two_thirds):
    response = recruiter_client.get(URL, {"quiz": two_thirds.quiz_id})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    header, row = rows(response, ";")
    assert len(header) == len(row) == 20 and header[0] == "Кандидат"
    assert row[PERCENT] == "66,67"


def test_english_readers_get_commas_and_decimal_points(client, recruiter, two_thirds):
    client.force_login(recruiter)
    response = client.get(URL, {"quiz": two_thirds.quiz_id}, HTTP_ACCEPT_LANGUAGE="en")
    header, row = rows(response, ",")
    assert len(header) == len(row) == 20 and header[0] == "Candidate"
    assert header[HIRING : NOTES + 1] == ["Hiring status", "Notes"]
    assert row[PERCENT] == "66.67" and row[HIRING] == "New"


@pytest.mark.parametrize(("choice", "delimiter", "percent"), [
    ("comma", ",", "66.67"), ("semicolon", ";", "66,67"),
])  # fmt: skip
def test_the_separator_can_be_chosen_whatever_the_language(
    recruiter_client, two_thirds, choice, delimiter, percent
):
    header, row = rows(recruiter_client.get(URL, {"delimiter": choice}), delimiter)
    assert len(header) == len(row) == 14 and row[PERCENT] == percent


def test_an_unknown_separator_is_refused_before_anything_streams(recruiter_client, two_thirds):
    response = recruiter_client.get(URL, {"delimiter": "pipe"})
    assert response.status_code == 400 and not response.streaming
    assert "Разделитель" in response.content.decode()


def test_the_list_offers_both_separators(recruiter_client, two_thirds):
    html = recruiter_client.get(reverse("quizzes:review_attempts")).content.decode()
    assert 'delimiter=semicolon" download data-delimiter="semicolon"' in html
    assert 'delimiter=comma" download data-delimiter="comma"' in html


def test_dates_are_iso_8601_with_the_site_time_zone_offset(recruiter_client, two_thirds):
    row = rows(recruiter_client.get(URL), ";")[1]
    started, submitted = (datetime.fromisoformat(row[i]) for i in (STARTED, SUBMITTED))
    assert started.utcoffset() == timedelta(hours=3)  # Europe/Moscow, the default TIME_ZONE
    assert row[STARTED].endswith("+03:00") and "T" in row[STARTED]
    assert started == two_thirds.started_at.replace(microsecond=0)
    assert submitted == two_thirds.submitted_at.replace(microsecond=0)


def test_notes_and_hiring_status_are_exported(recruiter_client, recruiter, two_thirds):
    add_attempt_note(attempt=two_thirds, author=recruiter, text="Сильная;=1+1\nвторая строка")
    add_attempt_note(attempt=two_thirds, author=None, text="Позвать на интервью")
    set_hiring_status(attempt=two_thirds, status="shortlisted", user=recruiter)
    row = rows(recruiter_client.get(URL), ";")[1]
    assert row[HIRING] == "В шорт-листе"
    first, second = row[NOTES].split(" | ")
    assert first.endswith("rita: Сильная;'=1+1 вторая строка")
    assert second.endswith("—: Позвать на интервью")
    assert datetime.fromisoformat(first.split(" ")[0]).utcoffset() == timedelta(hours=3)


def test_an_attempt_whose_time_ran_out_does_not_read_just_submitted(recruiter_client, quiz):
    timed = make_quiz(title="На время", time_limit=timedelta(minutes=5))
    # Closed by the server after the candidate went away.
    gone = start_attempt(quiz=timed, candidate_name="Ушла", candidate_email="gone@example.com")
    Attempt.objects.filter(pk=gone.pk).update(deadline=timezone.now() - timedelta(minutes=2))
    assert close_overdue_attempts() == 1
    # Submitted by the countdown at zero, which fires once the deadline has passed.
    at_zero = finish(timed, ALL_RIGHT, name="На нуле", email="zero@example.com")
    Attempt.objects.filter(pk=at_zero.pk).update(
        deadline=at_zero.submitted_at - timedelta(seconds=1)
    )
    # Submitted by the candidate with time to spare.
    done = finish(timed, ALL_RIGHT, name="Успела", email="done@example.com")
    states = {row[CANDIDATE]: row[STATE] for row in rows(recruiter_client.get(URL), ";")[1:]}
    assert states == {"Ушла": "Время вышло", "На нуле": "Время вышло", "Успела": "Отправлена"}
    assert done.deadline is not None and not done.time_ran_out
    detail = recruiter_client.get(reverse("quizzes:review_attempt", args=[at_zero.public_id]))
    assert '<dd class="col-7 attempt-state">Время вышло</dd>' in detail.content.decode()
