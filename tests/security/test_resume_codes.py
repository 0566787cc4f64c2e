"""One-time codes: another browser continues an open attempt only with the code emailed to it.

Codes travel through the outbox to a real SMTP server (tests/mail.py).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Answer, Attempt, Invite, OutboundEmail, ResumeCode
from quizzes.services.resume_codes import code_hash, new_code
from tests.builders import ALL_RIGHT, answer_post, make_quiz
from tests.mail import html_of, text_of

pytestmark = pytest.mark.django_db

START = "/invite/"
CONTINUE = reverse("quizzes:resume")
SEND = reverse("quizzes:resume_send")
EMAIL = "anna.petrova@example.com"


@pytest.fixture
def quiz():
    return make_quiz(title="Когорта", access="invite")


@pytest.fixture
def shared(quiz):
    return Invite.objects.create(quiz=quiz, kind=Invite.Kind.SHARED, max_uses=30)


def join(browser, invite, email=EMAIL):
    browser.get(invite.get_absolute_url())
    return browser.post(START, {"candidate_name": "Анна", "candidate_email": email})


@pytest.fixture
def anna(shared):
    first = Client()
    started = join(first, shared)
    attempt = Attempt.objects.get(public_id=started["Location"].split("/")[2])
    first.post(attempt.get_absolute_url(), {**answer_post(attempt, ALL_RIGHT), "action": "save"})
    return attempt


@pytest.fixture
def other(shared, anna):
    """A second browser that gave Anna's email and was refused."""
    browser = Client()
    assert join(browser, shared).status_code == 409
    return browser


@pytest.fixture
def ask(smtp_server, django_capture_on_commit_callbacks):
    """Ask for a code in a browser; returns (response, the code emailed or None)."""

    def _ask(browser):
        before = len(smtp_server.messages)
        with django_capture_on_commit_callbacks(execute=True):
            response = browser.post(SEND)
        if len(smtp_server.messages) == before:
            return response, None
        (message,) = smtp_server.wait_for(before + 1)[before:]
        assert message["To"] == EMAIL
        (code,) = re.findall(r"\b\d{6}\b", text_of(message))
        assert code in html_of(message) and code not in str(message["Subject"])
        assert "Ваш код, чтобы продолжить «Когорта»" in str(message["Subject"])
        return response, code

    return _ask


def enter(browser, code):
    return browser.post(CONTINUE, {"code": code})


def test_the_right_code_lets_this_browser_continue_and_a_wrong_one_does_not(anna, other, ask):
    sent, code = ask(other)
    assert sent.status_code == 302 and sent["Location"] == CONTINUE
    wrong = f"{(int(code) + 1) % 10**6:06d}"

    refused = enter(other, wrong)
    assert refused.status_code == 200
    assert "Неверный код. Для этого кода осталось 4 попытки." in refused.content.decode()
    assert other.get(anna.get_absolute_url()).status_code == 404

    resumed = enter(other, f"{code[:3]} {code[3:]}")  # as people type it
    assert resumed.status_code == 302 and resumed["Location"] == anna.get_absolute_url()
    page = other.get(anna.get_absolute_url())
    assert page.status_code == 200
    # The answers saved in the first browser are there.
    saved = Answer.objects.filter(attempt=anna).exclude(selected=[]).count()
    assert saved == 3 and page.content.decode().count("checked") >= 3
    # The code is used up and the offer is gone.
    assert other.get(CONTINUE).status_code == 404
    assert ResumeCode.objects.get().used_at is not None


def test_the_pages_show_a_masked_address_and_never_the_attempt(anna, other, ask):
    refused = join(other, anna.invite).content.decode()
    ask(other)
    page = other.get(CONTINUE).content.decode()
    assert "Код действует 10 минут." in page
    for html in (refused, page):
        assert "a***@example.com" in html
        assert EMAIL not in html and str(anna.public_id) not in html
    assert str(anna.public_id) not in "".join(f"{k}={v}" for k, v in other.cookies.items())


def test_only_a_hash_of_the_code_is_stored(anna, other, ask):
    _, code = ask(other)
    row = ResumeCode.objects.get()
    assert row.code_hash == code_hash(anna.pk, code) and code not in row.code_hash
    assert row.expires_at - row.created_at == timedelta(minutes=10)
    email = OutboundEmail.objects.get(kind=OutboundEmail.Kind.CODE)
    assert email.attempt == anna and email.to == EMAIL


