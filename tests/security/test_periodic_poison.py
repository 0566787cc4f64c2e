"""A row that always fails does not stop the every-minute task's other work."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from quizzes import tasks
from quizzes.models import Attempt, OutboundEmail
from quizzes.services import attempts as attempt_service
from quizzes.services.attempts import DEADLINE_GRACE, start_attempt
from quizzes.services.mail import queue_email
from tests.builders import make_quiz

pytestmark = pytest.mark.django_db


def _overdue_pair():
    quiz = make_quiz(title="На время", access="public", time_limit=timedelta(minutes=5))
    return [
        start_attempt(quiz=quiz, candidate_name=name, candidate_email=f"{name}@example.com")
        for name in ("broken", "fine")
    ]


def test_an_attempt_that_cannot_be_closed_does_not_keep_the_others_open_or_mail_waiting(
    monkeypatch, smtp_server, caplog
):
    broken, fine = _overdue_pair()
    queue_email(kind="invitation", to="c@example.com", subject="s", body_text="t")
    real_submit = attempt_service.submit_attempt

    def submit(*, attempt_id, **kwargs):
        if attempt_id == broken.pk:
            raise ValueError("corrupt answers")
        return real_submit(attempt_id=attempt_id, **kwargs)

    monkeypatch.setattr(attempt_service, "submit_attempt", submit)
    later = timezone.now() + timedelta(minutes=5) + DEADLINE_GRACE * 2
    with time_machine.travel(later):
        tasks.every_minute.call_local()
        tasks.every_minute.call_local()  # and again next minute: still only that one

    broken.refresh_from_db()
    fine.refresh_from_db()
    assert broken.state == Attempt.State.IN_PROGRESS and fine.state == Attempt.State.CLOSED
    assert f"Could not close overdue attempt {broken.pk}" in caplog.text
    assert [m["To"] for m in smtp_server.wait_for(1)] == ["c@example.com"]
    assert OutboundEmail.objects.get().state == OutboundEmail.State.SENT


def test_a_failing_step_of_the_periodic_task_does_not_stop_the_next_ones(
    monkeypatch, smtp_server, caplog
):
    def down():
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(tasks, "close_overdue_attempts", down)
    queue_email(kind="invitation", to="c@example.com", subject="s", body_text="t")

    tasks.every_minute.call_local()

    assert "Task step close overdue attempts failed" in caplog.text
    assert OutboundEmail.objects.get().state == OutboundEmail.State.SENT
