"""The .xlsx export: typed cells read back with openpyxl, dates in a named time zone."""

import io
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from quizzes.models import Attempt
from quizzes.services.attempts import start_attempt, submit_attempt
from quizzes.services.review import add_attempt_note, override_question_score, rate_attempt
from quizzes.spreadsheet import XLSX_CONTENT_TYPE
from tests.builders import ALL_RIGHT
from tests.review.conftest import finish

pytestmark = pytest.mark.django_db

URL = reverse("quizzes:review_export_xlsx")
MOSCOW = ZoneInfo("Europe/Moscow")


def read_xlsx(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX_CONTENT_TYPE
    assert response["Content-Disposition"].startswith('attachment; filename="attempts-')
    assert response["Content-Disposition"].endswith('.xlsx"')
    body = b"".join(response.streaming_content)
    sheet = load_workbook(io.BytesIO(body)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    types = [[cell.data_type for cell in row] for row in sheet.iter_rows()]
    return rows, types


def by_header(rows):
    header = rows[0]
    return [dict(zip(header, row, strict=True)) for row in rows[1:]]


def test_cells_are_typed_and_dates_are_in_the_named_time_zone(recruiter_client, recruiter, quiz):
    anna = finish(quiz, {1: ["MaxPooling", "Dropout", "ReLU"], 3: ["Переобучение"]}, name="Анна")
    add_attempt_note(attempt=anna, author=recruiter, text="Сильная;\nзвать на интервью")
    add_attempt_note(attempt=anna, author=recruiter, text="=второе мнение")
    rate_attempt(attempt=anna, rating=4, user=recruiter)
    override_question_score(
        attempt=anna,
        question_id=quiz.questions.get(position=2).id,
        points=Decimal("0.5"),
        reason="устно",
        user=recruiter,
    )
    start_attempt(quiz=quiz, candidate_name="Борис", candidate_email="b@x.org")

    rows, types = read_xlsx(recruiter_client.get(URL, {"quiz": quiz.pk, "sort": "date"}))

    assert rows[0][:7] == [
        "Кандидат", "Электронная почта", "Тест", "Состояние", "Приглашение",
        "Начало (Europe/Moscow)", "Отправлена (Europe/Moscow)",
    ]  # fmt: skip
    assert rows[0][7:14] == [
        "Длительность, с", "Результат", "Максимум", "Процент", "Оценка", "Статус найма",
        "Заметки",
    ]  # fmt: skip
    assert rows[0][14:] == [
        "В1 баллы", "В1 выбор", "В2 баллы", "В2 выбор", "В3 баллы", "В3 выбор",
    ]  # fmt: skip
    first, second = by_header(rows)
    anna.refresh_from_db()
    # Excel dates carry no zone: the wall-clock time in Moscow, as the header says.
    started = anna.started_at.astimezone(MOSCOW).replace(tzinfo=None, microsecond=0)
    assert isinstance(first["Начало (Europe/Moscow)"], datetime)
    assert abs(first["Начало (Europe/Moscow)"] - started) < timedelta(seconds=1)
    assert first["Длительность, с"] == 600
    assert (first["Результат"], first["Максимум"], first["Процент"]) == (1.5, 3, 50)
    assert first["Оценка"] == 4 and isinstance(first["Оценка"], int)
    assert first["Заметки"] == "Сильная;\nзвать на интервью\n\n=второе мнение"
    assert first["Статус найма"] == second["Статус найма"] == "Новый"
    assert [first[f"В{n} баллы"] for n in (1, 2, 3)] == [1, 0.5, 0]
    assert [first[f"В{n} выбор"] for n in (1, 2, 3)] == ["A C F", None, "B"]
    # An open attempt: no score and no points yet, not zeros.
    assert second["Состояние"] == "В процессе" and second["Результат"] is None
    assert second["В1 баллы"] is None and second["Отправлена (Europe/Moscow)"] is None
    numbers = [types[1][index] for index in (7, 8, 9, 10, 11, 14)]
    assert numbers == ["n"] * 6
    assert types[1][5] == "d" and types[1][12] == types[1][13] == "s"


def test_the_time_zone_is_the_sites_and_stated(recruiter_client, quiz, settings):
    settings.TIME_ZONE = "UTC"
    attempt = finish(quiz, ALL_RIGHT)
    rows, _types = read_xlsx(recruiter_client.get(URL))
    assert rows[0][5] == "Начало (UTC)"
    # Stored in UTC, shown in UTC: the same wall-clock time (Excel keeps milliseconds).
    assert abs(rows[1][5] - attempt.started_at.replace(tzinfo=None)) < timedelta(seconds=1)


def test_the_state_says_when_time_ran_out(recruiter_client, quiz):
    timed = start_attempt(quiz=quiz, candidate_name="Опоздала", candidate_email="late@x.org")
    Attempt.objects.filter(pk=timed.pk).update(
        started_at=timezone.now() - timedelta(hours=1),
        deadline=timezone.now() - timedelta(minutes=10),
    )
    submit_attempt(attempt_id=timed.pk, selections={})
    sent = start_attempt(quiz=quiz, candidate_name="Успела", candidate_email="ok@x.org")
    Attempt.objects.filter(pk=sent.pk).update(deadline=timezone.now() + timedelta(minutes=10))
    submit_attempt(attempt_id=sent.pk, selections={})

    rows, _types = read_xlsx(recruiter_client.get(URL, {"sort": "date"}))

    states = {row["Кандидат"]: row["Состояние"] for row in by_header(rows)}
    assert states == {
        "Опоздала": "Закрыта без отправки, время вышло",
        "Успела": "Отправлена",
    }


def test_candidate_text_is_never_a_formula(recruiter_client, quiz):
    finish(quiz, {}, name='=HYPERLINK("http://evil","x")', email="@evil@example.com")
    rows, types = read_xlsx(recruiter_client.get(URL))
    assert rows[1][:2] == ['=HYPERLINK("http://evil","x")', "@evil@example.com"]
    assert types[1][:2] == ["s", "s"]


def test_export_follows_the_filters_and_refuses_bad_ones(recruiter_client, quiz):
    finish(quiz, ALL_RIGHT, name="Сильная")
    finish(quiz, {}, name="Слабый", email="weak@example.com")
    rows, _types = read_xlsx(recruiter_client.get(URL, {"percent_min": "50"}))
    assert [row[0] for row in rows[1:]] == ["Сильная"]
    assert len(rows[0]) == 14  # no quiz chosen: no per-question columns
    response = recruiter_client.get(URL, {"started_from": "1999-01-01"})
    assert response.status_code == 400
    assert "ничего не выгружено" in response.content.decode()


def test_the_list_offers_the_excel_download_with_its_filters(recruiter_client, quiz):
    finish(quiz, ALL_RIGHT)
    page = recruiter_client.get(reverse("quizzes:review_attempts"), {"quiz": quiz.pk}).content
    assert f'href="{URL}?quiz={quiz.pk}"'.encode() in page


def test_an_author_may_not_download_attempts(client, quiz):
    author = get_user_model().objects.create_user("a", is_staff=True)
    client.force_login(author)
    assert client.get(URL).status_code == 403