def test_a_code_expires_after_ten_minutes(other, ask):
    _, code = ask(other)
    with time_machine.travel(timezone.now() + timedelta(minutes=10, seconds=1)):
        response = enter(other, code)
    assert "больше не действует" in response.content.decode()
    assert ResumeCode.objects.get().used_at is None


def test_five_wrong_tries_kill_the_code(anna, other, ask):
    _, code = ask(other)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for _ in range(4):
        enter(other, wrong)
    fifth = enter(other, wrong).content.decode()
    assert "Неверный код." in fifth and "больше не действует" in fifth

    late = enter(other, code)

    assert late.status_code == 200 and "больше не действует" in late.content.decode()
    assert other.get(anna.get_absolute_url()).status_code == 404
    assert ResumeCode.objects.get().tries == 5


def test_only_the_newest_code_works(anna, other, ask):
    _, first = ask(other)
    _, second = ask(other)
    if first == second:  # one chance in a million: the old row still must not be the one used
        pytest.fail("two codes in a row were equal")

    assert enter(other, first).status_code == 200
    assert other.get(anna.get_absolute_url()).status_code == 404
    assert enter(other, second)["Location"] == anna.get_absolute_url()


def test_an_attempt_gets_three_codes_per_quarter_hour(other, ask, smtp_server):
    for _ in range(3):
        assert ask(other)[1] is not None
    response, code = ask(other)
    assert response.status_code == 429 and code is None
    assert "Подождите четверть часа" in response.content.decode()
    assert ResumeCode.objects.count() == 3
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert ask(other)[1] is not None


def test_sending_and_entering_codes_is_rate_limited_per_address(other, ask, settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "code": "3/m"}
    ask(other)
    enter(other, "000000")
    enter(other, "000001")
    assert enter(other, "000002").status_code == 429
    assert ask(other)[0].status_code == 429
    assert ResumeCode.objects.get().tries == 2


def test_a_malformed_code_costs_no_try(other, ask):
    ask(other)
    for value in ("12345", "1234567", "12345a", "１２３４５６", "", "9" * 10_000):
        response = enter(other, value)
        assert response.status_code == 200
        assert 'class="invalid-feedback"' in response.content.decode(), value
    assert "Код состоит из 6 цифр." in enter(other, "12345a").content.decode()
    assert ResumeCode.objects.get().tries == 0


def test_without_a_refused_start_there_is_nothing_to_ask_for(anna):
    stranger = Client()
    assert stranger.get(CONTINUE).status_code == 404
    assert stranger.post(SEND).status_code == 404
    assert stranger.post(CONTINUE, {"code": "123456"}).status_code == 404
    assert stranger.get(SEND).status_code == 405
    assert ResumeCode.objects.count() == 0 and OutboundEmail.objects.count() == 0


def test_a_finished_attempt_gets_no_code(anna, other, ask):
    Attempt.objects.filter(pk=anna.pk).update(state=Attempt.State.SUBMITTED)
    response, code = ask(other)
    assert response.status_code == 410 and code is None
    assert "Эта попытка завершена" in response.content.decode()


def test_a_personal_invite_still_resumes_anywhere_without_a_code(quiz):
    invite = Invite.objects.create(quiz=quiz, candidate_name="Анна", candidate_email=EMAIL)
    first = Client()
    first.get(invite.get_absolute_url())
    started = first.post(START, {"candidate_name": "Анна", "candidate_email": EMAIL})
    attempt = Attempt.objects.get(public_id=started["Location"].split("/")[2])

    second = Client()
    assert second.get(invite.get_absolute_url())["Location"] == attempt.get_absolute_url()
    assert second.get(attempt.get_absolute_url()).status_code == 200
    assert second.get(CONTINUE).status_code == 404


def test_codes_are_six_random_digits():
    codes = {new_code() for _ in range(200)}
    assert all(re.fullmatch(r"\d{6}", code) for code in codes)
    assert len(codes) > 190


def _recruiter_client() -> Client:
    from tests.api.conftest import make_role_user

    browser = Client()
    browser.force_login(make_role_user("recruiter"))
    return browser


def test_the_outbox_keeps_no_code_once_it_is_sent(anna, other, ask):
    _, code = ask(other)
    email = OutboundEmail.objects.get(kind=OutboundEmail.Kind.CODE)
    assert email.state == OutboundEmail.State.SENT
    assert code not in email.body_text and code not in email.body_html
    assert email.body_text == "[one-time code removed after sending]"
    # The email said it all the same (ask() read the code from the message received).
    assert enter(other, code)["Location"] == anna.get_absolute_url()


