"""Emails to candidates about their invites: the invitation and the reminder before expiry.

Each email is composed in the invite's language when it is queued and written to the
outbox (services.mail) with the rest of the work, so the queue only delivers; the link
starts with settings.SITE_URL, as no request is at hand in the worker.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, Value
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext

from quizzes.models import Invite, OutboundEmail
from quizzes.services.mail import queue_emails

# Reminders one periodic run queues at most; the rest are due on the next run.
REMINDER_BATCH = 500


def invite_link(invite: Invite) -> str:
    return settings.SITE_URL + invite.get_absolute_url()


def compose(invite: Invite, kind: str = OutboundEmail.Kind.INVITATION) -> OutboundEmail:
    """The invitation (or reminder) email of a personal invite, unsaved.

    The quiz is read from `invite.quiz`: callers composing many emails for one quiz pass
    invites that share it, so composing costs no query.
    """
    quiz = invite.quiz
    template = "invitation" if kind == OutboundEmail.Kind.INVITATION else "reminder"
    with translation.override(invite.language or settings.LANGUAGE_CODE):
        context = {
            "invite": invite,
            "quiz": quiz,
            "link": invite_link(invite),
            "expires_at": invite.expires_at and timezone.localtime(invite.expires_at),
        }
        if kind == OutboundEmail.Kind.INVITATION:
            subject = gettext("Invitation to the test “%(title)s”")
        else:
            subject = gettext("Reminder: your link to the test “%(title)s” expires soon")
        return OutboundEmail(
            kind=kind,
            to=invite.candidate_email,
            subject=(subject % {"title": quiz.title})[:300],
            body_text=render_to_string(f"emails/{template}.txt", context),
            body_html=render_to_string(f"emails/{template}.html", context),
            invite=invite,
            once_key=f"reminder:{invite.pk}" if kind == OutboundEmail.Kind.REMINDER else None,
        )


def send_invitations(*, invites: Iterable[Invite]) -> list[OutboundEmail]:
    """Queue an invitation email to each personal invite's candidate (others are skipped).

    The rows are written in the caller's transaction with one bulk insert and delivered
    by the queue after it commits.
    """
    return queue_emails(
        compose(invite) for invite in invites if invite.is_personal and invite.candidate_email
    )


def due_reminders(now: datetime | None = None):
    """Personal invites owed a reminder at `now`: unused, expiring within their quiz's
    `reminder_before`, of a published quiz that has not closed, and not reminded yet."""
    now = now or timezone.now()
    remind_from = ExpressionWrapper(
        F("expires_at") - F("quiz__reminder_before"), output_field=DateTimeField()
    )
    reminded = OutboundEmail.objects.filter(invite=OuterRef("pk"), kind=OutboundEmail.Kind.REMINDER)
    return (
        Invite.objects.filter(
            kind=Invite.Kind.PERSONAL,
            uses=0,
            expires_at__gt=now,
            quiz__published=True,
            quiz__reminder_before__gt=timedelta(0),
        )
        .exclude(candidate_email="")
        .filter(Q(quiz__closes_at__isnull=True) | Q(quiz__closes_at__gt=now))
        .alias(remind_from=remind_from)
        .filter(remind_from__lte=Value(now, output_field=DateTimeField()))
        .exclude(Exists(reminded))
        .select_related("quiz")
        .order_by("expires_at", "pk")
    )


def queue_due_reminders(*, now: datetime | None = None, batch: int = REMINDER_BATCH) -> int:
    """Queue one reminder per invite that is owed one (see `due_reminders`); returns how many.

    Each reminder's once_key is the invite's, so two workers running this at once, or a
    run repeated after a crash, queue it once.
    """
    invites = list(due_reminders(now)[:batch])
    return len(queue_emails(compose(invite, OutboundEmail.Kind.REMINDER) for invite in invites))
