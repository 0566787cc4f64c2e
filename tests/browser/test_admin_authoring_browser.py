"""An Author in the Russian admin, in a real Chromium at 1366×768: a four-option question in one
save, a question dragged to the top, a time limit in minutes, and no horizontal scrolling."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group, User

from quizzes.models import Quiz
from tests.builders import make_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

OPTIONS = [
    ("Отключает подсчёт градиентов", "correct"),
    ("Экономит память на активациях", "correct"),
    ("Обнуляет градиенты", "incorrect"),
    ("Ускоряет обучение", "partial"),
]


@pytest.fixture
def wide_page(browser):
    """A Russian page in a 1366×768 window, the laptop screen the admin must fit."""
    context = browser.new_context(locale="ru-RU", viewport={"width": 1366, "height": 768})
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def sign_in_as_author(page, live_server) -> None:
    user = User.objects.create_user("avtor", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Authors"))
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "avtor")
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_load_state()


def page_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def save_and_continue(page) -> str:
    page.click("input[name=_continue]")
    page.wait_for_load_state()
    return page.locator(".messagelist").inner_text()


def test_an_author_writes_a_four_option_question_in_one_save_and_sets_minutes(
    wide_page, live_server, screenshot, roles
):
    page = wide_page
    quiz = make_quiz(title="Найм: ML")
    sign_in_as_author(page, live_server)
    page.goto(f"{live_server.url}/admin/quizzes/quiz/{quiz.pk}/change/")
    assert page.locator("#site-name").inner_text() == "quizsite"
    page.get_by_role("link", name="добавить вопрос с вариантами").click()
    page.wait_for_load_state()

    page.fill("#id_text", "Что делает `torch.no_grad()`?\n\nВыберите все верные ответы.")
    page.select_option("#id_kind", "multiple")
    for index, (text, verdict) in enumerate(OPTIONS):
        page.locator("#options-group .add-row a").click()
        page.fill(f"textarea[name=options-{index}-text]", text)
        page.select_option(f"select[name=options-{index}-verdict]", verdict)
    page.fill("textarea[name=options-3-feedback]", "Только при выводе,\nне при обучении.")
    screenshot(page, "question-four-new-options")
    assert page_width(page) <= 1366

    message = save_and_continue(page)

    assert "был успешно добавлен" in message, page.locator("#content").inner_text()[:2000]
    question = quiz.questions.get(text__startswith="Что делает")
    assert list(question.options.order_by("position").values_list("text", "verdict")) == OPTIONS
    assert question.text == "Что делает `torch.no_grad()`?\n\nВыберите все верные ответы."
    assert question.options.get(position=4).feedback == "Только при выводе,\nне при обучении."
    assert question.position == 4
    screenshot(page, "question-saved")
    assert page_width(page) <= 1366

    page.goto(f"{live_server.url}/admin/quizzes/quiz/{quiz.pk}/change/")
    assert page.locator("#questions-group td.field-verdicts").nth(3).inner_text() == "✅2 ❌1 ⚠️1"
    handles = page.locator("#questions-group td.original p")
    handles.nth(3).drag_to(handles.nth(0), target_position={"x": 5, "y": 2})
    page.fill("#id_time_limit", "2")
    message = save_and_continue(page)

    assert "был изменен успешно" in message, page.locator("#content").inner_text()[:2000]
    quiz = Quiz.objects.get(pk=quiz.pk)
    assert quiz.time_limit == timedelta(minutes=2)
    assert quiz.questions.order_by("position").first() == question
    assert page.input_value("#id_time_limit") == "2"
    assert (
        page.locator("label[for=id_time_limit]").inner_text().startswith("Ограничение времени, мин")
    )
    screenshot(page, "quiz-saved")
    assert page_width(page) <= 1366

    page.get_by_role("link", name="найти и отфильтровать").click()
    page.wait_for_load_state()
    assert page.locator("#result_list tbody tr").count() == 4
    screenshot(page, "question-list")
    results = page.locator("#changelist .results")
    assert results.evaluate("(element) => element.scrollWidth <= element.clientWidth")