def test_a_recruiter_reading_the_outbox_cannot_see_a_code_not_sent_yet(anna, other):
    # Queued (the worker has not run): the row still holds the code, the admin does not show it.
    assert other.post(SEND).status_code == 302
    email = OutboundEmail.objects.get(kind=OutboundEmail.Kind.CODE)
    (code,) = re.findall(r"\b\d{6}\b", email.body_text)
    recruiter = _recruiter_client()
    page = recruiter.get(reverse("admin:quizzes_outboundemail_change", args=[email.pk]))
    assert page.status_code == 200
    assert "(одноразовый код: не показывается)" in page.content.decode()
    assert code not in page.content.decode()


def test_a_failed_code_is_not_sent_again_from_the_outbox(anna, other, settings):
    from quizzes.services.mail import send_again

    assert other.post(SEND).status_code == 302
    email = OutboundEmail.objects.get(kind=OutboundEmail.Kind.CODE)
    OutboundEmail.objects.filter(pk=email.pk).update(state=OutboundEmail.State.FAILED)
    recruiter = _recruiter_client()
    response = recruiter.post(
        reverse("admin:quizzes_outboundemail_changelist"),
        {"action": "send_again", "_selected_action": [email.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert OutboundEmail.objects.count() == 1
    with pytest.raises(ValueError):
        send_again(email)


def test_a_code_given_up_on_is_removed_from_the_outbox(anna, other, settings, smtp_server):
    from quizzes.services.mail import deliver_due, give_up_on_stalled

    settings.EMAIL_MAX_TRIES = 1
    smtp_server.stop()
    assert other.post(SEND).status_code == 302
    deliver_due()  # the server is down: the only try fails
    failed = OutboundEmail.objects.get(kind=OutboundEmail.Kind.CODE)
    assert failed.state == OutboundEmail.State.FAILED and failed.last_error
    assert not re.search(r"\b\d{6}\b", failed.body_text + failed.body_html)

    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        assert other.post(SEND).status_code == 302
    email = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.CODE).latest("pk")
    OutboundEmail.objects.filter(pk=email.pk).update(
        state=OutboundEmail.State.SENDING, claimed_at=timezone.now() - timedelta(hours=1)
    )
    assert give_up_on_stalled() == 1
    email.refresh_from_db()
    assert email.state == OutboundEmail.State.FAILED
    assert not re.search(r"\b\d{6}\b", email.body_text + email.body_html)


def test_one_address_gets_at_most_ten_codes_a_day_across_attempts(anna, other):
    from quizzes.services.attempts import start_attempt
    from quizzes.services.resume_codes import CodeRefused, send_resume_code

    # Someone starts attempts at several quizzes with a stranger's address and asks for
    # codes in every window: the stranger gets ten emails a day, not hundreds.
    attempts = [anna] + [
        start_attempt(
            quiz=make_quiz(title=f"Ещё {n}", access="invite"),
            candidate_name="Анна",
            candidate_email=EMAIL.upper() if n % 2 else EMAIL,
        )
        for n in range(3)
    ]
    start = timezone.now()
    sent = refused = 0
    for window in range(8):
        with time_machine.travel(start + timedelta(minutes=16 * window)):
            for attempt in attempts:
                try:
                    send_resume_code(attempt_id=attempt.pk, language="ru")
                    sent += 1
                except CodeRefused as refusal:
                    assert refusal.reason == "address_day"
                    refused += 1
    assert sent == 10 and refused == 22
    assert OutboundEmail.objects.filter(kind=OutboundEmail.Kind.CODE).count() == 10

    with time_machine.travel(start + timedelta(hours=2)):
        page = other.post(SEND)
    assert page.status_code == 429
    assert "Сегодня на этот адрес отправлено слишком много кодов" in page.content.decode()
    with time_machine.travel(start + timedelta(days=1, minutes=1)):
        page = other.post(SEND)
    assert page.status_code == 302  # a day later the address gets codes again


def test_a_right_code_gives_the_browser_a_new_session_id(anna, other, ask, settings):
    _, code = ask(other)
    planted = other.cookies[settings.SESSION_COOKIE_NAME].value
    fixer = Client()  # whoever planted that session id in the candidate's browser
    fixer.cookies[settings.SESSION_COOKIE_NAME] = planted

    assert enter(other, code)["Location"] == anna.get_absolute_url()

    assert other.cookies[settings.SESSION_COOKIE_NAME].value != planted
    assert other.get(anna.get_absolute_url()).status_code == 200
    assert fixer.get(anna.get_absolute_url()).status_code == 404
