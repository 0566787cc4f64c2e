"""Invitations by email in a real browser: a Recruiter pastes a cohort in the Russian admin,
the mail server gets one email each, and a candidate takes the test from one of them on a
phone."""

import re

import pytest
from django.contrib.auth.models import Group, User

from quizzes.models import Attempt, Invite, OutboundEmail
from tests.browser.steps import option, submit_answers
from tests.builders import make_quiz
from tests.mail import html_of, text_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

COHORT = 100


def sign_in_as_recruiter(page, live_server) -> None:
    user = User.objects.create_user("recruiter", password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name="Recruiters"))
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", "pw")
    page.click("input[type=submit]")
    page.wait_for_load_state()


def email_the_cohort(page, live_server, screenshot) -> None:
    """In the Russian bulk page: paste the cohort, tick "send by email", create."""
    page.goto(f"{live_server.url}/admin/quizzes/invite/bulk/")
    page.select_option("select[name=quiz]", label="Тест по DL")
    page.fill(
        "textarea[name=lines]",
        "\n".join(f"Кандидат {n} <candidate{n}@example.com>" for n in range(COHORT)),
    )
    page.select_option("select[name=language]", "ru")
    page.get_by_label("Отправить приглашения по почте").check()
    screenshot(page, "1-bulk-form")
    page.get_by_role("button", name="Создать приглашения").click()
    page.wait_for_load_state()
    screenshot(page, "2-bulk-created")
    assert "Создано 100 приглашений; письма поставлены в очередь" in page.content()


def link_in_the_email_to(smtp_server, live_server, address: str) -> str:
    messages = smtp_server.wait_for(COHORT)
    assert len({str(message["To"]) for message in messages}) == COHORT
    message = next(m for m in messages if str(m["To"]) == address)
    assert str(message["Subject"]).strip() == "Приглашение на тест «Тест по DL»"
    text = text_of(message)
    assert "Здравствуйте, Кандидат 7!" in text
    assert "<strong>Ольге Петровой</strong>" in html_of(message)
    (link,) = set(re.findall(re.escape(live_server.url) + r"/invite/[\w-]+/", text))
    invite = Invite.objects.get(candidate_email=address)
    assert link == live_server.url + invite.get_absolute_url()
    return link


def take_the_test_on_a_phone(browser, link: str, screenshot) -> None:
    phone = browser.new_context(
        locale="ru-RU", viewport={"width": 375, "height": 740}, is_mobile=True, has_touch=True
    )
    candidate = phone.new_page()
    candidate.goto(link)
    assert "Здравствуйте, Кандидат 7!" in candidate.content()
    screenshot(candidate, "3-invite-on-a-phone")
    candidate.get_by_role("button", name="Начать тест").tap()
    candidate.wait_for_url("**/attempt/*/")
    for text in [
        "MaxPooling",
        "Dropout",
        "ReLU",
        "Он адаптирует learning rate для каждого параметра",
        "Взрыв градиентов",
    ]:
        option(candidate, text).tap()
    submit_answers(candidate, tap=True)
    assert "3 / 3" in candidate.locator(".score").inner_text()
    assert candidate.evaluate("() => document.documentElement.scrollWidth") <= 375
    screenshot(candidate, "4-result-on-a-phone")
    phone.close()


def test_a_recruiter_emails_a_cohort_and_a_candidate_takes_the_test_from_the_email_on_a_phone(
    browser, page, live_server, settings, smtp_server, screenshot, roles
):
    settings.SITE_URL = live_server.url
    make_quiz(
        title="Тест по DL",
        access="invite",
        review_after_attempt="full",
        invitation_message="Вопросы по тесту — **Ольге Петровой**.",
    )
    sign_in_as_recruiter(page, live_server)
    email_the_cohort(page, live_server, screenshot)
    link = link_in_the_email_to(smtp_server, live_server, "candidate7@example.com")

    # The admin shows every invitation as sent.
    page.goto(f"{live_server.url}/admin/quizzes/invite/?q=candidate7%40example.com")
    assert page.locator("td.field-email_delivery").inner_text() == "Отправлено"
    assert OutboundEmail.objects.filter(state="sent").count() == COHORT

    take_the_test_on_a_phone(browser, link, screenshot)
    attempt = Attempt.objects.get()
    assert (attempt.candidate_name, attempt.candidate_email) == (
        "Кандидат 7",
        "candidate7@example.com",
    )
    assert attempt.state == Attempt.State.SUBMITTED and attempt.score == 3
