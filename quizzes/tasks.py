"""Background tasks, run by the Huey consumer (`manage.py run_huey`).

Each task is a thin call into a service, so the same work runs from a management command
or a test without the queue. Periodic tasks are safe to run on several consumers at once
(each service claims what it works on), so consumers scale out without a leader.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from importlib import import_module

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from quizzes.services import mail, notifications, webhook_delivery, webhooks
from quizzes.services.attempts import close_overdue_attempts
from quizzes.services.invitations import queue_due_reminders

logger = logging.getLogger(__name__)


@db_task()
def deliver_emails() -> None:
    mail.deliver_due()


def _step(name: str, work: Callable[[], object]) -> object:
    """Run one independent part of a task: a part that fails is logged and the next one
    still runs (a broken row must not stop email and webhooks every minute)."""
    try:
        return work()
    except Exception:
        logger.exception("Task step %s failed", name)
        return None


@db_periodic_task(crontab(minute="*"))
def every_minute() -> None:
    """Close attempts whose time ran out, note expired invites for webhooks, and deliver
    what is due (in case a run was lost)."""
    closed = _step("close overdue attempts", close_overdue_attempts)
    if closed:
        logger.info("Closed %d overdue attempt(s)", closed)
    _step("deliver emails", mail.deliver_due)
    expired = _step("record invite expiries", webhooks.record_invite_expirations)
    if expired:
        logger.info("Recorded %d invite.expired webhook delivery(ies)", expired)
    _step("deliver webhooks", webhook_delivery.deliver_due)


@db_task()
def record_webhook_event(event: str, object_id: int) -> None:
    """Write the event's deliveries (once per endpoint, however often this runs) and send."""
    _record_and_deliver(event, object_id)


def _record_and_deliver(event: str, object_id: int) -> None:
    if webhooks.record_event(event=event, object_id=object_id):
        webhook_delivery.deliver_due()


@db_task()
def deliver_webhooks() -> None:
    webhook_delivery.deliver_due()


@db_task()
def attempt_finished(attempt_id: int) -> None:
    """Tell the recruiters who asked, and the webhooks subscribed, that an attempt is
    finished: attempt.submitted, or attempt.closed when time ran out.

    One message per finished attempt; each part is safe to run again and runs even when
    the other fails.
    """
    _step(
        "notify recruiters",
        lambda: notifications.announce_finished(attempt_id=attempt_id),
    )
    _step("record the webhook event", lambda: _record_finished_event(attempt_id))


def _record_finished_event(attempt_id: int) -> None:
    event = webhooks.attempt_finished_event(attempt_id)
    if event is not None:
        _record_and_deliver(event, attempt_id)


@db_periodic_task(crontab(minute="0", hour=str(settings.NOTIFICATION_DIGEST_HOUR)))
def daily_digest() -> None:
    """The recruiters' daily digest of the attempts finished in the last 24 hours."""
    notifications.send_daily_digests()


@db_periodic_task(crontab(minute="*/5"))
def send_reminders() -> None:
    """Queue the reminders of invites about to expire (each once; delivery follows)."""
    queued = queue_due_reminders()
    if queued:
        logger.info("Queued %d reminder(s)", queued)


@db_periodic_task(crontab(minute="23", hour="*/6"))
def clear_expired_sessions() -> None:
    """What `manage.py clearsessions` does, with whichever session store is configured."""
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()
