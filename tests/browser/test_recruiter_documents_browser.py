"""A recruiter in a real browser: ticks two attempts and compares them, opens the printable
report and sees it as it prints (print media), and downloads the Excel file."""

import io

import pytest
from django.contrib.auth.models import Group, User
from openpyxl import load_workbook

from quizzes.models import Answer
from tests.builders import ALL_RIGHT, make_quiz
from tests.review.conftest import finish

# The groups come from data migrations; the `roles` fixture puts them back after a flush.
pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_as_recruiter(page, live_server) -> None:
    user = User.objects.create_user("rita", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Recruiters"))
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_load_state()


@pytest.fixture
def three_attempts(roles):
    quiz = make_quiz(title="Нейросети")
    anna = finish(quiz, ALL_RIGHT, name="Анна Сильная", email="anna@example.com", minutes=30)
    boris = finish(quiz, {1: ["Полносвязный слой"], 3: ["Переобучение"]}, name="Борис Слабый",
                   email="boris@example.com", minutes=20)  # fmt: skip
    finish(quiz, {}, name="Вера Пустая", email="vera@example.com", minutes=10)
    Answer.objects.filter(attempt=anna).update(time_spent=95)
    return quiz, anna, boris


def test_a_recruiter_compares_two_ticked_attempts(
    page, live_server, screenshot, axe_violations, three_attempts
):
    quiz, _anna, _boris = three_attempts
    sign_in_as_recruiter(page, live_server)
    page.goto(f"{live_server.url}/review/?quiz={quiz.pk}")
    page.get_by_label("Сравнить: Анна Сильная").check()
    page.get_by_label("Сравнить: Борис Слабый").check()
    assert axe_violations(page) == []
    screenshot(page, "list-ticked")
    page.get_by_role("button", name="Сравнить выбранные").click()
    page.wait_for_load_state()

    assert page.get_by_role("heading", name="Попытки рядом: Нейросети").is_visible()
    headers = page.locator("th.compared-attempt a").all_inner_texts()
    assert sorted(headers) == ["Анна Сильная", "Борис Слабый"]
    assert page.locator("tr.compared-question").count() == 3
    first = page.locator("tr.compared-question").first
    choices = first.locator(".compared-choices").evaluate_all(
        "cells => cells.map(cell => cell.dataset.choices)"
    )
    assert sorted(choices) == ["A C F", "B"]
    assert "1:35" in first.inner_text()  # Анна's time on the question
    assert axe_violations(page) == []
    screenshot(page, "comparison")
    page.emulate_media(media="print")
    assert not page.locator("header.navbar").is_visible()
    screenshot(page, "comparison-print")


def test_comparing_one_attempt_explains_itself(page, live_server, three_attempts):
    quiz, _anna, _boris = three_attempts
    sign_in_as_recruiter(page, live_server)
    page.goto(f"{live_server.url}/review/?quiz={quiz.pk}")
    page.get_by_label("Сравнить: Анна Сильная").check()
    page.get_by_role("button", name="Сравнить выбранные").click()
    page.wait_for_load_state()
    refusal = page.locator(".comparison-refused").inner_text()
    assert "выберите от 2 до 5 попыток; выбрано: 1" in refusal


def test_a_recruiter_opens_the_printable_report(
    page, live_server, screenshot, axe_violations, three_attempts
):
    _quiz, anna, _boris = three_attempts
    sign_in_as_recruiter(page, live_server)
    page.goto(f"{live_server.url}/review/attempt/{anna.public_id}/")
    page.get_by_role("link", name="Отчёт для печати").click()
    page.wait_for_load_state()

    assert page.locator(".report-candidate").inner_text() == "Анна Сильная"
    assert page.locator(".report-score").inner_text().startswith("3 / 3")
    assert page.locator("article.report-question").count() == 3
    assert page.locator(".navbar").count() == 0  # no staff chrome
    toolbar = page.locator(".report-toolbar")
    assert toolbar.is_visible()
    assert axe_violations(page) == []
    screenshot(page, "report-screen")
    page.emulate_media(media="print")
    assert not toolbar.is_visible()  # nothing but the report on paper
    assert page.locator("article.report-question").first.is_visible()
    screenshot(page, "report-print")


def test_the_excel_download_opens_with_the_listed_attempts(page, live_server, three_attempts):
    quiz, _anna, _boris = three_attempts
    sign_in_as_recruiter(page, live_server)
    page.goto(f"{live_server.url}/review/?quiz={quiz.pk}")
    with page.expect_download() as download:
        page.get_by_role("link", name="Скачать Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    body = open(download.value.path(), "rb").read()  # noqa: SIM115 (a short read)
    sheet = load_workbook(io.BytesIO(body)).active
    names = sorted(row[0] for row in sheet.iter_rows(min_row=2, values_only=True))
    assert names == ["Анна Сильная", "Борис Слабый", "Вера Пустая"]
