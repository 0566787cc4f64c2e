"""Recruiters' notifications of finished attempts, against a real SMTP server (tests/mail.py).

Transactional: the notification is queued when the submit's transaction commits.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import Permission, User
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quizzes.models import Attempt, NotificationPreference, OutboundEmail
from quizzes.services import notifications
from quizzes.services.attempts import DEADLINE_GRACE, start_attempt, submit_attempt
from quizzes.tasks import attempt_finished, daily_digest, every_minute
from tests.builders import ALL_RIGHT, answer_post, make_quiz
from tests.mail import html_of, text_of

pytestmark = pytest.mark.django_db(transaction=True)

SITE = "https://quiz.example.org"


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def subject(message) -> str:
    # A long encoded subject is folded; the parser keeps the fold's leading space.
    return str(message["Subject"]).strip()


def recruiter(name: str, mode: str = "each", language: str = "ru", **fields) -> User:
    user = User.objects.create_user(name, f"{name}@corp.example", is_staff=True, **fields)
    user.user_permissions.add(Permission.objects.get(codename="view_attempt"))
    NotificationPreference.objects.create(user=user, mode=mode, language=language)
    return user


def finish_through_the_page(client, quiz, name="Анна Иванова", email="anna@example.com"):
    started = client.post(
        reverse("quizzes:quiz_detail", args=[quiz.slug]),
        {"candidate_name": name, "candidate_email": email},
    )
    attempt = Attempt.objects.get(public_id=started["Location"].split("/")[2])
    data = {**answer_post(attempt, {2: ALL_RIGHT[2], 3: ALL_RIGHT[3]}), "action": "submit"}
    client.post(attempt.get_absolute_url(), data)
    confirmed = client.post(reverse("quizzes:confirm_submit", args=[attempt.public_id]))
    assert confirmed.status_code == 302, confirmed.content.decode()[:300]
    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED
    return attempt


@pytest.fixture
def quiz():
    return make_quiz(title="Глубокое обучение", access="public")


def test_a_submit_emails_each_recruiter_who_opted_in(client, quiz, smtp_server):
    recruiter("rita")
    recruiter("eve", language="en")
    recruiter("quiet", mode="off")
    recruiter("daily", mode="daily")

    attempt = finish_through_the_page(client, quiz)

    messages = smtp_server.wait_for(2)
    assert sorted(str(m["To"]) for m in messages) == ["eve@corp.example", "rita@corp.example"]
    link = f"{SITE}/review/attempt/{attempt.public_id}/"
    (russian,) = smtp_server.to("rita@corp.example")
    assert subject(russian) == "Анна Иванова — «Глубокое обучение» завершён: 2 из 3"
    text = text_of(russian)
    assert "Кандидат: Анна Иванова <anna@example.com>" in text
    assert "Результат: 2 / 3 (66,7 %)" in text
    assert "Отправлено кандидатом." in text and link in text
    assert f'<a href="{link}">' in html_of(russian)
    (english,) = smtp_server.to("eve@corp.example")
    assert subject(english) == "Анна Иванова finished “Глубокое обучение”: 2 of 3"
    assert "Score: 2 / 3 (66.7 %)" in text_of(english)
    assert "Submitted by the candidate." in text_of(english)
    keys = set(OutboundEmail.objects.values_list("once_key", flat=True))
    users = User.objects.filter(username__in=["rita", "eve"])
    assert keys == {f"finished:{attempt.pk}:{user.pk}" for user in users}


def test_nobody_who_may_not_read_attempts_gets_one(client, quiz, smtp_server):
    recruiter("rita")
    removed = recruiter("former")
    removed.user_permissions.clear()
    recruiter("unstaffed")
    User.objects.filter(username="unstaffed").update(is_staff=False)
    recruiter("gone")
    User.objects.filter(username="gone").update(is_active=False)
    author = User.objects.create_user("author", "author@corp.example", is_staff=True)
    NotificationPreference.objects.create(user=author, mode="each")
    boss = User.objects.create_superuser("boss", "boss@corp.example", "pw")
    NotificationPreference.objects.create(user=boss, mode="each")
    retired_boss = User.objects.create_superuser("old", "old@corp.example", "pw", is_active=False)
    NotificationPreference.objects.create(user=retired_boss, mode="each")

    finish_through_the_page(client, quiz)

    smtp_server.wait_for(2)
    assert sorted(str(m["To"]) for m in smtp_server.messages) == [
        "boss@corp.example",
        "rita@corp.example",
    ]


def test_the_task_running_twice_sends_once(client, quiz, smtp_server):
    recruiter("rita")
    attempt = finish_through_the_page(client, quiz)
    smtp_server.wait_for(1)

    attempt_finished.call_local(attempt.pk)
    assert notifications.announce_finished(attempt_id=attempt.pk) == 0

    assert len(smtp_server.messages) == 1
    assert OutboundEmail.objects.filter(kind="notification").count() == 1


def test_a_failing_queue_does_not_fail_the_submit(quiz, smtp_server, monkeypatch, caplog):
    recruiter("rita")
    attempt = start_attempt(quiz=quiz, candidate_name="Анна", candidate_email="a@example.com")

    def broken(*args, **kwargs):
        raise ConnectionError("redis is down")

    monkeypatch.setattr("quizzes.tasks.attempt_finished", broken)
    outcome = submit_attempt(attempt_id=attempt.pk, selections={})

    assert outcome.graded_now and outcome.attempt.state == Attempt.State.SUBMITTED
    assert "Could not queue the notification" in caplog.text
    assert smtp_server.messages == []


def test_a_time_up_closure_by_the_periodic_task_sends_it_too(smtp_server):
    recruiter("rita")
    quiz = make_quiz(title="На время", access="public", time_limit=timedelta(minutes=5))
    attempt = start_attempt(quiz=quiz, candidate_name="Борис", candidate_email="b@example.com")

    with time_machine.travel(timezone.now() + timedelta(minutes=5) + DEADLINE_GRACE * 2):
        every_minute.call_local()

    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.CLOSED
    (message,) = smtp_server.wait_for(1)
    assert subject(message) == "Борис — «На время» завершён: 0 из 3"
    text = text_of(message)
    assert "Время вышло: попытка закрыта с ответами, сохранёнными к тому моменту." in text
    assert f"{SITE}/review/attempt/{attempt.public_id}/" in text


def _finished(quiz, name: str, when) -> Attempt:
    attempt = start_attempt(quiz=quiz, candidate_name=name, candidate_email=f"{name}@x.example")
    with time_machine.travel(when):
        submit_attempt(attempt_id=attempt.pk, selections={})
    return attempt


def test_the_daily_digest_lists_the_last_24_hours_in_each_recipients_language(quiz, smtp_server):
    recruiter("rita", mode="daily")
    recruiter("eve", mode="daily", language="en")
    recruiter("each")  # gets the single emails, not the digest
    now = timezone.now().replace(microsecond=0)
    _finished(quiz, "Старый", now - timedelta(hours=25))
    smtp_server.wait_for(1)  # the "each" recruiter's email about it
    _finished(quiz, "Вчерашний", now - timedelta(hours=23))
    _finished(quiz, "Утренний", now - timedelta(hours=1))
    start_attempt(quiz=quiz, candidate_name="Открытый", candidate_email="open@x.example")
    smtp_server.wait_for(3)

    assert notifications.send_daily_digests(now=now) == 2

    smtp_server.wait_for(5)
    (russian,) = smtp_server.to("rita@corp.example")
    assert subject(russian) == "Завершённых попыток за последние 24 часа: 2"
    text = text_of(russian)
    assert "Вчерашний" in text and "Утренний" in text
    assert "Старый" not in text and "Открытый" not in text
    assert text.count(f"{SITE}/review/attempt/") == 2
    (english,) = smtp_server.to("eve@corp.example")
    assert subject(english) == "Finished attempts in the last 24 hours: 2"
    assert "2 attempts were finished in the last 24 hours." in text_of(english)
    assert "Утренний" in html_of(english)
    # Run again the same day (a second consumer, a retry): nothing more.
    assert notifications.send_daily_digests(now=now + timedelta(minutes=5)) == 0
    assert len(smtp_server.messages) == 5


def test_an_empty_digest_is_not_sent(quiz, smtp_server):
    recruiter("rita", mode="daily")
    _finished(quiz, "Давний", timezone.now() - timedelta(days=2))

    daily_digest.call_local()

    assert OutboundEmail.objects.count() == 0
    assert smtp_server.messages == []


def test_the_digest_is_not_sent_to_whom_lost_the_permission(quiz, smtp_server):
    kept = recruiter("rita", mode="daily")
    lost = recruiter("former", mode="daily")
    lost.user_permissions.clear()
    _finished(quiz, "Утренний", timezone.now() - timedelta(hours=1))

    assert notifications.send_daily_digests() == 1
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == kept.email


def test_the_text_part_is_plain_and_the_html_part_escaped(quiz, smtp_server):
    recruiter("rita", language="en")
    attempt = start_attempt(
        quiz=quiz, candidate_name="Tom & <b>Jerry</b>", candidate_email="t@x.example"
    )
    submit_attempt(attempt_id=attempt.pk, selections={})

    (message,) = smtp_server.wait_for(1)
    assert "Candidate: Tom & <b>Jerry</b> <t@x.example>" in text_of(message)
    assert "Tom &amp; &lt;b&gt;Jerry&lt;/b&gt;" in html_of(message)
    assert "<b>Jerry" not in html_of(message)


def test_the_submit_request_only_queues_the_work(client, quiz, smtp_server, queued_tasks):
    recruiter("rita")
    started = client.post(
        reverse("quizzes:quiz_detail", args=[quiz.slug]),
        {"candidate_name": "Анна", "candidate_email": "anna@example.com"},
    )
    attempt = Attempt.objects.get(public_id=started["Location"].split("/")[2])
    data = {**answer_post(attempt, {3: ALL_RIGHT[3]}), "action": "finish"}

    with CaptureQueriesContext(connection) as queries:
        client.post(attempt.get_absolute_url(), data)

    attempt.refresh_from_db()
    assert attempt.state == Attempt.State.SUBMITTED
    touched = " ".join(query["sql"] for query in queries.captured_queries)
    assert "notificationpreference" not in touched and "outboundemail" not in touched
    assert smtp_server.messages == []
    assert queued_tasks() >= 1  # the consumer's turn: attempt_finished, then delivery
    queued_tasks()
    (message,) = smtp_server.wait_for(1)
    assert message["To"] == "rita@corp.example"
