"""Emails to candidates about their invites: the invitation and the reminder before expiry.

Each email is composed in the invite's language when it is queued and written to the
outbox (services.mail) with the rest of the work, so the queue only delivers; the link
starts with settings.SITE_URL, as no request is at hand in the worker.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db.models import DateTimeField, Exists, ExpressionWrapper, F, OuterRef, Q, Value
from django.template.loader import render_to_string
from django.utils import dateformat, timezone, translation
from django.utils.formats import date_format
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
    invites that share it, so composing costs no query. The HTML part comes from a
    template (escaped, with the quiz's sanitized message); the text part is written here,
    since a text template would have to switch escaping off.
    """
    quiz = invite.quiz
    reminder = kind == OutboundEmail.Kind.REMINDER
    with translation.override(invite.language or settings.LANGUAGE_CODE):
        link = invite_link(invite)
        expires_at = invite.expires_at and timezone.localtime(invite.expires_at)
        context = {"invite": invite, "quiz": quiz, "link": link, "expires_at": expires_at}
        if reminder:
            subject = gettext("Reminder: your link to the test “%(title)s” expires soon")
        else:
            subject = gettext("Invitation to the test “%(title)s”")
        return OutboundEmail(
            kind=kind,
            to=invite.candidate_email,
            # One line: a line break in a title would make the header invalid (the mail
            # library refuses it rather than let it add headers), and the email unsendable.
            subject=" ".join((subject % {"title": quiz.title}).split())[:300],
            body_text=_text_body(invite, link, expires_at, reminder=reminder),
            body_html=render_to_string(
                f"emails/{'reminder' if reminder else 'invitation'}.html", context
            ),
            invite=invite,
            once_key=f"reminder:{invite.pk}" if reminder else None,
        )


def _text_body(invite: Invite, link: str, expires_at, *, reminder: bool) -> str:
    """The plain-text part, in the active language; the message as its markdown source."""
    quiz = invite.quiz
    if invite.candidate_name:
        lines = [gettext("Hello, %(name)s!") % {"name": invite.candidate_name}, ""]
    else:
        lines = [gettext("Hello!"), ""]
    if reminder:
        intro = gettext(
            "You have not started the test “%(title)s” yet, and your link expires soon."
        )
    else:
        intro = gettext("You are invited to take the test “%(title)s”.")
    lines.append(intro % {"title": quiz.title})
    if quiz.time_limit:
        minutes = int(quiz.time_limit.total_seconds() // 60)
        lines.append(
            gettext("Time limit: %(minutes)s min. The clock starts when you press Start.")
            % {"minutes": minutes}
        )
    if expires_at:
        when = date_format(expires_at, "DATETIME_FORMAT")
        zone = dateformat.format(expires_at, "T")
        lines.append(
            gettext("The link works until %(when)s (%(zone)s).") % {"when": when, "zone": zone}
        )
    lines += ["", gettext("Your personal link (do not share it):"), link]
    if quiz.invitation_message and not reminder:
        lines += ["", quiz.invitation_message]
    return "\n".join(lines) + "\n"


class InvitationQuotaExceeded(Exception):
    """The user has queued as many invitation emails this hour as they may."""

    def __init__(self, *, allowed: int, used: int, asked: int):
        super().__init__(allowed, used, asked)
        self.allowed, self.used, self.asked = allowed, used, asked

    @property
    def message(self) -> str:
        return gettext(
            "Invitation emails are limited to %(allowed)d an hour per user: %(used)d were "
            "queued in the last hour and these are %(asked)d more. Nothing was created; try "
            "again later or with fewer candidates."
        ) % {"allowed": self.allowed, "used": self.used, "asked": self.asked}


def send_invitations(
    *, invites: Iterable[Invite], queued_by: User | None = None
) -> list[OutboundEmail]:
    """Queue an invitation email to each personal invite's candidate (others are skipped).

    The rows are written in the caller's transaction with one bulk insert and delivered
    by the queue after it commits. Raises InvitationQuotaExceeded when `queued_by` would
    go beyond settings.INVITATION_EMAILS_PER_HOUR (the caller's transaction should then
    roll back whatever came with the emails).
    """
    emails = [
        compose(invite) for invite in invites if invite.is_personal and invite.candidate_email
    ]
    if queued_by is not None and emails:
        allowed = settings.INVITATION_EMAILS_PER_HOUR
        used = OutboundEmail.objects.filter(
            queued_by=queued_by,
            kind=OutboundEmail.Kind.INVITATION,
            created_at__gte=timezone.now() - timedelta(hours=1),
        ).count()
        if used + len(emails) > allowed:
            raise InvitationQuotaExceeded(allowed=allowed, used=used, asked=len(emails))
        for email in emails:
            email.queued_by = queued_by
    return queue_emails(emails)


def due_reminders(now: datetime | None = None):
    """Personal invites owed a reminder at `now`: unused, expiring within their quiz's
    `reminder_before`, of a published quiz that has not closed, issued before that window
    opened, and not reminded yet."""
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
        # An invite issued already inside its reminder window has a fresh invitation.
        .filter(created_at__lt=F("remind_from"))
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
