"""Email: written to the outbox with the work that makes it due, delivered by the queue.

`queue_email` adds a row to OutboundEmail in the caller's transaction and, once that
commits, asks the task queue to deliver. `deliver_due` (a Huey task, and every minute
anyway) claims each due row, sends it through Django's email framework and records the
outcome: sent; queued again after a pause that doubles with each failed try; or failed,
with the server's error, after settings.EMAIL_MAX_TRIES tries. No web request ever talks
to the mail server.

Delivery is at most once. A row is claimed (queued -> sending) by one conditional update
before the server is contacted, so two workers never send it. A worker that dies after
the claim leaves the row "sending"; after SENDING_TIMEOUT it is marked failed with an
unknown outcome instead of being sent again, and the admin can resend it by hand.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from quizzes.models import OutboundEmail

logger = logging.getLogger(__name__)

# A claimed row not finished within this time belongs to a worker that stopped.
SENDING_TIMEOUT = timedelta(minutes=10)
# Pauses between tries: one minute, doubling, at most an hour.
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=1)
# Rows one delivery run sends at most; the rest wait for the next run, which the run
# itself asks for, so one huge batch cannot hold a worker for hours.
BATCH = 500
# What is kept of a one-time code's email once it left: the code lets a browser continue
# a candidate's attempt, so it is not left readable in the outbox (the admin's included).
CODE_REDACTED = "[one-time code removed after sending]"


def new_message_id() -> str:
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "localhost"
    return make_msgid(domain=domain)


def retry_pause(tries: int) -> timedelta:
    """How long to wait after the `tries`-th failed try (1-based)."""
    return min(FIRST_RETRY * 2 ** max(tries - 1, 0), LONGEST_RETRY)


def _request_delivery() -> None:
    # Imported here: the tasks module imports this one.
    from quizzes.tasks import deliver_emails

    try:
        deliver_emails()
    except Exception:
        # The queue is down (Redis restarting): the rows are safe in the outbox and the
        # every-minute run delivers them; the request that queued them must not fail.
        logger.exception("Could not queue email delivery; the periodic run will send")


def queue_emails(emails: Iterable[OutboundEmail]) -> list[OutboundEmail]:
    """Write the emails to the outbox; they are delivered after the transaction commits.

    An email whose `once_key` is already in the outbox is skipped (not an error): it was
    queued before. Returns the rows written.
    """
    written = []
    for email in emails:
        if not email.message_id:
            email.message_id = new_message_id()
        if email.once_key:
            try:
                with transaction.atomic():
                    email.save()
            except IntegrityError:
                if not OutboundEmail.objects.filter(once_key=email.once_key).exists():
                    raise
                continue
            written.append(email)
        else:
            written.append(email)
    plain = [email for email in written if email.pk is None]
    if plain:
        OutboundEmail.objects.bulk_create(plain)
    if written:
        transaction.on_commit(_request_delivery)
    return written


def queue_email(**fields) -> OutboundEmail | None:
    """Write one email to the outbox (see queue_emails); None if its once_key was used."""
    written = queue_emails([OutboundEmail(**fields)])
    return written[0] if written else None


def build_message(email: OutboundEmail) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body_text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to],
        headers={"Message-ID": email.message_id},
    )
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    return message


@dataclass
class DeliveryReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    unknown: int = 0
    more: bool = False


def _claim(pk: int, now: datetime) -> OutboundEmail | None:
    claimed = OutboundEmail.objects.filter(pk=pk, state=OutboundEmail.State.QUEUED).update(
        state=OutboundEmail.State.SENDING, claimed_at=now, tries=F("tries") + 1
    )
    return OutboundEmail.objects.get(pk=pk) if claimed else None


def _describe(error: Exception) -> str:
    text = str(error) or type(error).__name__
    return f"{type(error).__name__}: {text}"[:2000]


def give_up_on_stalled(now: datetime | None = None) -> int:
    """Rows a stopped worker left "sending": their outcome is unknown, so not retried."""
    now = now or timezone.now()
    stalled = OutboundEmail.objects.filter(
        state=OutboundEmail.State.SENDING, claimed_at__lt=now - SENDING_TIMEOUT
    )
    stalled.filter(kind=OutboundEmail.Kind.CODE).update(body_text=CODE_REDACTED, body_html="")
    return stalled.update(
        state=OutboundEmail.State.FAILED,
        last_error=_(
            "Unknown outcome: the worker stopped while sending. It may have arrived; "
            "resend it if the recipient did not get it."
        ),
    )


def deliver_due(*, now: datetime | None = None, batch: int = BATCH) -> DeliveryReport:
    """Send every due row once (at most `batch`); see the module docstring."""
    now = now or timezone.now()
    report = DeliveryReport(unknown=give_up_on_stalled(now))
    due = list(
        OutboundEmail.objects.filter(state=OutboundEmail.State.QUEUED, next_try_at__lte=now)
        .order_by("next_try_at", "pk")
        .values_list("pk", flat=True)[: batch + 1]
    )
    report.more = len(due) > batch
    connection = get_connection(fail_silently=False)
    try:
        for pk in due[:batch]:
            email = _claim(pk, now)
            if email is None:
                continue  # another worker has it
            try:
                connection.send_messages([build_message(email)])
            except Exception as error:
                _record_failure(email, error)
                if email.state == OutboundEmail.State.FAILED:
                    report.failed += 1
                else:
                    report.retrying += 1
                # A broken connection is not reused for the next message.
                _close_quietly(connection)
                continue
            OutboundEmail.objects.filter(pk=email.pk).update(
                state=OutboundEmail.State.SENT,
                sent_at=timezone.now(),
                last_error="",
                **_secret_removed(email),
            )
            report.sent += 1
    finally:
        _close_quietly(connection)
    _ask_for_next_run(report)
    return report


def _secret_removed(email: OutboundEmail) -> dict[str, str]:
    """The body fields that replace a one-time code's once it is sent or given up on."""
    if email.kind != OutboundEmail.Kind.CODE:
        return {}
    return {"body_text": CODE_REDACTED, "body_html": ""}


