"""One shared invite link, two people in two browsers: each finishes an attempt of their own."""

import pytest

from quizzes.models import Attempt, Invite
from tests.browser.steps import submit_answers
from tests.builders import make_quiz

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 375


def option(page, text):
    return page.get_by_label(text, exact=True)


def no_sideways_scroll(page):
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= WIDTH, f"the page is {width}px wide at {WIDTH}px"


def press_start(page, name, email):
    page.locator("[name=candidate_name]").fill(name)
    page.locator("[name=candidate_email]").fill(email)
    page.get_by_role("button", name="Начать тест").click()


def join(page, link, name, email):
    page.goto(link)
    page.wait_for_url("**/invite/")
    press_start(page, name, email)
    page.wait_for_url("**/attempt/*/")


def phone_context(browser):
    return browser.new_context(
        locale="ru-RU", viewport={"width": WIDTH, "height": 740}, is_mobile=True, has_touch=True
    )


def test_two_people_on_one_shared_link_each_finish_their_own_attempt(
    browser, live_server, screenshot, axe_violations
):
    quiz = make_quiz(title="Весенний набор", access="invite")
    invite = Invite.objects.create(quiz=quiz, kind=Invite.Kind.SHARED, max_uses=50)
    link = live_server.url + invite.get_absolute_url()
    desktop = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    phone = phone_context(browser)
    anna, boris = desktop.new_page(), phone.new_page()

    join(anna, link, "Анна", "anna@example.com")
    option(anna, "MaxPooling").check()
    option(anna, "Dropout").check()
    option(anna, "ReLU").check()
    screenshot(anna, "1-anna-answering")

    boris.goto(link)
    boris.wait_for_url("**/invite/")
    assert "Этой ссылкой пользуются несколько человек" in boris.content()
    assert "Анна" not in boris.content()
    assert axe_violations(boris) == []
    no_sideways_scroll(boris)
    screenshot(boris, "2-boris-start-375px")
    press_start(boris, "Борис", "boris@example.com")
    boris.wait_for_url("**/attempt/*/")
    assert boris.url != anna.url
    no_sideways_scroll(boris)
    option(boris, "Взрыв градиентов").tap()
    screenshot(boris, "3-boris-answering-375px")

    submit_answers(anna)
    submit_answers(boris, tap=True)
    no_sideways_scroll(boris)
    screenshot(boris, "4-boris-result-375px")

    attempts = {a.candidate_name: a for a in Attempt.objects.filter(invite=invite)}
    assert set(attempts) == {"Анна", "Борис"}
    assert all(a.state == Attempt.State.SUBMITTED for a in attempts.values())
    assert (attempts["Анна"].score, attempts["Борис"].score) == (1, 1)
    assert str(attempts["Анна"].public_id) in anna.url
    assert str(attempts["Борис"].public_id) in boris.url

    # Anna's email on Boris's phone: not another attempt, and not Anna's result either.
    boris.goto(link)
    press_start(boris, "Анна", "anna@example.com")
    boris.get_by_role("heading", name="Вы использовали все попытки").wait_for()
    boris.get_by_role("link", name="Посмотреть свой результат").tap()
    boris.wait_for_url("**/result/")
    assert str(attempts["Борис"].public_id) in boris.url
    assert Attempt.objects.count() == 2
    desktop.close()
    phone.close()


def test_the_refusal_pages_are_accessible_and_fit_a_phone(browser, live_server, axe_violations):
    quiz = make_quiz(title="Одна попытка", access="invite")
    invite = Invite.objects.create(quiz=quiz, kind=Invite.Kind.SHARED, max_uses=50)
    link = live_server.url + invite.get_absolute_url()
    first = browser.new_context(locale="ru-RU")
    phone = phone_context(browser)
    page, other = first.new_page(), phone.new_page()
    join(page, link, "Анна", "anna@example.com")

    other.goto(link)
    press_start(other, "Анна", "anna@example.com")
    other.get_by_role("heading", name="Продолжите в браузере, где начали").wait_for()
    assert axe_violations(other) == []
    no_sideways_scroll(other)

    submit_answers(page)
    other.goto(link)
    press_start(other, "Анна", "anna@example.com")
    other.get_by_role("heading", name="Вы использовали все попытки").wait_for()
    assert axe_violations(other) == []
    no_sideways_scroll(other)
    assert Attempt.objects.count() == 1
    first.close()
    phone.close()
