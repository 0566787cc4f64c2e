"""Reminders: one email for an unused personal invite about to expire, and no other."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction

from quizzes.admin.forms import QuizForm
from quizzes.models import Invite, OutboundEmail
from quizzes.services.invitations import due_reminders
from quizzes.tasks import send_reminders
from tests.builders import make_quiz
from tests.mail import text_of

NOW = datetime(2030, 3, 1, 12, 0, tzinfo=UTC)


def _invite(quiz, email, expires_in, **fields):
    expires = None if expires_in is None else NOW + expires_in
    return Invite.objects.create(
        quiz=quiz, candidate_name="Кандидат", candidate_email=email, expires_at=expires, **fields
    )


@pytest.fixture
def world(settings):
    settings.SITE_URL = "https://quiz.example.org"
    with time_machine.travel(NOW - timedelta(days=10), tick=False):
        quiz = make_quiz(title="Напоминания", access="invite")  # reminder_before: 24 h
        off = make_quiz(title="Без напоминаний", access="invite", reminder_before=timedelta(0))
        unset = make_quiz(title="Тоже без", access="invite", reminder_before=None)
        draft = make_quiz(title="Черновик", access="invite", published=False)
        closed = make_quiz(title="Закрыт", access="invite", closes_at=NOW - timedelta(hours=1))
        hour = timedelta(hours=1)
        invites = {
            "due": _invite(quiz, "due@example.com", 23 * hour, language="en"),
            "due_ru": _invite(quiz, "due-ru@example.com", 2 * hour),
            "used": _invite(quiz, "used@example.com", 2 * hour, uses=1),
            "expired": _invite(quiz, "expired@example.com", -hour),
            "far": _invite(quiz, "far@example.com", 25 * hour),
            "no_expiry": _invite(quiz, "forever@example.com", None),
            "off": _invite(off, "off@example.com", 2 * hour),
            "unset": _invite(unset, "unset@example.com", 2 * hour),
            "draft": _invite(draft, "draft@example.com", 2 * hour),
            "closed": _invite(closed, "closed@example.com", 2 * hour),
            "shared": Invite.objects.create(
                quiz=quiz, kind="shared", max_uses=5, expires_at=NOW + 2 * hour
            ),
        }
    # Issued inside its reminder window: the invitation itself is the reminder.
    with time_machine.travel(NOW - timedelta(hours=1), tick=False):
        invites["fresh"] = _invite(quiz, "fresh@example.com", 2 * hour)
    return invites


@pytest.mark.django_db(transaction=True)
def test_a_reminder_goes_out_once_for_each_invite_about_to_expire(world, smtp_server):
    with time_machine.travel(NOW, tick=False):
        send_reminders.call_local()
        send_reminders.call_local()  # a second run (another consumer) sends nothing more

    messages = smtp_server.wait_for(2)
    assert sorted(str(m["To"]) for m in messages) == ["due-ru@example.com", "due@example.com"]
    english = next(m for m in messages if str(m["To"]) == "due@example.com")
    assert "Reminder: your link" in str(english["Subject"])
    assert f"https://quiz.example.org/invite/{world['due'].token}/" in text_of(english)
    russian = next(m for m in messages if str(m["To"]) == "due-ru@example.com")
    assert "Напоминание: ваша ссылка на тест «Напоминания»" in str(russian["Subject"])
    assert "Вы ещё не начали тест" in text_of(russian)
    reminders = OutboundEmail.objects.filter(kind=OutboundEmail.Kind.REMINDER)
    assert sorted(reminders.values_list("once_key", flat=True)) == sorted(
        [f"reminder:{world['due'].pk}", f"reminder:{world['due_ru'].pk}"]
    )

    # A later run reminds nobody twice; only the invite that has come within the 24 hours.
    with time_machine.travel(NOW + timedelta(hours=1, minutes=30), tick=False):
        send_reminders.call_local()
    assert [str(m["To"]) for m in smtp_server.wait_for(3)[2:]] == ["far@example.com"]


@pytest.mark.django_db
def test_an_invite_far_from_expiry_is_reminded_when_it_comes_within_the_lead_time(world):
    with time_machine.travel(NOW + timedelta(hours=1, minutes=1), tick=False):
        due = set(due_reminders().values_list("candidate_email", flat=True))
    assert due == {"due@example.com", "due-ru@example.com", "far@example.com"}


@pytest.mark.django_db
def test_a_reminder_queued_by_a_run_that_rolled_back_is_queued_again(world):
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(RuntimeError), transaction.atomic():
            send_reminders.call_local()
            raise RuntimeError
        assert OutboundEmail.objects.count() == 0
        send_reminders.call_local()
    assert OutboundEmail.objects.filter(kind="reminder").count() == 2


def test_the_quiz_form_takes_the_reminder_in_hours_and_zero_turns_it_off():
    field = QuizForm.base_fields["reminder_before"]
    assert field.prepare_value(timedelta(hours=24)) == 24
    assert field.clean("48") == timedelta(hours=48)
    assert field.clean("0") is None and field.clean("") is None
    assert not field.has_changed(timedelta(hours=24), "24")
    assert field.has_changed(timedelta(hours=24), "0")
    with pytest.raises(ValidationError):
        field.clean("-1")