def _record_failure(email: OutboundEmail, error: Exception) -> None:
    logger.warning("Email %s to %s failed (try %d): %s", email.pk, email.to, email.tries, error)
    fields = ["state", "next_try_at", "last_error"]
    if email.tries >= settings.EMAIL_MAX_TRIES:
        email.state = OutboundEmail.State.FAILED
        for field, value in _secret_removed(email).items():
            setattr(email, field, value)
            fields.append(field)
    else:
        email.state = OutboundEmail.State.QUEUED
        email.next_try_at = timezone.now() + retry_pause(email.tries)
    email.last_error = _describe(error)
    email.save(update_fields=fields)


def _close_quietly(connection) -> None:
    try:
        connection.close()
    except Exception:  # a dead server can fail the QUIT too
        logger.debug("Closing the mail connection failed", exc_info=True)


def _ask_for_next_run(report: DeliveryReport) -> None:
    """Queue the next run for the earliest retry (or at once when a batch was cut short)."""
    from quizzes.tasks import deliver_emails

    if report.more:
        _request_delivery()
        return
    earliest = OutboundEmail.objects.filter(state=OutboundEmail.State.QUEUED).aggregate(
        at=Min("next_try_at")
    )["at"]
    if earliest is None:
        return
    try:
        deliver_emails.schedule(eta=earliest)
    except Exception:
        logger.exception("Could not schedule the next delivery; the periodic run will send")


def send_again(email: OutboundEmail) -> OutboundEmail:
    """Queue a copy of an email as a new message (with its own Message-ID).

    Not for a one-time code: its text is gone once it left, and the candidate asks for a
    new code instead.
    """
    if email.kind == OutboundEmail.Kind.CODE:
        raise ValueError("one-time codes are not sent again")
    return queue_emails(
        [
            OutboundEmail(
                kind=email.kind,
                to=email.to,
                subject=email.subject,
                body_text=email.body_text,
                body_html=email.body_html,
                invite_id=email.invite_id,
                attempt_id=email.attempt_id,
            )
        ]
    )[0]
