"""A shared link, a second device: the one-time code emailed to the candidate lets it continue."""

import re

import pytest

from quizzes.models import Attempt, Invite
from tests.browser.steps import option, submit_answers, wait_for_save
from tests.builders import make_quiz
from tests.mail import text_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 375
EMAIL = "anna.petrova@example.com"


def press_start(page, name, email):
    page.locator("[name=candidate_name]").fill(name)
    page.locator("[name=candidate_email]").fill(email)
    page.get_by_role("button", name="Начать тест").click()


def no_sideways_scroll(page):
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= WIDTH, f"the page is {width}px wide at {WIDTH}px"


def phone_context(browser):
    return browser.new_context(
        locale="ru-RU", viewport={"width": WIDTH, "height": 740}, is_mobile=True, has_touch=True
    )


def ask_for_code(page, smtp_server) -> str:
    """Press "Email me a code" on the refused page; returns the code the server received."""
    page.get_by_role("button", name="Прислать код на почту").tap()
    page.wait_for_url("**/continue/")
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == EMAIL
    (code,) = re.findall(r"\b\d{6}\b", text_of(message))
    return code


def enter_code(page, code: str) -> None:
    page.get_by_label("Код из письма").fill(code)
    page.get_by_role("button", name="Продолжить", exact=True).tap()


def test_a_code_from_the_email_lets_a_second_device_continue_the_attempt(
    browser, live_server, smtp_server, settings, screenshot, axe_violations
):
    settings.SITE_URL = live_server.url
    quiz = make_quiz(title="Весенний набор", access="invite")
    invite = Invite.objects.create(quiz=quiz, kind=Invite.Kind.SHARED, max_uses=50)
    link = live_server.url + invite.get_absolute_url()
    laptop = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    phone = phone_context(browser)
    first, second = laptop.new_page(), phone.new_page()

    first.goto(link)
    first.wait_for_url("**/invite/")
    press_start(first, "Анна", EMAIL)
    first.wait_for_url("**/attempt/*/")
    attempt_url = first.url
    wait_for_save(first, lambda: option(first, "Взрыв градиентов").check())

    second.goto(link)
    second.wait_for_url("**/invite/")
    press_start(second, "Анна", EMAIL)
    second.get_by_text("Продолжите в браузере, где начали").wait_for()
    html = second.content()
    assert "a***@example.com" in html and EMAIL not in html
    assert attempt_url.split("/")[-2] not in html
    assert axe_violations(second) == []
    no_sideways_scroll(second)
    screenshot(second, "1-refused-375px")

    code = ask_for_code(second, smtp_server)
    enter_code(second, f"{(int(code) + 1) % 10**6:06d}")
    second.get_by_text("Неверный код.").wait_for()
    assert "/attempt/" not in second.url
    assert axe_violations(second) == []
    no_sideways_scroll(second)
    screenshot(second, "2-wrong-code-375px")

    enter_code(second, code)
    second.wait_for_url(attempt_url)
    assert option(second, "Взрыв градиентов").is_checked()  # saved on the laptop
    option(second, "Он адаптирует learning rate для каждого параметра").tap()
    no_sideways_scroll(second)
    screenshot(second, "3-continued-375px")
    submit_answers(second, tap=True)
    second.wait_for_load_state("networkidle")
    laptop.close()
    phone.close()

    attempt = Attempt.objects.get(invite=invite)
    assert attempt.state == Attempt.State.SUBMITTED and attempt.score == 2
    assert Attempt.objects.count() == 1
