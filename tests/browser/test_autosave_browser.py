"""The attempt page's background save in a real browser: wrong clocks, other devices."""

import time

import pytest

from quizzes.models import SAVE_SEQ_LEAD_MS, Answer, Attempt
from tests.builders import make_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SAVED = "Все ответы сохранены"
NEWER = "В другой вкладке или на другом устройстве сохранены более новые ответы"
TEN_YEARS_MS = 10 * 365 * 24 * 3600 * 1000


def start(page, live_server, quiz):
    page.goto(live_server.url + quiz.get_absolute_url())
    page.locator("[name=candidate_name]").fill("Пётр")
    page.locator("[name=candidate_email]").fill("petr@example.com")
    page.get_by_role("button", name="Начать тест").click()
    page.wait_for_url("**/attempt/*/")
    return Attempt.objects.get()


def leave(context) -> None:
    # Closing a page reports "hidden" in a last background save; the database is reset
    # right after the test, and a request still running then would lock it.
    context.route("**/autosave/", lambda route: route.abort())
    context.close()


def saved_options(attempt, question) -> list[int]:
    return Answer.objects.get(attempt=attempt, question_id=question.id).selected


def test_a_computer_clock_years_ahead_still_saves(browser, live_server):
    context = browser.new_context(locale="ru-RU")
    # The candidate's clock is ten years fast; the server refuses save numbers that far
    # ahead, so the page must count from the server's time.
    context.add_init_script(
        f"(() => {{ const real = Date.now; Date.now = () => real() + {TEN_YEARS_MS}; }})()"
    )
    page = context.new_page()
    quiz = make_quiz(title="Часы", access="public")
    attempt = start(page, live_server, quiz)
    question = quiz.questions.get(position=3)

    page.get_by_label("Взрыв градиентов", exact=True).check()
    page.locator(".save-status", has_text=SAVED).wait_for()

    right = question.options.get(text="Взрыв градиентов").id
    assert saved_options(attempt, question) == [right]
    attempt.refresh_from_db()
    assert attempt.save_seq <= time.time() * 1000 + SAVE_SEQ_LEAD_MS
    leave(context)


def test_a_page_behind_another_devices_save_shows_its_answers_then_saves_after_it(
    page, live_server
):
    quiz = make_quiz(title="Два устройства", access="public")
    attempt = start(page, live_server, quiz)
    question = quiz.questions.get(position=3)
    # Meanwhile another device saved an answer, with a number far ahead (its page loaded
    # later, or a client pushed the number as far as the server allows).
    theirs = question.options.get(text="Взрыв градиентов").id
    Answer.objects.create(attempt=attempt, question_id=question.id, selected=[theirs])
    ahead = int(time.time() * 1000) + SAVE_SEQ_LEAD_MS - 60_000
    Attempt.objects.filter(pk=attempt.pk).update(save_seq=ahead)

    page.get_by_label("Переобучение", exact=True).check()

    # The page says so and shows the newer answer instead of overwriting it.
    page.locator(".save-status", has_text=NEWER).wait_for()
    assert page.get_by_label("Взрыв градиентов", exact=True).is_checked()
    assert not page.get_by_label("Переобучение", exact=True).is_checked()
    assert saved_options(attempt, question) == [theirs]

    # It continues after the other device's number: the next change is saved.
    page.get_by_label("Переобучение", exact=True).check()
    page.locator(".save-status", has_text=SAVED).wait_for()
    chosen = question.options.get(text="Переобучение").id
    assert saved_options(attempt, question) == [chosen]
    attempt.refresh_from_db()
    assert attempt.save_seq > ahead
    leave(page.context)
